//! `$ref`s from one description of the crate to another: one shared type,
//! not a copy.
//!
//! Each description is built on its own (`build.rs`), knowing the others as
//! [`Sibling`]s: a schema `$ref` into one of them
//! (`dealpos-api.yaml#/components/schemas/InvoiceDetailVariant` in the
//! webhooks) is a [`TypeRef::Foreign`] naming the target schema, which is
//! not walked. Once every description is built, and so named,
//! [`build_all`] links each foreign reference to the other module's type
//! (its id and Rust name) and applies the whole-graph rules again across
//! modules: alias cycles, boxing, roles (lenient, sent).
//! [`users_across`] tells emission which features compile a type, so a REST
//! type a webhook payload holds is also compiled with `webhooks`.
//!
//! Descriptions are built in any order and may refer to each other: nothing
//! is linked before all exist. Only component schemas
//! (`#/components/schemas/Name`) can be referred to: each is a named type of
//! its module, kept (if only as an alias) by every pass after the walk.

use std::collections::{BTreeMap, BTreeSet};

use super::build::build_in;
use super::builder::Builder;
use super::graph::{Users, children, inline_children, tag_of};
use super::merge::{each_ref, is_component};
use super::model::*;
use super::refs::{self, FileLoader, Sibling};
use super::schema;
use crate::error::{Diagnostic, Error, Location, Result};
use crate::load::Source;

#[cfg(test)]
mod tests;

/// Builds every description of a crate (`(document, module)`, overlays
/// applied), each seeing the others, and links the `$ref`s between them.
/// The `Api`s are in the order of `descriptions`.
pub fn build_all(descriptions: &[(&Source, &str)], loader: FileLoader<'_>) -> Result<Vec<Api>> {
    let files: Vec<String> = descriptions.iter().map(|(s, _)| refs::relative_to("", &s.name)).collect();
    let mut apis = Vec::with_capacity(descriptions.len());
    for (i, (source, _)) in descriptions.iter().enumerate() {
        let siblings: Vec<Sibling<'_>> = descriptions
            .iter()
            .zip(&files)
            .enumerate()
            .filter(|(j, (_, file))| *j != i && **file != files[i])
            .map(|(_, ((s, module), file))| Sibling { file, module, value: &s.value })
            .collect();
        apis.push(build_in(source, loader, &siblings)?);
    }
    let modules: Vec<(&str, &str)> = descriptions.iter().map(|(s, m)| (s.name.as_str(), *m)).collect();
    link(&mut apis, &modules)?;
    Ok(apis)
}

impl Builder<'_> {
    /// The type a schema `$ref` at `site` gives when its `target` is in another
    /// description of the crate: that module's type, linked by [`build_all`].
    /// `None` when the target is not in one (a local or plain-file `$ref`).
    pub(super) fn foreign(&mut self, site: &Location, target: &Location) -> Option<(TypeRef, bool)> {
        let sibling = *self.siblings.iter().find(|s| s.file == target.file)?;
        if !is_component(&target.pointer) {
            self.error(
                site.clone(),
                format!(
                    "`{}#{}` is in another description of the crate (module `{}`): a `$ref` into it must name \
                     one of its component schemas (`#/components/schemas/Name`), which are its types",
                    target.file, target.pointer, sibling.module
                ),
            );
            return Some((TypeRef::Json, false));
        }
        // Nullability is the target's own, as for a `$ref` within the description.
        let nullable = sibling
            .value
            .pointer(&target.pointer)
            .is_some_and(|schema| schema::facts(target, schema, &mut Vec::new()).nullable);
        let foreign = ForeignRef { module: sibling.module.to_string(), target: target.clone(), linked: None };
        Some((TypeRef::Foreign(Box::new(foreign)), nullable))
    }
}

/// Module names to their index in the crate's list of modules.
type Modules = BTreeMap<String, usize>;

/// A named type of the crate: its module's index, and its id there.
type Node = (usize, TypeId);

/// Links every [`TypeRef::Foreign`] of `apis` (`modules[i]`: the file and
/// module of `apis[i]`) to its type, then applies the rules that cross modules.
fn link(apis: &mut [Api], modules: &[(&str, &str)]) -> Result<()> {
    // The component schemas of each description, by pointer: only the file's
    // own (a `$ref`ed plain file's components are that module's copies).
    let index: Vec<BTreeMap<String, (TypeId, String)>> = apis
        .iter()
        .zip(modules)
        .map(|(api, (file, _))| {
            let own = api.types.iter().enumerate().filter(|(_, t)| t.origin.file == *file);
            own.filter(|(_, t)| is_component(&t.origin.pointer))
                .map(|(i, t)| (t.origin.pointer.clone(), (TypeId(i), t.name.clone())))
                .collect()
        })
        .collect();
    let ids: Modules = modules.iter().enumerate().map(|(j, (_, m))| (m.to_string(), j)).collect();
    let mut errors = Vec::new();
    let mut any = false;
    for api in apis.iter_mut() {
        each_ref(api, &mut |ty| {
            each_foreign(ty, &mut |f| {
                any = true;
                match ids.get(&f.module).and_then(|&j| index[j].get(&f.target.pointer)) {
                    Some(linked) => f.linked = Some(linked.clone()),
                    None => errors.push(Diagnostic::error(
                        f.target.clone(),
                        format!("`$ref`s point here, but module `{}` has no type built from it", f.module),
                    )),
                }
            })
        });
    }
    if !errors.is_empty() {
        errors.sort();
        errors.dedup();
        return Err(Error::Invalid(errors));
    }
    if !any {
        return Ok(());
    }
    alias_cycles(apis, &ids)?;
    box_cycles(apis, &ids);
    roles(apis, &ids);
    Ok(())
}

