//! Stage 3: the intermediate representation. Everything emission needs, and
//! nothing else: `$ref`s resolved, `allOf` merged, every Rust name decided.
//! Emission never looks at the OpenAPI document again, and never makes a
//! name: `naming.rs` decides them all (types, fields, variants, parameters,
//! operation methods and builders, and per tag its feature, group, accessor
//! and module), and emission reads them.
//!
//! The walk: `build.rs` (entry point and schemas) and `unions.rs` extend the
//! shared `Builder` state of `builder.rs`; `operations.rs` reads operations
//! and webhooks; `graph.rs` applies whole-graph rules; `merge.rs` makes identical shapes one type; `naming.rs` runs last.
//! `cross.rs` builds a crate's descriptions together and links the `$ref`s
//! from one to another (`TypeRef::Foreign`).
//! The data itself is `model.rs`'s, so no file here imports this one back.

mod build;
mod builder;
mod cross;
mod graph;
mod merge;
mod model;
mod naming;
mod operations;
mod refs;
mod schema;
mod unions;

pub use build::{build, build_with};
pub use cross::{build_all, users_across};
pub use graph::{Users, tag_of, users};
pub use model::*;
pub use naming::{SHARED_MODULE, TagNames, kebab, operations as name_operations, pascal, snake, tags};
pub use refs::{FileLoader, from_disk, no_files};
