//! Every example in DealPOS's descriptions (as corrected by the overlays) is
//! valid against its schema, checked by an independent JSON Schema validator
//! (draft 2020-12, which OpenAPI 3.1 schemas are). That each also decodes into
//! its generated type is checked by the generated crate's own example tests.

use std::path::Path;

use dealpos_generator::{load, overlay};
use serde_json::json;

const BASE: &str = "https://dealpos-rs.invalid/spec.json";

/// The description at `file`, with the overlays that extend it applied.
fn overlaid(root: &Path, file: &str) -> load::Source {
    let mut doc = load::load(&root.join("spec").join(file)).unwrap();
    let mut overlays: Vec<_> =
        std::fs::read_dir(root.join("spec/overlays")).unwrap().map(|e| e.unwrap().path()).collect();
    overlays.sort();
    for path in overlays {
        let o = load::load(&path).unwrap();
        if overlay::extends(&o).unwrap() == file {
            overlay::apply(&mut doc, &o).unwrap();
        }
    }
    doc
}

/// The pointer of the schema an example documents: the media type's schema
/// (`…/content/<type>/example`, `…/examples/<name>/value`) or the schema the
/// example sits in (`…/example`, `…/examples/<i>`).
fn schema_of(example: &str) -> String {
    let parent = |p: &str| p.rsplit_once('/').map(|(a, _)| a.to_string()).unwrap_or_default();
    let owner = if example.ends_with("/value") {
        parent(&parent(&parent(example)))
    } else if example.ends_with("/example") {
        parent(example)
    } else {
        parent(&parent(example))
    };
    let is_media = owner.rsplit('/').nth(1) == Some("content");
    if is_media { format!("{owner}/schema") } else { owner }
}

/// A JSON pointer as a URI fragment.
fn fragment(pointer: &str) -> String {
    pointer.replace('%', "%25").replace('{', "%7B").replace('}', "%7D").replace(' ', "%20")
}

#[test]
fn every_example_is_valid_against_its_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut failures = Vec::new();
    let mut checked = 0;
    let files = [("dealpos-api.yaml", "models"), ("dealpos-webhooks.yaml", "webhooks")];
    let docs: Vec<load::Source> = files.iter().map(|(file, _)| overlaid(root, file)).collect();
    // Together: the webhooks refer to the REST description's types.
    let described: Vec<_> = docs.iter().zip(files).map(|(doc, (_, module))| (doc, module)).collect();
    let apis = dealpos_generator::ir::build_all(&described, &dealpos_generator::ir::from_disk).unwrap();
    for (((file, module), doc), api) in files.into_iter().zip(&docs).zip(&apis) {
        assert!(!api.examples.is_empty(), "{file} has no examples");
        // The other description sits beside it, where its `$ref`s by file name find it.
        let mut registry = jsonschema::Registry::new().add(BASE, doc.value.clone()).unwrap();
        for ((other, _), other_doc) in files.iter().zip(&docs).filter(|((other, _), _)| *other != file) {
            registry = registry.add(format!("https://dealpos-rs.invalid/{other}"), other_doc.value.clone()).unwrap();
        }
        let registry = registry.prepare().unwrap();
        let validator_for = |schema: &str| {
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .with_registry(&registry)
                .build(&json!({"$ref": format!("{BASE}#{}", fragment(schema))}))
                .unwrap_or_else(|e| panic!("{file}#{schema}: {e}"))
        };
        // The validator sees the schemas: a wrong type is caught.
        let probe = if module == "webhooks" {
            "/components/schemas/ShiftClosePayload"
        } else {
            "/components/schemas/TokenResponse"
        };
        assert!(!validator_for(probe).is_valid(&json!({"TotalInvoice": "two", "expires_in": "soon"})));
        for example in &api.examples {
            let schema = schema_of(&example.origin.pointer);
            assert!(doc.value.pointer(&schema).is_some(), "{}: no schema at {schema}", example.origin);
            let validator = validator_for(&schema);
            // The document's example: the IR drops the paging keys from those of paged
            // bodies (the client sends them), which the schema still requires.
            let value = doc.value.pointer(&example.origin.pointer).unwrap_or(&example.value);
            for error in validator.iter_errors(value) {
                failures.push(format!("{} ({module}): at {}: {error}", example.origin, error.instance_path()));
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{} of {checked} examples invalid:\n{}", failures.len(), failures.join("\n"));
    assert!(checked > 100, "only {checked} examples checked");
}

#[test]
fn schema_of_follows_the_example_to_its_schema() {
    assert_eq!(
        schema_of("/paths/~1a/get/responses/200/content/application~1json/example"),
        "/paths/~1a/get/responses/200/content/application~1json/schema"
    );
    assert_eq!(
        schema_of("/webhooks/x/post/requestBody/content/application~1json/examples/one/value"),
        "/webhooks/x/post/requestBody/content/application~1json/schema"
    );
    assert_eq!(schema_of("/components/schemas/A/properties/b/examples/0"), "/components/schemas/A/properties/b");
    assert_eq!(schema_of("/components/schemas/A/example"), "/components/schemas/A");
}
