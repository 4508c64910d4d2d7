//! Fixture descriptions through the whole pipeline: snapshots of the emitted
//! code, determinism, and the diagnostics for bad input.

mod support;

use dealpos_generator::load::parse;
use dealpos_generator::{CrateInfo, Generated, generate_from};
use support::CONSTRUCTS;

fn info() -> CrateInfo {
    CrateInfo { name: "fixture".into(), version: "0.0.0".into() }
}

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The text of module `name`: its file, or each file of its directory (one
/// per tag) under a line naming it.
fn module_text(out: &Generated, name: &str) -> String {
    if let Some(text) = out.files.get(&format!("src/{name}.rs")) {
        return text.clone();
    }
    let dir = format!("src/{name}/");
    let files = out.files.iter().filter(|(path, _)| path.starts_with(&dir));
    files.map(|(path, text)| format!("// ==> {path}\n{text}")).collect::<Vec<_>>().join("\n")
}

fn run(name: &str, module: &str) -> Generated {
    let source = parse(name, &fixture(name)).unwrap();
    generate_from(&info(), vec![(source, module.into())], &[]).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn openapi_30_snapshot() {
    let out = run("v30.yaml", "models");
    insta::assert_snapshot!("v30_models", module_text(&out, "models"));
}

#[test]
fn openapi_31_snapshot() {
    let out = run("v31.yaml", "webhooks");
    insta::assert_snapshot!("v31_webhooks", module_text(&out, "webhooks"));
    let warnings: Vec<String> = out.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        ["warning: v31.yaml#/components/schemas/Item/properties/Coupon/type: type `null`: modelled as any JSON value"]
    );
}

/// The emitted module, and the warnings (approximations) with their places.
fn construct_snapshot(name: &str, out: &Generated) {
    let stem = support::stem(name).replace('/', "_");
    insta::assert_snapshot!(format!("{stem}_models"), module_text(out, "models"));
    let warnings: Vec<String> = out.warnings.iter().map(ToString::to_string).collect();
    insta::assert_debug_snapshot!(format!("{stem}_warnings"), warnings);
}

#[test]
fn construct_snapshots() {
    for name in CONSTRUCTS {
        construct_snapshot(name, &run(name, "models"));
    }
}

/// `$ref`s into other files, read relative to the referring file (the path
/// is relative to this crate's directory, where tests run).
#[test]
fn external_refs_snapshot() {
    let name = "tests/fixtures/external/main.yaml";
    let source = parse(name, &fixture("external/main.yaml")).unwrap();
    let out = generate_from(&info(), vec![(source, "models".into())], &[]).unwrap_or_else(|e| panic!("{e}"));
    construct_snapshot("external", &out);
    let origins: Vec<String> = out.modules[0].api.types.iter().map(|t| format!("{} {}", t.name, t.origin)).collect();
    insta::assert_debug_snapshot!("external_origins", origins);
}

/// The two descriptions of `tests/fixtures/cross/` (`hooks.yaml` refers to
/// `api.yaml`'s types), in the order given.
fn cross(order: [(&str, &str); 2]) -> Generated {
    let specs = order
        .iter()
        .map(|(file, module)| {
            let name = format!("tests/fixtures/cross/{file}");
            (parse(&name, &fixture(&format!("cross/{file}"))).unwrap(), module.to_string())
        })
        .collect();
    generate_from(&info(), specs, &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// `$ref`s across descriptions: the webhook module names the API's types
/// (`crate::models::Line`, a payload that is one) and has no copies of them;
/// the API types a webhook holds, and what they hold, are compiled with
/// `webhooks` too. The order of the descriptions does not matter.
#[test]
fn cross_description_refs_snapshot() {
    let out = cross([("api.yaml", "models"), ("hooks.yaml", "webhooks")]);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let (models, webhooks) = (module_text(&out, "models"), module_text(&out, "webhooks"));
    insta::assert_snapshot!("cross_models", models);
    insta::assert_snapshot!("cross_webhooks", webhooks);
    let reversed = cross([("hooks.yaml", "webhooks"), ("api.yaml", "models")]);
    assert_eq!(module_text(&reversed, "models"), models);
    assert_eq!(module_text(&reversed, "webhooks"), webhooks);
}

/// Operations: path-level parameters, overrides, Rust names (collisions,
/// keywords, `body`), ids derived from method and path.
#[test]
fn parameters_ir_snapshot() {
    let out = run("parameters.yaml", "models");
    let operations: String =
        out.files.iter().filter(|(path, _)| path.starts_with("src/operations/")).map(|(_, t)| t.as_str()).collect();
    let mut text = String::new();
    for op in &out.modules[0].api.operations {
        text.push_str(&format!(
            "{} {} id={} method={} builder={}\n",
            op.method, op.path, op.id, op.rust_name, op.builder
        ));
        // The names the IR holds are the ones the crate uses.
        assert!(operations.contains(&format!("pub fn {}(", op.rust_name)), "method {}", op.rust_name);
        assert!(operations.contains(&format!("pub struct {}<'a>", op.builder)), "builder {}", op.builder);
        for p in &op.parameters {
            text.push_str(&format!(
                "  {} {:?} -> {} required={} ty={:?} from {}\n",
                p.place, p.name, p.rust_name, p.required, p.ty, p.origin.pointer
            ));
            let (setter, argument) = (format!("pub fn {}(mut self", p.rust_name), format!("{}: ", p.rust_name));
            assert!(operations.contains(&setter) || operations.contains(&argument), "parameter {}", p.rust_name);
        }
    }
    insta::assert_snapshot!("parameters_ir", text);
}

/// Every description in `tests/fixtures/` is tested: a new one left out of
/// `support::CONSTRUCTS` would be neither snapshotted nor compiled.
#[test]
fn every_fixture_is_listed() {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".yaml"))
        .collect();
    found.sort();
    // The version fixtures have their own tests above.
    let mut listed: Vec<String> = ["v30.yaml", "v31.yaml"].iter().chain(CONSTRUCTS).map(ToString::to_string).collect();
    listed.sort();
    assert_eq!(found, listed, "tests/fixtures/*.yaml and support::CONSTRUCTS differ");
}

#[test]
fn regenerating_gives_identical_bytes() {
    let all =
        [("v30.yaml", "models"), ("v31.yaml", "webhooks")].into_iter().chain(CONSTRUCTS.iter().map(|c| (*c, "models")));
    for (name, module) in all {
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
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    A:\n      properties:\n        b: {$dynamicRef: '#node'}\n",
    );
    assert_eq!(err, "error: bad.yaml#/components/schemas/A/properties/b/$dynamicRef: `$dynamicRef` is not supported");
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

/// The manifest speaks of the description it was generated from, not of
/// DealPOS: description and keywords come from `info`.
#[test]
fn manifest_metadata_comes_from_the_description() {
    let out = run("untagged.yaml", "models");
    let manifest = &out.files["Cargo.toml"];
    assert!(
        manifest.contains(
            "description = \"Typed Rust SDK for Untagged unions that keep data, generated from its OpenAPI description.\"\n"
        ),
        "{manifest}"
    );
    assert!(manifest.contains("keywords = [\"untagged\", \"unions\", \"keep\", \"openapi\", \"sdk\"]\n"), "{manifest}");
    assert!(!manifest.to_lowercase().contains("dealpos\""), "{manifest}");
    let text = "openapi: 3.0.0\ninfo: {title: 'Say \"hi\" \\ v2', version: '1'}\npaths: {}\n";
    let source = parse("q.yaml", text).unwrap();
    let out = generate_from(&info(), vec![(source, "models".into())], &[]).unwrap();
    let manifest = &out.files["Cargo.toml"];
    assert!(manifest.contains(r#"description = "Typed Rust SDK for Say \"hi\" \\ v2, generated"#), "{manifest}");
    assert!(manifest.contains(r#"keywords = ["say", "hi", "openapi", "sdk"]"#), "{manifest}");
}
