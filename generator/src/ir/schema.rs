//! Reading one schema object, OpenAPI 3.0 or 3.1, into the facts the IR needs.
//! This is where the two dialects are normalised: a 3.1 type array
//! (`[string, 'null']`), a 3.0 `nullable: true`, a `null` enum value or a
//! `{type: 'null'}` alternative all become "nullable".

use serde_json::{Map, Value};

use crate::error::{Diagnostic, Location};

/// Keywords that change the shape of a value and that we do not model. Each
/// is an error rather than an approximation: the reference they make is not
/// resolved, so the type would be a guess.
const UNSUPPORTED: &[&str] = &["$dynamicRef"];

/// Keywords that only validate: they say which values are valid, not what a
/// valid value looks like, so the type the rest of the schema describes is
/// generated and the keyword ignored, with a warning naming its pointer
/// (the crate accepts some values the description rejects, never the
/// reverse). `patternProperties` and `prefixItems` also shape the value and
/// are read in [`facts`], approximated.
const VALIDATION_ONLY: &[&str] =
    &["not", "if", "then", "else", "dependentSchemas", "unevaluatedProperties", "unevaluatedItems", "contains"];

/// "Any value": what `patternProperties` and `prefixItems` widen to when
/// their schemas cannot be one Rust type.
static ANY: Value = Value::Bool(true);

/// Keywords that only constrain or annotate values; they do not change the
/// Rust type, so they are read (or deliberately not) without a diagnostic.
const KNOWN: &[&str] = &[
    "type",
    "format",
    "properties",
    "required",
    "items",
    "additionalProperties",
    "description",
    "title",
    "example",
    "examples",
    "enum",
    "const",
    "nullable",
    "allOf",
    "oneOf",
    "anyOf",
    "$ref",
    "default",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "multipleOf",
    "readOnly",
    "writeOnly",
    "deprecated",
    "externalDocs",
    "xml",
    "discriminator",
    "$schema",
    "$id",
    "$comment",
    "contentMediaType",
    "contentEncoding",
    "contentSchema",
    "propertyNames",
    "$defs",
    "$anchor",
    "$dynamicAnchor",
    "maxContains",
    "minContains",
    "dependentRequired",
];

/// The facts of one schema object.
#[derive(Debug)]
pub(super) struct Facts<'a> {
    /// `type`, with `null` removed.
    pub types: Vec<&'a str>,
    /// Whether `null` is allowed.
    pub nullable: bool,
    /// `format`.
    pub format: Option<&'a str>,
    /// `enum` (or `const`) values, `null` removed.
    pub values: Option<Vec<Value>>,
    /// `oneOf` or `anyOf` alternatives, `{type: 'null'}` removed.
    pub alternatives: Option<(&'static str, Vec<(usize, &'a Value)>)>,
    /// `allOf` parts.
    pub all_of: Option<&'a [Value]>,
    /// `properties`.
    pub properties: Option<&'a Map<String, Value>>,
    /// `additionalProperties`, if it admits anything.
    pub additional: Option<&'a Value>,
    /// `items`.
    pub items: Option<&'a Value>,
    /// `$ref`.
    pub reference: Option<&'a str>,
}

