//! The contract between the generator and the fixed runtime it copies into
//! the crate (the crate `dealpos-runtime`, `templates/runtime/src/`): every
//! name the runtime defines that generated code refers to or must not shadow.
//! Naming reads the reserved lists; emission reads the paths ([`Item`]), and
//! writes no runtime path of its own. `tests/runtime_contract.rs` parses the
//! runtime's sources and fails when a listed item is missing there, or when
//! the runtime defines a name the reserved lists do not hold.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// Type names the generated modules use from the prelude or the runtime; a
/// schema with one of these names is renamed rather than shadowing it.
pub const RESERVED_TYPES: &[&str] = &[
    "Self",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "Vec",
    "String",
    "Box",
    "BTreeMap",
    "Value",
    "Decimal",
    "Timestamp",
    "Nullable",
    "Serialize",
    "Deserialize",
    "Deserializer",
    "Serializer",
    "WebhookEvent",
    "WebhookKind",
    "DecodeError",
    "DecimalError",
    "TimestampError",
    "UnknownWebhookKind",
    "Default",
    "Clone",
    "Debug",
    "PartialEq",
];

/// Methods of the runtime's `Client`; a tag accessor never takes one.
/// `clone` is not one, but generated code calls `client.clone()`, which an
/// inherent `clone` accessor would shadow.
pub const CLIENT_METHODS: &[&str] = &[
    "builder",
    "base_url",
    "page_size",
    "execute",
    "execute_unit",
    "execute_with_response",
    "execute_unit_with_response",
    "clone",
];

/// Features the manifest template defines itself; a tag's feature never takes one.
pub const RESERVED_FEATURES: &[&str] =
    &["default", "full", "client", "receiver", "inbox-sqlite", "inbox-postgres", "inbox-postgres-tls", "webhooks"];

/// The runtime crate's name as its doc examples write it; the generator
/// writes the generated crate's name in its place when it copies the files.
pub const CRATE_IDENT: &str = "dealpos_runtime";

/// What a runtime path names; the contract test checks the item is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A module.
    Module,
    /// A struct.
    Struct,
    /// An enum.
    Enum,
    /// A free function.
    Fn,
    /// A `pub` inherent method (`Type::method`).
    Method,
    /// A variant of an enum (`Enum::Variant`).
    Variant,
    /// A `pub` named field of a struct (`Struct::field`).
    Field,
}

/// An item of the runtime that generated code names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    /// Its path from the crate root, `::`-separated (`client::Client`).
    pub path: &'static str,
    /// What it is.
    pub kind: Kind,
}

impl Item {
    const fn new(path: &'static str, kind: Kind) -> Self {
        Self { path, kind }
    }

    /// The path from inside the crate: `crate::client::Client`.
    pub fn tokens(self) -> TokenStream {
        self.from_root(&quote!(crate))
    }

