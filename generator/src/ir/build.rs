//! Schema analysis: walks one document (and the files it `$ref`s) and builds
//! the [`Api`]. The walk's state is `builder.rs`'s; operations and webhooks
//! are walked in `operations.rs`, unions decided in `unions.rs`, whole-graph
//! rules applied in `graph.rs`, and names decided last, in `naming.rs`.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::builder::{Builder, Shape};
use super::model::*;
use super::naming::pascal;
use super::refs::{Documents, FileLoader, Sibling};
use super::schema::{self, Facts};
use super::{graph, merge, naming, operations, refs, unions};
use crate::error::{Diagnostic, Error, Location, Result, Severity};
use crate::load::Source;

/// How deeply inline schemas may nest. Real descriptions stay far below; the
/// limit turns an adversarial document into a diagnostic, not a stack overflow.
const MAX_DEPTH: usize = 48;

/// How many schemas one description may make us analyse. `allOf` copies the
/// properties of its parts, so parts that are themselves built from many
/// parts multiply; this bound turns that blow-up into a diagnostic.
const MAX_STEPS: usize = 200_000;

/// Analyses `source` (already overlaid), reading `$ref`ed files from disk
/// relative to it. Errors are collected, not stopped at, so one run reports
/// every problem in the document.
pub fn build(source: &Source) -> Result<Api> {
    build_with(source, &refs::from_disk)
}

/// [`build`], reading `$ref`ed files with `loader`.
pub fn build_with(source: &Source, loader: FileLoader<'_>) -> Result<Api> {
    build_in(source, loader, &[])
}

/// [`build_with`] among the crate's other descriptions (`cross::build_all`).
pub(super) fn build_in(source: &Source, loader: FileLoader<'_>, siblings: &[Sibling<'_>]) -> Result<Api> {
    let docs = Documents::gather(source, siblings, loader);
    let root = Location::root(&source.name);
    let doc = &source.value;
    let openapi = doc.get("openapi").and_then(Value::as_str).unwrap_or_default().to_string();
    if !(openapi.starts_with("3.0") || openapi.starts_with("3.1")) {
        return Err(Error::at(root.join("openapi"), format!("OpenAPI 3.0 or 3.1 expected, found `{openapi}`")));
    }
    let mut b = Builder::new(&docs, doc, siblings);
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
            let at = root.join("components").join("schemas").join(name);
            b.reference_to(&at);
            b.drain();
        }
    }
    let operations = b.operations(&root);
    let webhooks = b.webhooks(&root);
    b.drain();

    let mut types = std::mem::take(&mut b.types);
    graph::break_alias_cycles(&mut types, &mut b.diagnostics);
    // Tags are decided while the variants still match the alternatives one
    // to one; a union with a self alternative is never tagged.
    unions::finish(&mut types, &b.discriminators, &mut b.diagnostics);
    graph::drop_self_alternatives(&mut types, &mut b.diagnostics);
    unions::add_fallbacks(&mut types);
    let mut api = Api {
        title: text(info, "title").unwrap_or_default(),
        version: text(info, "version").unwrap_or_default(),
        description: text(info, "description"),
        openapi,
        tags,
        types,
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
    // Before `sent`/`lenient` are decided: a body dropped here is not sent.
    operations::strip_paged_bodies(&mut api);
    // After the paging fields are gone, so bodies that differed only by them merge.
    merge::identical(&mut api);
    graph::mark_lenient(&mut api);
    graph::mark_boxed(&mut api);
    naming::assign(&mut api);
    Ok(api)
}

fn dedup(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics.sort();
    diagnostics.dedup();
    diagnostics
}

impl<'a> Builder<'a> {
    /// The type a schema `$ref` points at.
    fn reference(&mut self, at: &Location, reference: &str) -> (TypeRef, bool) {
        let Some((target, _)) = self.resolve(&at.join("$ref"), reference) else { return (TypeRef::Json, false) };
        self.foreign(&at.join("$ref"), &target).unwrap_or_else(|| self.reference_to(&target))
    }

