//! Rust items for the IR's unions (`oneOf`/`anyOf`).

use proc_macro2::TokenStream;
use quote::quote;

use super::docs;
use super::types::{ident, rust_type};
use crate::ir::{Api, TypeDef, TypeKind};

/// The Rust items of one union; nothing for any other kind of type.
pub fn item(api: &Api, ty: &TypeDef) -> TokenStream {
    let TypeKind::Union { variants, tag } = &ty.kind else { return TokenStream::new() };
    let name = ident(&ty.name);
    let doc = docs(ty.doc.as_deref());
    let variants = variants.iter().map(|v| {
        let vname = ident(&v.name);
        let mut t = rust_type(api, &v.ty);
        if v.boxed {
            t = quote!(Box<#t>);
        }
        let rename = v.tag.as_ref().map(|value| quote!(#[serde(rename = #value)]));
        quote!(#rename #vname(#t),)
    });
    let representation = match tag {
        Some(tag) => quote!(#[serde(tag = #tag)]),
        None => quote!(#[serde(untagged)]),
    };
    // Variants are named after their payloads, which may share a prefix;
    // boxing large payloads would change the public types for a lint.
    quote! {
        #doc
        #[allow(clippy::large_enum_variant, clippy::enum_variant_names)]
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #representation
        pub enum #name {
            #(#variants)*
        }
    }
}
