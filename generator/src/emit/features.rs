//! The generated crate's Cargo features: one per tag (the tag's operations and
//! every type they use) and `webhooks` (the events and their payloads), so a
//! user compiles only what they call. `full`, on by default, is all of them.
//! The features' names are decided by naming (`ir::tags`); this module
//! decides which items each gates.
//!
//! A type used by several tags is compiled when any of them is on; a type no
//! operation or webhook uses is always compiled (it costs little and nothing
//! could name the feature it belongs to). Users are counted across modules
//! (`ir::users_across`): a `models` type a webhook payload holds through a
//! cross-description `$ref` is also compiled with `webhooks`, and so is every
//! type inside it.

use std::collections::BTreeMap;

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::quote;

use super::Module;
use crate::ir::{TagNames, TypeId, TypeRef, users_across};

/// The features of a crate, and which items each gates.
#[derive(Debug, Clone)]
pub struct Features {
    /// (tag, feature) in the order the operations module groups tags.
    pub tags: Vec<(String, String)>,
    /// Every name of each tag, in the same order (decided by `ir::tags`).
    pub names: Vec<TagNames>,
    /// Whether there is a `webhooks` feature (some module has webhooks).
    pub webhooks: bool,
    /// Per module, per type: the features that compile it (empty: always).
    types: Vec<Vec<Vec<String>>>,
}

/// The one tag whose feature alone compiles a type, and so holds it.
#[derive(Debug, Clone, Copy)]
pub struct Home<'a> {
    /// The tag, as in the description.
    pub tag: &'a str,
    /// Its feature.
    pub feature: &'a str,
    /// Its Rust module name.
    pub module: &'a str,
}

impl Features {
    /// The features for `modules`.
    pub fn new(modules: &[Module]) -> Self {
        let names = crate::ir::tags(&modules.iter().map(|m| &m.api).collect::<Vec<_>>());
        let tags: Vec<(String, String)> = names.iter().map(|n| (n.tag.clone(), n.feature.clone())).collect();
        let by_tag: BTreeMap<&str, &str> = tags.iter().map(|(t, f)| (t.as_str(), f.as_str())).collect();
        // Across modules: a type another module's webhooks reach is compiled with `webhooks` too.
        let users = users_across(&modules.iter().map(|m| (m.name.as_str(), &m.api)).collect::<Vec<_>>());
        let types = users
            .into_iter()
            .map(|module| {
                module
                    .into_iter()
                    .map(|u| {
                        let mut features: Vec<String> =
                            u.tags.iter().filter_map(|t| by_tag.get(t.as_str())).map(|f| f.to_string()).collect();
                        if u.webhooks {
                            features.push("webhooks".into());
                        }
                        features
                    })
                    .collect()
            })
            .collect();
        let webhooks = modules.iter().any(|m| !m.api.webhooks.is_empty());
        Features { tags, names, webhooks, types }
    }

    /// The feature of `tag`.
    pub fn of_tag(&self, tag: &str) -> Option<&str> {
        self.tags.iter().find(|(t, _)| t == tag).map(|(_, f)| f.as_str())
    }

    /// Every feature `full` turns on.
    pub fn all(&self) -> Vec<String> {
        let mut all: Vec<String> = self.tags.iter().map(|(_, f)| f.clone()).collect();
        if self.webhooks {
            all.push("webhooks".into());
        }
        all
    }

    /// The `#[cfg]` for type `id` of the module at `module` (nothing if always compiled).
    pub fn type_cfg(&self, module: usize, id: TypeId) -> TokenStream {
        cfg_any(self.of_type(module, id))
    }

