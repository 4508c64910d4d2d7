//! Schema analysis: walks one document and builds the [`Api`].

use std::collections::{BTreeMap, BTreeSet};

use heck::ToUpperCamelCase;
use serde_json::{Map, Value};

use super::schema::{self, Facts};
use super::*;
use crate::error::{Error, Location, Result, Severity};
use crate::load::Source;

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Analyses `source` (already overlaid). Errors are collected, not stopped at,
/// so one run reports every problem in the document.
pub fn build(source: &Source) -> Result<Api> {
    let mut b = Builder {
        root: &source.value,
        file: &source.name,
        types: Vec::new(),
        by_pointer: BTreeMap::new(),
        diagnostics: Vec::new(),
        examples: Vec::new(),
    };
    let root = Location::root(&source.name);
    let doc = &source.value;
    let openapi = doc.get("openapi").and_then(Value::as_str).unwrap_or_default().to_string();
    if !(openapi.starts_with("3.0") || openapi.starts_with("3.1")) {
        return Err(Error::at(root.join("openapi"), format!("OpenAPI 3.0 or 3.1 expected, found `{openapi}`")));
    }
    let info = doc.get("info");
    let text = |v: Option<&Value>, key: &str| v.and_then(|v| v.get(key)).and_then(Value::as_str).map(str::to_string);
    let tags = doc
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| Some(Tag { name: text(Some(t), "name")?, description: text(Some(t), "description") }))
        .collect();

    // Components first, in document order, so their ids (and so the emitted
    // order) follow the document rather than the order of first use.
    if let Some(schemas) = doc.pointer("/components/schemas").and_then(Value::as_object) {
        for name in schemas.keys() {
            let pointer = root.join("components").join("schemas").join(name);
            b.component(&pointer);
        }
    }
    let operations = b.operations(&root);
    let webhooks = b.webhooks(&root);

    let mut api = Api {
        title: text(info, "title").unwrap_or_default(),
        version: text(info, "version").unwrap_or_default(),
        description: text(info, "description"),
        openapi,
        tags,
        types: b.types,
        operations,
        webhooks,
        examples: b.examples,
        diagnostics: Vec::new(),
    };
    let (errors, warnings): (Vec<_>, Vec<_>) = b.diagnostics.into_iter().partition(|d| d.severity == Severity::Error);
    if !errors.is_empty() {
        return Err(Error::Invalid(dedup(errors)));
    }
    api.diagnostics = dedup(warnings);
    mark_lenient(&mut api);
    mark_boxed(&mut api);
    naming::assign(&mut api);
    Ok(api)
}

fn dedup(mut diagnostics: Vec<crate::error::Diagnostic>) -> Vec<crate::error::Diagnostic> {
    diagnostics.sort();
    diagnostics.dedup();
    diagnostics
}

struct Builder<'a> {
    root: &'a Value,
    file: &'a str,
    types: Vec<TypeDef>,
    /// Types built from a `$ref` target, by pointer, so each has one home.
    by_pointer: BTreeMap<String, (TypeId, bool)>,
    diagnostics: Vec<crate::error::Diagnostic>,
    examples: Vec<Example>,
}