    /// The named type of the schema at `at`: reserved now, built by [`Self::drain`].
    fn reference_to(&mut self, at: &Location) -> (TypeRef, bool) {
        if let Some((id, nullable)) = self.by_pointer.get(at) {
            return (TypeRef::Named(*id), *nullable);
        }
        let Ok(Some(schema)) = self.docs.get(&at.file).map(|d| d.pointer(&at.pointer)) else {
            return (TypeRef::Json, false);
        };
        let token = at.pointer.rsplit('/').next().unwrap_or_default().replace("~1", "/").replace("~0", "~");
        // A whole file (`$ref: pet.yaml`) is named after the file.
        let name = if at.pointer.is_empty() {
            let file = at.file.rsplit(['/', '\\']).next().unwrap_or_default();
            file.split('.').next().unwrap_or_default().to_string()
        } else {
            token
        };
        let id = self.reserve(at, schema, &pascal(&name));
        // Nullability is the target's own; its diagnostics come when it is built.
        let nullable = schema::facts(at, schema, &mut Vec::new()).nullable;
        self.by_pointer.insert(at.clone(), (id, nullable));
        self.queue.push((at.clone(), id));
        (TypeRef::Named(id), nullable)
    }

    /// Builds every reserved `$ref` target, including those found meanwhile.
    pub(super) fn drain(&mut self) {
        // Oldest first, so ids of inline types follow the document.
        let mut next = 0;
        while next < self.queue.len() {
            let (at, id) = self.queue[next].clone();
            next += 1;
            if self.built.insert(id) {
                self.component(&at, id);
            }
        }
        self.queue.clear();
    }

    fn component(&mut self, at: &Location, id: TypeId) {
        let Ok(Some(schema)) = self.docs.get(&at.file).map(|d| d.pointer(&at.pointer)) else { return };
        let mut diags = Vec::new();
        let facts = schema::facts(at, schema, &mut diags);
        self.diagnostics.append(&mut diags);
        let name = self.types[id.0].name.clone();
        let kind = match self.shape(at, schema, &facts, &name) {
            Shape::Kind(kind) => kind,
            Shape::Ref(ty) => TypeKind::Alias(ty),
        };
        self.types[id.0].kind = kind;
        self.schema_examples(at, schema, &TypeRef::Named(id), facts.nullable);
    }

    fn reserve(&mut self, at: &Location, schema: &Value, name: &str) -> TypeId {
        let id = TypeId(self.types.len());
        self.types.push(TypeDef {
            name: name.to_string(),
            origin: at.clone(),
            doc: schema::doc(schema),
            kind: TypeKind::Alias(TypeRef::Json),
            lenient: true,
            sent: false,
        });
        id
    }