/// Calls `f` on every foreign reference inside `ty`.
fn each_foreign(ty: &mut TypeRef, f: &mut dyn FnMut(&mut ForeignRef)) {
    match ty {
        TypeRef::Foreign(foreign) => f(foreign),
        TypeRef::Array(inner) | TypeRef::Map(inner) => each_foreign(inner, f),
        _ => {}
    }
}

/// The named types `ty` refers to, in whichever module (`module` is its
/// own), each with whether it is held inline (`inline`, and not inside a list
/// or map).
fn nodes(ty: &TypeRef, module: usize, ids: &Modules, inline: bool, out: &mut Vec<(Node, bool)>) {
    match ty {
        TypeRef::Named(id) => out.push(((module, *id), inline)),
        TypeRef::Foreign(f) => {
            if let (Some(&j), Some((id, _))) = (ids.get(&f.module), &f.linked) {
                out.push(((j, *id), inline));
            }
        }
        TypeRef::Array(inner) | TypeRef::Map(inner) => nodes(inner, module, ids, false, out),
        _ => {}
    }
}

fn def<'a>(apis: &[&'a Api], (module, id): Node) -> Option<&'a TypeDef> {
    apis.get(module).and_then(|api| api.types.get(id.0))
}

/// Every type reachable from `roots`, across modules.
fn reach(apis: &[&Api], ids: &Modules, roots: Vec<Node>) -> BTreeSet<Node> {
    let mut seen = BTreeSet::new();
    let mut stack = roots;
    while let Some(node) = stack.pop() {
        if !seen.insert(node) {
            continue;
        }
        let Some(def) = def(apis, node) else { continue };
        let mut next = Vec::new();
        for child in children(&def.kind) {
            nodes(child, node.0, ids, true, &mut next);
        }
        stack.extend(next.into_iter().map(|(n, _)| n));
    }
    seen
}

/// The roots `tys` of module `module`, as nodes.
fn roots<'t>(tys: impl IntoIterator<Item = &'t TypeRef>, module: usize, ids: &Modules) -> Vec<Node> {
    let mut out = Vec::new();
    for ty in tys {
        nodes(ty, module, ids, true, &mut out);
    }
    out.into_iter().map(|(n, _)| n).collect()
}

/// The [`Users`] of every type of every module (`(module name, api)`, in the
/// crate's order), across modules: the operations and webhooks of another
/// module that reach a type through a [`TypeRef::Foreign`] use it too, so a
/// REST type a webhook payload holds is compiled with `webhooks` as well.
/// For one module alone, the same as [`super::users`].
pub fn users_across(modules: &[(&str, &Api)]) -> Vec<Vec<Users>> {
    let ids: Modules = modules.iter().enumerate().map(|(j, (m, _))| (m.to_string(), j)).collect();
    let apis: Vec<&Api> = modules.iter().map(|(_, api)| *api).collect();
    let mut out: Vec<Vec<Users>> = apis.iter().map(|api| vec![Users::default(); api.types.len()]).collect();
    let mut mark = |seen: BTreeSet<Node>, f: &dyn Fn(&mut Users)| {
        for (m, id) in seen {
            if let Some(users) = out.get_mut(m).and_then(|u| u.get_mut(id.0)) {
                f(users);
            }
        }
    };
    for (m, api) in apis.iter().enumerate() {
        for op in &api.operations {
            let tys = op.request.iter().chain(op.responses.iter().filter_map(|r| r.body.as_ref()));
            let seen = reach(&apis, &ids, roots(tys.chain(op.parameters.iter().map(|p| &p.ty)), m, &ids));
            mark(seen, &|u| {
                u.tags.insert(tag_of(op).to_string());
            });
        }
        for hook in &api.webhooks {
            mark(reach(&apis, &ids, roots([&hook.payload], m, &ids)), &|u| u.webhooks = true);
        }
    }
    out
}

/// `graph::mark_lenient` across modules: a type another module's answers or
/// webhooks reach is lenient, one its request bodies reach is sent.
fn roles(apis: &mut [Api], ids: &Modules) {
    let view: Vec<&Api> = apis.iter().collect();
    let (mut output, mut input) = (Vec::new(), Vec::new());
    for (m, api) in view.iter().enumerate() {
        for op in &api.operations {
            output.extend(roots(op.responses.iter().filter_map(|r| r.body.as_ref()), m, ids));
            input.extend(roots(&op.request, m, ids));
        }
        output.extend(roots(api.webhooks.iter().map(|w| &w.payload), m, ids));
    }
    let (output, input) = (reach(&view, ids, output), reach(&view, ids, input));
    for (m, api) in apis.iter_mut().enumerate() {
        for (i, ty) in api.types.iter_mut().enumerate() {
            let node = (m, TypeId(i));
            ty.lenient = output.contains(&node) || !input.contains(&node);
            ty.sent = input.contains(&node);
        }
    }
}

