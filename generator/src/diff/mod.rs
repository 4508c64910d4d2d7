//! What changed between two versions of a description, judged by what it does
//! to users of the generated crate (not to the JSON on the wire).
//!
//! Both versions go through the same IR, so a change is reported once, at the
//! named type or operation it belongs to: a field added to `Invoice` is one
//! change of `Invoice`, not one per operation returning it. Whether a change
//! breaks is decided from the Rust the emitter writes for it (the same
//! functions render the types), with the generated crate's conventions:
//! enums and the types DealPOS sends are `#[non_exhaustive]`, request bodies
//! are built with struct literals, required parameters are method arguments.

mod report;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

pub use report::{Format, Report};

use crate::emit::{Wrapper, field_type, rust_type, wrapper};
use crate::ir::{Api, Field, Operation, TagNames, TypeDef, TypeKind, TypeRef, tag_of, tags, users};

/// What a change means for users of the generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Impact {
    /// Nothing in the Rust API changes (docs, error statuses, a note).
    Patch,
    /// Something is added; code that compiled still compiles.
    Compatible,
    /// Code written against the old crate may no longer compile or behave.
    Breaking,
}

/// The kinds of change the diff recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)] // each name says it
pub enum Kind {
    OperationAdded,
    OperationRemoved,
    OperationRenamed,
    OperationDeprecated,
    FieldDeprecated,
    ParameterAdded,
    ParameterRemoved,
    ParameterRequiredChanged,
    ParameterTypeChanged,
    RequestBodyChanged,
    ResponseTypeChanged,
    ResponseStatusChanged,
    PagingChanged,
    WebhookAdded,
    WebhookRemoved,
    WebhookPayloadChanged,
    TypeAdded,
    TypeRemoved,
    TypeKindChanged,
    TypeDirectionChanged,
    TypeUnreferenced,
    FieldAdded,
    FieldRemoved,
    FieldRequiredChanged,
    FieldNullableChanged,
    FieldTypeChanged,
    EnumValueAdded,
    EnumValueRemoved,
    UnionVariantAdded,
    UnionVariantRemoved,
    UnionVariantChanged,
    TargetTypeChanged,
    DocsChanged,
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// What it means for users (sorts breaking changes last; reports reverse it).
    pub impact: Impact,
    /// What changed, e.g. `GET /Invoice` or `Invoice.Number`.
    pub subject: String,
    /// The kind of change.
    pub kind: Kind,
    /// A sentence saying what changed and why it has this impact.
    pub detail: String,
}

/// Every change from `old` to `new`, sorted (breaking first, then by subject).
pub fn diff(old: &Api, new: &Api) -> Vec<Change> {
    let mut d = Diff {
        old,
        new,
        old_tags: tags(&[old]),
        new_tags: tags(&[new]),
        old_used: used(old),
        new_used: used(new),
        changes: Vec::new(),
    };
    d.operations();
    d.webhooks();
    d.types();
    let mut changes = d.changes;
    changes.sort_by(|a, b| b.impact.cmp(&a.impact).then_with(|| (&a.subject, a.kind).cmp(&(&b.subject, b.kind))));
    changes.dedup();
    changes
}

/// The release a set of changes calls for.
pub fn verdict(changes: &[Change]) -> Option<Impact> {
    changes.iter().map(|c| c.impact).max()
}

/// The version after `current` for `impact`, following Cargo's reading of
/// semver (below 1.0 the minor number is the breaking one).
pub fn next_version(current: &str, impact: Option<Impact>) -> String {
    let parts: Vec<u64> = current.split('.').map(|p| p.parse().unwrap_or(0)).collect();
    let (major, minor, patch) =
        (parts.first().copied().unwrap_or(0), parts.get(1).copied().unwrap_or(0), parts.get(2).copied().unwrap_or(0));
    match (impact, major) {
        (None, _) => current.to_string(),
        (Some(Impact::Breaking), 0) => format!("0.{}.0", minor + 1),
        (Some(Impact::Breaking), _) => format!("{}.0.0", major + 1),
        (Some(Impact::Compatible), 0) | (Some(Impact::Patch), _) => format!("{major}.{minor}.{}", patch + 1),
        (Some(Impact::Compatible), _) => format!("{major}.{}.0", minor + 1),
    }
}

