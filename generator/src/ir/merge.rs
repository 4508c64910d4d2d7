//! Identical shapes are one type. Descriptions repeat themselves: the same
//! inline `enum: [Sent, Unsent]` under six properties, three webhook payload
//! components with the same properties. Each copy would be a Rust type of its
//! own that users must convert between, so structurally identical structs,
//! enums and unions become one:
//!
//! - an inline copy (a schema with no name of its own) is removed, and every
//!   reference to it points at the type kept;
//! - a copy that is a component keeps its name as a type alias of the type
//!   kept (`pub type CustomerDeletedPayload = CustomerCreatedPayload;`), so
//!   names a description gives stay in the crate.
//!
//! "Identical" is the whole IR shape after merging what the shape refers to
//! (so merging repeats until nothing changes), field docs included, and the
//! same role for structs: a struct only DealPOS sends and one we send are
//! emitted differently (`graph::mark_lenient`), so they never merge. Unions
//! merge only when an alternative is a named type: two `i64 | String` under
//! different properties share a shape, not a meaning. The type kept is
//! the first component of the class, else its first type (document order);
//! a class of inline types only is named by `naming::merged_name`.

use std::collections::BTreeMap;

use super::graph;
use super::model::*;
use super::naming;

/// Merges the structurally identical types of `api` (see the module doc).
pub(super) fn identical(api: &mut Api) {
    graph::mark_lenient(api);
    let n = api.types.len();
    let component = |ty: &TypeDef| is_component(&ty.origin.pointer);
    // Components first, so a class keeps a name the description gives.
    let mut order: Vec<usize> = (0..n).filter(|&i| component(&api.types[i])).collect();
    order.extend((0..n).filter(|&i| !component(&api.types[i])));
    let mut canon: Vec<usize> = (0..n).collect();
    loop {
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut changed = false;
        for &i in &order {
            if find(&canon, i) != i {
                continue;
            }
            let ty = &api.types[i];
            let role = match &ty.kind {
                // Only a struct is emitted by role (`Option`s, `non_exhaustive`).
                TypeKind::Struct { .. } => format!("{}|{}", ty.lenient, ty.sent),
                TypeKind::Enum { .. } => String::new(),
                // `i64 | String` under `Code` and under `Coupon` share a shape,
                // not a meaning, and no name: only unions of named types merge.
                TypeKind::Union { variants, .. } if variants.iter().any(|v| matches!(v.ty, TypeRef::Named(_))) => {
                    String::new()
                }
                _ => continue,
            };
            let mut kind = ty.kind.clone();
            each_in_kind(&mut kind, &mut |r| remap(r, &|id| TypeId(find(&canon, id.0))));
            let key = format!("{kind:?}|{role}");
            match seen.get(&key) {
                Some(&kept) => {
                    canon[i] = kept;
                    changed = true;
                }
                None => {
                    seen.insert(key, i);
                }
            }
        }
        if !changed {
            break;
        }
    }
    let classes = classes(&canon);
    if classes.is_empty() {
        return;
    }
    let names: Vec<String> = api.types.iter().map(|t| t.name.clone()).collect();
    for (&kept, copies) in &classes {
        let members: Vec<usize> = std::iter::once(kept).chain(copies.iter().copied()).collect();
        let all_inline = members.iter().all(|&i| !component(&api.types[i]));
        let docs_agree = members.iter().all(|&i| api.types[i].doc == api.types[kept].doc);
        if !docs_agree && !component(&api.types[kept]) {
            // The inline docs describe the property each copy was under.
            api.types[kept].doc = None;
        }
        if all_inline {
            let class: Vec<&str> = members.iter().map(|&i| names[i].as_str()).collect();
            api.types[kept].name = naming::merged_name(&class, &names);
        }
        for &copy in copies {
            if component(&api.types[copy]) {
                api.types[copy].kind = TypeKind::Alias(TypeRef::Named(TypeId(kept)));
            }
        }
    }
    // Inline copies go; references to them point at the type kept. Component
    // copies stay (as aliases), and so do references to them.
    let removed = |i: usize| canon[i] != i && !component(&api.types[i]);
    let mut index = vec![TypeId(0); n];
    let mut next = 0;
    for (i, slot) in index.iter_mut().enumerate() {
        if !removed(i) {
            *slot = TypeId(next);
            next += 1;
        }
    }
    for i in 0..n {
        if removed(i) {
            index[i] = index[find(&canon, i)];
        }
    }
    let keep: Vec<bool> = (0..n).map(|i| !removed(i)).collect();
    let mut i = 0;
    api.types.retain(|_| {
        i += 1;
        keep[i - 1]
    });
    each_ref(api, &mut |r| remap(r, &|id| index[id.0]));
}

/// Whether a type's schema is a named component (not one inline in another).
pub(super) fn is_component(pointer: &str) -> bool {
    pointer.strip_prefix("/components/schemas/").is_some_and(|rest| !rest.contains('/'))
}

/// The type `i` was merged into, through merges of merges.
fn find(canon: &[usize], mut i: usize) -> usize {
    while canon[i] != i {
        i = canon[i];
    }
    i
}

/// The type kept for each class of more than one type, with its copies.
fn classes(canon: &[usize]) -> BTreeMap<usize, Vec<usize>> {
    let mut out: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..canon.len() {
        let kept = find(canon, i);
        if kept != i {
            out.entry(kept).or_default().push(i);
        }
    }
    out
}

/// Rewrites every named type inside `ty` with `to`.
fn remap(ty: &mut TypeRef, to: &dyn Fn(TypeId) -> TypeId) {
    match ty {
        TypeRef::Named(id) => *id = to(*id),
        TypeRef::Array(inner) | TypeRef::Map(inner) => remap(inner, to),
        _ => {}
    }
}

/// Calls `f` on every type reference a kind holds.
fn each_in_kind(kind: &mut TypeKind, f: &mut dyn FnMut(&mut TypeRef)) {
    match kind {
        TypeKind::Struct { fields, additional } => {
            fields.iter_mut().for_each(|field| f(&mut field.ty));
            if let Some(a) = additional {
                f(a);
            }
        }
        TypeKind::Union { variants, .. } => variants.iter_mut().for_each(|v| f(&mut v.ty)),
        TypeKind::Alias(target) | TypeKind::Newtype(target) => f(target),
        TypeKind::Enum { .. } => {}
    }
}

/// Calls `f` on every type reference of `api`: types, operations, webhooks, examples.
pub(super) fn each_ref(api: &mut Api, f: &mut dyn FnMut(&mut TypeRef)) {
    for ty in &mut api.types {
        each_in_kind(&mut ty.kind, f);
    }
    for op in &mut api.operations {
        op.parameters.iter_mut().for_each(|p| f(&mut p.ty));
        if let Some(r) = &mut op.request {
            f(r);
        }
        for body in op.responses.iter_mut().filter_map(|r| r.body.as_mut()) {
            f(body);
        }
    }
    api.webhooks.iter_mut().for_each(|w| f(&mut w.payload));
    api.examples.iter_mut().for_each(|e| f(&mut e.ty));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_are_told_from_inline_schemas() {
        assert!(is_component("/components/schemas/Invoice"));
        assert!(!is_component("/components/schemas/Invoice/properties/Fulfillment"));
        assert!(!is_component("/paths/~1Invoice/get/responses/200/content/application~1json/schema"));
    }

    #[test]
    fn merges_of_merges_find_the_type_kept() {
        let canon = [0, 0, 1, 3];
        assert_eq!(find(&canon, 2), 0);
        assert_eq!(classes(&canon), BTreeMap::from([(0, vec![1, 2])]));
    }
}
