//! Rules over the whole graph of types, applied once every type is built:
//! `$ref` cycles among aliases, leniency, and boxing. Every walk is iterative
//! so that a long chain of types cannot overflow the stack.

use std::collections::BTreeSet;

use super::model::*;
use crate::error::Diagnostic;

/// A cycle of aliases (`A: {$ref: B}`, `B: {$ref: A}`) describes no value: an
/// error at each alias in it. A cycle through a list or map
/// (`Tree: {type: array, items: {$ref: Tree}}`) is a fine recursive type, but
/// Rust's type aliases cannot be recursive, so one alias in it becomes a
/// newtype.
pub(super) fn break_alias_cycles(types: &mut [TypeDef], out: &mut Vec<Diagnostic>) {
    let mut done = BTreeSet::new();
    for start in 0..types.len() {
        let mut path: Vec<usize> = Vec::new();
        let mut at = start;
        // Follow the chain of aliases from `start` until it leaves aliases,
        // reaches one already cleared, or comes back on itself.
        while !done.contains(&at) {
            if let Some(pos) = path.iter().position(|&p| p == at) {
                let cycle = path[pos..].to_vec();
                let through_container =
                    cycle.iter().copied().find(|&i| matches!(&types[i].kind, TypeKind::Alias(t) if contained(t)));
                match through_container {
                    Some(i) => {
                        if let TypeKind::Alias(t) = &types[i].kind {
                            types[i].kind = TypeKind::Newtype(t.clone());
                        }
                    }
                    None => {
                        let names: Vec<&str> = cycle.iter().map(|&i| types[i].origin.pointer.as_str()).collect();
                        for &i in &cycle {
                            out.push(Diagnostic::error(
                                types[i].origin.clone(),
                                format!("`$ref` cycle with no value in it: {}", names.join(" → ")),
                            ));
                        }
                    }
                }
                break;
            }
            path.push(at);
            match &types[at].kind {
                TypeKind::Alias(t) => match named_in(t) {
                    Some(next) if next.0 < types.len() => at = next.0,
                    _ => break,
                },
                _ => break,
            }
        }
        done.extend(path);
    }
}

/// An alternative that leads back to its own union through aliases and
/// unions alone (`A: {oneOf: [{$ref: A}, {type: string}]}`) adds no value,
/// and an untagged enum would recurse forever trying it: it is dropped with a
/// warning, or, if nothing else is left, the union is an error.
pub(super) fn drop_self_alternatives(types: &mut [TypeDef], out: &mut Vec<Diagnostic>) {
    for u in 0..types.len() {
        let TypeKind::Union { variants, .. } = &types[u].kind else { continue };
        let keep: Vec<bool> = variants.iter().map(|v| !leads_back(types, &v.ty, TypeId(u))).collect();
        if keep.iter().all(|k| *k) {
            continue;
        }
        let origin = types[u].origin.clone();
        if keep.iter().all(|k| !*k) {
            out.push(Diagnostic::error(origin, "every alternative is the union itself: it has no value"));
            continue;
        }
        out.push(Diagnostic::warning(origin, "an alternative that is the union itself is dropped"));
        if let TypeKind::Union { variants, .. } = &mut types[u].kind {
            let mut flags = keep.into_iter();
            variants.retain(|_| flags.next().unwrap_or(true));
        }
    }
}

/// Whether `ty` is `to`, or an alias or union one of whose alternatives is,
/// without anything (a struct, list or map) that consumes input on the way.
fn leads_back(types: &[TypeDef], ty: &TypeRef, to: TypeId) -> bool {
    let TypeRef::Named(start) = ty else { return false };
    let mut seen = BTreeSet::new();
    let mut stack = vec![*start];
    while let Some(id) = stack.pop() {
        if id == to {
            return true;
        }
        if !seen.insert(id) {
            continue;
        }
        match types.get(id.0).map(|t| &t.kind) {
            Some(TypeKind::Alias(TypeRef::Named(next))) => stack.push(*next),
            Some(TypeKind::Union { variants, .. }) => {
                stack.extend(variants.iter().filter_map(|v| match v.ty {
                    TypeRef::Named(next) => Some(next),
                    _ => None,
                }));
            }
            _ => {}
        }
    }
    false
}

/// The named type inside a reference, if any.
fn named_in(ty: &TypeRef) -> Option<TypeId> {
    match ty {
        TypeRef::Named(id) => Some(*id),
        TypeRef::Array(inner) | TypeRef::Map(inner) => named_in(inner),
        _ => None,
    }
}

/// Whether the named type inside is behind a list or map.
fn contained(ty: &TypeRef) -> bool {
    matches!(ty, TypeRef::Array(_) | TypeRef::Map(_))
}

/// Types reached from a response or a webhook decode what DealPOS sends and
/// so are lenient; a type reached only from request bodies is strict.
pub(super) fn mark_lenient(api: &mut Api) {
    let mut output = BTreeSet::new();
    let mut input = BTreeSet::new();
    for op in &api.operations {
        for ty in op.responses.iter().filter_map(|r| r.body.as_ref()) {
            reach(&api.types, ty, &mut output);
        }
        if let Some(ty) = &op.request {
            reach(&api.types, ty, &mut input);
        }
    }
    for hook in &api.webhooks {
        reach(&api.types, &hook.payload, &mut output);
    }
    for (i, ty) in api.types.iter_mut().enumerate() {
        ty.lenient = output.contains(&TypeId(i)) || !input.contains(&TypeId(i));
        ty.sent = input.contains(&TypeId(i));
    }
}

