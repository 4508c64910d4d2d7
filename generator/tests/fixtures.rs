//! Fixture descriptions through the whole pipeline: snapshots of the emitted
//! code, determinism, and the diagnostics for bad input.

use dealpos_generator::load::parse;
use dealpos_generator::{CrateInfo, Generated, generate_from};

fn info() -> CrateInfo {
    CrateInfo { name: "fixture".into(), version: "0.0.0".into() }
}

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn run(name: &str, module: &str) -> Generated {
    let source = parse(name, &fixture(name)).unwrap();
    generate_from(&info(), vec![(source, module.into())], &[]).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn openapi_30_snapshot() {
    let out = run("v30.yaml", "models");
    insta::assert_snapshot!("v30_models", out.files["src/models.rs"]);
}

#[test]
fn openapi_31_snapshot() {
    let out = run("v31.yaml", "webhooks");
    insta::assert_snapshot!("v31_webhooks", out.files["src/webhooks.rs"]);
    let warnings: Vec<String> = out.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        ["warning: v31.yaml#/components/schemas/Item/properties/Coupon/type: type `null`: modelled as any JSON value"]
    );
}

#[test]
fn regenerating_gives_identical_bytes() {
    for (name, module) in [("v30.yaml", "models"), ("v31.yaml", "webhooks")] {
        assert_eq!(run(name, module).files, run(name, module).files, "{name}");
    }
}

fn error_of(text: &str) -> String {
    let result = parse("bad.yaml", text).and_then(|s| generate_from(&info(), vec![(s, "models".into())], &[]));
    match result {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn malformed_yaml_names_file_and_pointer() {
    let err = error_of("openapi: 3.1.0\ncomponents:\n  schemas:\n    A:\n      type: [string\n");
    assert!(err.starts_with("bad.yaml:"), "{err}");
    assert!(err.contains("#/components/schemas/A/type"), "{err}");
}

#[test]
fn dangling_ref_names_file_and_pointer() {
    let err = error_of(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    A:\n      properties:\n        b: {$ref: '#/components/schemas/Missing'}\n",
    );
    assert_eq!(
        err,
        "error: bad.yaml#/components/schemas/A/properties/b/$ref: dangling `$ref`: `#/components/schemas/Missing` does not exist in bad.yaml"
    );
}

#[test]
fn unsupported_construct_names_file_and_pointer() {
    let err = error_of(
        "openapi: 3.0.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    A:\n      properties:\n        b: {not: {type: string}}\n",
    );
    assert_eq!(err, "error: bad.yaml#/components/schemas/A/properties/b/not: `not` is not supported");
}

#[test]
fn unreadable_ref_file_names_file_and_pointer() {
    let err = error_of(
        "openapi: 3.0.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    A: {$ref: 'other.yaml#/B'}\n",
    );
    assert_eq!(
        err,
        "error: bad.yaml#/components/schemas/A/$ref: `$ref: other.yaml#/B`: other.yaml: cannot read: No such file or directory (os error 2)"
    );
}

#[test]
fn dealpos_descriptions_regenerate_identically() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let config = dealpos_generator::Config {
        crate_info: info(),
        specs: [("dealpos-api.yaml", "models"), ("dealpos-webhooks.yaml", "webhooks")]
            .into_iter()
            .map(|(file, module)| dealpos_generator::SpecInput {
                path: root.join("spec").join(file),
                module: module.into(),
            })
            .collect(),
        overlays: vec![root.join("spec/overlays/dealpos-api.yaml"), root.join("spec/overlays/dealpos-webhooks.yaml")],
    };
    let first = dealpos_generator::generate(&config).unwrap();
    let second = dealpos_generator::generate(&config).unwrap();
    assert_eq!(first.files, second.files);
}
