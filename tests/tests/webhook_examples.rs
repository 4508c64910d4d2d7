//! `WebhookKind::example()`, the test helper users feed to their handlers:
//! every kind gives the description's example (or `None` where it has none),
//! and each example decodes into its kind's typed payload with nothing lost.

use std::path::Path;

use dealpos::webhooks::{WebhookEvent, WebhookKind};
use dealpos_generator::{Config, CrateInfo, SpecInput};
use serde_json::Value;

/// Each kind with the first example of its payload in the description (with
/// the overlays applied), as the generator's IR has it.
fn first_spec_examples() -> Vec<(WebhookKind, Option<Value>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ is inside the workspace");
    let config = Config {
        crate_info: CrateInfo { name: "dealpos".into(), version: "0.0.0".into() },
        // The REST description too: the webhook payloads hold some of its types.
        specs: vec![
            SpecInput { path: root.join("spec/dealpos-webhooks.yaml"), module: "webhooks".into() },
            SpecInput { path: root.join("spec/dealpos-api.yaml"), module: "models".into() },
        ],
        overlays: vec![root.join("spec/overlays/dealpos-webhooks.yaml"), root.join("spec/overlays/dealpos-api.yaml")],
    };
    let generated = dealpos_generator::generate(&config).expect("the webhook description generates");
    let api = &generated.modules[0].api;
    api.webhooks
        .iter()
        .map(|hook| {
            let kind = WebhookKind::from_name(&hook.key).expect("every webhook of the description is a kind");
            let within = |pointer: &str| {
                pointer.strip_prefix(hook.origin.pointer.as_str()).is_some_and(|r| r.is_empty() || r.starts_with('/'))
            };
            let example = api.examples.iter().find(|e| e.ty == hook.payload && within(&e.origin.pointer));
            (kind, example.map(|e| e.value.clone()))
        })
        .collect()
}

#[test]
fn every_kind_gives_the_first_example_of_its_description() {
    let spec = first_spec_examples();
    assert_eq!(spec.len(), WebhookKind::ALL.len(), "one kind per webhook of the description");
    for (kind, expected) in spec {
        let given = kind.example().map(|text| {
            serde_json::from_str::<Value>(text).unwrap_or_else(|e| panic!("{kind}: example() is not JSON: {e}"))
        });
        assert_eq!(given, expected, "{kind}: example() is not the description's first example");
    }
}

#[test]
fn every_example_decodes_into_its_kinds_typed_payload_and_back_unchanged() {
    let mut without = Vec::new();
    for &kind in WebhookKind::ALL {
        let Some(text) = kind.example() else {
            without.push(kind);
            continue;
        };
        let event = WebhookEvent::parse(kind, text.as_bytes()).unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(event.kind(), Some(kind), "{kind}: decoded as {event:?}");
        let sent: Value = serde_json::from_str(text).expect("example() is JSON");
        assert!(sent.as_object().is_some_and(|o| !o.is_empty()), "{kind}: the example is an empty object");
        // Every field of the example has a place in the typed payload (a `null`
        // is `None`, which is not sent back: absent and `null` are one for DealPOS's types).
        assert_eq!(
            without_nulls(event.to_json()),
            without_nulls(sent),
            "{kind}: the typed payload drops or changes something"
        );
        // By name, as the receiver's paths give it, too.
        assert_eq!(WebhookEvent::parse_named(kind.name(), text.as_bytes()).ok(), Some(event));
    }
    // The reference shows no payload for these two (their operations are x-dealpos-partial).
    assert_eq!(without, [WebhookKind::InvoiceDeleted, WebhookKind::InvoiceErased], "kinds without an example");
}

/// `value` without its `null` object properties, at any depth.
fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, without_nulls(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}
