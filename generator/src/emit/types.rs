//! Rust items for the IR's named types, unions aside (`unions.rs`).

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;
use serde_json::Value;

use super::docs;
use crate::ir::{Api, EnumRepr, EnumVariant, Field, TypeDef, TypeKind, TypeRef};
use crate::runtime;

/// The Rust items of one named type.
pub fn item(api: &Api, ty: &TypeDef) -> TokenStream {
    let name = ident(&ty.name);
    let doc = docs(ty.doc.as_deref());
    match &ty.kind {
        TypeKind::Struct { fields, additional } => {
            let lenient = ty.lenient;
            let defaultable = fields.iter().all(|f| wrapper(f, ty) != Wrapper::Bare);
            let default = defaultable.then(|| quote!(Default,));
            // Types DealPOS sends are read, not built: non-exhaustive, so a
            // field DealPOS adds is a minor release (build one with `default()`).
            let exhaustive = lenient.then(|| quote!(#[non_exhaustive]));
            let def_fields = fields;
            let fields = fields.iter().map(|f| field(api, f, ty));
            let additional = additional.as_ref().map(|t| {
                let t = rust_type(api, t);
                quote! {
                    /// Properties not named in the schema.
                    #[serde(flatten)]
                    pub additional_properties: ::std::collections::BTreeMap<String, #t>,
                }
            });
            // A type holding a credential gets a `Debug` of its own that redacts it.
            let secret_debug =
                def_fields.iter().any(|f| f.secret).then(|| redacting_debug(&name, def_fields, additional.is_some()));
            let debug = secret_debug.is_none().then(|| quote!(Debug,));
            quote! {
                #doc
                #[derive(#debug Clone, PartialEq, #default serde::Serialize, serde::Deserialize)]
                #exhaustive
                pub struct #name {
                    #(#fields)*
                    #additional
                }
                #secret_debug
            }
        }
        TypeKind::Enum { repr, variants } => enumeration(&name, doc, *repr, variants),
        // Unions have their own module (`unions.rs`); `layout` sends them there.
        TypeKind::Union { .. } => TokenStream::new(),
        TypeKind::Newtype(inner) => {
            let t = rust_type(api, inner);
            quote! {
                #doc
                #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
                #[serde(transparent)]
                pub struct #name(pub #t);
            }
        }
        TypeKind::Alias(target) => {
            let t = rust_type(api, target);
            quote! {
                #doc
                pub type #name = #t;
            }
        }
    }
}

/// How a field's type is wrapped. The rule, written down in the README:
/// values DealPOS sends (lenient types) never fail on a missing or `null`
/// field; values we send are exact. `Nullable` only where we send the type,
/// since only a request can mean something different by `null` and absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wrapper {
    /// `T`: required, not nullable, in a request-only type.
    Bare,
    /// `Option<T>`, always serialised (so `null` round-trips).
    Option,
    /// `Option<T>`, omitted when `None`.
    OptionSkipped,
    /// `Nullable<T>`: absent, `null` and a value kept apart.
    Nullable,
}

pub(crate) fn wrapper(field: &Field, owner: &TypeDef) -> Wrapper {
    match (field.required, field.nullable) {
        (true, false) if !owner.lenient => Wrapper::Bare,
        (true, _) => Wrapper::Option,
        (false, true) if owner.sent => Wrapper::Nullable,
        (false, _) => Wrapper::OptionSkipped,
    }
}

