//! The naming pass: every Rust name in the IR is decided here, once, over the
//! whole IR, so that collisions are found and resolved in one place and in a
//! fixed order (type id, then document order), never by emission.

use std::collections::BTreeMap;

use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_json::Value;

use super::build::rust_type_name;
use super::{Api, TypeKind, TypeRef};
use crate::runtime::RESERVED_TYPES;

/// Rust keywords (strict, reserved, and 2018+), which cannot be identifiers.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
    "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self",
    "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become",
    "box", "do", "final", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield", "union",
];

/// Assigns every type, field and variant name.
pub(super) fn assign(api: &mut Api) {
    let mut taken = Taken::default();
    for ty in &mut api.types {
        let base =
            if RESERVED_TYPES.contains(&ty.name.as_str()) { format!("{}Model", ty.name) } else { ty.name.clone() };
        ty.name = taken.claim(&base, "");
    }
    let mut hooks = Taken::default();
    // `WebhookEvent::Unknown` is the fallback for events not described.
    hooks.claim("Unknown", "");
    for hook in &mut api.webhooks {
        hook.name = hooks.claim(&not_self(rust_type_name(&hook.key)), "");
    }
    let mut operations = Taken::default();
    for op in &mut api.operations {
        op.rust_name = operations.claim(&field_name(&op.id), "_");
        let mut taken = Taken::default();
        // The request body is passed as `body`, so no parameter may take it.
        if op.request.is_some() {
            taken.claim("body", "_");
        }
        for parameter in &mut op.parameters {
            parameter.rust_name = taken.claim(&field_name(&parameter.name), "_");
        }
    }
    let names: Vec<String> = api.types.iter().map(|t| t.name.clone()).collect();
    for ty in &mut api.types {
        let owner = ty.name.clone();
        match &mut ty.kind {
            TypeKind::Struct { fields, additional } => {
                let mut taken = Taken::default();
                // The map of extra properties is always named
                // `additional_properties`, so a property of that name yields.
                if additional.is_some() {
                    taken.claim("additional_properties", "_");
                }
                for field in fields.iter_mut() {
                    field.name = taken.claim(&field_name(&field.wire), "_");
                }
            }
            TypeKind::Enum { variants, .. } => {
                let mut taken = Taken::default();
                taken.claim("Unknown", "");
                for variant in variants.iter_mut() {
                    variant.name = taken.claim(&variant_name(&variant.value), "");
                }
            }
            TypeKind::Union { variants, .. } => {
                let mut taken = Taken::default();
                for variant in variants.iter_mut() {
                    variant.name = taken.claim(&not_self(union_variant_name(&owner, &variant.ty, &names)), "");
                }
            }
            TypeKind::Alias(_) | TypeKind::Newtype(_) => {}
        }
    }
}

/// Names already used in one scope.
#[derive(Default)]
pub(crate) struct Taken(BTreeMap<String, usize>);

impl Taken {
    /// A scope where `reserved` are already taken.
    pub(crate) fn with(reserved: &[&str]) -> Self {
        Taken(reserved.iter().map(|r| (r.to_string(), 0)).collect())
    }

    /// `base` if free, else `base2`, `base3`… (with `sep` between).
    pub(crate) fn claim(&mut self, base: &str, sep: &str) -> String {
        let mut n = 1;
        loop {
            // `type_` + `_2` would be `type__2`, which is not snake case.
            let stem = if sep.is_empty() { base } else { base.trim_end_matches(sep) };
            let candidate = if n == 1 { base.to_string() } else { format!("{stem}{sep}{n}") };
            if !self.0.contains_key(&candidate) {
                self.0.insert(candidate.clone(), 0);
                return candidate;
            }
            n += 1;
        }
    }
}

/// `ImageURL` → `image_url`; `type` → `type_`; `3D` → `_3d`.
pub fn field_name(wire: &str) -> String {
    let cleaned: String = wire.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' }).collect();
    let mut name = cleaned.to_snake_case();
    if name.is_empty() {
        name = "field".to_string();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("_{name}");
    }
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

fn variant_name(value: &Value) -> String {
    match value {
        Value::String(s) => {
            let name = rust_type_name(s);
            if s.trim().is_empty() { "Empty".to_string() } else { not_self(name) }
        }
        Value::Number(n) => match n.as_i64() {
            Some(i) if i < 0 => format!("Minus{}", i.unsigned_abs()),
            _ => format!("Value{n}"),
        },
        _ => "Value".to_string(),
    }
}

/// `Self` is the one PascalCase keyword; as a variant it becomes `SelfValue`.
fn not_self(name: String) -> String {
    if name == "Self" { "SelfValue".to_string() } else { name }
}

/// A union variant is named after its payload, minus the prefix it shares with
/// the union (`InvoiceVoidRequest` + `InvoiceVoidByOutletName` → `ByOutletName`).
fn union_variant_name(owner: &str, ty: &TypeRef, names: &[String]) -> String {
    let full = match ty {
        TypeRef::Named(id) => return strip_shared_prefix(owner, names.get(id.0).map_or("Type", String::as_str)),
        TypeRef::String => "String",
        TypeRef::Integer { .. } => "Integer",
        TypeRef::Number => "Number",
        TypeRef::Boolean => "Boolean",
        TypeRef::Timestamp => "Timestamp",
        TypeRef::Json => "Json",
        TypeRef::Array(_) => "Array",
        TypeRef::Map(_) => "Map",
    };
    full.to_upper_camel_case()
}

fn strip_shared_prefix(owner: &str, name: &str) -> String {
    // Cut only at a word boundary: where the rest of `name` starts a new word.
    // Names are ASCII, but slicing is checked all the same.
    let shared = owner.bytes().zip(name.bytes()).take_while(|(a, b)| a == b).count();
    let rest =
        (1..=shared).rev().filter_map(|i| name.get(i..)).find(|r| r.starts_with(|c: char| c.is_ascii_uppercase()));
    match rest {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_snake_and_never_keywords() {
        assert_eq!(field_name("ImageURL"), "image_url");
        assert_eq!(field_name("Invoice_Count"), "invoice_count");
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("3D"), "_3d");
        assert_eq!(field_name("$"), "field");
    }

    #[test]
    fn collisions_get_suffixes_in_order() {
        let mut taken = Taken::default();
        assert_eq!(taken.claim("image_url", "_"), "image_url");
        assert_eq!(taken.claim("image_url", "_"), "image_url_2");
        assert_eq!(taken.claim("image_url", "_"), "image_url_3");
        assert_eq!(taken.claim("self_", "_"), "self_");
        assert_eq!(taken.claim("self_", "_"), "self_2");
    }

    #[test]
    fn union_variants_drop_the_shared_prefix() {
        assert_eq!(strip_shared_prefix("InvoiceVoidRequest", "InvoiceVoidByOutletName"), "ByOutletName");
        assert_eq!(strip_shared_prefix("Pet", "Cat"), "Cat");
        assert_eq!(strip_shared_prefix("Shape", "Shape"), "Shape");
        assert_eq!(variant_name(&Value::from("Sent")), "Sent");
        assert_eq!(variant_name(&Value::from(-2)), "Minus2");
        assert_eq!(variant_name(&Value::from("")), "Empty");
        assert_eq!(variant_name(&Value::from("self")), "SelfValue");
        assert_eq!(strip_shared_prefix("Foo", "FooSelf"), "Self");
    }
}
