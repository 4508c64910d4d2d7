//! The fixed runtime of the generated `dealpos` crate: the HTTP client, the
//! webhook receiver, `Timestamp`, `Decimal`, `Nullable` and `decode`.
//!
//! It is a crate of its own so that a change to it is compiled, linted and
//! tested by `cargo test -p dealpos-runtime`, without a regen. The generator
//! copies every module below into `generated/src/` (see
//! `generator/src/emit/files.rs`), but not this file: the generated crate's
//! root is `templates/crate/lib.rs`, which declares the same modules with the
//! same visibility and cfgs, so `crate::…` paths resolve alike in both
//! crates (a generator test compares the two).
//!
//! The one module that is not copied is [`webhooks`], a small stand-in for the
//! generated one, which the receiver needs.
// As in the generated crate: feature labels on docs.rs (`--cfg docsrs`).
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

// The generated crate's `webhooks` module, reduced to two kinds and the API
// the receiver uses; never copied.
#[cfg(feature = "webhooks")]
#[path = "stand_in/webhooks.rs"]
pub mod webhooks;

#[cfg(feature = "receiver")]
pub mod receiver;