    /// The tag that alone compiles type `id` of the module at `module`, if one does.
    pub fn home(&self, module: usize, id: TypeId) -> Option<Home<'_>> {
        let [feature] = self.of_type(module, id) else { return None };
        let at = self.tags.iter().position(|(_, f)| f == feature)?;
        let names = self.names.get(at)?;
        Some(Home { tag: &names.tag, feature: &names.feature, module: &names.module })
    }

    /// The `#[cfg]` for the named type inside `ty` (through lists and maps),
    /// in whichever module, `ty` being written in the module at `module`;
    /// nothing for a type that is not named.
    pub fn ref_cfg(&self, modules: &[Module], module: usize, ty: &TypeRef) -> TokenStream {
        match ty {
            TypeRef::Named(id) => self.type_cfg(module, *id),
            TypeRef::Foreign(f) => match (modules.iter().position(|m| m.name == f.module), &f.linked) {
                (Some(other), Some((id, _))) => self.type_cfg(other, *id),
                _ => TokenStream::new(),
            },
            TypeRef::Array(inner) | TypeRef::Map(inner) => self.ref_cfg(modules, module, inner),
            _ => TokenStream::new(),
        }
    }

    /// Whether no type of the module at `module` needs a feature other than
    /// `webhooks` (none is used by an operation, of this module or another).
    pub fn only_webhooks(&self, module: usize) -> bool {
        self.types.get(module).is_none_or(|types| types.iter().flatten().all(|f| f == "webhooks"))
    }

    /// Whether `feature` is one of those that compile type `id` of the module at `module`.
    pub fn needs(&self, module: usize, id: TypeId, feature: &str) -> bool {
        self.of_type(module, id).iter().any(|f| f == feature)
    }

    fn of_type(&self, module: usize, id: TypeId) -> &[String] {
        self.types.get(module).and_then(|m| m.get(id.0)).map(Vec::as_slice).unwrap_or_default()
    }

    /// The `#[cfg]` for the operations of `tag`.
    pub fn tag_cfg(&self, tag: &str) -> TokenStream {
        cfg_any(self.of_tag(tag).as_slice())
    }
}

/// `#[cfg(feature = "a")]` or `#[cfg(any(feature = "a", feature = "b"))]`.
pub fn cfg_any<S: AsRef<str>>(features: &[S]) -> TokenStream {
    let features: Vec<&str> = features.iter().map(AsRef::as_ref).collect();
    match features.as_slice() {
        [] => TokenStream::new(),
        [one] => quote!(#[cfg(feature = #one)]),
        many => quote!(#[cfg(any(#(feature = #many),*))]),
    }
}

/// `tokens` (a sequence of items) with `cfg` on each item.
///
/// Items are found at the token level, not by parsing them with syn (which
/// would double the cost of printing the file): at the top level of what the
/// emitter writes, an item ends with a `{…}` group (struct, enum, impl, fn),
/// optionally followed by `;`, or with a `;` (type alias, tuple struct).
pub fn gate(tokens: TokenStream, cfg: &TokenStream) -> TokenStream {
    if cfg.is_empty() {
        return tokens;
    }
    let mut out = TokenStream::new();
    let mut item: Vec<TokenTree> = Vec::new();
    let mut tokens = tokens.into_iter().peekable();
    while let Some(token) = tokens.next() {
        let ends = match &token {
            TokenTree::Group(g) => g.delimiter() == Delimiter::Brace,
            TokenTree::Punct(p) => p.as_char() == ';',
            _ => false,
        };
        item.push(token);
        if ends {
            if let Some(TokenTree::Punct(p)) = tokens.peek()
                && p.as_char() == ';'
                && matches!(item.last(), Some(TokenTree::Group(_)))
            {
                item.extend(tokens.next());
            }
            let body: TokenStream = item.drain(..).collect();
            out.extend(quote!(#cfg #body));
        }
    }
    out.extend(item);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gate_puts_the_cfg_on_every_item() {
        let items = quote! {
            /// A struct.
            #[derive(Debug)]
            pub struct A { x: i32 }
            pub struct B(pub i32);
            pub type C = Vec<A>;
            impl A { fn f(&self) -> i32 { let y = 1; y } }
            const D: i32 = { 1 };
        };
        let cfg = cfg_any(&["a", "b"]);
        let file: syn::File = syn::parse2(gate(items, &cfg)).expect("still items");
        assert_eq!(file.items.len(), 5);
        for item in &file.items {
            let text = quote!(#item).to_string();
            assert!(text.starts_with("# [cfg (any (feature = \"a\" , feature = \"b\"))]"), "{text}");
        }
    }
}
