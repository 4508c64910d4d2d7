//! Rust items for the IR's unions (`oneOf`/`anyOf`).
//!
//! A tagged union, and an untagged one whose alternatives cannot drop data
//! (scalars, enums), derive serde's representation. An untagged union that
//! has a fallback variant, or an alternative that is any JSON value, gets a
//! `Deserialize` of its own: serde's untagged derive takes the first
//! alternative that decodes, which for objects is often one that silently
//! ignores fields of the intended one. Ours buffers the value once and
//! hands it to `decode::untagged`, which takes the first alternative that
//! keeps all of it. Serialising needs no choice, so it stays derived.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs;
use super::types::{ident, rust_type};
use crate::ir::{Api, TypeDef, TypeKind, TypeRef, UnionVariant};
use crate::runtime;

/// The Rust items of one union; nothing for any other kind of type.
pub fn item(api: &Api, ty: &TypeDef) -> TokenStream {
    let TypeKind::Union { variants, tag } = &ty.kind else { return TokenStream::new() };
    let name = ident(&ty.name);
    let doc = docs(ty.doc.as_deref());
    let by_fit = tag.is_none() && variants.iter().any(|v| v.fallback || v.ty == TypeRef::Json);
    let items = variants.iter().map(|v| {
        let vname = ident(&v.name);
        let t = payload(api, v);
        let rename = v.tag.as_ref().map(|value| quote!(#[serde(rename = #value)]));
        let doc = v
            .fallback
            .then(|| quote!(#[doc = " The value as received, when every alternative would drop part of it."]));
        quote!(#doc #rename #vname(#t),)
    });
    let representation = match tag {
        Some(tag) => quote!(#[serde(tag = #tag)]),
        None => quote!(#[serde(untagged)]),
    };
    let (derive_de, deserialize) = if by_fit {
        (quote!(), deserialize_by_fit(&ty.name, variants))
    } else {
        (quote!(serde::Deserialize), quote!())
    };
    // Variants are named after their payloads, which may share a prefix;
    // boxing large payloads would change the public types for a lint.
    quote! {
        #doc
        #[allow(clippy::large_enum_variant, clippy::enum_variant_names)]
        #[derive(Debug, Clone, PartialEq, serde::Serialize, #derive_de)]
        #representation
        pub enum #name {
            #(#items)*
        }
        #deserialize
    }
}

/// A variant's payload type, boxed if it must be.
fn payload(api: &Api, v: &UnionVariant) -> TokenStream {
    let t = rust_type(api, &v.ty);
    if v.boxed { quote!(Box<#t>) } else { t }
}

/// `Deserialize` for an untagged union that chooses by what each alternative
/// keeps (`decode::untagged`); the fallback variant, if any, is not tried
/// but kept for a value every alternative would cut.
fn deserialize_by_fit(union: &str, variants: &[UnionVariant]) -> TokenStream {
    let name = ident(union);
    let untagged = runtime::DECODE_UNTAGGED.tokens();
    let alternative = runtime::DECODE_ALTERNATIVE.tokens();
    let tried = variants.iter().filter(|v| !v.fallback).map(|v| {
        let vname = ident(&v.name);
        let label = v.name.as_str();
        quote!((#label, |value, traced| #alternative(value, traced, Self::#vname)),)
    });
    let raw = match variants.iter().find(|v| v.fallback) {
        Some(v) => {
            let vname = ident(&v.name);
            quote!(Some(Self::#vname as fn(serde_json::Value) -> Self))
        }
        None => quote!(None),
    };
    quote! {
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                #untagged(#union, value, &[#(#tried)*], #raw)
            }
        }
    }
}
