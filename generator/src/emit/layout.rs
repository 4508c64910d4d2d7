//! Which file of the generated crate each type goes to. A description's
//! module is one file when nothing in it belongs to a single tag (webhooks,
//! descriptions without tags). Otherwise it is a directory: a type used only
//! by one tag's operations lives in that tag's file, compiled as a whole
//! under the tag's feature; every other type (shared by tags, used by
//! webhooks, or by nothing) lives in `shared.rs` under its own `#[cfg]`. So
//! a DealPOS change to one type shows as a diff of one file. A type a webhook
//! payload holds, of this description or through a `$ref` from another
//! (`ir/cross.rs`), is used by webhooks: `shared.rs`, with `webhooks` in its
//! `#[cfg]`, and the module docs say so.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::features::{self, Features};
use super::{Module, construct, types, unions, webhooks};
use crate::ir::{SHARED_MODULE, TypeId, TypeKind};

/// Appended to the module docs of a description with webhooks.
const WEBHOOKS_DOC: &str = "

The payload of each event, and [`WebhookKind`] and [`WebhookEvent`] over them:
decode a delivery with [`WebhookEvent::parse`]. [`WebhookKind::example`] gives
an event's example payload from the description, to test a handler without a
live sender. Everything here needs the feature `webhooks`.";

/// Appended to the module docs of a description with tags: the tag
/// modules are private and glob re-exported, so this page is where a reader
/// learns how the types are split.
const MODELS_DOC: &str = "

The request and response bodies of the operations, all at this level whatever
their tag. A type used only by one tag's operations is compiled with that
tag's feature; one shared by several tags, with any of theirs; one no
operation uses, always.";

/// After [`MODELS_DOC`] when a webhook payload holds some type of the module.
const HELD_DOC: &str = " One a webhook payload holds is also compiled with
`webhooks`.";

/// The end of the module docs of a description with tags.
const FEATURES_DOC: &str = " Each type's docs name the features it needs.";

/// The Markdown table of types per tag for the module docs.
fn tag_table(by_tag: &[(&str, &str, String, TokenStream, usize)], shared: usize, held: bool) -> String {
    let mut table = String::from("\n\n| tag | feature | types of its own |\n|---|---|---:|\n");
    for (tag, feature, _, _, count) in by_tag {
        table.push_str(&format!("| {tag} | `{feature}` | {count} |\n"));
    }
    if shared > 0 {
        let (what, features) = if held {
            ("shared by tags, held by webhooks, or used by none", "any of their tags', `webhooks`")
        } else {
            ("shared by tags, or used by none", "any of their tags'")
        };
        table.push_str(&format!("| ({what}) | {features} | {shared} |\n"));
    }
    table
}

/// `#![doc]` attributes for `text`, one per line, so the file reads as `//!`
/// comments (one attribute with line breaks prints as a `/*! */` block).
fn inner_docs(text: &str) -> TokenStream {
    let lines = text.trim_end().lines().map(|line| {
        let line = if line.is_empty() { String::new() } else { format!(" {line}") };
        quote!(#![doc = #line])
    });
    quote!(#(#lines)*)
}

/// One Rust file of a description's module: its path in the crate and its items.
pub struct File {
    /// Relative to the crate root (`src/models/invoice.rs`).
    pub path: String,
    /// The file's tokens, inner attributes included.
    pub tokens: TokenStream,
}

/// The files of the module built from `module`, the `index`th description,
/// in the crate `crate_ident`.
pub fn files(module: &Module, index: usize, features: &Features, crate_ident: &str) -> Vec<File> {
    let api = &module.api;
    // The first line is the module's summary in the crate's index.
    let title = if api.webhooks.is_empty() {
        format!("Types of {} {} (`{}`).", api.title, api.version, module.spec)
    } else {
        format!("The webhooks of {} {} (`{}`).{WEBHOOKS_DOC}", api.title, api.version, module.spec)
    };
    // Documentation is the description's; where it has none, there is none.
    let allow = quote!(#![allow(missing_docs, clippy::doc_markdown, clippy::struct_excessive_bools)]);
    let hooks = features::gate(webhooks::items(api, crate_ident, &module.name), &features::cfg_any(&["webhooks"]));

    let mut shared = TokenStream::new();
    let mut shared_count = 0;
    // (tag, feature, module name, items, how many types) in the features' tag order.
    let mut by_tag: Vec<(&str, &str, String, TokenStream, usize)> = Vec::new();
    for (i, ty) in api.types.iter().enumerate() {
        let id = TypeId(i);
        let item = match ty.kind {
            TypeKind::Union { .. } => unions::item(api, ty),
            _ => {
                let mut item = types::item(api, ty);
                item.extend(construct::item(api, ty, &format!("{crate_ident}::{}", module.name)));
                item
            }
        };
        match features.home(index, id) {
            Some(home) => {
                let at = match by_tag.iter().position(|(tag, ..)| *tag == home.tag) {
                    Some(at) => at,
                    None => {
                        by_tag.push((home.tag, home.feature, home.module.to_string(), TokenStream::new(), 0));
                        by_tag.len() - 1
                    }
                };
                by_tag[at].3.extend(item);
                by_tag[at].4 += 1;
            }
            None => {
                shared_count += 1;
                shared.extend(features::gate(item, &features.type_cfg(index, id)));
            }
        }
    }
    if by_tag.is_empty() {
        let title = inner_docs(&title);
        let tokens = quote! {
            #title
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
    // A webhook payload holds some type (its features name `webhooks`).
    let held = (0..api.types.len()).any(|i| features.needs(index, TypeId(i), "webhooks"));
    let table = tag_table(&by_tag, shared_count, held);
    let has_shared = !shared.is_empty() || !hooks.is_empty();
    if has_shared {
        // With no feature on, every shared type may be compiled out.
        let shared_mod = format_ident!("{}", SHARED_MODULE);
        declarations.push(quote! {
            mod #shared_mod;
            #[allow(unused_imports)]
            pub use #shared_mod::*;
        });
        let doc = if held {
            " Types used by the operations of several tags, held by a webhook payload, or used by none: each is \
             compiled with any of its users' features, and re-exported from the parent module."
        } else {
            " Types used by the operations of several tags, or by none: each is compiled with any of its tags' \
             features, and re-exported from the parent module."
        };
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
    for (tag, feature, name, items, _) in by_tag {
        let m = format_ident!("{}", name);
        let cfg = quote!(#[cfg(feature = #feature)]);
        declarations.push(quote! {
            #cfg
            mod #m;
            #cfg
            pub use #m::*;
        });
        let doc = inner_docs(&format!(
            "Types used only by the operations tagged `{tag}`, compiled with the feature\n\
             `{feature}` and re-exported from the parent module."
        ));
        out.push(File {
            path: format!("{dir}/{name}.rs"),
            tokens: quote! {
                #doc
                #[allow(unused_imports)]
                use super::*;
                #items
            },
        });
    }
    let held_doc = if held { HELD_DOC } else { "" };
    let overview = inner_docs(&format!("{title}{MODELS_DOC}{held_doc}{FEATURES_DOC}{table}"));
    out.push(File {
        path: format!("{dir}/mod.rs"),
        tokens: quote! {
            #overview
            #allow
            #(#declarations)*
        },
    });
    out
}
