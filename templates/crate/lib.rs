// {{ header }}
#![doc = include_str!("../README.md")]
// On docs.rs (`--cfg docsrs`, nightly), every feature-gated item shows the
// features it needs: `doc_cfg` labels items from their `#[cfg]`s (it took
// over `doc_auto_cfg`, which current nightlies no longer know).
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod decimal;
pub mod decode;
mod nullable;
mod timestamp;

pub use decimal::{Decimal, DecimalError};
pub use decode::DecodeError;
pub use nullable::Nullable;
pub use timestamp::{Timestamp, TimestampError};

#[cfg(feature = "client")]
pub mod client;
/// The API's operations, grouped by tag, as methods of [`client::Client`].
#[cfg(feature = "client")]
#[rustfmt::skip]
pub mod operations;

// One module per description. Their docs are their own (`//!`): docs written
// here would be read in this scope, and the modules' links not resolve.
{%- for m in modules %}
{%- if let Some(feature) = m.feature %}
#[cfg(feature = "{{ feature }}")]
{%- endif %}
#[rustfmt::skip]
pub mod {{ m.name }};
{%- endfor %}
{%- if receiver %}

#[cfg(feature = "receiver")]
pub mod receiver;
{%- endif %}
