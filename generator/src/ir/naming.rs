//! Naming: every Rust name of the generated crate, and every Cargo feature
//! name, is decided here, in a fixed order, so that collisions are found and
//! resolved in one place and never by emission.
//!
//! Two steps. [`assign`] runs at the end of [`super::build`] and names what
//! lives in one description: types, fields, enum and union variants, webhook
//! variants, and each operation's parameters (the request builder's fields
//! and setters). Operations are grouped by tag across all descriptions, so
//! their names are crate-wide: [`tags`] names each tag's feature, group type,
//! `Client` accessor and module, and [`operations`] each operation's method
//! on its group and its request builder type. [`assign`] runs [`operations`]
//! on its one description; a crate of several descriptions runs it again
//! over all of them ([`crate::generate_from`]).
//!
//! Names are made from the description's text by one family of functions,
//! [`snake`], [`pascal`] and [`kebab`], which share one sanitiser and handle
//! keywords once.

use std::collections::BTreeMap;

use heck::{ToKebabCase, ToSnakeCase, ToUpperCamelCase};
use serde_json::Value;

use super::graph::tag_of;
use super::model::{Api, Operation, TypeKind, TypeRef};
use crate::runtime::{CLIENT_METHODS, RESERVED_FEATURES, RESERVED_TYPES};

/// The module of a description's types that belong to no single tag; no
/// tag's module takes its name.
pub const SHARED_MODULE: &str = "shared";

/// Rust keywords (strict, reserved, and 2018+), which cannot be identifiers.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
    "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self",
    "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become",
    "box", "do", "final", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield", "union",
];

/// The members emission gives every request builder (its `client` and `body`
/// fields, `send`, `request`, and a paged operation's `items`, `collect_all`,
/// `page` and `page_size`); no parameter's field or setter may take one.
pub(crate) const BUILDER_MEMBERS: &[&str] =
    &["client", "body", "send", "request", "items", "collect_all", "page", "page_size"];

/// The names of one tag, crate-wide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagNames {
    /// The tag as written (`Sales Order`; `Default` for untagged operations).
    pub tag: String,
    /// Its Cargo feature (`sales-order`), never one the manifest defines itself.
    pub feature: String,
    /// The type grouping its operations (`SalesOrderApi`).
    pub group: String,
    /// The `Client` method returning the group (`sales_order`), never one of
    /// the runtime's own `Client` methods.
    pub accessor: String,
    /// A snake_case module name for the tag (`sales_order`), unique among tags.
    pub module: String,
}

/// The tags of `apis`' operations, in the order the crate groups them (the
/// descriptions' declared order, then undeclared tags as met), with their names.
pub fn tags(apis: &[&Api]) -> Vec<TagNames> {
    let mut order: Vec<&str> = Vec::new();
    for op in apis.iter().flat_map(|a| &a.operations) {
        if !order.contains(&tag_of(op)) {
            order.push(tag_of(op));
        }
    }
    let declared: Vec<&str> = apis.iter().flat_map(|a| a.tags.iter().map(|t| t.name.as_str())).collect();
    order.sort_by_key(|tag| declared.iter().position(|d| d == tag).unwrap_or(usize::MAX));
    let mut features = Taken::with(RESERVED_FEATURES);
    let mut groups = Taken::default();
    let mut accessors = Taken::with(CLIENT_METHODS);
    let mut modules = Taken::with(&[SHARED_MODULE]);
    order
        .into_iter()
        .map(|tag| TagNames {
            tag: tag.to_string(),
            feature: features.claim(&kebab(tag), "-"),
            group: groups.claim(&format!("{}Api", pascal(tag)), ""),
            accessor: accessors.claim(&snake(tag), "_"),
            module: modules.claim(&snake(tag), "_"),
        })
        .collect()
}

