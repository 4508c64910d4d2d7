//! The contract in `generator::runtime` against the runtime crate's sources
//! (`templates/runtime/src/`), parsed with `syn`: every path emitted code
//! names exists there, with the kind listed, and every name the runtime
//! defines where generated names live is in a reserved list.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dealpos_generator::runtime::{self, Item, Kind};
use syn::{ImplItem, Item as SynItem, UseTree, Visibility};

/// The runtime's modules by path from the crate root (`[]`, `["client"]`, …).
struct Crate {
    modules: BTreeMap<Vec<String>, syn::File>,
}

/// What a name resolves to.
enum Def<'a> {
    Module(Vec<String>),
    Item(&'a SynItem),
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates/runtime/src")
}

impl Crate {
    fn load() -> Self {
        let mut modules = BTreeMap::new();
        load_module(&src().join("lib.rs"), &src(), Vec::new(), &mut modules);
        Crate { modules }
    }

    /// Resolves `path` from outside the crate, through `pub mod` and `pub use`.
    fn resolve(&self, path: &[String]) -> Option<Def<'_>> {
        self.resolve_in(path, false)
    }

    /// Resolves `path` from the crate root; `within` the crate (the target of
    /// a `pub use`), private modules are visible too.
    fn resolve_in(&self, path: &[String], within: bool) -> Option<Def<'_>> {
        let mut module: Vec<String> = Vec::new();
        for (i, name) in path.iter().enumerate() {
            match self.lookup(&module, name, within)? {
                Def::Module(m) => module = m,
                Def::Item(item) if i + 1 == path.len() => return Some(Def::Item(item)),
                Def::Item(_) => return None,
            }
        }
        Some(Def::Module(module))
    }

    /// A public name in one module: a module, an item, or a re-export.
    fn lookup(&self, module: &[String], name: &str, within: bool) -> Option<Def<'_>> {
        let file = self.modules.get(module)?;
        for item in &file.items {
            match item {
                SynItem::Mod(m) if m.ident == name && (within || is_pub(&m.vis)) => {
                    return Some(Def::Module([module, &[name.to_string()]].concat()));
                }
                SynItem::Use(u) if is_pub(&u.vis) => {
                    let mut uses = Vec::new();
                    flatten(&u.tree, Vec::new(), &mut uses);
                    if let Some((_, target)) = uses.into_iter().find(|(alias, _)| alias == name) {
                        return self.resolve_in(&absolute(module, &target), true);
                    }
                }
                other if item_name(other).is_some_and(|n| n == name) && item_is_pub(other) => {
                    return Some(Def::Item(other));
                }
                _ => {}
            }
        }
        None
    }

    /// `pub` inherent methods of the type named `ty`, in any module.
    fn methods(&self, ty: &str) -> Vec<String> {
        let mut out = Vec::new();
        for file in self.modules.values() {
            for item in &file.items {
                let SynItem::Impl(imp) = item else { continue };
                let syn::Type::Path(self_ty) = &*imp.self_ty else { continue };
                if imp.trait_.is_some() || self_ty.path.segments.last().is_none_or(|s| s.ident != ty) {
                    continue;
                }
                for member in &imp.items {
                    if let ImplItem::Fn(f) = member
                        && is_pub(&f.vis)
                    {
                        out.push(f.sig.ident.to_string());
                    }
                }
            }
        }
        out
    }

    /// Whether `item` exists as listed; the error says what was found instead.
    fn check(&self, item: Item) -> Result<(), String> {
        let path: Vec<String> = item.path.split("::").map(str::to_string).collect();
        let found = |p: &[String]| self.resolve(p);
        let (owner, member) = match item.kind {
            Kind::Method | Kind::Variant | Kind::Field => {
                let (member, owner) = path.split_last().ok_or("empty path")?;
                (owner.to_vec(), member.clone())
            }
            _ => (path.clone(), String::new()),
        };
        let def = found(&owner).ok_or_else(|| format!("`{}` does not resolve", owner.join("::")))?;
        let ok = match (item.kind, &def) {
            (Kind::Module, Def::Module(_)) => true,
            (Kind::Struct, Def::Item(SynItem::Struct(_))) => true,
            (Kind::Enum, Def::Item(SynItem::Enum(_))) => true,
            (Kind::Fn, Def::Item(SynItem::Fn(_))) => true,
            (Kind::Method, Def::Item(SynItem::Struct(_) | SynItem::Enum(_))) => {
                self.methods(owner.last().map(String::as_str).unwrap_or_default()).contains(&member)
            }
            (Kind::Variant, Def::Item(SynItem::Enum(e))) => e.variants.iter().any(|v| v.ident == member),
            (Kind::Field, Def::Item(SynItem::Struct(s))) => {
                s.fields.iter().any(|f| is_pub(&f.vis) && f.ident.as_ref().is_some_and(|i| *i == member))
            }
            _ => false,
        };
        if ok { Ok(()) } else { Err(format!("`{}` is not a {:?}", item.path, item.kind)) }
    }
}

fn load_module(file: &Path, dir: &Path, path: Vec<String>, out: &mut BTreeMap<Vec<String>, syn::File>) {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let parsed = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    for item in &parsed.items {
        let SynItem::Mod(m) = item else { continue };
        if m.content.is_some() {
            continue; // inline modules (tests) hold nothing generated code names
        }
        let explicit = m.attrs.iter().find(|a| a.path().is_ident("path")).and_then(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        });
        let name = m.ident.to_string();
        let (child, child_dir) = match explicit {
            Some(p) => (dir.join(p), dir.join(&name)),
            None if dir.join(format!("{name}.rs")).exists() => (dir.join(format!("{name}.rs")), dir.join(&name)),
            None => (dir.join(&name).join("mod.rs"), dir.join(&name)),
        };
        load_module(&child, &child_dir, [path.clone(), vec![name]].concat(), out);
    }
    out.insert(path, parsed);
}

