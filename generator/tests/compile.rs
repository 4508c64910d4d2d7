//! The code emitted for the fixtures (the code the snapshots show) and for
//! every third-party description in `../shared/corpus` compiles, passes
//! clippy, and its generated example tests pass. Each becomes a crate in a
//! scratch workspace under `target/`, built offline with the workspace's lock
//! file and one shared target directory.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use dealpos_generator::{Config, CrateInfo, SpecInput, generate};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the generator is in a workspace").to_path_buf()
}

/// (crate name, descriptions with their modules) for every fixture and corpus file.
fn inputs(root: &Path) -> Vec<(String, Vec<(PathBuf, &'static str)>)> {
    let fixtures = root.join("generator/tests/fixtures");
    let mut out = vec![
        ("fixture-v30".to_string(), vec![(fixtures.join("v30.yaml"), "models")]),
        ("fixture-v31".to_string(), vec![(fixtures.join("v31.yaml"), "webhooks")]),
        ("fixture-external".to_string(), vec![(fixtures.join("external/main.yaml"), "models")]),
        // Two descriptions, the second referring to the first's types.
        (
            "fixture-cross".to_string(),
            vec![(fixtures.join("cross/api.yaml"), "models"), (fixtures.join("cross/hooks.yaml"), "webhooks")],
        ),
    ];
    for name in support::CONSTRUCTS {
        let file = fixtures.join(name);
        out.push((format!("fixture-{}", support::stem(name).replace('_', "-")), vec![(file, "models")]));
    }
    let corpus = root.join("../shared/corpus/oxide");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap_or_else(|e| panic!("{}: {e} (the corpus sits beside the repository in ../shared)", corpus.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json" || x == "yaml"))
        .collect();
    files.sort();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().replace('.', "-").to_lowercase();
        out.push((format!("corpus-{name}"), vec![(file, "models")]));
    }
    out
}

#[test]
fn fixture_and_corpus_crates_compile_and_their_examples_round_trip() {
    let root = workspace();
    let scratch = root.join("target/generated-crates");
    let _ = std::fs::remove_dir_all(&scratch);
    let mut members = Vec::new();
    for (name, specs) in inputs(&root) {
        let shown = specs.iter().map(|(spec, _)| spec.display().to_string()).collect::<Vec<_>>().join(", ");
        let config = Config {
            crate_info: CrateInfo { name: name.clone(), version: "0.0.0".into() },
            specs: specs.into_iter().map(|(path, module)| SpecInput { path, module: module.into() }).collect(),
            overlays: Vec::new(),
        };
        let out = generate(&config).unwrap_or_else(|e| panic!("{shown}: {e}"));
        for (path, contents) in &out.files {
            let path = scratch.join(&name).join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, contents).unwrap();
        }
        members.push(format!("{name:?}"));
    }
    let manifest = format!("[workspace]\nresolver = \"3\"\nmembers = [{}]\n", members.join(", "));
    std::fs::write(scratch.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(root.join("Cargo.lock"), scratch.join("Cargo.lock")).unwrap();
    let target = root.join("target/generated-crates-target");
    // All features: a crate with webhooks gets the receiver, which must compile
    // and pass its unit tests for any webhook set, not only DealPOS's.
    let clippy = ["clippy", "--all-targets", "--all-features", "--offline", "--quiet", "--", "-D", "warnings"];
    let test = ["test", "--all-features", "--offline", "--quiet", "--no-fail-fast"];
    // The API types a webhook holds compile with `webhooks` alone (their gates name it).
    let webhooks_only = [
        "clippy",
        "-p",
        "fixture-cross",
        "--lib",
        "--no-default-features",
        "--features",
        "webhooks",
        "--offline",
        "--quiet",
        "--",
        "-D",
        "warnings",
    ];
    for args in [&clippy[..], &test[..], &webhooks_only[..]] {
        let out = Command::new(env!("CARGO"))
            .args(args)
            .current_dir(&scratch)
            .env("CARGO_TARGET_DIR", &target)
            .output()
            .expect("cargo runs");
        assert!(
            out.status.success(),
            "cargo {} failed for the crates in {}:\n{}{}",
            args.join(" "),
            scratch.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