/// Names every operation of `apis` crate-wide: its method on its tag's group
/// ([`Operation::rust_name`], unique in the group) and its request builder
/// ([`Operation::builder`], unique among the builders and groups). Tags are
/// taken in [`tags`]' order and operations in document order, as emission
/// writes them. A POST twin, reached only through the GET it stands for,
/// gets that GET's names.
pub fn operations(apis: &mut [&mut Api]) {
    let tags = tags(&apis.iter().map(|a| &**a).collect::<Vec<_>>());
    // Builders share the operations module with the groups (and `Self` is a keyword).
    let mut builders = Taken::with(&["Self"]);
    for t in &tags {
        builders.claim(&t.group, "");
    }
    for t in &tags {
        let mut methods = Taken::default();
        for api in apis.iter_mut() {
            let twins = twins(api);
            for (i, op) in api.operations.iter_mut().enumerate() {
                if tag_of(op) != t.tag || twins.contains_key(&i) {
                    continue;
                }
                op.builder = builders.claim(&pascal(&op.id), "");
                // A name the description chose (`x-dealpos-method`) is still made an identifier and unique.
                let base = match &op.dealpos.method {
                    Some(chosen) => snake(chosen),
                    None => method_name(&op.id, &t.tag),
                };
                op.rust_name = methods.claim(&base, "_");
            }
        }
    }
    for api in apis.iter_mut() {
        for (twin, of) in twins(api) {
            let (method, builder) = (api.operations[of].rust_name.clone(), api.operations[of].builder.clone());
            api.operations[twin].rust_name = method;
            api.operations[twin].builder = builder;
        }
    }
}

/// POST twins (by index) and the GET each stands for, when that GET exists.
fn twins(api: &Api) -> BTreeMap<usize, usize> {
    // The last of several operations with one id wins, as in emission's lookup.
    let by_id: BTreeMap<&str, usize> = api.operations.iter().enumerate().map(|(i, o)| (o.id.as_str(), i)).collect();
    api.operations
        .iter()
        .enumerate()
        .filter_map(|(i, op)| Some((i, *by_id.get(op.dealpos.post_twin_of.as_deref()?)?)))
        .filter(|(i, of)| i != of)
        .collect()
}

/// Assigns every name of one description: types, fields, variants,
/// webhooks, parameters, and (for this description alone) operations.
pub(super) fn assign(api: &mut Api) {
    let mut taken = Taken::default();
    for ty in &mut api.types {
        let base =
            if RESERVED_TYPES.contains(&ty.name.as_str()) { format!("{}Model", ty.name) } else { ty.name.clone() };
        ty.name = taken.claim(&base, "");
    }
    let mut hooks = Taken::default();
    // `WebhookEvent::Unknown` is the fallback for events not described.
    hooks.claim("Unknown", "");
    let mut paths = Taken::default();
    for hook in &mut api.webhooks {
        hook.name = hooks.claim(&not_self(pascal(&hook.key)), "");
        hook.path = format!("/{}", paths.claim(&kebab(&hook.key), "-"));
    }
    for op in &mut api.operations {
        parameters(op);
    }
    operations(&mut [api]);
    let names: Vec<String> = api.types.iter().map(|t| t.name.clone()).collect();
    for ty in &mut api.types {
        let owner = ty.name.clone();
        match &mut ty.kind {
            TypeKind::Struct { fields, additional } => {
                let mut taken = Taken::default();
                // The map of extra properties is always named
                // `additional_properties`, so a property of that name yields.
                if additional.is_some() {
                    taken.claim("additional_properties", "_");
                }
                for field in fields.iter_mut() {
                    field.name = taken.claim(&snake(&field.wire), "_");
                }
            }
            TypeKind::Enum { variants, .. } => {
                let mut taken = Taken::default();
                taken.claim("Unknown", "");
                for variant in variants.iter_mut() {
                    variant.name = taken.claim(&variant_name(&variant.value), "");
                }
            }
            TypeKind::Union { variants, .. } => {
                let mut taken = Taken::default();
                for variant in variants.iter_mut() {
                    // The fallback is last, so an alternative named `Other` keeps its name.
                    let name = if variant.fallback {
                        "Other".to_string()
                    } else {
                        union_variant_name(&owner, &variant.ty, &names)
                    };
                    variant.name = taken.claim(&not_self(name), "");
                }
            }
            TypeKind::Alias(_) | TypeKind::Newtype(_) => {}
        }
    }
}

