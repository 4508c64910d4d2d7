//! A test file for the generated crate: every example in the descriptions must
//! decode into its generated type and encode back to an equal JSON value.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::types::{Scope, rust_type_in};
use super::{Features, Module};
use crate::ir::{TypeDef, TypeRef};
use crate::runtime;

/// The test file's tokens; each case is compiled with the features of its type.
pub fn tests(crate_name: &str, modules: &[Module], features: &Features) -> TokenStream {
    let krate = format_ident!("{}", crate_name.replace('-', "_"));
    let mut names = std::collections::BTreeSet::<String>::new();
    let mut tests = Vec::new();
    for (index, module) in modules.iter().enumerate() {
        let m = format_ident!("{}", module.name);
        for example in &module.api.examples {
            // A test's name, not API: made here, from naming's one sanitiser.
            let base = crate::ir::snake(&format!("{}_{}", module.name, example.origin.pointer));
            // Pointers that differ only in punctuation give the same base; a
            // numbered name may itself be some other pointer's base.
            let mut n = 1;
            let mut name = base.clone();
            while names.contains(&name) {
                n += 1;
                name = format!("{base}_{n}");
            }
            names.insert(name.clone());
            let name = format_ident!("{}", name);
            let scope = Scope { root: quote!(#krate), module: Some(quote!(#krate::#m)) };
            let ty = rust_type_in(&module.api, &example.ty, &scope);
            let ty = if example.nullable { quote!(Option<#ty>) } else { ty };
            let origin = example.origin.to_string();
            let json = serde_json::to_string_pretty(&example.value).unwrap_or_default();
            let cfg = features.ref_cfg(modules, index, &example.ty);
            // Only DealPOS sends it: a `null` field decodes to `None`, which is not sent back.
            let null_is_absent = named(modules, index, &example.ty).is_some_and(|def| def.lenient && !def.sent);
            tests.push(quote! {
                #cfg
                #[test]
                fn #name() {
                    round_trip::<#ty>(#origin, #json, #null_is_absent);
                }
            });
        }
    }
    if tests.is_empty() {
        return quote! {
            //! (These descriptions have no examples.)
        };
    }
    let from_slice = runtime::DECODE_FROM_SLICE.from_root(&quote!(#krate));
    quote! {
        #![allow(non_snake_case)]

        fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(origin: &str, json: &str, null_is_absent: bool) {
            let mut expected: serde_json::Value = serde_json::from_str(json).expect("the example is JSON");
            let decoded: T = #from_slice(origin, json.as_bytes())
                .unwrap_or_else(|e| panic!("{origin}: {e}"));
            let encoded = serde_json::to_value(&decoded).expect("encodes");
            if null_is_absent {
                drop_nulls_missing_from(&mut expected, &encoded);
            }
            assert_eq!(encoded, expected, "{origin}: the round trip changed the value");
        }

        /// Removes from `expected` the `null` properties `encoded` does not have:
        /// for types only DealPOS sends, absent and `null` are both `None`.
        fn drop_nulls_missing_from(expected: &mut serde_json::Value, encoded: &serde_json::Value) {
            use serde_json::Value;
            match (expected, encoded) {
                (Value::Object(a), Value::Object(b)) => {
                    a.retain(|key, value| !value.is_null() || b.contains_key(key));
                    for (key, value) in a.iter_mut() {
                        if let Some(other) = b.get(key) {
                            drop_nulls_missing_from(value, other);
                        }
                    }
                }
                (Value::Array(a), Value::Array(b)) => {
                    for (value, other) in a.iter_mut().zip(b) {
                        drop_nulls_missing_from(value, other);
                    }
                }
                _ => {}
            }
        }

        #(#tests)*
    }
}

/// The named type inside lists and maps, if any, in whichever module (`ty`
/// is written in the module at `module`).
fn named<'m>(modules: &'m [Module], module: usize, ty: &TypeRef) -> Option<&'m TypeDef> {
    match ty {
        TypeRef::Named(id) => modules.get(module).map(|m| m.api.get(*id)),
        TypeRef::Foreign(f) => {
            let (id, _) = f.linked.as_ref()?;
            modules.iter().find(|m| m.name == f.module)?.api.types.get(id.0)
        }
        TypeRef::Array(inner) | TypeRef::Map(inner) => named(modules, module, inner),
        _ => None,
    }
}
