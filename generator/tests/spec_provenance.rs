//! Every fact of DealPOS's descriptions says where it comes from
//! (`x-dealpos-source: seed | reference | observed | inferred`, spec/README.md):
//! every operation, webhook event, union alternative and media-type example
//! (after the overlays, so an example an overlay writes is checked too). An
//! inferred one says why (`x-dealpos-evidence`). And no overlay reason claims
//! a type the reference does not print (the small list in `UNTYPED`).

use std::path::{Path, PathBuf};

use dealpos_generator::{load, overlay};
use serde_json::Value;

const SOURCES: [&str; 4] = ["seed", "reference", "observed", "inferred"];
const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Schemas (and properties) whose types the reference does not print, only
/// example values (rest-bill.md, rest-transferorder.md, rest-variant.md,
/// rest-product.md's create body, rest-promotion-coupon.md): an overlay reason
/// naming one of them may not say DealPOS types it.
const UNTYPED: [&str; 8] = [
    "BillRequest'",
    "BillRequest.",
    "BillRequestVariant",
    "TransferOrderVariant",
    "PromotionCoupon.",
    "VariantUpdateByCodeRequest",
    "VariantAddItem",
    "ProductCreateVariant",
];

/// Phrases by which a reason claims a source.
const TYPE_CLAIMS: [&str; 2] = ["typed integer", "typed as"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn overlays(root: &Path) -> Vec<load::Source> {
    let mut paths: Vec<_> = std::fs::read_dir(root.join("spec/overlays")).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    paths.into_iter().map(|p| load::load(&p).unwrap()).collect()
}

fn overlaid(root: &Path, file: &str) -> Value {
    let mut doc = load::load(&root.join("spec").join(file)).unwrap();
    for o in overlays(root) {
        if overlay::extends(&o).unwrap() == file {
            overlay::apply(&mut doc, &o).unwrap();
        }
    }
    doc.value
}

/// What is wrong with the provenance of the object at `at`, if anything.
fn check(at: &str, node: &Value, problems: &mut Vec<String>) {
    match node.get("x-dealpos-source").and_then(Value::as_str) {
        None => problems.push(format!("{at}: no x-dealpos-source")),
        Some(s) if !SOURCES.contains(&s) => {
            problems.push(format!("{at}: x-dealpos-source `{s}` is not one of {SOURCES:?}"))
        }
        Some("inferred") if node.get("x-dealpos-evidence").and_then(Value::as_str).is_none_or(str::is_empty) => {
            problems.push(format!("{at}: inferred without x-dealpos-evidence"))
        }
        Some(_) => {}
    }
}

/// The target of a local `$ref`, or the node itself.
fn resolve<'a>(doc: &'a Value, node: &'a Value) -> (String, &'a Value) {
    match node.get("$ref").and_then(Value::as_str) {
        Some(r) if r.starts_with('#') => (r.to_string(), doc.pointer(&r[1..]).unwrap_or(node)),
        _ => (String::new(), node),
    }
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Every media type (request bodies and responses) of an operation, with its pointer.
fn media_types<'a>(doc: &'a Value, at: &str, op: &'a Value) -> Vec<(String, &'a Value)> {
    let mut out = Vec::new();
    let mut bodies = Vec::new();
    if let Some(body) = op.get("requestBody") {
        bodies.push((format!("{at}/requestBody"), body));
    }
    for (status, response) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
        bodies.push((format!("{at}/responses/{status}"), response));
    }
    for (body_at, body) in bodies {
        let (target, body) = resolve(doc, body);
        let body_at = if target.is_empty() { body_at } else { target };
        for (media, mt) in body.get("content").and_then(Value::as_object).into_iter().flatten() {
            out.push((format!("{body_at}/content/{}", escape(media)), mt));
        }
    }
    out
}