/// `use a::{b, c as d}` → `[("b", [a, b]), ("d", [a, c])]`.
fn flatten(tree: &UseTree, prefix: Vec<String>, out: &mut Vec<(String, Vec<String>)>) {
    match tree {
        UseTree::Path(p) => flatten(&p.tree, [prefix, vec![p.ident.to_string()]].concat(), out),
        UseTree::Name(n) => out.push((n.ident.to_string(), [prefix, vec![n.ident.to_string()]].concat())),
        UseTree::Rename(r) => out.push((r.rename.to_string(), [prefix, vec![r.ident.to_string()]].concat())),
        UseTree::Group(g) => g.items.iter().for_each(|t| flatten(t, prefix.clone(), out)),
        UseTree::Glob(_) => {}
    }
}

/// A `use` path made absolute from the module it is written in.
fn absolute(module: &[String], target: &[String]) -> Vec<String> {
    match target.first().map(String::as_str) {
        Some("crate") => target[1..].to_vec(),
        Some("self") => [module, &target[1..]].concat(),
        Some("super") => [&module[..module.len().saturating_sub(1)], &target[1..]].concat(),
        _ => [module, target].concat(),
    }
}

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

fn item_name(item: &SynItem) -> Option<String> {
    Some(match item {
        SynItem::Struct(s) => s.ident.to_string(),
        SynItem::Enum(e) => e.ident.to_string(),
        SynItem::Fn(f) => f.sig.ident.to_string(),
        SynItem::Trait(t) => t.ident.to_string(),
        SynItem::Type(t) => t.ident.to_string(),
        SynItem::Const(c) => c.ident.to_string(),
        _ => return None,
    })
}

fn item_is_pub(item: &SynItem) -> bool {
    match item {
        SynItem::Struct(s) => is_pub(&s.vis),
        SynItem::Enum(e) => is_pub(&e.vis),
        SynItem::Fn(f) => is_pub(&f.vis),
        SynItem::Trait(t) => is_pub(&t.vis),
        SynItem::Type(t) => is_pub(&t.vis),
        SynItem::Const(c) => is_pub(&c.vis),
        _ => false,
    }
}

/// The listed items the runtime lacks, each with what is wrong.
fn missing(krate: &Crate, items: &[Item]) -> Vec<String> {
    items.iter().filter_map(|item| krate.check(*item).err()).collect()
}

#[test]
fn every_path_emitted_code_names_exists_in_the_runtime() {
    let krate = Crate::load();
    assert_eq!(missing(&krate, runtime::ITEMS), Vec::<String>::new());
}

#[test]
fn a_path_the_runtime_lacks_is_reported() {
    let krate = Crate::load();
    let bogus = [
        Item { path: "client::Nope", kind: Kind::Struct },
        Item { path: "Nullable::is_gone", kind: Kind::Method },
        Item { path: "client::Error::Nope", kind: Kind::Variant },
        Item { path: "client::Request::secret", kind: Kind::Field },
        // Exists, but is not what the entry says.
        Item { path: "Timestamp", kind: Kind::Enum },
        Item { path: "decode::from_slice", kind: Kind::Module },
    ];
    assert_eq!(missing(&krate, &bogus).len(), bogus.len(), "{:?}", missing(&krate, &bogus));
}

#[test]
fn every_public_method_of_client_is_reserved() {
    let krate = Crate::load();
    let methods = krate.methods("Client");
    assert!(methods.contains(&"execute".to_string()), "the parse found Client's methods: {methods:?}");
    let unreserved: Vec<_> = methods.iter().filter(|m| !runtime::CLIENT_METHODS.contains(&m.as_str())).collect();
    assert!(unreserved.is_empty(), "add to runtime::CLIENT_METHODS (a tag accessor would shadow them): {unreserved:?}");
}

#[test]
fn every_type_at_the_runtime_root_is_reserved() {
    let krate = Crate::load();
    let root = &krate.modules[&Vec::new()];
    let mut names = Vec::new();
    for item in &root.items {
        match item {
            SynItem::Use(u) if is_pub(&u.vis) => {
                let mut uses = Vec::new();
                flatten(&u.tree, Vec::new(), &mut uses);
                names.extend(uses.into_iter().map(|(alias, _)| alias));
            }
            other if item_is_pub(other) => names.extend(item_name(other)),
            _ => {}
        }
    }
    assert!(names.contains(&"Timestamp".to_string()), "the parse found the root's re-exports: {names:?}");
    let unreserved: Vec<_> = names.iter().filter(|n| !runtime::RESERVED_TYPES.contains(&n.as_str())).collect();
    assert!(unreserved.is_empty(), "add to runtime::RESERVED_TYPES (a schema would shadow them): {unreserved:?}");
}

#[test]
fn every_runtime_feature_is_reserved() {
    let manifest = std::fs::read_to_string(src().join("../Cargo.toml")).unwrap();
    let features: Vec<&str> = manifest
        .split("\n[")
        .find(|section| section.starts_with("features]"))
        .expect("a [features] table")
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(" = ").map(|(name, _)| name.trim()))
        .collect();
    assert!(features.contains(&"receiver"), "{features:?}");
    let unreserved: Vec<_> = features.iter().filter(|f| !runtime::RESERVED_FEATURES.contains(f)).collect();
    assert!(unreserved.is_empty(), "add to runtime::RESERVED_FEATURES: {unreserved:?}");
}
