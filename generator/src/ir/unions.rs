//! `oneOf`/`anyOf`: the alternatives, and how an enum tells them apart.
//!
//! With a `discriminator` whose mapping gives each alternative exactly one
//! tag, and whose property is not a field of any alternative, the enum is
//! internally tagged: serde reads the tag and hands the rest to the variant.
//! When the property is also a field of the variants (the usual
//! `Pet { petType }` pattern), serde would consume the tag before the variant
//! sees it, so a required tag field fails with "missing field" at runtime
//! (openapi-generator's Rust output does exactly this) and an optional one is
//! lost, then written twice. Those unions, and those without a usable
//! discriminator, are untagged with the most specific alternatives first.
//!
//! An untagged union whose alternatives can drop data (objects ignore
//! properties they do not declare) is not left to serde's "first that
//! decodes": the generated `Deserialize` takes the first alternative that
//! keeps the whole value (`decode::untagged` in the runtime), and such a
//! union gets a `fallback` variant holding the raw JSON, for a value every
//! alternative would cut.

use std::collections::BTreeMap;

use serde_json::Value;

use super::builder::{Builder, Discriminator, Shape};
use super::model::*;
use super::refs;
use crate::error::{Diagnostic, Location};

impl<'a> Builder<'a> {
    pub(super) fn union(
        &mut self,
        at: &Location,
        schema: &'a Value,
        keyword: &str,
        alternatives: &[(usize, &'a Value)],
        name: &str,
    ) -> Shape {
        if let [(i, alt)] = alternatives {
            return Shape::Ref(self.schema(&at.join(keyword).join(i), alt, name).0);
        }
        let mut variants = Vec::new();
        // Where each alternative's `$ref` leads, for the discriminator.
        let mut targets = Vec::new();
        for (i, alt) in alternatives {
            let alt_at = at.join(keyword).join(i);
            let target = alt.get("$ref").and_then(Value::as_str).and_then(|r| refs::split(&at.file, r));
            targets.push(target.map(|t| Location { file: t.file, pointer: t.pointer }));
            let (ty, _) = self.schema(&alt_at, alt, &format!("{name}Variant{i}"));
            variants.push(UnionVariant { name: String::new(), ty, tag: None, boxed: false, fallback: false });
        }
        if let Some(d) = schema.get("discriminator")
            && let Some(found) = self.discriminator(&at.join("discriminator"), d, &targets)
        {
            self.discriminators.insert(at.clone(), found);
        }
        Shape::Kind(TypeKind::Union { variants, tag: None })
    }

    fn discriminator(&mut self, at: &Location, d: &Value, targets: &[Option<Location>]) -> Option<Discriminator> {
        let Some(property) = d.get("propertyName").and_then(Value::as_str) else {
            self.warn(at.clone(), "a `discriminator` needs a `propertyName`: the union is untagged");
            return None;
        };
        let mut values = vec![Vec::new(); targets.len()];
        let mut problem = None;
        let mut mapped = vec![false; targets.len()];
        if let Some(mapping) = d.get("mapping").and_then(Value::as_object) {
            for (value, reference) in mapping {
                let Some(reference) = reference.as_str() else {
                    problem = Some(format!("the mapping of `{value}` is not a string"));
                    continue;
                };
                // A bare name is a schema in the same document's components.
                let reference = if reference.contains(['#', '/', '.']) {
                    reference.to_string()
                } else {
                    format!("#/components/schemas/{reference}")
                };
                let target = refs::split(&at.file, &reference).map(|t| Location { file: t.file, pointer: t.pointer });
                match targets.iter().position(|t| t.is_some() && *t == target) {
                    Some(i) => {
                        values[i].push(value.clone());
                        mapped[i] = true;
                    }
                    None => problem = Some(format!("`{value}` maps to `{reference}`, which is not an alternative")),
                }
            }
        }
        // Alternatives the mapping leaves out are tagged with their schema's name.
        for (i, target) in targets.iter().enumerate() {
            if mapped[i] {
                continue;
            }
            match target {
                Some(t) if !t.pointer.is_empty() => {
                    let name = t.pointer.rsplit('/').next().unwrap_or_default();
                    values[i].push(name.replace("~1", "/").replace("~0", "~"));
                }
                _ => problem = Some(format!("alternative {i} is not a `$ref`, so it has no tag value")),
            }
        }
        Some(Discriminator { at: at.clone(), property: property.to_string(), values, problem })
    }
}

/// Decides, for every union, tagged or untagged, and orders untagged ones.
pub(super) fn finish(
    types: &mut [TypeDef],
    discriminators: &BTreeMap<Location, Discriminator>,
    out: &mut Vec<Diagnostic>,
) {
    for i in 0..types.len() {
        let TypeKind::Union { variants, .. } = &types[i].kind else { continue };
        let discriminator = discriminators.get(&types[i].origin);
        let tagging = discriminator.map(|d| (d, tag_values(types, variants, d)));
        let keys: Vec<_> = variants.iter().map(|v| specificity(types, &v.ty)).collect();
        let TypeKind::Union { variants, tag } = &mut types[i].kind else { continue };
        match tagging {
            Some((d, Ok(tags))) => {
                *tag = Some(d.property.clone());
                for (variant, value) in variants.iter_mut().zip(tags) {
                    variant.tag = Some(value);
                }
            }
            other => {
                if let Some((d, Err(why))) = other {
                    out.push(Diagnostic::warning(
                        d.at.clone(),
                        format!(
                            "discriminator `{}` not used ({why}): alternatives tried most specific first",
                            d.property
                        ),
                    ));
                }
                let mut keyed: Vec<_> = keys.into_iter().zip(std::mem::take(variants)).collect();
                // Stable: equally specific alternatives keep document order.
                keyed.sort_by_key(|(key, _)| *key);
                *variants = keyed.into_iter().map(|(_, v)| v).collect();
            }
        }
    }
}

/// Gives every untagged union some of whose alternatives can drop data its
/// raw-JSON fallback variant, unless an alternative already is any JSON
/// value. Runs once alternatives that are the union itself are gone.
pub(super) fn add_fallbacks(types: &mut [TypeDef]) {
    for i in 0..types.len() {
        let TypeKind::Union { variants, tag: None } = &types[i].kind else { continue };
        let lossy = variants.iter().any(|v| can_drop(types, &v.ty, 0));
        let raw = variants.iter().any(|v| v.ty == TypeRef::Json);
        if lossy
            && !raw
            && let TypeKind::Union { variants, .. } = &mut types[i].kind
        {
            variants.push(UnionVariant {
                name: String::new(),
                ty: TypeRef::Json,
                tag: None,
                boxed: false,
                fallback: true,
            });
        }
    }
}

/// Whether a value of `ty` can lose part of the JSON it was read from: an
/// object drops properties it does not declare (and a nested union may pick
/// an alternative that does). Scalars, enums (`Unknown`) and any JSON value
/// keep everything, so unions of those need no fallback.
fn can_drop(types: &[TypeDef], ty: &TypeRef, depth: usize) -> bool {
    // Aliases of aliases are followed a little way; a cycle of them is an
    // error elsewhere, and "may drop" is the safe answer here.
    if depth > 16 {
        return true;
    }
    match ty {
        TypeRef::Array(inner) | TypeRef::Map(inner) => can_drop(types, inner, depth + 1),
        TypeRef::Named(id) => match types.get(id.0).map(|t| &t.kind) {
            Some(TypeKind::Struct { .. } | TypeKind::Union { .. }) | None => true,
            Some(TypeKind::Enum { .. }) => false,
            Some(TypeKind::Alias(inner) | TypeKind::Newtype(inner)) => can_drop(types, inner, depth + 1),
        },
        // Another module's type, not known here: "may drop" is the safe answer.
        TypeRef::Foreign(_) => true,
        TypeRef::String
        | TypeRef::Integer { .. }
        | TypeRef::Number
        | TypeRef::Boolean
        | TypeRef::Timestamp
        | TypeRef::Json => false,
    }
}

/// One tag per variant if the discriminator can tag the enum, else why not.
fn tag_values(types: &[TypeDef], variants: &[UnionVariant], d: &Discriminator) -> Result<Vec<String>, String> {
    if let Some(problem) = &d.problem {
        return Err(problem.clone());
    }
    if variants.len() != d.values.len() {
        return Err("the alternatives changed".to_string());
    }
    let mut tags: Vec<String> = Vec::new();
    for (variant, values) in variants.iter().zip(&d.values) {
        let [value] = values.as_slice() else {
            return Err("an alternative has several tag values".to_string());
        };
        if tags.contains(value) {
            return Err(format!("`{value}` tags two alternatives"));
        }
        let TypeRef::Named(id) = variant.ty else { return Err("an alternative is not an object".to_string()) };
        let Some(TypeKind::Struct { fields, .. }) = types.get(id.0).map(|t| &t.kind) else {
            return Err("an alternative is not an object with properties".to_string());
        };
        if let Some(field) = fields.iter().find(|f| f.wire == d.property) {
            let how = if field.required { "a required" } else { "an optional" };
            return Err(format!("`{}` is also {how} property of the alternatives", field.wire));
        }
        tags.push(value.clone());
    }
    Ok(tags)
}

/// A sort key: lower is more specific, so tried first. Objects with more
/// required, then more, properties come first; `Map` and any JSON value last.
fn specificity(types: &[TypeDef], ty: &TypeRef) -> (u8, std::cmp::Reverse<usize>, std::cmp::Reverse<usize>) {
    use std::cmp::Reverse;
    let class = match ty {
        TypeRef::Named(id) => match types.get(id.0).map(|t| &t.kind) {
            Some(TypeKind::Struct { fields, .. }) => {
                let required = fields.iter().filter(|f| f.required).count();
                return (0, Reverse(required), Reverse(fields.len()));
            }
            Some(TypeKind::Enum { .. }) => 2,
            _ => 3,
        },
        // Another module's type: after this module's objects, as an alias would be.
        TypeRef::Foreign(_) => 3,
        TypeRef::Integer { .. } | TypeRef::Boolean | TypeRef::Timestamp => 1,
        TypeRef::Array(_) => 2,
        TypeRef::String => 4,
        // `Decimal` also reads numeric strings: after `String`, so "100000" stays a string.
        TypeRef::Number => 5,
        TypeRef::Map(_) => 6,
        TypeRef::Json => 7,
    };
    (class, Reverse(0), Reverse(0))
}
