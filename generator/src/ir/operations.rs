//! Operations and webhooks: parameters, bodies, responses and their examples.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToUpperCamelCase;
use serde_json::Value;

use super::builder::Builder;
use super::model::*;
use super::naming::pascal;
use crate::error::Location;

impl<'a> Builder<'a> {
    pub(super) fn operations(&mut self, root: &Location) -> Vec<Operation> {
        let mut out = Vec::new();
        let Some(paths) = self.root.get("paths").and_then(Value::as_object) else { return out };
        for (path, item) in paths {
            let at = root.join("paths").join(path);
            let (item_at, item) = self.deref(&at, item);
            for method in HttpMethod::ALL {
                let Some(op) = item.get(method.key()) else { continue };
                let op_at = item_at.join(method.key());
                let id = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .filter(|id| !id.trim().is_empty())
                    .map(str::to_string)
                    .unwrap_or_else(|| derived_id(method.key(), path));
                let stem = pascal(&id);
                let parameters = self.parameters(&item_at, item, &op_at, op, &stem);
                let request = self.body(&op_at.join("requestBody"), op.get("requestBody"), &format!("{stem}Request"));
                let responses = self.responses(&op_at, op, &stem);
                out.push(Operation {
                    id,
                    rust_name: String::new(),
                    builder: String::new(),
                    method,
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

    pub(super) fn webhooks(&mut self, root: &Location) -> Vec<Webhook> {
        let mut out = Vec::new();
        let Some(hooks) = self.root.get("webhooks").and_then(Value::as_object) else { return out };
        for (key, item) in hooks {
            let at = root.join("webhooks").join(key);
            let (item_at, item) = self.deref(&at, item);
            let stem = pascal(key);
            let Some((method, op)) = HttpMethod::ALL.iter().find_map(|m| item.get(m.key()).map(|op| (*m, op))) else {
                self.error(item_at, "a webhook needs an operation (usually `post`)");
                continue;
            };
            let op_at = item_at.join(method.key());
            let payload = self.body(&op_at.join("requestBody"), op.get("requestBody"), &format!("{stem}Payload"));
            self.responses(&op_at, op, &stem);
            let Some(payload) = payload else {
                self.error(op_at.join("requestBody"), "a webhook needs a JSON request body");
                continue;
            };
            out.push(Webhook {
                key: key.clone(),
                name: String::new(),
                path: String::new(),
                tag: op.pointer("/tags/0").and_then(Value::as_str).map(str::to_string),
                summary: op.get("summary").and_then(Value::as_str).map(str::to_string),
                doc: op.get("description").and_then(Value::as_str).map(str::to_string),
                payload,
                source: source(op),
                evidence: op.get("x-dealpos-evidence").and_then(Value::as_str).map(str::to_string),
                origin: op_at,
            });
        }
        out
    }

    /// The path item's parameters, then the operation's, which replace one of
    /// the same name and place.
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
                // Sending an unknown place as a query parameter would be a guess.
                let Some(place) = ParameterPlace::parse(place) else {
                    self.error(
                        p_at.join("in"),
                        format!("parameter `{name}`: `in: {place}` is not path, query, header or cookie"),
                    );
                    continue;
                };
                let schema = param
                    .get("schema")
                    .or_else(|| param.pointer("/content/application~1json/schema"))
                    .unwrap_or(&Value::Bool(true));
                let (ty, _) = self.schema(&p_at.join("schema"), schema, &format!("{stem}{}", pascal(name)));
                let parameter = Parameter {
                    name: name.to_string(),
                    rust_name: String::new(),
                    place,
                    required: place == ParameterPlace::Path
                        || param.get("required").and_then(Value::as_bool).unwrap_or(false),
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

    fn responses(&mut self, op_at: &Location, op: &'a Value, stem: &str) -> Vec<Response> {
        let mut out = Vec::new();
        let Some(responses) = op.get("responses").and_then(Value::as_object) else { return out };
        for (status, response) in responses {
            let name = if status.starts_with('2') {
                format!("{stem}Response")
            } else {
                pascal(&format!("{stem}{status}Response"))
            };
            let body = self.body(&op_at.join("responses").join(status), Some(response), &name);
            out.push(Response { status: status.clone(), body });
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
                self.warn(media_at, format!("content type `{media}` is not modelled: the first JSON one is"));
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
}

fn is_json(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or(media).trim();
    essence == "application/json" || essence.ends_with("+json") || essence == "*/*" || essence == "text/json"
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

/// `x-dealpos-source` of an operation or webhook (`None` when absent or not
/// one of the four; the spec's provenance test rejects both).
fn source(op: &Value) -> Option<Provenance> {
    op.get("x-dealpos-source").and_then(Value::as_str).and_then(Provenance::parse)
}

fn dealpos_notes(op: &Value) -> DealposNotes {
    let text = |key: &str| op.get(key).and_then(Value::as_str).map(str::to_string);
    let paged = op.get("x-dealpos-paged").map(|p| Paging {
        page: p.get("page").and_then(Value::as_str).unwrap_or("PageNumber").to_string(),
        size: p.get("size").and_then(Value::as_str).unwrap_or("PageSize").to_string(),
        items: p.get("items").and_then(Value::as_str).unwrap_or_default().to_string(),
        // DealPOS's `RecordsCount` is -1 when not computed; only a `TotalCount` is a total.
        total: p.get("total").and_then(Value::as_str).unwrap_or("TotalCount").to_string(),
    });
    DealposNotes {
        paged,
        partial: op.get("x-dealpos-partial").and_then(Value::as_bool).unwrap_or(false),
        source: source(op),
        evidence: text("x-dealpos-evidence"),
        post_twin: text("x-dealpos-post-twin"),
        post_twin_of: text("x-dealpos-post-twin-of"),
        deprecated: op.get("deprecated").and_then(Value::as_bool).unwrap_or(false),
        repeatable: op.get("x-dealpos-repeatable").and_then(Value::as_bool),
        method: text("x-dealpos-method").filter(|m| !m.trim().is_empty()),
        provenance: text("x-dealpos-provenance").filter(|p| !p.trim().is_empty()),
    }
}

/// The client owns paging: it writes `PageNumber`/`PageSize` into every page's
/// request (`templates/runtime/src/client/paging.rs`), so the body types of
/// paged operations must not ask the user for them, nor for filters the
/// operation already takes as query parameters (DealPOS reads the query string
/// of a GET, observed-usage.md "Pagination"). Two edits, both keeping the wire
/// format: an operation whose body holds nothing but those fields loses its
/// body (everything is sent in the query); a body type used only as the body
/// of paged operations loses the fields every one of them sends otherwise,
/// and its examples lose those keys too, so they still round-trip.
pub(super) fn strip_paged_bodies(api: &mut Api) {
    let sent_otherwise = |op: &Operation| -> BTreeSet<String> {
        let mut names: BTreeSet<String> =
            op.parameters.iter().filter(|p| p.place == ParameterPlace::Query).map(|p| p.name.clone()).collect();
        if let Some(paging) = &op.dealpos.paged {
            names.insert(paging.page.clone());
            names.insert(paging.size.clone());
        }
        names
    };
    let elsewhere = referenced_elsewhere(api);
    // Per body type: the fields every paged operation sending it also sends otherwise.
    let mut strip: BTreeMap<TypeId, Option<BTreeSet<String>>> = BTreeMap::new();
    for op in &api.operations {
        let Some(TypeRef::Named(id)) = op.request else { continue };
        let entry = strip.entry(id).or_insert_with(|| Some(sent_otherwise(op)));
        match (&op.dealpos.paged, entry.as_mut()) {
            (Some(_), Some(fields)) => fields.retain(|f| sent_otherwise(op).contains(f)),
            _ => *entry = None,
        }
    }
    for op in api.operations.iter_mut().filter(|op| op.dealpos.paged.is_some()) {
        let Some(TypeRef::Named(id)) = op.request else { continue };
        let TypeKind::Struct { fields, additional: None } = &api.types[id.0].kind else { continue };
        let otherwise = sent_otherwise(op);
        if fields.iter().all(|f| otherwise.contains(&f.wire)) {
            op.request = None;
        }
    }
    for (id, fields) in strip {
        let Some(drop) = fields.filter(|f| !f.is_empty() && !elsewhere.contains(&id)) else { continue };
        if let TypeKind::Struct { fields, .. } = &mut api.types[id.0].kind {
            fields.retain(|f| !drop.contains(&f.wire));
        }
        for example in api.examples.iter_mut().filter(|e| e.ty == TypeRef::Named(id)) {
            if let Some(object) = example.value.as_object_mut() {
                object.retain(|key, _| !drop.contains(key));
            }
        }
    }
}

/// Types reached otherwise than as a whole request body: inside another
/// type, as a response, a parameter or a webhook payload (their fields are
/// not ours to drop).
fn referenced_elsewhere(api: &Api) -> BTreeSet<TypeId> {
    let mut found = BTreeSet::new();
    let mut note = |ty: &TypeRef| {
        let mut ty = ty;
        while let TypeRef::Array(inner) | TypeRef::Map(inner) = ty {
            ty = inner;
        }
        if let TypeRef::Named(id) = ty {
            found.insert(*id);
        }
    };
    for def in &api.types {
        match &def.kind {
            TypeKind::Struct { fields, additional } => {
                fields.iter().map(|f| &f.ty).chain(additional).for_each(&mut note)
            }
            TypeKind::Union { variants, .. } => variants.iter().for_each(|v| note(&v.ty)),
            TypeKind::Alias(ty) | TypeKind::Newtype(ty) => note(ty),
            TypeKind::Enum { .. } => {}
        }
    }
    for op in &api.operations {
        op.responses.iter().filter_map(|r| r.body.as_ref()).for_each(&mut note);
        op.parameters.iter().for_each(|p| note(&p.ty));
        if let Some(TypeRef::Array(inner) | TypeRef::Map(inner)) = &op.request {
            note(inner);
        }
    }
    api.webhooks.iter().for_each(|w| note(&w.payload));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_derive_from_method_and_path() {
        assert_eq!(derived_id("get", "/Invoice/{id}/Payments"), "getInvoiceIdPayments");
        assert_eq!(derived_id("post", "/"), "post");
    }
}