fn field(api: &Api, f: &Field, owner: &TypeDef) -> TokenStream {
    let name = ident(&f.name);
    let mut doc_text = f.doc.clone().unwrap_or_default();
    if f.required && owner.lenient {
        let note = "Required by the description; `None` if DealPOS omits it or sends `null`.";
        doc_text = if doc_text.is_empty() { note.to_string() } else { format!("{doc_text}\n\n{note}") };
    }
    // A note, not `#[deprecated]`: request structs are written as literals
    // naming every field, so the attribute would warn on code users cannot change.
    if f.deprecated {
        let note = "**Deprecated** by the description.";
        doc_text = if doc_text.is_empty() { note.to_string() } else { format!("{doc_text}\n\n{note}") };
    }
    let doc = docs(Some(&doc_text));
    let t = field_type(api, f, owner);
    let rename = (f.name != f.wire).then(|| {
        let wire = &f.wire;
        quote!(rename = #wire,)
    });
    let attrs = match wrapper(f, owner) {
        Wrapper::Bare => quote!(),
        Wrapper::Option => quote!(default,),
        Wrapper::OptionSkipped => quote!(default, skip_serializing_if = "Option::is_none",),
        Wrapper::Nullable => {
            let is_absent = runtime::NULLABLE_IS_ABSENT.text();
            quote!(default, skip_serializing_if = #is_absent,)
        }
    };
    let aliases = f.aliases.iter().map(|a| quote!(alias = #a,));
    let aliases = quote!(#(#aliases)*);
    let with = f.yes_no.then(|| yes_no_with(wrapper(f, owner)));
    let serde = if rename.is_none() && attrs.is_empty() && aliases.is_empty() && with.is_none() {
        quote!()
    } else {
        quote!(#[serde(#rename #aliases #attrs #with)])
    };
    quote! {
        #doc
        #serde
        pub #name: #t,
    }
}

/// `with = "…"` for a yes/no flag: the runtime module for its wrapper.
fn yes_no_with(wrapper: Wrapper) -> TokenStream {
    let module = match wrapper {
        Wrapper::Bare => runtime::DECODE_YES_NO,
        Wrapper::Option | Wrapper::OptionSkipped => runtime::DECODE_YES_NO_OPTION,
        Wrapper::Nullable => runtime::DECODE_YES_NO_NULLABLE,
    };
    let path = module.text();
    quote!(with = #path,)
}

/// The Rust type of a struct field, wrapper included (`Option<Box<T>>`…).
pub fn field_type(api: &Api, f: &Field, owner: &TypeDef) -> TokenStream {
    let mut t = rust_type(api, &f.ty);
    if f.boxed {
        t = quote!(Box<#t>);
    }
    match wrapper(f, owner) {
        Wrapper::Bare => t,
        Wrapper::Option | Wrapper::OptionSkipped => quote!(Option<#t>),
        Wrapper::Nullable => {
            let nullable = runtime::NULLABLE.tokens();
            quote!(#nullable<#t>)
        }
    }
}

/// Where emitted type paths are written from: inside the crate, or from
/// outside it (its tests).
#[derive(Debug, Clone)]
pub struct Scope {
    /// The path of the crate root (`crate`, or `dealpos`).
    pub root: TokenStream,
    /// The path of the module holding the named types, empty for "here".
    pub module: Option<TokenStream>,
}

impl Scope {
    /// Inside the module that holds the types.
    pub fn here() -> Self {
        Scope { root: quote!(crate), module: None }
    }
}

/// The Rust type for a [`TypeRef`], written inside the types' module.
pub fn rust_type(api: &Api, ty: &TypeRef) -> TokenStream {
    rust_type_in(api, ty, &Scope::here())
}

/// The Rust type for a [`TypeRef`], written from `scope`.
pub fn rust_type_in(api: &Api, ty: &TypeRef, scope: &Scope) -> TokenStream {
    let root = &scope.root;
    match ty {
        TypeRef::String => quote!(String),
        TypeRef::Integer { bits: 32 } => quote!(i32),
        TypeRef::Integer { .. } => quote!(i64),
        TypeRef::Number => runtime::DECIMAL.from_root(root),
        TypeRef::Boolean => quote!(bool),
        TypeRef::Timestamp => runtime::TIMESTAMP.from_root(root),
        TypeRef::Json => quote!(serde_json::Value),
        TypeRef::Array(inner) => {
            let inner = rust_type_in(api, inner, scope);
            quote!(Vec<#inner>)
        }
        TypeRef::Map(inner) => {
            let inner = rust_type_in(api, inner, scope);
            quote!(::std::collections::BTreeMap<String, #inner>)
        }
        TypeRef::Named(id) => {
            let name = ident(&api.get(*id).name);
            match &scope.module {
                Some(module) => quote!(#module::#name),
                None => quote!(#name),
            }
        }
        // Another module's type, by its path from the crate root (every module
        // re-exports its types at its top level, whatever file holds them).
        TypeRef::Foreign(f) => match &f.linked {
            Some((_, name)) => {
                let (module, name) = (ident(&f.module), ident(name));
                quote!(#root::#module::#name)
            }
            // Not reached: `ir::build_all` links every foreign reference or fails.
            None => quote!(serde_json::Value),
        },
    }
}

/// A closed enum with an `Unknown` fallback, so a value DealPOS adds later
/// decodes instead of failing the whole payload; non-exhaustive, so the
/// variant a later release adds for it is not a breaking change.
fn enumeration(name: &Ident, doc: TokenStream, repr: EnumRepr, variants: &[EnumVariant]) -> TokenStream {
    let names: Vec<Ident> = variants.iter().map(|v| ident(&v.name)).collect();
    let values: Vec<Literal> = variants.iter().map(|v| literal(&v.value)).collect();
    let docs = variants.iter().map(|v| {
        let text = format!(" `{}`", v.value);
        quote!(#[doc = #text])
    });
    let (unknown_ty, as_fn, ser) = match repr {
        EnumRepr::String => (quote!(String), quote!(as_str), quote!(serialize_str)),
        EnumRepr::Integer => (quote!(i64), quote!(as_i64), quote!(serialize_i64)),
    };
    let (ret, unknown_arm, from_arg, unknown_ctor) = match repr {
        EnumRepr::String => {
            (quote!(&str), quote!(Self::Unknown(value) => value), quote!(value.as_str()), quote!(Self::Unknown(value)))
        }
        EnumRepr::Integer => {
            (quote!(i64), quote!(Self::Unknown(value) => *value), quote!(value), quote!(Self::Unknown(value)))
        }
    };
    let display = match repr {
        EnumRepr::String => quote!(f.write_str(self.as_str())),
        EnumRepr::Integer => quote!(write!(f, "{}", self.as_i64())),
    };
    // Variants are the description's values, which may share a prefix.
    quote! {
        #doc
        #[allow(clippy::enum_variant_names)]
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #( #docs #names, )*
            /// A value this version of the crate does not know.
            Unknown(#unknown_ty),
        }

        impl #name {
            /// Every known value.
            pub const KNOWN: &'static [Self] = &[#(Self::#names),*];

            /// The value as sent on the wire.
            pub fn #as_fn(&self) -> #ret {
                match self {
                    #(Self::#names => #values,)*
                    #unknown_arm,
                }
            }
        }

        impl From<#unknown_ty> for #name {
            fn from(value: #unknown_ty) -> Self {
                match #from_arg {
                    #(#values => Self::#names,)*
                    _ => #unknown_ctor,
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                #display
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.#ser(self.#as_fn())
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <#unknown_ty as serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }
    }
}

fn literal(value: &Value) -> Literal {
    match value {
        Value::String(s) => Literal::string(s),
        Value::Number(n) => Literal::i64_unsuffixed(n.as_i64().unwrap_or_default()),
        other => Literal::string(&other.to_string()),
    }
}

/// An identifier; names from the naming pass are never keywords.
pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// `Debug` for a struct with `x-dealpos-secret` fields: every field as the
/// derive would show it, the secret ones as `[redacted]`.
fn redacting_debug(name: &Ident, fields: &[Field], additional: bool) -> TokenStream {
    let title = name.to_string();
    let entries = fields.iter().map(|f| {
        let field = ident(&f.name);
        let label = f.name.as_str();
        if f.secret { quote!(.field(#label, &"[redacted]")) } else { quote!(.field(#label, &self.#field)) }
    });
    let additional = additional.then(|| quote!(.field("additional_properties", &self.additional_properties)));
    quote! {
        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#title) #(#entries)* #additional .finish()
            }
        }
    }
}
