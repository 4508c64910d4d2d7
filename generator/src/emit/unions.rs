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

use proc_macro2::{Ident, TokenStream};
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
    let conversions = conversions(api, &name, variants);
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
        #conversions
    }
}

/// `From` each alternative's payload, so a user writes `.into()` instead of
/// naming the variant (`Code::from("A1")`, `Code::from(12)`). Only payloads
/// that are one alternative's alone: two alternatives of one Rust type (after
/// aliases) would make the conversion ambiguous, so neither gets one. The raw
/// JSON fallback gets none: converting any JSON value would bypass the choice
/// of alternative. A `String` payload also converts from `&str`.
fn conversions(api: &Api, name: &Ident, variants: &[UnionVariant]) -> TokenStream {
    let keys: Vec<TypeRef> = variants.iter().map(|v| resolved(api, &v.ty)).collect();
    let impls = variants
        .iter()
        .zip(&keys)
        .filter(|(v, key)| !v.fallback && **key != TypeRef::Json && keys.iter().filter(|k| k == key).count() == 1);
    let impls = impls.map(|(v, key)| {
        let vname = ident(&v.name);
        let t = rust_type(api, &v.ty);
        let wrap = if v.boxed { quote!(Self::#vname(Box::new(value))) } else { quote!(Self::#vname(value)) };
        let text = (*key == TypeRef::String).then(|| {
            quote! {
                impl From<&str> for #name {
                    fn from(value: &str) -> Self {
                        Self::from(value.to_string())
                    }
                }
            }
        });
        quote! {
            impl From<#t> for #name {
                fn from(value: #t) -> Self {
                    #wrap
                }
            }
            #text
        }
    });
    quote!(#(#impls)*)
}

/// `ty` with type aliases followed, inside lists and maps too, so two
/// alternatives naming the same Rust type through different aliases
/// (`Vec<Code>` and `Vec<String>` with `type Code = String`) count as one.
fn resolved(api: &Api, ty: &TypeRef) -> TypeRef {
    let mut ty = ty.clone();
    // Alias cycles are broken by the IR (`graph::break_alias_cycles`); the
    // bound only keeps a bug there from hanging emission.
    for _ in 0..=api.types.len() {
        ty = match ty {
            TypeRef::Named(id) => match &api.get(id).kind {
                TypeKind::Alias(target) => target.clone(),
                _ => return ty,
            },
            TypeRef::Array(inner) => return TypeRef::Array(Box::new(resolved(api, &inner))),
            TypeRef::Map(inner) => return TypeRef::Map(Box::new(resolved(api, &inner))),
            other => return other,
        };
    }
    ty
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::parse;

    fn union_text(schemas: &str) -> String {
        let text = format!("openapi: 3.1.0\ninfo: {{title: t, version: '1'}}\ncomponents:\n  schemas:\n{schemas}");
        let api = crate::ir::build(&parse("u.yaml", &text).unwrap()).unwrap();
        let union = api.types.iter().find(|t| t.name == "U").unwrap();
        item(&api, union).to_string()
    }

    #[test]
    fn alternatives_convert_from_their_payloads() {
        let text = union_text("    U: {type: [integer, string]}\n");
        for from in ["From < i64 >", "From < String >", "From < & str >"] {
            assert!(text.contains(from), "{from} missing in {text}");
        }
    }

    /// `Vec<Code>` and `Vec<String>` are one Rust type when `Code` is an
    /// alias of `String`: a `From` for each would not compile.
    #[test]
    fn alternatives_of_one_rust_type_get_no_conversion() {
        let text = union_text(
            "    Code: {type: string}\n    U: {oneOf: [{type: array, items: {$ref: '#/components/schemas/Code'}}, {type: array, items: {type: string}}, {type: boolean}]}\n",
        );
        assert!(!text.contains("From < Vec"), "{text}");
        assert!(text.contains("From < bool >"), "{text}");
    }
}
