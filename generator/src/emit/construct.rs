//! Constructors of request types: `new(required…)` and a chainable
//! `with_<field>(value)` per optional field, on every struct only we send
//! (`TypeDef::sent` and not `lenient`).
//!
//! Why a constructor and `with_` setters rather than a separate builder: the
//! value stays the plain struct (its fields public, `..` update syntax and
//! pattern matching still work), a missing required field is a compile
//! error at `new`, and there is no `build()` that could fail at run time.
//! Types with required fields derive no `Default` (`types.rs`), so `new` is
//! the one way to make one without naming every field.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::types::{Wrapper, ident, rust_type, wrapper};
use crate::ir::{Api, Field, TypeDef, TypeKind, TypeRef};
use crate::runtime;

/// The `impl` with `new` and the `with_` setters of a request struct; empty
/// for any other type.
/// `module` is the path users name the type by (`dealpos::models`).
pub fn item(api: &Api, ty: &TypeDef, module: &str) -> TokenStream {
    let TypeKind::Struct { fields, additional } = &ty.kind else { return TokenStream::new() };
    if !ty.sent || ty.lenient {
        return TokenStream::new();
    }
    let name = ident(&ty.name);
    let required: Vec<&Field> = fields.iter().filter(|f| wrapper(f, ty) == Wrapper::Bare).collect();
    let args = required.iter().map(|f| {
        let arg = ident(&f.name);
        let t = argument_type(api, f);
        quote!(#arg: #t)
    });
    let inits = fields.iter().map(|f| {
        let field = ident(&f.name);
        if wrapper(f, ty) == Wrapper::Bare {
            // A plain `bool` is taken as it is: the shorthand, or clippy objects.
            if f.ty == TypeRef::Boolean && !f.boxed {
                return quote!(#field,);
            }
            let value = converted(f, quote!(#field));
            quote!(#field: #value,)
        } else {
            quote!(#field: Default::default(),)
        }
    });
    let additional_init = additional.as_ref().map(|_| quote!(additional_properties: Default::default(),));
    let setters = fields.iter().filter(|f| wrapper(f, ty) != Wrapper::Bare).map(|f| setter(api, f, ty));
    let new_doc = new_doc(ty, &required, module);
    // Clippy's limit: a request with more required fields still takes them all here.
    let allow = (required.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    quote! {
        impl #name {
            #new_doc
            #allow
            pub fn new(#(#args),*) -> Self {
                Self {
                    #(#inits)*
                    #additional_init
                }
            }

            #(#setters)*
        }
    }
}

/// `impl Into<T>`, or a plain `bool` (`impl Into<bool>` only adds noise).
fn argument_type(api: &Api, f: &Field) -> TokenStream {
    if f.ty == TypeRef::Boolean {
        return quote!(bool);
    }
    let t = rust_type(api, &f.ty);
    quote!(impl Into<#t>)
}

/// The argument `value` as the field's bare type (boxed where the field is).
fn converted(f: &Field, value: TokenStream) -> TokenStream {
    let plain = if f.ty == TypeRef::Boolean { value } else { quote!(#value.into()) };
    if f.boxed { quote!(Box::new(#plain)) } else { plain }
}

/// `with_<field>(value)`: sets an optional field to a value.
fn setter(api: &Api, f: &Field, owner: &TypeDef) -> TokenStream {
    let field = ident(&f.name);
    let method = format_ident!("with_{}", f.name.trim_start_matches("r#"));
    let t = argument_type(api, f);
    let value = converted(f, quote!(value));
    let set = match wrapper(f, owner) {
        Wrapper::Nullable => {
            let nullable = runtime::NULLABLE.tokens();
            quote!(#nullable::Value(#value))
        }
        _ => quote!(Some(#value)),
    };
    let doc = format!(" Sets `{}` (`{}` on the wire).", f.name, f.wire);
    quote! {
        #[doc = #doc]
        pub fn #method(mut self, value: #t) -> Self {
            self.#field = #set;
            self
        }
    }
}

/// `new`'s doc; where every required field is text, two doctests: one that
/// builds the value, and a `compile_fail` one showing it cannot be built
/// without its required fields.
fn new_doc(ty: &TypeDef, required: &[&Field], module: &str) -> TokenStream {
    let mut text = if required.is_empty() {
        format!(" `{}` with every field unset; the `with_` methods set them.", ty.name)
    } else {
        let names: Vec<String> = required.iter().map(|f| format!("`{}`", f.name)).collect();
        format!(
            " `{}` from its required fields ({}); the optional ones start unset (the `with_` methods set them).",
            ty.name,
            names.join(", ")
        )
    };
    let all_text = !required.is_empty() && required.iter().all(|f| f.ty == TypeRef::String && !f.boxed);
    if all_text {
        let path = format!("{module}::{}", ty.name);
        let values: Vec<String> = required.iter().map(|f| format!("\"{}\"", f.wire)).collect();
        text.push_str(&format!(
            "\n\n ```\n let request = {path}::new({});\n ```\n\n Its required fields cannot be left out:\n\n ```compile_fail\n let request = {path} {{ ..Default::default() }};\n ```",
            values.join(", ")
        ));
    }
    let lines = text.split('\n').map(|line| {
        let line = if line.is_empty() || line.starts_with(' ') { line.to_string() } else { format!(" {line}") };
        quote!(#[doc = #line])
    });
    quote!(#(#lines)*)
}
