//! Which file of the generated crate each type goes to. A description's
//! module is one file when nothing in it belongs to a single tag (webhooks,
//! descriptions without tags). Otherwise it is a directory: a type used only
//! by one tag's operations lives in that tag's file, compiled as a whole
//! under the tag's feature; every other type (shared by tags, used by
//! webhooks, or by nothing) lives in `shared.rs` under its own `#[cfg]`. So
//! a DealPOS change to one type shows as a diff of one file.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::features::{self, Features};
use super::{Module, construct, types, unions, webhooks};
use crate::ir::{SHARED_MODULE, TypeId, TypeKind};

/// One Rust file of a description's module: its path in the crate and its items.
pub struct File {
    /// Relative to the crate root (`src/models/invoice.rs`).
    pub path: String,
    /// The file's tokens, inner attributes included.
    pub tokens: TokenStream,
}

/// The files of the module built from `module`, the `index`th description.
/// `krate` is the crate's name as code outside it writes it (its doctests).
pub fn files(module: &Module, index: usize, features: &Features, krate: &str) -> Vec<File> {
    let api = &module.api;
    let title = format!(" Types of {} {} ({}).", api.title, api.version, module.spec);
    // Documentation is the description's; where it has none, there is none.
    let allow = quote!(#![allow(missing_docs, clippy::doc_markdown, clippy::struct_excessive_bools)]);
    let hooks = features::gate(webhooks::items(api), &features::cfg_any(&["webhooks"]));

    let mut shared = TokenStream::new();
    // (tag, feature, module name, items) in the features' tag order.
    let mut by_tag: Vec<(&str, &str, String, TokenStream)> = Vec::new();
    for (i, ty) in api.types.iter().enumerate() {
        let id = TypeId(i);
        let item = match ty.kind {
            TypeKind::Union { .. } => {
                let mut item = unions::item(api, ty);
                item.extend(construct::conversions(api, ty));
                item
            }
            _ => {
                let mut item = types::item(api, ty);
                item.extend(construct::item(api, ty, &format!("{krate}::{}", module.name)));
                item
            }
        };
        match features.home(index, id) {
            Some(home) => {
                let at = match by_tag.iter().position(|(tag, ..)| *tag == home.tag) {
                    Some(at) => at,
                    None => {
                        by_tag.push((home.tag, home.feature, home.module.to_string(), TokenStream::new()));
                        by_tag.len() - 1
                    }
                };
                by_tag[at].3.extend(item);
            }
            None => shared.extend(features::gate(item, &features.type_cfg(index, id))),
        }
    }
    if by_tag.is_empty() {
        let tokens = quote! {
            #![doc = #title]
            #allow
            #shared
            #hooks
        };
        return vec![File { path: format!("src/{}.rs", module.name), tokens }];
    }
    by_tag.sort_by_key(|(tag, ..)| features.tags.iter().position(|(t, _)| t == tag));

    let dir = format!("src/{}", module.name);
    let mut out = Vec::new();
    let mut declarations = Vec::new();
    let has_shared = !shared.is_empty() || !hooks.is_empty();
    if has_shared {
        // With no feature on, every shared type may be compiled out.
        let shared_mod = format_ident!("{}", SHARED_MODULE);
        declarations.push(quote! {
            mod #shared_mod;
            #[allow(unused_imports)]
            pub use #shared_mod::*;
        });
        let doc = " Types used by the operations of several tags, or by none: each is compiled with any of its tags' features.";
        out.push(File {
            path: format!("{dir}/{SHARED_MODULE}.rs"),
            tokens: quote! {
                #![doc = #doc]
                #[allow(unused_imports)]
                use super::*;
                #shared
                #hooks
            },
        });
    }
    for (tag, feature, name, items) in by_tag {
        let m = format_ident!("{}", name);
        let cfg = quote!(#[cfg(feature = #feature)]);
        declarations.push(quote! {
            #cfg
            mod #m;
            #cfg
            pub use #m::*;
        });
        let doc = format!(" Types used only by the operations tagged `{tag}` (feature `{feature}`).");
        out.push(File {
            path: format!("{dir}/{name}.rs"),
            tokens: quote! {
                #![doc = #doc]
                #[allow(unused_imports)]
                use super::*;
                #items
            },
        });
    }
    out.push(File {
        path: format!("{dir}/mod.rs"),
        tokens: quote! {
            #![doc = #title]
            #allow
            #(#declarations)*
        },
    });
    out
}
