//! Regeneration time (group `regen`): the whole pipeline — parse, overlays,
//! IR, emission, printing — from descriptions already in memory, so disk
//! speed does not count.
//!
//! - `regen/dealpos`: both DealPOS descriptions and their overlays, as
//!   `cargo xtask regen` runs them.
//! - `regen/dealpos-parse-only`: the baseline, only reading the same YAML
//!   into JSON values (what any tool reading the descriptions pays).
//! - `regen/nexus`: Oxide's Nexus API (`../shared/corpus/oxide/nexus.json`),
//!   a larger third-party description.
//! - `regen/scale-N`: the DealPOS API description copied N times under new
//!   names (paths, schemas, operationIds), to show how time grows with size.
//!
//! Run: `cargo bench -p dealpos-generator --bench regen` (or `cargo xtask bench`).

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use dealpos_generator::load::{self, Source};
use dealpos_generator::{CrateInfo, generate_from};
use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the generator is in a workspace").to_path_buf()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn info() -> CrateInfo {
    CrateInfo { name: "dealpos".into(), version: "0.1.0".into() }
}

/// (name, text) of the inputs, read once.
struct Inputs {
    specs: Vec<(String, String, &'static str)>,
    overlays: Vec<(String, String)>,
}

fn dealpos() -> Inputs {
    let root = workspace();
    let spec = |file: &str, module| (format!("spec/{file}"), read(&root.join("spec").join(file)), module);
    let overlay = |file: &str| (format!("spec/overlays/{file}"), read(&root.join("spec/overlays").join(file)));
    Inputs {
        specs: vec![spec("dealpos-api.yaml", "models"), spec("dealpos-webhooks.yaml", "webhooks")],
        overlays: vec![overlay("dealpos-api.yaml"), overlay("dealpos-webhooks.yaml")],
    }
}

fn run(inputs: &Inputs) -> usize {
    let parse = |name: &str, text: &str| load::parse(name, text).expect("the description parses");
    let specs: Vec<(Source, String)> =
        inputs.specs.iter().map(|(name, text, module)| (parse(name, text), module.to_string())).collect();
    let overlays: Vec<Source> = inputs.overlays.iter().map(|(name, text)| parse(name, text)).collect();
    let generated = generate_from(&info(), specs, &overlays).expect("the description generates");
    generated.files.values().map(String::len).sum()
}

/// The DealPOS API description `copies` times over, each copy under its own
/// paths, schema names and operationIds (as JSON text).
fn scaled(copies: usize) -> String {
    let text = read(&workspace().join("spec/dealpos-api.yaml"));
    let doc: Value = yaml_serde::from_str(&text).expect("YAML");
    let mut out = doc.clone();
    out["paths"] = Value::Object(Default::default());
    out["components"]["schemas"] = Value::Object(Default::default());
    // Shared components (responses, parameters) point at the first copy's schemas.
    rename(&mut out["components"], 1);
    for copy in 1..=copies {
        let mut part = doc.clone();
        rename(&mut part, copy);
        for key in ["paths"] {
            if let (Some(to), Some(from)) = (out[key].as_object_mut(), part[key].as_object()) {
                to.extend(from.iter().map(|(k, v)| (format!("/v{copy}{k}"), v.clone())));
            }
        }
        if let (Some(to), Some(from)) =
            (out["components"]["schemas"].as_object_mut(), part["components"]["schemas"].as_object())
        {
            to.extend(from.iter().map(|(k, v)| (format!("V{copy}{k}"), v.clone())));
        }
    }
    serde_json::to_string(&out).expect("JSON")
}

/// Points `$ref`s at the copy's schemas and gives its operations new ids.
fn rename(value: &mut Value, copy: usize) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match (key.as_str(), v) {
                    ("$ref", Value::String(target)) => {
                        if let Some(name) = target.strip_prefix("#/components/schemas/") {
                            *target = format!("#/components/schemas/V{copy}{name}");
                        }
                    }
                    ("operationId" | "x-dealpos-post-twin" | "x-dealpos-post-twin-of", Value::String(id)) => {
                        *id = format!("{id}V{copy}");
                    }
                    (_, v) => rename(v, copy),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rename(v, copy)),
        _ => {}
    }
}

fn regen(c: &mut Criterion) {
    let mut group = c.benchmark_group("regen");
    group.sample_size(20);
    let dealpos = dealpos();
    group.bench_function("dealpos", |b| b.iter(|| black_box(run(&dealpos))));
    // The baseline: only reading the same YAML into JSON values.
    group.bench_function("dealpos-parse-only", |b| {
        b.iter(|| {
            let texts =
                dealpos.specs.iter().map(|(n, t, _)| (n, t)).chain(dealpos.overlays.iter().map(|(n, t)| (n, t)));
            black_box(texts.filter(|(name, text)| load::parse(name, text).is_ok()).count())
        })
    });
    let nexus_path = workspace().join("../shared/corpus/oxide/nexus.json");
    let nexus = Inputs { specs: vec![("nexus.json".into(), read(&nexus_path), "models")], overlays: Vec::new() };
    group.bench_function("nexus", |b| b.iter(|| black_box(run(&nexus))));
    for copies in [1, 2, 4, 8] {
        let text = scaled(copies);
        let inputs = Inputs { specs: vec![("scaled.json".into(), text.clone(), "models")], overlays: Vec::new() };
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("scale", copies), &inputs, |b, inputs| {
            b.iter(|| black_box(run(inputs)))
        });
    }
    group.finish();
}

criterion_group!(benches, regen);
criterion_main!(benches);
