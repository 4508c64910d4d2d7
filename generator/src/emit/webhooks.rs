//! The webhook surface: `WebhookKind`, `WebhookEvent` and `parse`.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs;
use super::types::{ident, rust_type};
use crate::ir::{Api, Example, Webhook};
use crate::runtime;

/// The description's first example of `hook`'s payload: the example of its
/// request body, where the description gives one.
pub(super) fn example<'a>(api: &'a Api, hook: &Webhook) -> Option<&'a Example> {
    let within = |pointer: &str| {
        pointer.strip_prefix(hook.origin.pointer.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    api.examples.iter().find(|e| e.ty == hook.payload && within(&e.origin.pointer))
}

/// `text` as a raw string literal (`r#"…"#`, with as many `#` as it needs),
/// so the JSON reads as JSON in the generated file.
fn raw_string(text: &str) -> TokenStream {
    let hashes = (0..).map(|n| "#".repeat(n)).find(|h| !text.contains(&format!("\"{h}"))).unwrap_or_default();
    format!("r{hashes}\"{text}\"{hashes}").parse::<proc_macro2::Literal>().map_or_else(
        // A text no raw literal can hold (a lone `\r`): the escaped form.
        |_| quote!(#text),
        |literal| quote!(#literal),
    )
}

/// The docs of `WebhookKind::example`, with a doctest naming the crate
/// (`crate_ident`) and the module the webhooks are in (`module`) that feeds
/// every example to a handler.
fn example_doc(crate_ident: &str, module: &str) -> TokenStream {
    let text = format!(
        "The example payload the description gives for this event, as the JSON
body of a delivery; `None` where it gives none.

A test helper: feed it to your handler (through [`WebhookEvent::parse`]) or
POST it to your receiver, to test them without a live sender. It is the
description's example, so its values are made up, but it has the fields
the description documents.

```
use {crate_ident}::{module}::{{WebhookEvent, WebhookKind}};

// The code under test: what your receiver does with an event.
fn handle(event: &WebhookEvent) -> Option<WebhookKind> {{
    event.kind()
}}

for &kind in WebhookKind::ALL {{
    let Some(body) = kind.example() else {{ continue }};
    let event = WebhookEvent::parse(kind, body.as_bytes())?;
    assert_eq!(handle(&event), Some(kind));
}}
# Ok::<(), {crate_ident}::DecodeError>(())
```"
    );
    let lines = text.lines().map(|line| {
        let line = if line.is_empty() { String::new() } else { format!(" {line}") };
        quote!(#[doc = #line])
    });
    quote!(#(#lines)*)
}

/// Items for the webhooks of `api` (nothing if it has none), in the module
/// `module` of the crate `crate_ident` (named by doc examples).
pub fn items(api: &Api, crate_ident: &str, module: &str) -> TokenStream {
    if api.webhooks.is_empty() {
        return TokenStream::new();
    }
    let variants: Vec<_> = api.webhooks.iter().map(|w| ident(&w.name)).collect();
    let keys: Vec<&str> = api.webhooks.iter().map(|w| w.key.as_str()).collect();
    let paths: Vec<&str> = api.webhooks.iter().map(|w| w.path.as_str()).collect();
    let tags: Vec<&str> = api.webhooks.iter().map(|w| w.tag.as_deref().unwrap_or("")).collect();
    let summaries: Vec<&str> = api.webhooks.iter().map(|w| w.summary.as_deref().unwrap_or("")).collect();
    let payloads: Vec<TokenStream> = api.webhooks.iter().map(|w| rust_type(api, &w.payload)).collect();
    let kind_docs: Vec<TokenStream> = api
        .webhooks
        .iter()
        .map(|w| {
            let text = [w.summary.as_deref(), w.doc.as_deref()].into_iter().flatten().collect::<Vec<_>>().join("\n\n");
            docs(Some(&format!("{text}\n\nWire name: `{}`.", w.key)))
        })
        .collect();
    // Compact JSON: a test helper, read by `parse`, not by people.
    let examples: Vec<TokenStream> = api
        .webhooks
        .iter()
        .map(|w| match example(api, w).and_then(|e| serde_json::to_string(&e.value).ok()) {
            Some(json) => {
                let literal = raw_string(&json);
                quote!(Some(#literal))
            }
            None => quote!(None),
        })
        .collect();
    let example_doc = example_doc(crate_ident, module);
    let decode_error = runtime::DECODE_ERROR.tokens();
    let from_slice = runtime::DECODE_FROM_SLICE.tokens();
    quote! {
        /// The events DealPOS can deliver to a webhook endpoint.
        ///
        /// DealPOS posts the bare entity with no event name in it: the kind is
        /// known from the endpoint the merchant registered for it.
        /// Non-exhaustive: an event DealPOS adds is a minor release.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum WebhookKind {
            #( #kind_docs #variants, )*
        }

        impl WebhookKind {
            /// Every kind, in the order of the description.
            pub const ALL: &'static [WebhookKind] = &[#(Self::#variants),*];

            /// The webhook's name in the description (e.g. `shiftClose`).
            pub const fn name(self) -> &'static str {
                match self { #(Self::#variants => #keys,)* }
            }

            /// A default URL path for the endpoint (e.g. `/shift-close`).
            pub const fn default_path(self) -> &'static str {
                match self { #(Self::#variants => #paths,)* }
            }

            /// The description's tag for this webhook.
            pub const fn tag(self) -> &'static str {
                match self { #(Self::#variants => #tags,)* }
            }

            /// One line on what triggers it.
            pub const fn summary(self) -> &'static str {
                match self { #(Self::#variants => #summaries,)* }
            }

            #example_doc
            pub const fn example(self) -> Option<&'static str> {
                match self { #(Self::#variants => #examples,)* }
            }

            /// The kind named `name`: its description name (`shiftClose`), or that
            /// name in any case style (`shift-close`, `SHIFT_CLOSE`).
            pub fn from_name(name: &str) -> Option<Self> {
                let wanted = fold(name);
                Self::ALL.iter().copied().find(|kind| fold(kind.name()) == wanted)
            }
        }

        fn fold(name: &str) -> String {
            name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
        }

        impl ::std::fmt::Display for WebhookKind {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl ::std::str::FromStr for WebhookKind {
            type Err = UnknownWebhookKind;

            fn from_str(name: &str) -> Result<Self, Self::Err> {
                Self::from_name(name).ok_or_else(|| UnknownWebhookKind(name.to_string()))
            }
        }

        /// A webhook name that is not in the description.
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
        #[error("unknown webhook kind `{0}`")]
        pub struct UnknownWebhookKind(pub String);

        /// A decoded webhook delivery. Non-exhaustive, like [`WebhookKind`].
        #[derive(Debug, Clone, PartialEq)]
        #[allow(clippy::large_enum_variant)]
        #[non_exhaustive]
        pub enum WebhookEvent {
            #( #kind_docs #variants(#payloads), )*
            /// A delivery for an endpoint this version does not know; the body
            /// is kept as JSON so nothing is lost.
            Unknown {
                /// The kind it was delivered as.
                kind: String,
                /// The body.
                body: serde_json::Value,
            },
        }

        impl WebhookEvent {
            /// Decodes `body` as a delivery of `kind`. The error names the field
            /// path that failed and quotes the start of the body.
            pub fn parse(kind: WebhookKind, body: &[u8]) -> Result<Self, #decode_error> {
                Ok(match kind {
                    #(WebhookKind::#variants => Self::#variants(#from_slice(kind.name(), body)?),)*
                })
            }

            /// Like [`WebhookEvent::parse`], for a kind given by name: an unknown name
            /// gives [`WebhookEvent::Unknown`] holding the body as JSON.
            pub fn parse_named(kind: &str, body: &[u8]) -> Result<Self, #decode_error> {
                match WebhookKind::from_name(kind) {
                    Some(known) => Self::parse(known, body),
                    None => Ok(Self::Unknown { kind: kind.to_string(), body: #from_slice(kind, body)? }),
                }
            }

            /// The kind, unless unknown.
            pub fn kind(&self) -> Option<WebhookKind> {
                match self {
                    #(Self::#variants(_) => Some(WebhookKind::#variants),)*
                    Self::Unknown { .. } => None,
                }
            }

            /// The payload as JSON, as DealPOS sent it (modulo field order).
            pub fn to_json(&self) -> serde_json::Value {
                match self {
                    #(Self::#variants(payload) => serde_json::to_value(payload).unwrap_or_default(),)*
                    Self::Unknown { body, .. } => body.clone(),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_strings_take_enough_hashes_to_hold_their_text() {
        assert_eq!(raw_string(r#"{"a":1}"#).to_string(), r##"r#"{"a":1}"#"##);
        assert_eq!(raw_string(r##"{"tag":"#1"}"##).to_string(), r###"r##"{"tag":"#1"}"##"###);
        assert_eq!(raw_string("plain").to_string(), r#"r"plain""#);
    }
}