    /// The path from `root`: `crate`, or the crate's name in its tests.
    pub fn from_root(self, root: &TokenStream) -> TokenStream {
        // The paths are constants the contract test checks, so each segment is an identifier.
        let segments = self.path.split("::").map(|s| Ident::new(s, Span::call_site()));
        quote!(#root #(:: #segments)*)
    }

    /// The last segment alone, for a method called on a value (`self.client.execute(…)`).
    pub fn name(self) -> Ident {
        Ident::new(self.path.rsplit("::").next().unwrap_or(self.path), Span::call_site())
    }

    /// The path from inside the crate as text, for attributes that take a
    /// path in a string (`skip_serializing_if = "crate::Nullable::is_absent"`).
    pub fn text(self) -> String {
        format!("crate::{}", self.path)
    }
}

/// `Decimal`: every `number` field.
pub const DECIMAL: Item = Item::new("Decimal", Kind::Struct);
/// `Timestamp`: every `date`/`date-time` field.
pub const TIMESTAMP: Item = Item::new("Timestamp", Kind::Struct);
/// `Nullable<T>`: optional nullable fields.
pub const NULLABLE: Item = Item::new("Nullable", Kind::Enum);
/// `Nullable::is_absent`: their `skip_serializing_if`.
pub const NULLABLE_IS_ABSENT: Item = Item::new("Nullable::is_absent", Kind::Method);
/// `Nullable::into_option`: a nullable list field of a paged answer.
pub const NULLABLE_INTO_OPTION: Item = Item::new("Nullable::into_option", Kind::Method);
/// The `decode` module.
pub const DECODE: Item = Item::new("decode", Kind::Module);
/// `decode::from_slice`: webhook parsing and the examples' round trips.
pub const DECODE_FROM_SLICE: Item = Item::new("decode::from_slice", Kind::Fn);
/// `decode::untagged`: an untagged union's `Deserialize`, choosing the
/// alternative that keeps the whole value.
pub const DECODE_UNTAGGED: Item = Item::new("decode::untagged", Kind::Fn);
/// `decode::alternative`: one alternative of such a union, read and measured.
pub const DECODE_ALTERNATIVE: Item = Item::new("decode::alternative", Kind::Fn);
/// `decode::yes_no`: `serde(with)` of a `bool` field DealPOS writes as `"Yes"`/`"No"`
/// (`x-dealpos-format: yes-no`).
pub const DECODE_YES_NO: Item = Item::new("decode::yes_no", Kind::Module);
/// `decode::yes_no::option`: the same for an `Option<bool>` field.
pub const DECODE_YES_NO_OPTION: Item = Item::new("decode::yes_no::option", Kind::Module);
/// `decode::yes_no::nullable`: the same for a `Nullable<bool>` field.
pub const DECODE_YES_NO_NULLABLE: Item = Item::new("decode::yes_no::nullable", Kind::Module);
/// `DecodeError`: what webhook parsing returns.
pub const DECODE_ERROR: Item = Item::new("DecodeError", Kind::Struct);
/// The `client` module.
pub const CLIENT_MODULE: Item = Item::new("client", Kind::Module);
/// `client::Client`: the tag accessors are its methods; builders hold it.
pub const CLIENT: Item = Item::new("client::Client", Kind::Struct);
/// `Client::execute`: sends a request with an answer.
pub const CLIENT_EXECUTE: Item = Item::new("client::Client::execute", Kind::Method);
/// `Client::execute_unit`: sends a request without one.
pub const CLIENT_EXECUTE_UNIT: Item = Item::new("client::Client::execute_unit", Kind::Method);
/// `Client::page_size`: the default page size of paged operations.
pub const CLIENT_PAGE_SIZE: Item = Item::new("client::Client::page_size", Kind::Method);
/// `client::Request`: what an operation's builder describes.
pub const REQUEST: Item = Item::new("client::Request", Kind::Struct);
/// `Request::new(operation, method, path, safe)`.
pub const REQUEST_NEW: Item = Item::new("client::Request::new", Kind::Method);
/// `Request::query(name, value)`.
pub const REQUEST_QUERY: Item = Item::new("client::Request::query", Kind::Method);
/// `Request::header(name, value)`.
pub const REQUEST_HEADER: Item = Item::new("client::Request::header", Kind::Method);
/// `Request::path`, set after the path parameters are filled in.
pub const REQUEST_PATH: Item = Item::new("client::Request::path", Kind::Field);
/// `Request::body`, the JSON body.
pub const REQUEST_BODY: Item = Item::new("client::Request::body", Kind::Field);
/// `client::path_param(template, name, value)`.
pub const PATH_PARAM: Item = Item::new("client::path_param", Kind::Fn);
/// `client::Paging { page, size, in_body }`: how an operation pages.
pub const PAGING: Item = Item::new("client::Paging", Kind::Struct);
/// `Paging::apply(request, page, size)`.
pub const PAGING_APPLY: Item = Item::new("client::Paging::apply", Kind::Method);
/// `client::paginate(client, request, paging, first, size, extract)`: the item stream
/// (`request` is a `Result`, so a request that cannot be built is the stream's one error).
pub const PAGINATE: Item = Item::new("client::paginate", Kind::Fn);
/// `client::Error`: what every operation returns.
pub const CLIENT_ERROR: Item = Item::new("client::Error", Kind::Enum);
/// `client::Error::Encode { operation, message }`: a body that does not encode.
pub const CLIENT_ERROR_ENCODE: Item = Item::new("client::Error::Encode", Kind::Variant);
/// `client::Page::new(items, total)`: one page's items (`None` when the list field is missing) and `TotalCount`.
pub const PAGE_NEW: Item = Item::new("client::Page::new", Kind::Method);
/// `client::Items<T>`: what `items()` returns, a stream with its progress.
pub const ITEMS_STREAM: Item = Item::new("client::Items", Kind::Struct);

/// `Client::execute_with_response`: `send_with_response()` of an operation with an answer.
pub const CLIENT_EXECUTE_WITH_RESPONSE: Item = Item::new("client::Client::execute_with_response", Kind::Method);
/// `Client::execute_unit_with_response`: `send_with_response()` of an operation without one.
pub const CLIENT_EXECUTE_UNIT_WITH_RESPONSE: Item =
    Item::new("client::Client::execute_unit_with_response", Kind::Method);
/// `client::Response<T>`: the answer with its status, headers, request id and raw body.
pub const RESPONSE: Item = Item::new("client::Response", Kind::Struct);

/// Every runtime item generated code names.
pub const ITEMS: &[Item] = &[
    DECIMAL,
    TIMESTAMP,
    NULLABLE,
    NULLABLE_IS_ABSENT,
    NULLABLE_INTO_OPTION,
    DECODE,
    DECODE_FROM_SLICE,
    DECODE_UNTAGGED,
    DECODE_ALTERNATIVE,
    DECODE_YES_NO,
    DECODE_YES_NO_OPTION,
    DECODE_YES_NO_NULLABLE,
    DECODE_ERROR,
    CLIENT_MODULE,
    CLIENT,
    CLIENT_EXECUTE,
    CLIENT_EXECUTE_UNIT,
    CLIENT_PAGE_SIZE,
    REQUEST,
    REQUEST_NEW,
    REQUEST_QUERY,
    REQUEST_HEADER,
    REQUEST_PATH,
    REQUEST_BODY,
    PATH_PARAM,
    PAGING,
    PAGING_APPLY,
    PAGINATE,
    CLIENT_ERROR,
    CLIENT_ERROR_ENCODE,
    PAGE_NEW,
    ITEMS_STREAM,
    CLIENT_EXECUTE_WITH_RESPONSE,
    CLIENT_EXECUTE_UNIT_WITH_RESPONSE,
    RESPONSE,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_from_any_root() {
        assert_eq!(DECODE_FROM_SLICE.tokens().to_string(), "crate :: decode :: from_slice");
        assert_eq!(CLIENT.from_root(&quote!(dealpos)).to_string(), "dealpos :: client :: Client");
        assert_eq!(NULLABLE_IS_ABSENT.text(), "crate::Nullable::is_absent");
    }

    #[test]
    fn items_are_listed_once() {
        let mut paths: Vec<_> = ITEMS.iter().map(|i| i.path).collect();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), ITEMS.len());
    }
}