    /// The type of an inline schema; `name` is the name it gets if it needs one.
    pub(super) fn schema(&mut self, at: &Location, schema: &'a Value, name: &str) -> (TypeRef, bool) {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            if self.steps == MAX_STEPS + 1 {
                self.error(
                    at.clone(),
                    format!("more than {MAX_STEPS} schemas to analyse (`allOf` parts that multiply?)"),
                );
            }
            return (TypeRef::Json, false);
        }
        if self.depth >= MAX_DEPTH {
            self.error(at.clone(), format!("schemas nest more than {MAX_DEPTH} levels deep"));
            return (TypeRef::Json, false);
        }
        self.depth += 1;
        let out = self.schema_inner(at, schema, name);
        self.depth -= 1;
        out
    }

    fn schema_inner(&mut self, at: &Location, schema: &'a Value, name: &str) -> (TypeRef, bool) {
        let mut diags = Vec::new();
        let facts = schema::facts(at, schema, &mut diags);
        self.diagnostics.append(&mut diags);
        if let Some(reference) = facts.reference {
            self.ref_siblings(at, schema);
            let (ty, nullable) = self.reference(at, reference);
            return (ty, nullable || facts.nullable);
        }
        let name = schema.get("title").and_then(Value::as_str).map(pascal).unwrap_or_else(|| name.to_string());
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

    fn ref_siblings(&mut self, at: &Location, schema: &Value) {
        for keyword in SHAPING.iter().filter(|k| schema.get(**k).is_some()) {
            self.warn(at.join(keyword), format!("`{keyword}` beside `$ref` is ignored"));
        }
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
            self.ref_siblings(at, schema);
            return Shape::Ref(self.reference(at, reference).0);
        }
        if let Some(format) = schema.get(FORMAT) {
            return self.dealpos_format(at, facts, format);
        }
        if let Some(parts) = facts.all_of {
            if facts.alternatives.is_some() {
                self.warn(at.clone(), "`allOf` beside `oneOf`/`anyOf`: only `allOf` is used");
            }
            return self.all_of(at, parts, schema, facts, name);
        }
        if let Some((keyword, alternatives)) = &facts.alternatives {
            if facts.properties.is_some_and(|p| !p.is_empty()) {
                self.warn(at.join("properties"), format!("`properties` beside `{keyword}` are not merged"));
            }
            return self.union(at, schema, keyword, alternatives, name);
        }
        if schema.get("discriminator").is_some() {
            // The base schema of the allOf-inheritance pattern: without a
            // `oneOf`/`anyOf` here there is no enum to tag.
            self.warn(at.join("discriminator"), "`discriminator` without `oneOf`/`anyOf` is not used");
        }
        if let Some(values) = &facts.values {
            return self.enumeration(at, values, name);
        }
        let object_like = facts.properties.is_some()
            || facts.types.contains(&"object")
            || (facts.types.is_empty() && facts.additional.is_some());
        if facts.types.len() > 1 {
            return self.type_list(at, facts, name);
        }
        if facts.types == ["null"] {
            self.warn(at.join("type"), "type `null`: modelled as any JSON value");
            return Shape::Ref(TypeRef::Json);
        }
        if object_like {
            return self.object(at, schema, facts, name);
        }
        match facts.types.first().copied() {
            Some(t) => Shape::Ref(self.primitive(at, t, facts, name)),
            None => Shape::Ref(TypeRef::Json),
        }
    }

    /// `x-dealpos-format` (set by overlays): the Rust type of a value whose
    /// wire form the schema describes. `decimal`: a number DealPOS or the
    /// portal may also write as a numeric string (`[number, string]`), one
    /// `Decimal` (which keeps the form it read). `yes-no`: a flag written as the
    /// text "Yes"/"No" (`string`, or `[string, boolean]`), a `bool` read and
    /// written through the runtime's `decode::yes_no`; that is a field
    /// attribute, so only a property may carry it.
    fn dealpos_format(&mut self, at: &Location, facts: &Facts<'a>, format: &Value) -> Shape {
        let at_format = at.join(FORMAT);
        let types_in = |allowed: &[&str]| !facts.types.is_empty() && facts.types.iter().all(|t| allowed.contains(t));
        match format.as_str() {
            Some("decimal") if facts.types.contains(&"number") && types_in(&["number", "string", "integer"]) => {
                Shape::Ref(TypeRef::Number)
            }
            Some("decimal") => {
                self.error(at_format, "`x-dealpos-format: decimal` needs `type: number` (or `[number, string]`)");
                Shape::Ref(TypeRef::Json)
            }
            Some("yes-no") if types_in(&["string", "boolean"]) => {
                if at.pointer.rsplit('/').nth(1) != Some("properties") {
                    self.error(at_format, "`x-dealpos-format: yes-no` is a field's encoding: only on a property");
                }
                Shape::Ref(TypeRef::Boolean)
            }
            Some("yes-no") => {
                self.error(at_format, "`x-dealpos-format: yes-no` needs `type: string` (or `[string, boolean]`)");
                Shape::Ref(TypeRef::Json)
            }
            _ => {
                self.error(at_format, format!("unknown `x-dealpos-format` {format}: `decimal` or `yes-no` expected"));
                Shape::Ref(TypeRef::Json)
            }
        }
    }

    fn primitive(&mut self, at: &Location, t: &str, facts: &Facts<'a>, name: &str) -> TypeRef {
        match t {
            "string" => match facts.format {
                Some("date-time" | "date") => TypeRef::Timestamp,
                _ => TypeRef::String,
            },
            "integer" => TypeRef::Integer { bits: if facts.format == Some("int32") { 32 } else { 64 } },
            "number" => TypeRef::Number,
            "boolean" => TypeRef::Boolean,
            "array" => {
                let items = facts.items.unwrap_or(&Value::Bool(true));
                let (item, _) = self.schema(&at.join("items"), items, &singular(name));
                TypeRef::Array(Box::new(item))
            }
            other => {
                self.error(at.join("type"), format!("unknown type `{other}`"));
                TypeRef::Json
            }
        }
    }

    /// A 3.1 type list with several non-null types (`[string, integer]`): a
    /// union of them. Objects in the list would need the object's facts
    /// split from the rest, so those lists stay any JSON value (a warning).
    fn type_list(&mut self, at: &Location, facts: &Facts<'a>, name: &str) -> Shape {
        if facts.types.iter().any(|t| !matches!(*t, "string" | "integer" | "number" | "boolean" | "array")) {
            self.warn(at.join("type"), format!("several types {:?}: modelled as any JSON value", facts.types));
            return Shape::Ref(TypeRef::Json);
        }
        let mut variants: Vec<UnionVariant> = Vec::new();
        for t in &facts.types {
            let ty = self.primitive(at, t, facts, name);
            if !variants.iter().any(|v| v.ty == ty) {
                variants.push(UnionVariant { name: String::new(), ty, tag: None, boxed: false, fallback: false });
            }
        }
        Shape::Kind(TypeKind::Union { variants, tag: None })
    }

    fn object(&mut self, at: &Location, schema: &'a Value, facts: &Facts<'a>, name: &str) -> Shape {
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
            let (ty, nullable) = self.schema(&prop_at, prop, &format!("{name}{}", pascal(wire)));
            // The format decided the type in `shape`; the field only notes the encoding.
            let yes_no = ty == TypeRef::Boolean && prop.get(FORMAT).and_then(Value::as_str) == Some("yes-no");
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
                deprecated: prop.get("deprecated").and_then(Value::as_bool).unwrap_or(false),
                secret: prop.get("x-dealpos-secret").and_then(Value::as_bool).unwrap_or(false),
                yes_no,
            });
        }
        fields
    }

    /// `allOf`: the parts' properties and `required` lists merged into one
    /// struct, through nested `allOf`s and `$ref`s. A lone `$ref` part with
    /// nothing beside it (the 3.0 way to document a reference) is that type.
    fn all_of(&mut self, at: &Location, parts: &'a [Value], schema: &'a Value, facts: &Facts<'a>, name: &str) -> Shape {
        // One part with a shape and the rest annotations (`[{$ref: X},
        // {description: ...}]`, the 3.0 way to document a reference): that part.
        let shaped: Vec<usize> = (0..parts.len()).filter(|&i| !annotation_only(&parts[i])).collect();
        if let [only] = shaped.as_slice()
            && facts.properties.is_none()
            && facts.additional.is_none()
            && !facts.types.contains(&"object")
        {
            return Shape::Ref(self.schema(&at.join("allOf").join(only), &parts[*only], name).0);
        }
        let mut properties = Vec::<(Location, &'a Map<String, Value>)>::new();
        let mut required = required_of(schema);
        let mut additional = facts.additional.map(|a| (at.join("additionalProperties"), a));
        if let Some(own) = facts.properties {
            properties.push((at.clone(), own));
        }
        let mut stack: Vec<(Location, &'a Value)> =
            parts.iter().enumerate().rev().map(|(i, p)| (at.join("allOf").join(i), p)).collect();
        let mut seen = 0;
        let mut object_part = facts.types.contains(&"object");
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
            object_part |=
                part.get("type").and_then(Value::as_str) == Some("object") || part.get("properties").is_some();
            if let Some(props) = part.get("properties").and_then(Value::as_object) {
                properties.push((part_at.clone(), props));
            }
            if additional.is_none()
                && let Some(extra) = part.get("additionalProperties").filter(|v| **v != Value::Bool(false))
            {
                additional = Some((part_at.join("additionalProperties"), extra));
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
        if fields.is_empty() && additional.is_none() && !object_part {
            self.warn(at.join("allOf"), "`allOf` of parts that are not objects: modelled as any JSON value");
            return Shape::Ref(TypeRef::Json);
        }
        let additional = additional.map(|(a_at, a)| self.schema(&a_at, a, &format!("{name}Value")).0);
        Shape::Kind(TypeKind::Struct { fields, additional })
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
        let mut variants: Vec<EnumVariant> = Vec::new();
        for value in values {
            // A repeated value would be an unreachable match arm.
            if variants.iter().any(|v| v.value == *value) {
                self.warn(at.join("enum"), format!("`{value}` is listed twice"));
            } else {
                variants.push(EnumVariant { name: String::new(), value: value.clone() });
            }
        }
        Shape::Kind(TypeKind::Enum { repr, variants })
    }
}

/// The extension naming a wire encoding the Rust type differs from (`dealpos_format`).
const FORMAT: &str = "x-dealpos-format";

/// Keywords that would change the type, ignored beside a `$ref`.
const SHAPING: &[&str] = &["properties", "allOf", "oneOf", "anyOf", "enum", "items", "additionalProperties"];

/// A schema that only annotates (`description`, `title`, examples, ...).
fn annotation_only(schema: &Value) -> bool {
    const ANNOTATIONS: &[&str] = &[
        "description",
        "title",
        "example",
        "examples",
        "default",
        "nullable",
        "readOnly",
        "writeOnly",
        "deprecated",
        "externalDocs",
        "$comment",
    ];
    schema.as_object().is_some_and(|m| m.keys().all(|k| ANNOTATIONS.contains(&k.as_str()) || k.starts_with("x-")))
}

pub(super) fn required_of(schema: &Value) -> BTreeSet<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// The name of an array's item type: `Variants` → `Variant`.
fn singular(name: &str) -> String {
    if let Some(stem) = name.strip_suffix("ies") {
        format!("{stem}y")
    } else if name.ends_with("ss") || name.ends_with("us") {
        format!("{name}Item")
    } else {
        match name.strip_suffix('s') {
            Some(stem) if !stem.is_empty() => stem.to_string(),
            _ => format!("{name}Item"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::parse;

    // merge.rs's pass, through the whole build (merge.rs cannot import build.rs back).
    /// Two inline copies of one enum become one type (named after the first:
    /// the names share no first word); two identical components stay, one an alias of the other;
    /// a struct we send never merges with one DealPOS sends.
    #[test]
    fn identical_shapes_are_one_type() {
        let text = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    post:\n      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Sent'}}}}\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Got'}}}}\ncomponents:\n  schemas:\n    Created: {properties: {State: {enum: [Sent, Unsent]}, N: {type: string}}}\n    Deleted: {properties: {State: {enum: [Sent, Unsent]}, N: {type: string}}}\n    Sent: {properties: {X: {type: string}}}\n    Got: {properties: {X: {type: string}}}\n";
        let api = build(&parse("m.yaml", text).unwrap()).unwrap();
        let names: Vec<&str> = api.types.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["Created", "CreatedState", "Deleted", "Sent", "Got"]);
        let TypeKind::Struct { fields, .. } = &api.types[0].kind else { panic!("{:?}", api.types[0]) };
        assert_eq!(fields[0].ty, TypeRef::Named(TypeId(1)));
        assert_eq!(api.types[2].kind, TypeKind::Alias(TypeRef::Named(TypeId(0))));
        assert!(matches!(api.types[4].kind, TypeKind::Struct { .. }), "a request body and an answer stay apart");
    }

    #[test]
    fn names() {
        assert_eq!(singular("Variants"), "Variant");
        assert_eq!(singular("Categories"), "Category");
        assert_eq!(singular("Status"), "StatusItem");
        assert_eq!(singular("s"), "sItem");
    }
}