fn walk_unions(doc: &Value, at: &str, node: &Value, problems: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            for key in ["oneOf", "anyOf"] {
                for (i, alt) in map.get(key).and_then(Value::as_array).into_iter().flatten().enumerate() {
                    // `{type: 'null'}` is nullability, not an alternative.
                    if alt.get("type").and_then(Value::as_str) == Some("null") && alt.as_object().unwrap().len() == 1 {
                        continue;
                    }
                    let (target, alt) = resolve(doc, alt);
                    let alt_at = if target.is_empty() { format!("{at}/{key}/{i}") } else { target };
                    check(&alt_at, alt, problems);
                }
            }
            for (k, v) in map {
                walk_unions(doc, &format!("{at}/{}", escape(k)), v, problems);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk_unions(doc, &format!("{at}/{i}"), v, problems);
            }
        }
        _ => {}
    }
}

fn problems_of(doc: &Value, file: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for section in ["paths", "webhooks"] {
        for (key, item) in doc.get(section).and_then(Value::as_object).into_iter().flatten() {
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let at = format!("{file}#/{section}/{}/{method}", escape(key));
                check(&at, op, &mut problems);
                for (mt_at, mt) in media_types(doc, &at, op) {
                    if mt.get("example").is_some() {
                        check(&format!("{mt_at} (example)"), mt, &mut problems);
                    }
                    for (name, ex) in mt.get("examples").and_then(Value::as_object).into_iter().flatten() {
                        let (_, ex) = resolve(doc, ex);
                        check(&format!("{mt_at}/examples/{}", escape(name)), ex, &mut problems);
                    }
                }
            }
        }
    }
    walk_unions(doc, &format!("{file}#"), doc, &mut problems);
    problems.sort();
    problems.dedup();
    problems
}

#[test]
fn every_operation_event_alternative_and_example_has_a_provenance() {
    let root = root();
    let mut problems = Vec::new();
    for file in ["dealpos-api.yaml", "dealpos-webhooks.yaml"] {
        problems.extend(problems_of(&overlaid(&root, file), file));
    }
    assert!(problems.is_empty(), "provenance missing or malformed:\n{}", problems.join("\n"));
}

#[test]
fn overlay_reasons_claim_no_type_the_reference_does_not_print() {
    let mut problems = Vec::new();
    for o in overlays(&root()) {
        for (i, action) in o.value.get("actions").and_then(Value::as_array).into_iter().flatten().enumerate() {
            let target = action.get("target").and_then(Value::as_str).unwrap_or_default();
            let reason = action.get("description").and_then(Value::as_str).unwrap_or_default();
            if reason.trim().is_empty() {
                problems.push(format!("{}: action {i} ({target}) has no reason", o.name));
            }
            let untyped = UNTYPED.iter().any(|s| target.contains(s));
            if untyped && TYPE_CLAIMS.iter().any(|c| reason.contains(c)) {
                problems.push(format!(
                    "{}: action {i} ({target}) says DealPOS types it; the reference prints no type",
                    o.name
                ));
            }
            // No webhook delivery has been observed: a webhook reason may not say values arrive.
            if o.name.ends_with("dealpos-webhooks.yaml") && reason.contains("arrive as") {
                problems
                    .push(format!("{}: action {i} ({target}) claims what deliveries carry; none was observed", o.name));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_check_catches_what_it_should() {
    let doc: Value = serde_json::json!({
        "paths": {"/X": {"get": {"responses": {"200": {"content": {"application/json": {
            "schema": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/A"}, {"type": "string", "x-dealpos-source": "seed"}]},
            "example": 1}}}}}}},
        "webhooks": {"e": {"post": {"x-dealpos-source": "inferred"}}},
        "components": {"schemas": {"A": {"type": "object"}}}
    });
    let problems = problems_of(&doc, "t.yaml");
    assert_eq!(
        problems,
        [
            "#/components/schemas/A: no x-dealpos-source",
            "t.yaml#/paths/~1X/get/responses/200/content/application~1json (example): no x-dealpos-source",
            "t.yaml#/paths/~1X/get: no x-dealpos-source",
            "t.yaml#/webhooks/e/post: inferred without x-dealpos-evidence",
        ]
    );
}
