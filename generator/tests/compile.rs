//! The code emitted for the fixtures (the code the snapshots show) compiles,
//! passes clippy, and its generated example tests pass: each fixture becomes a
//! crate in a scratch workspace under `target/`, built with the workspace's
//! lock file and a shared target directory.

use std::path::{Path, PathBuf};
use std::process::Command;

use dealpos_generator::load::parse;
use dealpos_generator::{CrateInfo, generate_from};

const FIXTURES: &[(&str, &str)] = &[("v30.yaml", "models"), ("v31.yaml", "webhooks")];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the generator is in a workspace").to_path_buf()
}

#[test]
fn fixture_crates_compile_and_their_examples_round_trip() {
    let root = workspace();
    let scratch = root.join("target/fixture-crates");
    let _ = std::fs::remove_dir_all(&scratch);
    let mut members = Vec::new();
    for (file, module) in FIXTURES {
        let text = std::fs::read_to_string(root.join("generator/tests/fixtures").join(file)).unwrap();
        let name = format!("fixture-{}", file.trim_end_matches(".yaml").replace('.', "-"));
        let info = CrateInfo { name: name.clone(), version: "0.0.0".into() };
        let out = generate_from(&info, vec![(parse(file, &text).unwrap(), module.to_string())], &[]).unwrap();
        for (path, contents) in &out.files {
            let path = scratch.join(&name).join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, contents).unwrap();
        }
        members.push(format!("{name:?}"));
    }
    std::fs::write(
        scratch.join("Cargo.toml"),
        format!("[workspace]\nresolver = \"3\"\nmembers = [{}]\n", members.join(", ")),
    )
    .unwrap();
    std::fs::copy(root.join("Cargo.lock"), scratch.join("Cargo.lock")).unwrap();
    let target = root.join("target/fixture-target");
    for args in [
        &["clippy", "--all-targets", "--offline", "--quiet", "--", "-D", "warnings"][..],
        &["test", "--offline", "--quiet"][..],
    ] {
        let status = Command::new(env!("CARGO"))
            .args(args)
            .current_dir(&scratch)
            .env("CARGO_TARGET_DIR", &target)
            .status()
            .expect("cargo runs");
        assert!(status.success(), "cargo {} failed for the fixture crates in {}", args.join(" "), scratch.display());
    }
}