impl<'a> Builder<'a> {
    fn operations(&mut self, root: &Location) -> Vec<Operation> {
        let mut out = Vec::new();
        let Some(paths) = self.root.get("paths").and_then(Value::as_object) else { return out };
        for (path, item) in paths {
            let at = root.join("paths").join(path);
            let (item_at, item) = self.deref(&at, item);
            for method in METHODS {
                let Some(op) = item.get(*method) else { continue };
                let op_at = item_at.join(method);
                let id = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| derived_id(method, path));
                let stem = id.to_upper_camel_case();
                let parameters = self.parameters(&item_at, item, &op_at, op, &stem);
                let request = self.body(&op_at.join("requestBody"), op.get("requestBody"), &format!("{stem}Request"));
                let responses = self.responses(&op_at, op, &stem);
                out.push(Operation {
                    id,
                    method: method.to_uppercase(),
                    path: path.clone(),
                    tag: op.pointer("/tags/0").and_then(Value::as_str).map(str::to_string),
                    summary: op.get("summary").and_then(Value::as_str).map(str::to_string),
                    doc: op.get("description").and_then(Value::as_str).map(str::to_string),
                    parameters,
                    request,
                    responses,
                    dealpos: dealpos_notes(op),
                    origin: op_at,
                });
            }
        }
        out
    }

    fn webhooks(&mut self, root: &Location) -> Vec<Webhook> {
        let mut out = Vec::new();
        let Some(hooks) = self.root.get("webhooks").and_then(Value::as_object) else { return out };
        for (key, item) in hooks {
            let at = root.join("webhooks").join(key);
            let (item_at, item) = self.deref(&at, item);
            let stem = key.to_upper_camel_case();
            let Some((method, op)) = METHODS.iter().find_map(|m| item.get(*m).map(|op| (*m, op))) else {
                self.error(item_at, "a webhook needs an operation (usually `post`)");
                continue;
            };
            let op_at = item_at.join(method);
            let payload = self.body(&op_at.join("requestBody"), op.get("requestBody"), &format!("{stem}Payload"));
            self.responses(&op_at, op, &stem);
            let Some(payload) = payload else {
                self.error(op_at.join("requestBody"), "a webhook needs a JSON request body");
                continue;
            };
            out.push(Webhook {
                key: key.clone(),
                name: String::new(),
                tag: op.pointer("/tags/0").and_then(Value::as_str).map(str::to_string),
                summary: op.get("summary").and_then(Value::as_str).map(str::to_string),
                doc: op.get("description").and_then(Value::as_str).map(str::to_string),
                payload,
                origin: op_at,
            });
        }
        out
    }

    fn parameters(
        &mut self,
        item_at: &Location,
        item: &'a Value,
        op_at: &Location,
        op: &'a Value,
        stem: &str,
    ) -> Vec<Parameter> {
        let mut out: Vec<Parameter> = Vec::new();
        for (at, owner) in [(item_at, item), (op_at, op)] {
            let Some(list) = owner.get("parameters").and_then(Value::as_array) else { continue };
            for (i, param) in list.iter().enumerate() {
                let (p_at, param) = self.deref(&at.join("parameters").join(i), param);
                let (Some(name), Some(place)) =
                    (param.get("name").and_then(Value::as_str), param.get("in").and_then(Value::as_str))
                else {
                    self.error(p_at, "a parameter needs `name` and `in`");
                    continue;
                };
                let schema = param
                    .get("schema")
                    .or_else(|| param.pointer("/content/application~1json/schema"))
                    .unwrap_or(&Value::Bool(true));
                let (ty, _) = self.schema(&p_at.join("schema"), schema, &format!("{stem}{}", rust_type_name(name)));
                let parameter = Parameter {
                    name: name.to_string(),
                    place: place.to_string(),
                    required: place == "path" || param.get("required").and_then(Value::as_bool).unwrap_or(false),
                    ty,
                    doc: param.get("description").and_then(Value::as_str).map(str::to_string),
                    origin: p_at,
                };
                match out.iter_mut().find(|p| p.name == parameter.name && p.place == parameter.place) {
                    Some(existing) => *existing = parameter,
                    None => out.push(parameter),
                }
            }
        }
        out
    }

    fn responses(&mut self, op_at: &Location, op: &'a Value, stem: &str) -> Vec<(String, Option<TypeRef>)> {
        let mut out = Vec::new();
        let Some(responses) = op.get("responses").and_then(Value::as_object) else { return out };
        for (status, response) in responses {
            let name = if status.starts_with('2') {
                format!("{stem}Response")
            } else {
                format!("{stem}{status}Response").to_upper_camel_case()
            };
            let ty = self.body(&op_at.join("responses").join(status), Some(response), &name);
            out.push((status.clone(), ty));
        }
        out
    }

    /// The type of a request body or response's JSON content.
    fn body(&mut self, at: &Location, body: Option<&'a Value>, name: &str) -> Option<TypeRef> {
        let (at, body) = self.deref(at, body?);
        let content = body.get("content")?.as_object()?;
        let mut found = None;
        for (media, media_type) in content {
            let media_at = at.join("content").join(media);
            if !is_json(media) {
                self.warn(media_at, format!("content type `{media}` is not modelled"));
                continue;
            }
            if found.is_some() {
                continue;
            }
            let schema = media_type.get("schema").unwrap_or(&Value::Bool(true));
            let (ty, nullable) = self.schema(&media_at.join("schema"), schema, name);
            self.media_examples(&media_at, media_type, &ty, nullable);
            found = Some(ty);
        }
        found
    }

    fn media_examples(&mut self, at: &Location, media_type: &'a Value, ty: &TypeRef, nullable: bool) {
        if let Some(value) = media_type.get("example") {
            self.example(at.join("example"), ty, nullable, value);
        }
        let Some(examples) = media_type.get("examples").and_then(Value::as_object) else { return };
        for (name, example) in examples {
            let ex_at = at.join("examples").join(name);
            let (ex_at, example) = self.deref(&ex_at, example);
            match example.get("value") {
                Some(value) => self.example(ex_at.join("value"), ty, nullable, value),
                None if example.get("externalValue").is_some() => self.warn(ex_at, "external examples are not checked"),
                None => {}
            }
        }
    }

    fn example(&mut self, origin: Location, ty: &TypeRef, nullable: bool, value: &Value) {
        self.examples.push(Example { origin, ty: ty.clone(), nullable, value: value.clone() });
    }

    /// Follows a `$ref` on a non-schema object (path item, request body, ...).
    fn deref(&mut self, at: &Location, value: &'a Value) -> (Location, &'a Value) {
        let mut at = at.clone();
        let mut value = value;
        for _ in 0..16 {
            let Some(r) = value.get("$ref").and_then(Value::as_str) else { break };
            match self.resolve(&at.join("$ref"), r) {
                Some((target_at, target)) => {
                    at = target_at;
                    value = target;
                }
                None => break,
            }
        }
        (at, value)
    }

    /// Resolves a local `$ref`, reporting dangling and external ones.
    fn resolve(&mut self, at: &Location, reference: &str) -> Option<(Location, &'a Value)> {
        let Some(pointer) = reference.strip_prefix('#') else {
            self.error(at.clone(), format!("`$ref: {reference}` points into another file, which is not supported yet"));
            return None;
        };
        let pointer = percent_decode(pointer);
        match self.root.pointer(&pointer) {
            Some(target) => Some((at.at(pointer), target)),
            None => {
                self.error(at.clone(), format!("dangling `$ref`: `{reference}` does not exist in {}", self.file));
                None
            }
        }
    }

    /// The type a schema `$ref` points at.
    fn reference(&mut self, at: &Location, reference: &str) -> (TypeRef, bool) {
        match self.resolve(&at.join("$ref"), reference) {
            Some((target_at, _)) => self.component(&target_at),
            None => (TypeRef::Json, false),
        }
    }

    /// The type of the schema at `pointer`, built once.
    fn component(&mut self, at: &Location) -> (TypeRef, bool) {
        if let Some((id, nullable)) = self.by_pointer.get(&at.pointer) {
            return (TypeRef::Named(*id), *nullable);
        }
        let Some(schema) = self.root.pointer(&at.pointer) else { return (TypeRef::Json, false) };
        let name = at.pointer.rsplit('/').next().unwrap_or("Type").replace("~1", "/").replace("~0", "~");
        let id = self.reserve(at, schema, &rust_type_name(&name));
        // Recorded before building so recursive references find it.
        self.by_pointer.insert(at.pointer.clone(), (id, false));
        let mut diags = Vec::new();
        let facts = schema::facts(at, schema, &mut diags);
        self.diagnostics.append(&mut diags);
        let nullable = facts.nullable;
        let kind = match self.shape(at, schema, &facts, &self.types[id.0].name.clone()) {
            Shape::Kind(kind) => kind,
            Shape::Ref(ty) => TypeKind::Alias(ty),
        };
        self.types[id.0].kind = kind;
        self.by_pointer.insert(at.pointer.clone(), (id, nullable));
        self.schema_examples(at, schema, &TypeRef::Named(id), nullable);
        (TypeRef::Named(id), nullable)
    }

    fn reserve(&mut self, at: &Location, schema: &Value, name: &str) -> TypeId {
        let id = TypeId(self.types.len());
        self.types.push(TypeDef {
            name: name.to_string(),
            origin: at.clone(),
            doc: schema::doc(schema),
            kind: TypeKind::Alias(TypeRef::Json),
            lenient: true,
        });
        id
    }

    /// The type of an inline schema; `name` is the name it gets if it needs one.
    fn schema(&mut self, at: &Location, schema: &'a Value, name: &str) -> (TypeRef, bool) {
        let mut diags = Vec::new();
        let facts = schema::facts(at, schema, &mut diags);
        self.diagnostics.append(&mut diags);
        if let Some(reference) = facts.reference {
            let (ty, nullable) = self.reference(at, reference);
            return (ty, nullable || facts.nullable);
        }
        let name = schema.get("title").and_then(Value::as_str).map(rust_type_name).unwrap_or_else(|| name.to_string());
        let ty = match self.shape(at, schema, &facts, &name) {
            Shape::Ref(ty) => ty,
            Shape::Kind(kind) => {
                let id = self.reserve(at, schema, &name);
                self.types[id.0].kind = kind;
                TypeRef::Named(id)
            }
        };
        self.schema_examples(at, schema, &ty, facts.nullable);
        (ty, facts.nullable)
    }

    fn schema_examples(&mut self, at: &Location, schema: &Value, ty: &TypeRef, nullable: bool) {
        if let Some(value) = schema.get("example") {
            self.example(at.join("example"), ty, nullable, value);
        }
        if let Some(values) = schema.get("examples").and_then(Value::as_array) {
            for (i, value) in values.iter().enumerate() {
                self.example(at.join("examples").join(i), ty, nullable, value);
            }
        }
    }

    /// Decides what a schema is: a named kind (struct, enum, union) or a
    /// reference to an existing or primitive type.
    fn shape(&mut self, at: &Location, schema: &'a Value, facts: &Facts<'a>, name: &str) -> Shape {
        if let Some(reference) = facts.reference {
            return Shape::Ref(self.reference(at, reference).0);
        }
        if let Some(parts) = facts.all_of {
            return self.all_of(at, parts, schema, name);
        }
        if let Some((keyword, alternatives)) = &facts.alternatives {
            if schema.get("discriminator").is_some() {
                self.warn(at.join("discriminator"), "`discriminator` not used yet: alternatives are tried in order");
            }
            return self.union(at, keyword, alternatives, name);
        }
        if let Some(values) = &facts.values {
            return self.enumeration(at, values, name);
        }
        let object_like = facts.properties.is_some()
            || facts.types.contains(&"object")
            || (facts.types.is_empty() && facts.additional.is_some());
        if facts.types.len() > 1 {
            self.warn(at.join("type"), format!("several types {:?}: modelled as any JSON value", facts.types));
            return Shape::Ref(TypeRef::Json);
        }
        if facts.types == ["null"] {
            self.warn(at.join("type"), "type `null`: modelled as any JSON value");
            return Shape::Ref(TypeRef::Json);
        }
        if object_like {
            return self.object(at, schema, facts, name);
        }
        let primitive = match facts.types.first().copied() {
            Some("string") => match facts.format {
                Some("date-time" | "date") => TypeRef::Timestamp,
                _ => TypeRef::String,
            },
            Some("integer") => TypeRef::Integer { bits: if facts.format == Some("int32") { 32 } else { 64 } },
            Some("number") => TypeRef::Number,
            Some("boolean") => TypeRef::Boolean,
            Some("array") => {
                let items = facts.items.unwrap_or(&Value::Bool(true));
                let (item, _) = self.schema(&at.join("items"), items, &singular(name));
                TypeRef::Array(Box::new(item))
            }
            Some(other) => {
                self.error(at.join("type"), format!("unknown type `{other}`"));
                TypeRef::Json
            }
            None => TypeRef::Json,
        };
        Shape::Ref(primitive)
    }

    fn object(&mut self, at: &Location, schema: &Value, facts: &Facts<'a>, name: &str) -> Shape {
        let additional =
            facts.additional.map(|a| self.schema(&at.join("additionalProperties"), a, &format!("{name}Value")).0);
        let Some(properties) = facts.properties.filter(|p| !p.is_empty()) else {
            return Shape::Ref(TypeRef::Map(Box::new(additional.unwrap_or(TypeRef::Json))));
        };
        let required = required_of(schema);
        let fields = self.fields(at, properties, &required, name);
        Shape::Kind(TypeKind::Struct { fields, additional })
    }

    fn fields(
        &mut self,
        at: &Location,
        properties: &'a Map<String, Value>,
        required: &BTreeSet<String>,
        name: &str,
    ) -> Vec<Field> {
        let mut fields = Vec::new();
        for (wire, prop) in properties {
            let prop_at = at.join("properties").join(wire);
            let (ty, nullable) = self.schema(&prop_at, prop, &format!("{name}{}", rust_type_name(wire)));
            fields.push(Field {
                name: wire.clone(),
                wire: wire.clone(),
                aliases: prop
                    .get("x-aliases")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
                doc: schema::doc(prop),
                ty,
                required: required.contains(wire),
                nullable,
                boxed: false,
            });
        }
        fields
    }

    /// `allOf`: the parts' properties and `required` lists merged into one struct.
    fn all_of(&mut self, at: &Location, parts: &'a [Value], schema: &'a Value, name: &str) -> Shape {
        let mut properties = Vec::<(Location, &'a Map<String, Value>)>::new();
        let mut required = required_of(schema);
        if let Some(own) = schema.get("properties").and_then(Value::as_object) {
            properties.push((at.clone(), own));
        }
        let mut stack: Vec<(Location, &'a Value)> =
            parts.iter().enumerate().rev().map(|(i, p)| (at.join("allOf").join(i), p)).collect();
        let mut seen = 0;
        while let Some((part_at, part)) = stack.pop() {
            seen += 1;
            if seen > 256 {
                self.error(at.join("allOf"), "`allOf` nests too deeply (a cycle?)");
                break;
            }
            let (part_at, part) = match part.get("$ref").and_then(Value::as_str) {
                Some(r) => match self.resolve(&part_at.join("$ref"), r) {
                    Some(found) => found,
                    None => continue,
                },
                None => (part_at, part),
            };
            required.extend(required_of(part));
            if let Some(props) = part.get("properties").and_then(Value::as_object) {
                properties.push((part_at.clone(), props));
            }
            if let Some(nested) = part.get("allOf").and_then(Value::as_array) {
                stack.extend(nested.iter().enumerate().rev().map(|(i, p)| (part_at.join("allOf").join(i), p)));
            }
            for keyword in ["oneOf", "anyOf", "enum"] {
                if part.get(keyword).is_some() {
                    self.warn(
                        part_at.join(keyword),
                        format!("`{keyword}` inside `allOf` is not merged: only properties are kept"),
                    );
                }
            }
        }
        let mut fields: Vec<Field> = Vec::new();
        for (props_at, props) in properties {
            for field in self.fields(&props_at, props, &required, name) {
                match fields.iter_mut().find(|f| f.wire == field.wire) {
                    Some(existing) => *existing = field,
                    None => fields.push(field),
                }
            }
        }
        for field in &mut fields {
            field.required = required.contains(&field.wire);
        }
        Shape::Kind(TypeKind::Struct { fields, additional: None })
    }

    fn union(&mut self, at: &Location, keyword: &str, alternatives: &[(usize, &'a Value)], name: &str) -> Shape {
        if alternatives.len() == 1 {
            let (i, alt) = alternatives[0];
            return Shape::Ref(self.schema(&at.join(keyword).join(i), alt, name).0);
        }
        let variants = alternatives
            .iter()
            .map(|(i, alt)| {
                let (ty, _) = self.schema(&at.join(keyword).join(i), alt, &format!("{name}Variant{i}"));
                UnionVariant { name: String::new(), ty }
            })
            .collect();
        Shape::Kind(TypeKind::Union { variants })
    }

    fn enumeration(&mut self, at: &Location, values: &[Value], _name: &str) -> Shape {
        let repr = if values.iter().all(Value::is_string) {
            EnumRepr::String
        } else if values.iter().all(|v| v.is_i64()) {
            EnumRepr::Integer
        } else {
            self.warn(at.join("enum"), "enum values of mixed or unsupported types: modelled as any JSON value");
            return Shape::Ref(TypeRef::Json);
        };
        if values.is_empty() {
            self.warn(at.join("enum"), "empty enum: modelled as any JSON value");
            return Shape::Ref(TypeRef::Json);
        }
        let variants = values.iter().map(|v| EnumVariant { name: String::new(), value: v.clone() }).collect();
        Shape::Kind(TypeKind::Enum { repr, variants })
    }

    fn error(&mut self, at: Location, message: impl Into<String>) {
        self.diagnostics.push(crate::error::Diagnostic::error(at, message));
    }

    fn warn(&mut self, at: Location, message: impl Into<String>) {
        self.diagnostics.push(crate::error::Diagnostic::warning(at, message));
    }
}

enum Shape {
    Kind(TypeKind),
    Ref(TypeRef),
}

fn dealpos_notes(op: &Value) -> DealposNotes {
    let text = |key: &str| op.get(key).and_then(Value::as_str).map(str::to_string);
    let paged = op.get("x-dealpos-paged").map(|p| Paging {
        page: p.get("page").and_then(Value::as_str).unwrap_or("PageNumber").to_string(),
        size: p.get("size").and_then(Value::as_str).unwrap_or("PageSize").to_string(),
        items: p.get("items").and_then(Value::as_str).unwrap_or_default().to_string(),
    });
    DealposNotes {
        paged,
        partial: op.get("x-dealpos-partial").and_then(Value::as_bool).unwrap_or(false),
        observed: text("x-dealpos-source").as_deref() == Some("observed"),
        post_twin: text("x-dealpos-post-twin"),
        post_twin_of: text("x-dealpos-post-twin-of"),
        deprecated: op.get("deprecated").and_then(Value::as_bool).unwrap_or(false),
    }
}

fn is_json(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or(media).trim();
    essence == "application/json" || essence.ends_with("+json") || essence == "*/*" || essence == "text/json"
}

fn required_of(schema: &Value) -> BTreeSet<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// `get /Invoice/{id}/Payments` → `getInvoiceIdPayments`.
fn derived_id(method: &str, path: &str) -> String {
    let words: String = path
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_upper_camel_case())
        .collect();
    format!("{method}{words}")
}

/// A PascalCase candidate for a type name. Final uniqueness is the naming pass's job.
pub(super) fn rust_type_name(raw: &str) -> String {
    let cleaned: String = raw.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' }).collect();
    let name = cleaned.to_upper_camel_case();
    match name.chars().next() {
        None => "Type".to_string(),
        Some(c) if c.is_ascii_digit() => format!("T{name}"),
        Some(_) => name,
    }
}

/// The name of an array's item type: `Variants` → `Variant`.
fn singular(name: &str) -> String {
    if let Some(stem) = name.strip_suffix("ies") {
        format!("{stem}y")
    } else if name.ends_with("ss") || name.ends_with("us") || !name.ends_with('s') {
        format!("{name}Item")
    } else {
        name[..name.len() - 1].to_string()
    }
}

fn percent_decode(pointer: &str) -> String {
    if !pointer.contains('%') {
        return pointer.to_string();
    }
    let bytes = pointer.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Types reached from a response or a webhook decode what DealPOS sends and
/// so are lenient; a type reached only from request bodies is strict.
fn mark_lenient(api: &mut Api) {
    let mut output = BTreeSet::new();
    let mut input = BTreeSet::new();
    for op in &api.operations {
        for (_, ty) in &op.responses {
            if let Some(ty) = ty {
                reach(api, ty, &mut output);
            }
        }
        if let Some(ty) = &op.request {
            reach(api, ty, &mut input);
        }
    }
    for hook in &api.webhooks {
        reach(api, &hook.payload, &mut output);
    }
    for (i, ty) in api.types.iter_mut().enumerate() {
        ty.lenient = output.contains(&TypeId(i)) || !input.contains(&TypeId(i));
    }
}

fn reach(api: &Api, ty: &TypeRef, seen: &mut BTreeSet<TypeId>) {
    match ty {
        TypeRef::Array(inner) | TypeRef::Map(inner) => reach(api, inner, seen),
        TypeRef::Named(id) if seen.insert(*id) => {
            for child in children(&api.types[id.0].kind) {
                reach(api, child, seen);
            }
        }
        _ => {}
    }
}

fn children(kind: &TypeKind) -> Vec<&TypeRef> {
    match kind {
        TypeKind::Struct { fields, additional } => fields.iter().map(|f| &f.ty).chain(additional).collect(),
        TypeKind::Union { variants } => variants.iter().map(|v| &v.ty).collect(),
        TypeKind::Alias(ty) => vec![ty],
        TypeKind::Enum { .. } => Vec::new(),
    }
}

/// A struct field whose type leads back to the struct without passing through
/// a `Vec` or map would have infinite size: those fields are boxed.
fn mark_boxed(api: &mut Api) {
    let mut boxes = Vec::new();
    for (i, ty) in api.types.iter().enumerate() {
        if let TypeKind::Struct { fields, .. } = &ty.kind {
            for (f, field) in fields.iter().enumerate() {
                if let TypeRef::Named(target) = field.ty
                    && inline_reaches(api, target, TypeId(i), &mut BTreeSet::new())
                {
                    boxes.push((i, f));
                }
            }
        }
    }
    for (i, f) in boxes {
        if let TypeKind::Struct { fields, .. } = &mut api.types[i].kind {
            fields[f].boxed = true;
        }
    }
}

fn inline_reaches(api: &Api, from: TypeId, to: TypeId, seen: &mut BTreeSet<TypeId>) -> bool {
    if from == to {
        return true;
    }
    if !seen.insert(from) {
        return false;
    }
    children(&api.types[from.0].kind).into_iter().any(|child| match child {
        TypeRef::Named(next) => inline_reaches(api, *next, to, seen),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(rust_type_name("invoice-void request"), "InvoiceVoidRequest");
        assert_eq!(rust_type_name("3dSecure"), "T3dSecure");
        assert_eq!(singular("Variants"), "Variant");
        assert_eq!(singular("Categories"), "Category");
        assert_eq!(singular("Status"), "StatusItem");
        assert_eq!(derived_id("get", "/Invoice/{id}/Payments"), "getInvoiceIdPayments");
    }
}