/// The name of a type that several identical inline types became (`merge.rs`).
/// Inline types are named owner + property (`InvoiceCreateRequestFulfillment`),
/// so the name is the PascalCase words all names start with, then those they
/// all end with (`ListPromotionEventsType` and `ListPromotionEventsPostType`
/// → `ListPromotionEventsType`), or, when they end differently, the last word
/// most of them end with (`InvoiceCreateRequestFulfillment`,
/// `InvoiceCreateRequestDelivery`, `InvoiceWithVariantFulfillment` →
/// `InvoiceFulfillment`). When that is empty or another type's name: the
/// first name (document order).
pub(super) fn merged_name(class: &[&str], all: &[String]) -> String {
    let split = |name: &str| -> Vec<String> {
        let mut words: Vec<String> = Vec::new();
        for c in name.chars() {
            match words.last_mut() {
                Some(word) if !c.is_ascii_uppercase() => word.push(c),
                _ => words.push(c.to_string()),
            }
        }
        words
    };
    let first = class.first().copied().unwrap_or_default();
    let names: Vec<Vec<String>> = class.iter().map(|n| split(n)).collect();
    let shortest = names.iter().map(Vec::len).min().unwrap_or_default();
    let common = |at: &dyn Fn(&Vec<String>, usize) -> Option<String>| {
        (0..shortest).take_while(|&i| names.iter().all(|n| at(n, i) == at(&names[0], i))).count()
    };
    let suffix = common(&|n, i| n.iter().rev().nth(i).cloned());
    // The prefix stops where the suffix starts, so no word is used twice.
    let prefix = common(&|n, i| n.get(i).cloned()).min(shortest - suffix.min(shortest));
    let start = names[0][..prefix].concat();
    let end = if suffix > 0 {
        names[0][names[0].len() - suffix..].concat()
    } else {
        // The last word most names end with; the first such name's on a tie.
        let lasts: Vec<&String> = names.iter().filter_map(|n| n.last()).collect();
        let count = |w: &String| lasts.iter().filter(|l| **l == w).count();
        lasts
            .iter()
            .copied()
            .fold(None::<&String>, |best, w| match best {
                Some(b) if count(b) >= count(w) => Some(b),
                _ => Some(w),
            })
            .cloned()
            .unwrap_or_default()
    };
    let candidate = format!("{start}{end}");
    let taken = all.iter().any(|n| *n == candidate && !class.contains(&n.as_str()));
    if start.is_empty() || end.is_empty() || taken { first.to_string() } else { candidate }
}

/// The builder field (and, for an optional parameter, setter) of each
/// parameter. A paged operation's page parameters are set through the
/// builder's own `page()` and `page_size()`.
fn parameters(op: &mut Operation) {
    let mut taken = Taken::with(BUILDER_MEMBERS);
    // `body` is the request body's field only when there is one.
    if op.request.is_none() {
        taken.0.remove("body");
    }
    let paging = op.dealpos.paged.clone();
    for parameter in &mut op.parameters {
        parameter.rust_name = match &paging {
            Some(p) if parameter.name == p.page => "page".to_string(),
            Some(p) if parameter.name == p.size => "page_size".to_string(),
            _ => taken.claim(&snake(&parameter.name), "_"),
        };
    }
}

/// Names already used in one scope.
#[derive(Default)]
pub(crate) struct Taken(BTreeMap<String, usize>);

impl Taken {
    /// A scope where `reserved` are already taken.
    pub(crate) fn with(reserved: &[&str]) -> Self {
        Taken(reserved.iter().map(|r| (r.to_string(), 0)).collect())
    }