/// Reads the facts of `schema`; unsupported keywords become errors,
/// validation-only and unknown ones warnings, pushed on `out`.
pub(super) fn facts<'a>(at: &Location, schema: &'a Value, out: &mut Vec<Diagnostic>) -> Facts<'a> {
    let empty = Facts {
        types: Vec::new(),
        nullable: false,
        format: None,
        values: None,
        alternatives: None,
        all_of: None,
        properties: None,
        additional: None,
        items: None,
        reference: None,
    };
    let Some(map) = schema.as_object() else {
        // `true` is "anything"; `false` is "nothing", which no value fits.
        if schema != &Value::Bool(true) {
            out.push(Diagnostic::error(at.clone(), "a schema must be an object or `true`"));
        }
        return empty;
    };
    for key in map.keys() {
        if UNSUPPORTED.contains(&key.as_str()) {
            out.push(Diagnostic::error(at.join(key), format!("`{key}` is not supported")));
        } else if VALIDATION_ONLY.contains(&key.as_str()) {
            out.push(Diagnostic::warning(at.join(key), format!("`{key}` only validates values: ignored")));
        } else if matches!(key.as_str(), "patternProperties" | "prefixItems") {
            // Read below, where the approximation is decided and warned about.
        } else if !KNOWN.contains(&key.as_str()) && !key.starts_with("x-") {
            out.push(Diagnostic::warning(at.join(key), format!("unknown keyword `{key}` ignored")));
        }
    }
    let mut facts = empty;
    facts.nullable = map.get("nullable").and_then(Value::as_bool).unwrap_or(false);
    match map.get("type") {
        Some(Value::String(t)) => facts.types.push(t),
        Some(Value::Array(ts)) => {
            for (i, t) in ts.iter().enumerate() {
                match t.as_str() {
                    Some(t) => facts.types.push(t),
                    None => out.push(Diagnostic::error(at.join("type").join(i), "a type must be a string")),
                }
            }
        }
        Some(_) => out.push(Diagnostic::error(at.join("type"), "`type` must be a string or a list of strings")),
        None => {}
    }
    if facts.types.contains(&"null") {
        facts.nullable = true;
        facts.types.retain(|t| *t != "null");
        if facts.types.is_empty() {
            // `type: 'null'` alone: kept so callers can tell it from "no type".
            facts.types.push("null");
        }
    }
    facts.format = map.get("format").and_then(Value::as_str);
    let values = match (map.get("enum"), map.get("const")) {
        (Some(Value::Array(values)), _) => Some(values.clone()),
        (Some(_), _) => {
            out.push(Diagnostic::error(at.join("enum"), "`enum` must be a list"));
            None
        }
        (None, Some(value)) => Some(vec![value.clone()]),
        (None, None) => None,
    };
    if let Some(mut values) = values {
        if values.iter().any(Value::is_null) {
            facts.nullable = true;
            values.retain(|v| !v.is_null());
        }
        facts.values = Some(values);
    }
    for keyword in ["oneOf", "anyOf"] {
        match map.get(keyword) {
            Some(Value::Array(alts)) => {
                let mut kept = Vec::new();
                for (i, alt) in alts.iter().enumerate() {
                    if alt.get("type").and_then(Value::as_str) == Some("null")
                        && alt.as_object().is_some_and(|m| m.len() == 1)
                    {
                        facts.nullable = true;
                    } else {
                        kept.push((i, alt));
                    }
                }
                if facts.alternatives.is_some() {
                    out.push(Diagnostic::warning(at.join(keyword), "both `oneOf` and `anyOf`: only `oneOf` is used"));
                } else {
                    facts.alternatives = Some((keyword, kept));
                }
            }
            Some(_) => out.push(Diagnostic::error(at.join(keyword), format!("`{keyword}` must be a list"))),
            None => {}
        }
    }
    match map.get("allOf") {
        Some(Value::Array(parts)) => facts.all_of = Some(parts),
        Some(_) => out.push(Diagnostic::error(at.join("allOf"), "`allOf` must be a list")),
        None => {}
    }
    match map.get("properties") {
        Some(Value::Object(props)) => facts.properties = Some(props),
        Some(_) => out.push(Diagnostic::error(at.join("properties"), "`properties` must be a mapping")),
        None => {}
    }
    facts.additional = map.get("additionalProperties").filter(|v| **v != Value::Bool(false));
    facts.items = map.get("items");
    if let Some(patterns) = map.get("patternProperties") {
        facts.additional = Some(pattern_properties(at, patterns, facts.additional, out));
    }
    if let Some(prefix) = map.get("prefixItems") {
        facts.items = Some(prefix_items(at, prefix, facts.items, out));
    }
    match map.get("$ref") {
        Some(Value::String(r)) => facts.reference = Some(r),
        Some(_) => out.push(Diagnostic::error(at.join("$ref"), "`$ref` must be a string")),
        None => {}
    }
    facts
}

/// `patternProperties`: a map whose values are the patterns' schema when
/// every pattern (and `additionalProperties`, if any) has the same one, else
/// any JSON value. Which keys match which pattern is not checked.
fn pattern_properties<'a>(
    at: &Location,
    patterns: &'a Value,
    additional: Option<&'a Value>,
    out: &mut Vec<Diagnostic>,
) -> &'a Value {
    let at = at.join("patternProperties");
    let Some(patterns) = patterns.as_object() else {
        out.push(Diagnostic::error(at, "`patternProperties` must be a mapping"));
        return &ANY;
    };
    let mut schemas = patterns.values().chain(additional);
    let value = match schemas.next() {
        Some(first) if schemas.all(|s| s == first) => first,
        _ => &ANY,
    };
    let what = if std::ptr::eq(value, &ANY) { "any JSON value" } else { "the patterns' schema" };
    out.push(Diagnostic::warning(at, format!("`patternProperties`: a map of {what}; key patterns are not checked")));
    value
}

/// `prefixItems`: a list of one type when every position (and `items`, the
/// rest, if any) has the same schema, else a list of any JSON value;
/// positions are not typed as a tuple.
fn prefix_items<'a>(
    at: &Location,
    prefix: &'a Value,
    items: Option<&'a Value>,
    out: &mut Vec<Diagnostic>,
) -> &'a Value {
    let at = at.join("prefixItems");
    let Some(prefix) = prefix.as_array() else {
        out.push(Diagnostic::error(at, "`prefixItems` must be a list"));
        return &ANY;
    };
    // `items: false` closes the list after the prefix: no further schema.
    let rest = items.filter(|i| **i != Value::Bool(false));
    let mut schemas = prefix.iter().chain(rest);
    let value = match schemas.next() {
        Some(first) if schemas.all(|s| s == first) => first,
        _ => &ANY,
    };
    let what = if std::ptr::eq(value, &ANY) { "any JSON value" } else { "the positions' schema" };
    out.push(Diagnostic::warning(at, format!("`prefixItems`: a list of {what}, positions not typed")));
    value
}

/// The schema's doc text: title and description, when present.
pub(super) fn doc(schema: &Value) -> Option<String> {
    let title = schema.get("title").and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    let description = schema.get("description").and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    match (title, description) {
        (Some(t), Some(d)) if t != d => Some(format!("{t}\n\n{d}")),
        (Some(t), _) => Some(t.to_string()),
        (None, Some(d)) => Some(d.to_string()),
        (None, None) => None,
    }
}
