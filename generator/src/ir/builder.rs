//! The state of one walk over a description, shared by the files that
//! extend [`Builder`] (`build.rs` for schemas, `unions.rs` for `oneOf`/
//! `anyOf`, `operations.rs` for operations and webhooks), and what every one
//! of them needs: `$ref` resolution, examples and diagnostics. It imports
//! none of them, so none imports another back.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::model::{Example, TypeDef, TypeId, TypeKind, TypeRef};
use super::refs::{self, Documents, Sibling};
use crate::error::{Diagnostic, Location};

/// One walk over a description: the types built so far and what is pending.
pub(super) struct Builder<'a> {
    /// Every document reachable from the description.
    pub(super) docs: &'a Documents,
    /// The description itself.
    pub(super) root: &'a Value,
    /// The crate's other descriptions: a schema `$ref` into one is a
    /// [`TypeRef::Foreign`] (`cross.rs`).
    pub(super) siblings: &'a [Sibling<'a>],
    pub(super) types: Vec<TypeDef>,
    /// Types built from a `$ref` target, by location, so each has one home.
    pub(super) by_pointer: BTreeMap<Location, (TypeId, bool)>,
    /// `$ref` targets named but not built yet. Building them later rather than
    /// on first use keeps the walk's depth independent of how long a chain of
    /// references is.
    pub(super) queue: Vec<(Location, TypeId)>,
    pub(super) built: BTreeSet<TypeId>,
    /// Unions with a `discriminator`, by the union schema's location.
    pub(super) discriminators: BTreeMap<Location, Discriminator>,
    /// Current nesting of inline schemas.
    pub(super) depth: usize,
    /// Schemas analysed so far.
    pub(super) steps: usize,
    pub(super) diagnostics: Vec<Diagnostic>,
    pub(super) examples: Vec<Example>,
}

impl<'a> Builder<'a> {
    /// A walk over `root`, one of `docs`, among `siblings`.
    pub(super) fn new(docs: &'a Documents, root: &'a Value, siblings: &'a [Sibling<'a>]) -> Self {
        Builder {
            docs,
            root,
            siblings,
            types: Vec::new(),
            by_pointer: BTreeMap::new(),
            queue: Vec::new(),
            built: BTreeSet::new(),
            discriminators: BTreeMap::new(),
            depth: 0,
            steps: 0,
            diagnostics: Vec::new(),
            examples: Vec::new(),
        }
    }

    /// Resolves a `$ref` (local or into another file), reporting dangling,
    /// unreadable and unsupported ones at `at`.
    pub(super) fn resolve(&mut self, at: &Location, reference: &str) -> Option<(Location, &'a Value)> {
        let Some(target) = refs::split(&at.file, reference) else {
            self.error(
                at.clone(),
                format!("`$ref: {reference}`: only file paths and JSON pointers are supported (no URLs or anchors)"),
            );
            return None;
        };
        let doc = match self.docs.get(&target.file) {
            Ok(doc) => doc,
            Err(why) => {
                self.error(at.clone(), format!("`$ref: {reference}`: {why}"));
                return None;
            }
        };
        match doc.pointer(&target.pointer) {
            Some(value) => Some((Location { file: target.file, pointer: target.pointer }, value)),
            None => {
                self.error(at.clone(), format!("dangling `$ref`: `{reference}` does not exist in {}", target.file));
                None
            }
        }
    }

    /// Follows a `$ref` on a non-schema object (path item, request body, ...).
    pub(super) fn deref(&mut self, at: &Location, value: &'a Value) -> (Location, &'a Value) {
        let mut at = at.clone();
        let mut value = value;
        for _ in 0..32 {
            let Some(r) = value.get("$ref").and_then(Value::as_str) else { return (at, value) };
            match self.resolve(&at.join("$ref"), r) {
                Some((target_at, target)) => {
                    at = target_at;
                    value = target;
                }
                None => return (at, value),
            }
        }
        self.error(at.clone(), "`$ref`s lead to `$ref`s more than 32 times (a cycle?)");
        (at, &Value::Null)
    }

    pub(super) fn example(&mut self, origin: Location, ty: &TypeRef, nullable: bool, value: &Value) {
        self.examples.push(Example { origin, ty: ty.clone(), nullable, value: value.clone() });
    }

    pub(super) fn error(&mut self, at: Location, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::error(at, message));
    }

    pub(super) fn warn(&mut self, at: Location, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::warning(at, message));
    }
}

/// What a schema is: a named type to build, or a reference to a type.
pub(super) enum Shape {
    Kind(TypeKind),
    Ref(TypeRef),
}

/// A union's `discriminator`, as read during the walk; whether it can be
/// used is decided once every type is built.
#[derive(Debug, Clone)]
pub(super) struct Discriminator {
    /// Where the `discriminator` is.
    pub(super) at: Location,
    /// `propertyName`.
    pub(super) property: String,
    /// Tag values per alternative, in alternative order.
    pub(super) values: Vec<Vec<String>>,
    /// Why the mapping does not map cleanly, if it does not.
    pub(super) problem: Option<String>,
}