    /// `base` if free, else `base2`, `base3`… (with `sep` between).
    pub(crate) fn claim(&mut self, base: &str, sep: &str) -> String {
        let mut n = 1;
        loop {
            // `type_` + `_2` would be `type__2`, which is not snake case.
            let stem = if sep.is_empty() { base } else { base.trim_end_matches(sep) };
            let candidate = if n == 1 { base.to_string() } else { format!("{stem}{sep}{n}") };
            if !self.0.contains_key(&candidate) {
                self.0.insert(candidate.clone(), 0);
                return candidate;
            }
            n += 1;
        }
    }
}

/// The one sanitiser: every character that cannot be in an identifier (all
/// but ASCII letters and digits) becomes a word break.
fn words(raw: &str) -> String {
    raw.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' }).collect()
}

/// A snake_case identifier: `ImageURL` → `image_url`; `type` → `type_`;
/// `3D` → `_3d`; nothing usable → `field`.
pub fn snake(raw: &str) -> String {
    let mut name = words(raw).to_snake_case();
    if name.is_empty() {
        name = "field".to_string();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("_{name}");
    }
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// A PascalCase identifier: `invoice-void request` → `InvoiceVoidRequest`;
/// `3dSecure` → `T3dSecure`; nothing usable → `Type`. `Self`, the one
/// PascalCase keyword, is left to each scope (variants become `SelfValue`, types
/// `SelfModel`, builders `Self2`).
pub fn pascal(raw: &str) -> String {
    let name = words(raw).to_upper_camel_case();
    match name.chars().next() {
        None => "Type".to_string(),
        Some(c) if c.is_ascii_digit() => format!("T{name}"),
        Some(_) => name,
    }
}

/// A kebab-case Cargo feature name: `Sales Order` → `sales-order`; nothing
/// usable → `tag`.
pub fn kebab(raw: &str) -> String {
    let name = words(raw).to_kebab_case();
    if name.is_empty() { "tag".to_string() } else { name }
}

/// `voidInvoice` in tag `Invoice` → `void`: the tag's words are dropped, as
/// the method is reached through the tag (`client.invoice().void(…)`).
fn method_name(id: &str, tag: &str) -> String {
    let tag_words: Vec<String> = snake(tag).split('_').map(str::to_string).collect();
    let all = words(id).to_snake_case();
    let kept: Vec<&str> =
        all.split('_').filter(|w| !w.is_empty()).filter(|w| !tag_words.iter().any(|t| is_form_of(w, t))).collect();
    if kept.is_empty() { snake(id) } else { snake(&kept.join("_")) }
}

/// `word` is `tag_word` or its plural (`invoices`, `taxes`, `categories`).
fn is_form_of(word: &str, tag_word: &str) -> bool {
    let t = tag_word;
    word == t
        || word == format!("{t}s")
        || word == format!("{t}es")
        || t.strip_suffix('y').is_some_and(|stem| word == format!("{stem}ies"))
}

fn variant_name(value: &Value) -> String {
    match value {
        Value::String(s) => {
            let name = pascal(s);
            if s.trim().is_empty() { "Empty".to_string() } else { not_self(name) }
        }
        Value::Number(n) => match n.as_i64() {
            Some(i) if i < 0 => format!("Minus{}", i.unsigned_abs()),
            _ => format!("Value{n}"),
        },
        _ => "Value".to_string(),
    }
}

/// `Self` is the one PascalCase keyword; as a variant it becomes `SelfValue`.
fn not_self(name: String) -> String {
    if name == "Self" { "SelfValue".to_string() } else { name }
}

/// A union variant is named after its payload, minus the prefix it shares with
/// the union (`InvoiceVoidRequest` + `InvoiceVoidByOutletName` → `ByOutletName`).
fn union_variant_name(owner: &str, ty: &TypeRef, names: &[String]) -> String {
    let full = match ty {
        TypeRef::Named(id) => return strip_shared_prefix(owner, names.get(id.0).map_or("Type", String::as_str)),
        TypeRef::String => "String",
        TypeRef::Integer { .. } => "Integer",
        TypeRef::Number => "Number",
        TypeRef::Boolean => "Boolean",
        TypeRef::Timestamp => "Timestamp",
        TypeRef::Json => "Json",
        TypeRef::Array(_) => "Array",
        TypeRef::Map(_) => "Map",
        // Named after its schema: the other module's names are decided there.
        TypeRef::Foreign(f) => {
            return strip_shared_prefix(owner, &pascal(f.target.pointer.rsplit('/').next().unwrap_or("Type")));
        }
    };
    full.to_string()
}

fn strip_shared_prefix(owner: &str, name: &str) -> String {
    // Cut only at a word boundary: where the rest of `name` starts a new word.
    // Names are ASCII, but slicing is checked all the same.
    let shared = owner.bytes().zip(name.bytes()).take_while(|(a, b)| a == b).count();
    let rest =
        (1..=shared).rev().filter_map(|i| name.get(i..)).find(|r| r.starts_with(|c: char| c.is_ascii_uppercase()));
    match rest {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An `Api` with nothing in it, for a test to fill.
    fn empty_api() -> Api {
        Api {
            title: String::new(),
            version: String::new(),
            description: None,
            openapi: "3.1.0".into(),
            tags: Vec::new(),
            types: Vec::new(),
            operations: Vec::new(),
            webhooks: Vec::new(),
            examples: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    #[test]
    fn merged_types_are_named_by_the_words_their_names_share() {
        let all = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        let class = ["ListPromotionEventsType", "ListPromotionEventsPostType"];
        assert_eq!(merged_name(&class, &all(&class)), "ListPromotionEventsType");
        let class =
            ["InvoiceVoidByOutletNameFulfillment", "InvoiceCreateRequestDelivery", "InvoiceWithVariantFulfillment"];
        assert_eq!(merged_name(&class, &all(&class)), "InvoiceFulfillment");
        let class = ["AdjustmentSetCreateRequestStateId", "AdjustmentSetUpdateRequestStateId"];
        assert_eq!(merged_name(&class, &all(&class)), "AdjustmentSetRequestStateId");
        // Nothing in common at the start, or the name is another type's: the first name.
        let class = ["PromotionEventListRequestType", "ListPromotionEventsType"];
        assert_eq!(merged_name(&class, &all(&class)), "PromotionEventListRequestType");
        let class = ["InvoiceCreateFulfillment", "InvoiceUpdateFulfillment"];
        assert_eq!(merged_name(&class, &all(&class)), "InvoiceFulfillment");
        assert_eq!(merged_name(&class, &all(&["InvoiceFulfillment"])), "InvoiceCreateFulfillment");
    }

    #[test]
    fn identifiers_from_one_sanitiser() {
        assert_eq!(snake("ImageURL"), "image_url");
        assert_eq!(snake("Invoice_Count"), "invoice_count");
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("3D"), "_3d");
        assert_eq!(snake("$"), "field");
        assert_eq!(pascal("invoice-void request"), "InvoiceVoidRequest");
        assert_eq!(pascal("3dSecure"), "T3dSecure");
        assert_eq!(pascal("ü"), "Type");
        assert_eq!(kebab("Sales Order"), "sales-order");
        assert_eq!(kebab("OutboundLogistic"), "outbound-logistic");
        assert_eq!(kebab("_"), "tag");
    }

    #[test]
    fn collisions_get_suffixes_in_order() {
        let mut taken = Taken::default();
        assert_eq!(taken.claim("image_url", "_"), "image_url");
        assert_eq!(taken.claim("image_url", "_"), "image_url_2");
        assert_eq!(taken.claim("image_url", "_"), "image_url_3");
        assert_eq!(taken.claim("self_", "_"), "self_");
        assert_eq!(taken.claim("self_", "_"), "self_2");
    }

    #[test]
    fn webhook_paths_are_kebab_and_unique() {
        let hook = |key: &str| crate::ir::Webhook {
            key: key.into(),
            name: String::new(),
            path: String::new(),
            tag: None,
            summary: None,
            doc: None,
            payload: TypeRef::Json,
            source: None,
            evidence: None,
            origin: crate::error::Location::root("x.yaml"),
        };
        let mut api = empty_api();
        api.webhooks = ["shiftClose", "shift-close", "Unknown"].into_iter().map(hook).collect();
        assign(&mut api);
        let names: Vec<(&str, &str)> = api.webhooks.iter().map(|w| (w.name.as_str(), w.path.as_str())).collect();
        assert_eq!(
            names,
            [("ShiftClose", "/shift-close"), ("ShiftClose2", "/shift-close-2"), ("Unknown2", "/unknown")]
        );
    }

    #[test]
    fn method_names_drop_the_tag() {
        assert_eq!(method_name("voidInvoice", "Invoice"), "void");
        assert_eq!(method_name("listInvoicesWithTotalCount", "Invoice"), "list_with_total_count");
        assert_eq!(method_name("getSalesOrderDetail", "Sales Order"), "get_detail");
        assert_eq!(method_name("listCategories", "Category"), "list");
        assert_eq!(method_name("invoice", "Invoice"), "invoice");
        assert_eq!(method_name("createToken", "Token"), "create");
        assert_eq!(method_name("listTaxes", "Tax"), "list");
    }

    #[test]
    fn tag_names_avoid_the_runtime_and_each_other() {
        let api = |tags: &[&str]| {
            let mut api = empty_api();
            for tag in tags {
                api.tags.push(crate::ir::Tag { name: tag.to_string(), description: None });
            }
            api
        };
        let mut one = api(&["Sales Order", "SalesOrder", "Client", "Builder"]);
        for (i, tag) in ["SalesOrder", "Sales Order", "Builder", "Client", "Other"].into_iter().enumerate() {
            one.operations.push(crate::ir::Operation {
                id: format!("op{i}"),
                rust_name: String::new(),
                builder: String::new(),
                method: crate::ir::HttpMethod::Get,
                path: format!("/{i}"),
                tag: Some(tag.into()),
                summary: None,
                doc: None,
                parameters: Vec::new(),
                request: None,
                responses: Vec::new(),
                dealpos: Default::default(),
                origin: crate::error::Location::root("x.yaml"),
            });
        }
        let names = tags(&[&one]);
        let row = |n: &TagNames| format!("{} {} {} {} {}", n.tag, n.feature, n.group, n.accessor, n.module);
        let rows: Vec<String> = names.iter().map(row).collect();
        assert_eq!(
            rows,
            [
                "Sales Order sales-order SalesOrderApi sales_order sales_order",
                "SalesOrder sales-order-2 SalesOrderApi2 sales_order_2 sales_order_2",
                "Client client-2 ClientApi client client",
                "Builder builder BuilderApi builder_2 builder",
                "Other other OtherApi other other",
            ]
        );
    }

    #[test]
    fn union_variants_drop_the_shared_prefix() {
        assert_eq!(strip_shared_prefix("InvoiceVoidRequest", "InvoiceVoidByOutletName"), "ByOutletName");
        assert_eq!(strip_shared_prefix("Pet", "Cat"), "Cat");
        assert_eq!(strip_shared_prefix("Shape", "Shape"), "Shape");
        assert_eq!(variant_name(&Value::from("Sent")), "Sent");
        assert_eq!(variant_name(&Value::from(-2)), "Minus2");
        assert_eq!(variant_name(&Value::from("")), "Empty");
        assert_eq!(variant_name(&Value::from("self")), "SelfValue");
        assert_eq!(strip_shared_prefix("Foo", "FooSelf"), "Self");
    }
}