/// Who uses a named type: the tags of the operations and whether a webhook
/// reaches it (through parameters, bodies, answers and the types inside).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Users {
    /// Tags of the operations that use it (`Default` for untagged ones).
    pub tags: BTreeSet<String>,
    /// Whether a webhook payload uses it.
    pub webhooks: bool,
}

/// The tag an operation is grouped under (`Default` when it has none).
pub fn tag_of(op: &Operation) -> &str {
    op.tag.as_deref().unwrap_or("Default")
}

/// The [`Users`] of every type of `api`, indexed like [`Api::types`].
pub fn users(api: &Api) -> Vec<Users> {
    let mut out = vec![Users::default(); api.types.len()];
    for op in &api.operations {
        let mut seen = BTreeSet::new();
        let tys = op.request.iter().chain(op.responses.iter().filter_map(|r| r.body.as_ref()));
        for ty in tys.chain(op.parameters.iter().map(|p| &p.ty)) {
            reach(&api.types, ty, &mut seen);
        }
        for id in seen {
            if let Some(u) = out.get_mut(id.0) {
                u.tags.insert(tag_of(op).to_string());
            }
        }
    }
    for hook in &api.webhooks {
        let mut seen = BTreeSet::new();
        reach(&api.types, &hook.payload, &mut seen);
        for id in seen {
            if let Some(u) = out.get_mut(id.0) {
                u.webhooks = true;
            }
        }
    }
    out
}

/// Every named type reachable from `ty`, added to `seen`.
fn reach(types: &[TypeDef], ty: &TypeRef, seen: &mut BTreeSet<TypeId>) {
    let mut stack = vec![ty];
    while let Some(ty) = stack.pop() {
        match ty {
            TypeRef::Array(inner) | TypeRef::Map(inner) => stack.push(inner),
            TypeRef::Named(id) if seen.insert(*id) => {
                if let Some(def) = types.get(id.0) {
                    stack.extend(children(&def.kind));
                }
            }
            _ => {}
        }
    }
}

pub(super) fn children(kind: &TypeKind) -> Vec<&TypeRef> {
    match kind {
        TypeKind::Struct { fields, additional } => fields.iter().map(|f| &f.ty).chain(additional).collect(),
        TypeKind::Union { variants, .. } => variants.iter().map(|v| &v.ty).collect(),
        TypeKind::Alias(ty) | TypeKind::Newtype(ty) => vec![ty],
        TypeKind::Enum { .. } => Vec::new(),
    }
}

/// A struct field or union variant whose type leads back to its own type
/// without passing through a `Vec`, map or `Box` would have infinite size:
/// one member on each such cycle is boxed. Members are visited in a fixed
/// order and each box counts for the members after it, so a cycle gets one
/// box, not one per member.
pub(super) fn mark_boxed(api: &mut Api) {
    for i in 0..api.types.len() {
        let owner = TypeId(i);
        let members = match &api.types[i].kind {
            TypeKind::Struct { fields, .. } => fields.len(),
            TypeKind::Union { variants, .. } => variants.len(),
            _ => 0,
        };
        for m in 0..members {
            let ty = match &api.types[i].kind {
                TypeKind::Struct { fields, .. } => fields.get(m).map(|f| f.ty.clone()),
                TypeKind::Union { variants, .. } => variants.get(m).map(|v| v.ty.clone()),
                _ => None,
            };
            let Some(ty) = ty else { continue };
            if !inline_reaches(&api.types, &ty, owner) {
                continue;
            }
            match &mut api.types[i].kind {
                TypeKind::Struct { fields, .. } => {
                    if let Some(field) = fields.get_mut(m) {
                        field.boxed = true;
                    }
                }
                TypeKind::Union { variants, .. } => {
                    if let Some(variant) = variants.get_mut(m) {
                        variant.boxed = true;
                    }
                }
                _ => {}
            }
        }
    }
}

/// The types a value holds inline: not behind a `Box` already decided.
pub(super) fn inline_children(kind: &TypeKind) -> Vec<&TypeRef> {
    match kind {
        // Extra properties live in a map, which has a fixed size.
        TypeKind::Struct { fields, .. } => fields.iter().filter(|f| !f.boxed).map(|f| &f.ty).collect(),
        TypeKind::Union { variants, .. } => variants.iter().filter(|v| !v.boxed).map(|v| &v.ty).collect(),
        TypeKind::Alias(ty) => vec![ty],
        TypeKind::Newtype(_) | TypeKind::Enum { .. } => Vec::new(),
    }
}

/// Whether a value of `from` holds a `to` inline (not behind a `Vec`, map or
/// newtype-wrapped container, which all have a fixed size).
fn inline_reaches(types: &[TypeDef], from: &TypeRef, to: TypeId) -> bool {
    let TypeRef::Named(start) = from else { return false };
    let mut seen = BTreeSet::new();
    let mut stack = vec![*start];
    while let Some(id) = stack.pop() {
        if id == to {
            return true;
        }
        if !seen.insert(id) {
            continue;
        }
        let Some(def) = types.get(id.0) else { continue };
        for child in inline_children(&def.kind) {
            if let TypeRef::Named(next) = child {
                stack.push(*next);
            }
        }
    }
    false
}
