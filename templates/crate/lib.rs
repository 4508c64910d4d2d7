// {{ header }}
#![doc = include_str!("../README.md")]
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
{% for m in modules %}
/// {{ m.doc }}
#[rustfmt::skip]
pub mod {{ m.name }};
{%- endfor %}
{%- if receiver %}

#[cfg(feature = "receiver")]
pub mod receiver;
{%- endif %}