/// `graph::mark_boxed` across modules: a member that holds its own type
/// inline through another module's types is boxed. Cycles within one module
/// are already broken (`inline_children` skips boxed members), so what is
/// found here crosses modules; members are visited in a fixed order and each
/// box counts for the members after it.
fn box_cycles(apis: &mut [Api], ids: &Modules) {
    for m in 0..apis.len() {
        for i in 0..apis[m].types.len() {
            // A boxed member already holds its type behind a pointer.
            let members: Vec<Option<TypeRef>> = match &apis[m].types[i].kind {
                TypeKind::Struct { fields, .. } => fields.iter().map(|f| (!f.boxed).then(|| f.ty.clone())).collect(),
                TypeKind::Union { variants, .. } => variants.iter().map(|v| (!v.boxed).then(|| v.ty.clone())).collect(),
                _ => continue,
            };
            for (k, ty) in members.iter().enumerate() {
                let Some(ty) = ty else { continue };
                let view: Vec<&Api> = apis.iter().collect();
                let mut start = Vec::new();
                nodes(ty, m, ids, true, &mut start);
                let start = start.into_iter().filter(|(_, inline)| *inline).map(|(n, _)| n).collect();
                if !inline_reaches(&view, ids, start, (m, TypeId(i))) {
                    continue;
                }
                match &mut apis[m].types[i].kind {
                    TypeKind::Struct { fields, .. } => {
                        if let Some(field) = fields.get_mut(k) {
                            field.boxed = true;
                        }
                    }
                    TypeKind::Union { variants, .. } => {
                        if let Some(variant) = variants.get_mut(k) {
                            variant.boxed = true;
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

/// Whether a value of one of `start` holds a `to` inline, across modules.
fn inline_reaches(apis: &[&Api], ids: &Modules, start: Vec<Node>, to: Node) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = start;
    while let Some(node) = stack.pop() {
        if node == to {
            return true;
        }
        if !seen.insert(node) {
            continue;
        }
        let Some(def) = def(apis, node) else { continue };
        let mut next = Vec::new();
        for child in inline_children(&def.kind) {
            nodes(child, node.0, ids, true, &mut next);
        }
        stack.extend(next.into_iter().filter(|(_, inline)| *inline).map(|(n, _)| n));
    }
    false
}

/// `graph::break_alias_cycles` across modules: aliases that lead back to
/// themselves through other modules' aliases describe no value (an error at
/// each), unless a list or map is on the way, where one alias becomes a
/// newtype (a Rust type alias cannot be recursive).
fn alias_cycles(apis: &mut [Api], ids: &Modules) -> Result<()> {
    let mut errors = Vec::new();
    let mut newtypes = Vec::new();
    {
        let view: Vec<&Api> = apis.iter().collect();
        let alias = |node: Node| match def(&view, node).map(|d| &d.kind) {
            Some(TypeKind::Alias(t)) => Some(t),
            _ => None,
        };
        let mut done = BTreeSet::new();
        let starts = view.iter().enumerate().flat_map(|(m, api)| (0..api.types.len()).map(move |i| (m, TypeId(i))));
        for start in starts {
            let mut path: Vec<Node> = Vec::new();
            let mut at = start;
            while !done.contains(&at) {
                if let Some(pos) = path.iter().position(|p| *p == at) {
                    let cycle = &path[pos..];
                    let contained =
                        |n: &&Node| alias(**n).is_some_and(|t| matches!(t, TypeRef::Array(_) | TypeRef::Map(_)));
                    match cycle.iter().find(contained) {
                        Some(node) => newtypes.push(*node),
                        None => {
                            let names: Vec<String> =
                                cycle.iter().filter_map(|n| def(&view, *n)).map(|d| d.origin.to_string()).collect();
                            for d in cycle.iter().filter_map(|n| def(&view, *n)) {
                                errors.push(Diagnostic::error(
                                    d.origin.clone(),
                                    format!(
                                        "`$ref` cycle across descriptions with no value in it: {}",
                                        names.join(" → ")
                                    ),
                                ));
                            }
                        }
                    }
                    break;
                }
                path.push(at);
                let mut next = Vec::new();
                if let Some(t) = alias(at) {
                    nodes(t, at.0, ids, true, &mut next);
                }
                match next.first() {
                    Some((node, _)) => at = *node,
                    None => break,
                }
            }
            done.extend(path);
        }
    }
    if !errors.is_empty() {
        errors.sort();
        errors.dedup();
        return Err(Error::Invalid(errors));
    }
    for (m, id) in newtypes {
        if let Some(ty) = apis.get_mut(m).and_then(|api| api.types.get_mut(id.0))
            && let TypeKind::Alias(t) = &ty.kind
        {
            ty.kind = TypeKind::Newtype(t.clone());
        }
    }
    Ok(())
}