struct Diff<'a> {
    old: &'a Api,
    new: &'a Api,
    /// The names naming gives each version's tags (their accessors).
    old_tags: Vec<TagNames>,
    new_tags: Vec<TagNames>,
    /// Whether an operation or event uses each type, by name.
    old_used: BTreeMap<String, bool>,
    new_used: BTreeMap<String, bool>,
    changes: Vec<Change>,
}

/// Whether some operation or event reaches each type of `api`, by name.
fn used(api: &Api) -> BTreeMap<String, bool> {
    let users = users(api);
    api.types.iter().zip(&users).map(|(t, u)| (t.name.clone(), !u.tags.is_empty() || u.webhooks)).collect()
}

impl Diff<'_> {
    fn push(&mut self, impact: Impact, kind: Kind, subject: impl Into<String>, detail: impl Into<String>) {
        self.changes.push(Change { impact, subject: subject.into(), kind, detail: detail.into() });
    }

    /// A type as the emitter writes it, in the types' own module.
    fn rust(api: &Api, ty: &TypeRef) -> String {
        tidy(rust_type(api, ty).to_string())
    }

    fn operations(&mut self) {
        let key = |op: &Operation| (op.path.clone(), op.method);
        let old: BTreeMap<_, _> = self.old.operations.iter().map(|op| (key(op), op)).collect();
        let new: BTreeMap<_, _> = self.new.operations.iter().map(|op| (key(op), op)).collect();
        for (k, op) in &old {
            if !new.contains_key(k) {
                let detail = format!("operation removed (`client.{}()`)", call_name(&self.old_tags, op));
                self.push(Impact::Breaking, Kind::OperationRemoved, subject(op), detail);
            }
        }
        for (k, op) in &new {
            match old.get(k) {
                None => {
                    let detail = format!("operation added (`client.{}()`)", call_name(&self.new_tags, op));
                    self.push(Impact::Compatible, Kind::OperationAdded, subject(op), detail);
                }
                Some(before) => self.operation(before, op),
            }
        }
    }

    fn operation(&mut self, old: &Operation, new: &Operation) {
        let at = subject(new);
        let (was, is) = (call_name(&self.old_tags, old), call_name(&self.new_tags, new));
        if was != is {
            let detail = format!("now `client.{is}()`, was `client.{was}()` (operationId or tag changed)");
            self.push(Impact::Breaking, Kind::OperationRenamed, &at, detail);
        } else if old.builder != new.builder {
            // The request builder is a public type, named after the operationId.
            let detail = format!(
                "operationId `{}` → `{}`: the method keeps its name, its request builder is now \
                 `operations::{}`, was `operations::{}`",
                old.id, new.id, new.builder, old.builder
            );
            self.push(Impact::Breaking, Kind::OperationRenamed, &at, detail);
        } else if old.id != new.id || old.tag != new.tag {
            let detail = format!("operationId `{}` → `{}`; the Rust names are unchanged", old.id, new.id);
            self.push(Impact::Patch, Kind::OperationRenamed, &at, detail);
        }
        if old.dealpos.deprecated != new.dealpos.deprecated {
            let detail = if new.dealpos.deprecated { "deprecated" } else { "no longer deprecated" };
            self.push(Impact::Compatible, Kind::OperationDeprecated, &at, detail);
        }
        self.parameters(&at, old, new);
        match (&old.request, &new.request) {
            (None, None) => {}
            (Some(_), None) => self.push(Impact::Breaking, Kind::RequestBodyChanged, &at, "request body removed"),
            (None, Some(t)) => {
                let detail = format!("request body `{}` added: a new argument", Self::rust(self.new, t));
                self.push(Impact::Breaking, Kind::RequestBodyChanged, &at, detail);
            }
            (Some(a), Some(b)) => {
                let (a, b) = (Self::rust(self.old, a), Self::rust(self.new, b));
                if a != b {
                    self.push(Impact::Breaking, Kind::RequestBodyChanged, &at, format!("request body `{a}` → `{b}`"));
                }
            }
        }
        let answer = |api: &Api, op: &Operation| op.answer().map(|t| Self::rust(api, t));
        let (a, b) = (answer(self.old, old), answer(self.new, new));
        if a != b {
            let show = |t: &Option<String>| t.clone().unwrap_or_else(|| "()".into());
            let detail = format!("answer `{}` → `{}`", show(&a), show(&b));
            self.push(Impact::Breaking, Kind::ResponseTypeChanged, &at, detail);
        }
        let statuses = |op: &Operation| op.responses.iter().map(|r| r.status.clone()).collect::<Vec<_>>();
        let (a, b) = (statuses(old), statuses(new));
        for s in a.iter().filter(|s| !b.contains(s)) {
            self.push(Impact::Patch, Kind::ResponseStatusChanged, &at, format!("response {s} no longer documented"));
        }
        for s in b.iter().filter(|s| !a.contains(s)) {
            self.push(Impact::Patch, Kind::ResponseStatusChanged, &at, format!("response {s} documented"));
        }
        match (&old.dealpos.paged, &new.dealpos.paged) {
            (None, Some(p)) => {
                // The page parameters leave the method's arguments and
                // setters for the builder's own `page()` and `page_size()`.
                let gone: Vec<_> = old
                    .parameters
                    .iter()
                    .filter(|q| q.name == p.page || q.name == p.size)
                    .map(|q| {
                        if q.required { format!("argument `{}`", q.rust_name) } else { format!("`{}()`", q.rust_name) }
                    })
                    .collect();
                if gone.is_empty() {
                    self.push(
                        Impact::Compatible,
                        Kind::PagingChanged,
                        &at,
                        "now paged: `page()`, `page_size()`, `items()` and `collect_all()` added",
                    );
                } else {
                    let detail = format!(
                        "now paged: {} replaced by `page()` and `page_size()`; `items()` and `collect_all()` added",
                        gone.join(", ")
                    );
                    self.push(Impact::Breaking, Kind::PagingChanged, &at, detail);
                }
            }
            (Some(_), None) => self.push(
                Impact::Breaking,
                Kind::PagingChanged,
                &at,
                "no longer paged: `page()`, `items()` and `collect_all()` removed",
            ),
            (Some(a), Some(b)) if a != b => {
                let detail = format!(
                    "paging by `{}`/`{}` over `{}` → `{}`/`{}` over `{}`",
                    a.page, a.size, a.items, b.page, b.size, b.items
                );
                self.push(Impact::Breaking, Kind::PagingChanged, &at, detail);
            }
            _ => {}
        }
        if (&old.summary, &old.doc) != (&new.summary, &new.doc) {
            self.push(Impact::Patch, Kind::DocsChanged, &at, "summary or description changed");
        }
    }

    fn parameters(&mut self, at: &str, old: &Operation, new: &Operation) {
        // By the place's name, so changes are listed as they always were.
        let key = |p: &crate::ir::Parameter| (p.place.as_str(), p.name.clone());
        let olds: BTreeMap<_, _> = old.parameters.iter().map(|p| (key(p), p)).collect();
        let news: BTreeMap<_, _> = new.parameters.iter().map(|p| (key(p), p)).collect();
        for ((place, name), _) in olds.iter().filter(|(k, _)| !news.contains_key(*k)) {
            let detail = format!("{place} parameter `{name}` removed");
            self.push(Impact::Breaking, Kind::ParameterRemoved, at, detail);
        }
        for (k, p) in &news {
            let (place, name) = k;
            let Some(before) = olds.get(k) else {
                let (impact, how) = if p.required {
                    (Impact::Breaking, "required: a new argument")
                } else {
                    (Impact::Compatible, "optional: a new setter")
                };
                self.push(impact, Kind::ParameterAdded, at, format!("{place} parameter `{name}` added, {how}"));
                continue;
            };
            if before.required != p.required {
                let how = if p.required {
                    "now required (an argument, was a setter)"
                } else {
                    "now optional (a setter, was an argument)"
                };
                self.push(
                    Impact::Breaking,
                    Kind::ParameterRequiredChanged,
                    at,
                    format!("{place} parameter `{name}` {how}"),
                );
            }
            let (a, b) = (Self::rust(self.old, &before.ty), Self::rust(self.new, &p.ty));
            if a != b {
                let detail = format!("{place} parameter `{name}`: `{a}` → `{b}`");
                self.push(Impact::Breaking, Kind::ParameterTypeChanged, at, detail);
            }
        }
    }

    fn webhooks(&mut self) {
        let old: BTreeMap<_, _> = self.old.webhooks.iter().map(|w| (w.key.as_str(), w)).collect();
        let new: BTreeMap<_, _> = self.new.webhooks.iter().map(|w| (w.key.as_str(), w)).collect();
        for (key, w) in &old {
            if !new.contains_key(key) {
                let detail = format!("event removed (`WebhookKind::{}`)", w.name);
                self.push(Impact::Breaking, Kind::WebhookRemoved, format!("webhook {key}"), detail);
            }
        }
        for (key, w) in &new {
            let at = format!("webhook {key}");
            let Some(before) = old.get(key) else {
                let detail = format!("event added (`WebhookKind::{}`; the enums are non-exhaustive)", w.name);
                self.push(Impact::Compatible, Kind::WebhookAdded, at, detail);
                continue;
            };
            let (a, b) = (Self::rust(self.old, &before.payload), Self::rust(self.new, &w.payload));
            if a != b || before.name != w.name {
                let detail = format!("`{}({a})` → `{}({b})`", before.name, w.name);
                self.push(Impact::Breaking, Kind::WebhookPayloadChanged, at, detail);
            } else if (&before.summary, &before.doc) != (&w.summary, &w.doc) {
                self.push(Impact::Patch, Kind::DocsChanged, at, "summary or description changed");
            }
        }
    }

    fn types(&mut self) {
        let old: BTreeMap<_, _> = self.old.types.iter().map(|t| (t.name.as_str(), t)).collect();
        let new: BTreeMap<_, _> = self.new.types.iter().map(|t| (t.name.as_str(), t)).collect();
        for name in old.keys().filter(|n| !new.contains_key(*n)) {
            self.push(Impact::Breaking, Kind::TypeRemoved, format!("type {name}"), "type removed");
        }
        for (name, t) in &new {
            match old.get(name) {
                None => self.push(Impact::Compatible, Kind::TypeAdded, format!("type {name}"), "type added"),
                Some(before) => self.typedef(before, t),
            }
        }
    }

    fn typedef(&mut self, old: &TypeDef, new: &TypeDef) {
        let at = format!("type {}", new.name);
        // A type nothing uses any more is emitted as one DealPOS sends (the
        // IR's default); that follows from the operation or event that
        // dropped it, which is reported where it happened. Say what became
        // of the type, once, instead of reading it as turned around.
        let unused = |used: &BTreeMap<String, bool>| !used.get(&new.name).copied().unwrap_or(true);
        if unused(&self.new_used) && !unused(&self.old_used) {
            if old.lenient != new.lenient {
                let detail = "no operation or event uses it any more; still generated, now as DealPOS's types \
                              are (every field an `Option`, `#[non_exhaustive]`), no longer as a request type";
                self.push(Impact::Breaking, Kind::TypeUnreferenced, &at, detail);
                return;
            }
            let detail = "no operation or event uses it any more; still generated, its Rust unchanged";
            self.push(Impact::Patch, Kind::TypeUnreferenced, &at, detail);
        }
        match (&old.kind, &new.kind) {
            (TypeKind::Struct { fields: a, additional: x }, TypeKind::Struct { fields: b, additional: y }) => {
                if old.lenient != new.lenient {
                    let detail = if new.lenient {
                        "now also sent by DealPOS: every field optional, non-exhaustive"
                    } else {
                        "now only sent to DealPOS: required fields bare, exhaustive"
                    };
                    self.push(Impact::Breaking, Kind::TypeDirectionChanged, &at, detail);
                    return;
                }
                self.fields(new, a, b);
                let extra = |api: &Api, t: &Option<TypeRef>| t.as_ref().map(|t| Self::rust(api, t));
                let (x, y) = (extra(self.old, x), extra(self.new, y));
                if x != y {
                    let impact = if x.is_none() && new.lenient { Impact::Compatible } else { Impact::Breaking };
                    let detail = format!("additional properties `{x:?}` → `{y:?}`");
                    self.push(impact, Kind::FieldTypeChanged, format!("{}.*", new.name), detail);
                }
            }
            (TypeKind::Enum { repr: r1, variants: a }, TypeKind::Enum { repr: r2, variants: b }) => {
                if r1 != r2 {
                    self.push(Impact::Breaking, Kind::TypeKindChanged, &at, format!("values {r1:?} → {r2:?}"));
                    return;
                }
                for v in a.iter().filter(|v| !b.iter().any(|w| w.value == v.value)) {
                    let detail = format!("value {} removed (variant `{}`)", v.value, v.name);
                    self.push(Impact::Breaking, Kind::EnumValueRemoved, &at, detail);
                }
                for v in b.iter().filter(|v| !a.iter().any(|w| w.value == v.value)) {
                    let detail =
                        format!("value {} added (variant `{}`; it decoded as `Unknown` before)", v.value, v.name);
                    self.push(Impact::Compatible, Kind::EnumValueAdded, &at, detail);
                }
            }
            (TypeKind::Union { variants: a, tag: t1 }, TypeKind::Union { variants: b, tag: t2 }) => {
                if t1 != t2 {
                    self.push(Impact::Breaking, Kind::TypeKindChanged, &at, format!("discriminator {t1:?} → {t2:?}"));
                }
                for v in a.iter().filter(|v| !b.iter().any(|w| w.name == v.name)) {
                    self.push(
                        Impact::Breaking,
                        Kind::UnionVariantRemoved,
                        &at,
                        format!("variant `{}` removed", v.name),
                    );
                }
                for v in b {
                    let Some(before) = a.iter().find(|w| w.name == v.name) else {
                        let detail = format!("variant `{}` added (union enums are matched exhaustively)", v.name);
                        self.push(Impact::Breaking, Kind::UnionVariantAdded, &at, detail);
                        continue;
                    };
                    let (x, y) = (Self::rust(self.old, &before.ty), Self::rust(self.new, &v.ty));
                    if x != y || before.tag != v.tag {
                        let detail = format!("variant `{}`: `{x}` → `{y}`", v.name);
                        self.push(Impact::Breaking, Kind::UnionVariantChanged, &at, detail);
                    }
                }
            }
            (TypeKind::Alias(a) | TypeKind::Newtype(a), TypeKind::Alias(b) | TypeKind::Newtype(b))
                if std::mem::discriminant(&old.kind) == std::mem::discriminant(&new.kind) =>
            {
                let (x, y) = (Self::rust(self.old, a), Self::rust(self.new, b));
                if x != y {
                    self.push(Impact::Breaking, Kind::TargetTypeChanged, &at, format!("`{x}` → `{y}`"));
                }
            }
            (a, b) => {
                let detail = format!("{} → {}", kind_name(a), kind_name(b));
                self.push(Impact::Breaking, Kind::TypeKindChanged, &at, detail);
                return;
            }
        }
        if old.doc != new.doc {
            self.push(Impact::Patch, Kind::DocsChanged, &at, "description changed");
        }
    }

    fn fields(&mut self, ty: &TypeDef, old: &[Field], new: &[Field]) {
        let lenient = ty.lenient;
        for f in old.iter().filter(|f| !new.iter().any(|g| g.wire == f.wire)) {
            let detail = format!("field `{}` removed", f.name);
            self.push(Impact::Breaking, Kind::FieldRemoved, format!("{}.{}", ty.name, f.wire), detail);
        }
        for f in new {
            let at = format!("{}.{}", ty.name, f.wire);
            let rust = tidy(field_type(self.new, f, ty).to_string());
            let Some(before) = old.iter().find(|g| g.wire == f.wire) else {
                let (impact, why) = match (lenient, f.required) {
                    (true, _) => (Impact::Compatible, "DealPOS's types are non-exhaustive"),
                    (false, true) => (Impact::Breaking, "required: every request must now send it"),
                    (false, false) => (Impact::Breaking, "request types are built with struct literals"),
                };
                self.push(impact, Kind::FieldAdded, at, format!("field `{}: {rust}` added; {why}", f.name));
                continue;
            };
            let was = tidy(field_type(self.old, before, ty).to_string());
            // `Option`s that differ only in whether `None` is serialised are one Rust type.
            let same = |w: Wrapper| if w == Wrapper::OptionSkipped { Wrapper::Option } else { w };
            let wrapping =
                if same(wrapper(before, ty)) == same(wrapper(f, ty)) { Impact::Patch } else { Impact::Breaking };
            let flags = [
                (before.required != f.required, Kind::FieldRequiredChanged, f.required, "now required", "now optional"),
                (
                    before.nullable != f.nullable,
                    Kind::FieldNullableChanged,
                    f.nullable,
                    "now nullable",
                    "no longer nullable",
                ),
            ];
            for (_, kind, now, set, unset) in flags.into_iter().filter(|(changed, ..)| *changed) {
                let how = if now { set } else { unset };
                let detail = match wrapping {
                    Impact::Breaking => format!("{how}: `{was}` → `{rust}`"),
                    _ => format!("{how} (the Rust type is unchanged: DealPOS's types keep every field an `Option`)"),
                };
                self.push(wrapping, kind, &at, detail);
            }
            let (a, b) = (Self::rust(self.old, &before.ty), Self::rust(self.new, &f.ty));
            if a != b {
                self.push(Impact::Breaking, Kind::FieldTypeChanged, &at, format!("`{a}` → `{b}`"));
            }
            if before.deprecated != f.deprecated {
                let detail = if f.deprecated { "deprecated" } else { "no longer deprecated" };
                self.push(Impact::Patch, Kind::FieldDeprecated, &at, format!("{detail} (a note in its docs)"));
            }
            if before.doc != f.doc {
                self.push(Impact::Patch, Kind::DocsChanged, &at, "description changed");
            }
        }
    }
}

/// How users reach `op` (`invoice().void`): the accessor naming gave its tag
/// and the method naming gave it.
fn call_name(tags: &[TagNames], op: &Operation) -> String {
    let tag = tag_of(op);
    let accessor = tags.iter().find(|t| t.tag == tag).map_or(tag, |t| t.accessor.as_str());
    format!("{accessor}().{}", op.rust_name)
}

fn subject(op: &Operation) -> String {
    format!("{} {}", op.method, op.path)
}

fn kind_name(kind: &TypeKind) -> &'static str {
    match kind {
        TypeKind::Struct { .. } => "struct",
        TypeKind::Enum { .. } => "enum",
        TypeKind::Union { .. } => "union",
        TypeKind::Alias(_) => "type alias",
        TypeKind::Newtype(_) => "newtype",
    }
}

/// `Option < Vec < crate :: Decimal > >` → `Option<Vec<Decimal>>`.
fn tidy(tokens: String) -> String {
    tokens
        .replace("crate :: ", "")
        .replace(":: std :: collections :: ", "")
        .replace("serde_json :: ", "serde_json::")
        .replace(' ', "")
}
