//! `generate`: a crate from any OpenAPI descriptions, for users of the
//! generator rather than maintainers of `dealpos` (no lock, no overlays).

use std::path::{Path, PathBuf};

use dealpos_generator::Config;

use crate::files::write_atomic;

const USAGE: &str = "usage: cargo xtask generate SPEC[=MODULE]... --out DIR --name NAME [--version V]";

/// What `generate` was asked for.
#[derive(Debug, PartialEq)]
pub struct Options {
    /// Each description, with the module it becomes if given (`SPEC=MODULE`).
    pub specs: Vec<(PathBuf, Option<String>)>,
    /// The crate's directory, created if missing.
    pub out: PathBuf,
    /// The crate's name.
    pub name: String,
    /// Its version (`0.1.0` by default).
    pub version: String,
}

/// Reads the command line after `generate`.
pub fn options(args: &[String]) -> Result<Options, String> {
    let (mut specs, mut out, mut name, mut version) = (Vec::new(), None, None, None);
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let mut value = |flag: &str| rest.next().cloned().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--name" => name = Some(value("--name")?),
            "--version" => version = Some(value("--version")?),
            flag if flag.starts_with("--") => return Err(format!("unknown option `{flag}`\n{USAGE}")),
            spec => specs.push(match spec.split_once('=') {
                Some((path, module)) => (PathBuf::from(path), Some(module.to_string())),
                None => (PathBuf::from(spec), None),
            }),
        }
    }
    if specs.is_empty() {
        return Err(format!("no description given\n{USAGE}"));
    }
    let out = out.ok_or_else(|| format!("--out is required\n{USAGE}"))?;
    let name = name.ok_or_else(|| format!("--name is required\n{USAGE}"))?;
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(format!("`{name}` is not a crate name (letters, digits, `-`, `_`; a letter first)"));
    }
    Ok(Options { specs, out, name, version: version.unwrap_or_else(|| "0.1.0".into()) })
}

/// Generates the crate and writes it under `out`; warnings go to stderr.
/// Files already in `out` that the crate does not have are left alone.
pub fn run(options: &Options) -> Result<(), String> {
    let config = Config::new(&options.name, &options.version, options.specs.clone());
    let generated = dealpos_generator::generate(&config).map_err(|e| e.to_string())?;
    for warning in &generated.warnings {
        eprintln!("{warning}");
    }
    for (path, text) in &generated.files {
        write_atomic(&options.out.join(path), text.as_bytes())?;
    }
    let types: usize = generated.modules.iter().map(|m| m.api.types.len()).sum();
    let modules: Vec<String> = generated.modules.iter().map(|m| format!("{} ({})", m.name, m.spec)).collect();
    println!(
        "{}: crate `{}` {}, {} files, {types} types, {} warnings; modules: {}",
        display(&options.out),
        options.name,
        options.version,
        generated.files.len(),
        generated.warnings.len(),
        modules.join(", ")
    );
    Ok(())
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn options_read_specs_modules_and_flags() {
        let o = options(&args("a.json b.yaml=hooks --out x --name my-api --version 2.0.0")).unwrap();
        assert_eq!(o.specs, [(PathBuf::from("a.json"), None), (PathBuf::from("b.yaml"), Some("hooks".into()))]);
        assert_eq!((o.out, o.name.as_str(), o.version.as_str()), (PathBuf::from("x"), "my-api", "2.0.0"));
        assert!(options(&args("--out x --name n")).unwrap_err().starts_with("no description"));
        assert!(options(&args("a.json --name n")).unwrap_err().starts_with("--out is required"));
        assert!(options(&args("a.json --out x --name 1bad")).unwrap_err().contains("not a crate name"));
        assert!(options(&args("a.json --out")).unwrap_err().starts_with("--out needs a value"));
        assert!(options(&args("a.json --bogus")).unwrap_err().starts_with("unknown option"));
    }

    /// A third-party description becomes a crate that compiles, whose
    /// manifest speaks of that description. Slow (a `cargo check` of the
    /// crate with its dependencies), so it checks the smallest corpus file.
    #[test]
    fn a_corpus_description_generates_a_crate_that_checks() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
        let spec = root.join("../shared/corpus/oxide/keeper.json");
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("keeper");
        let o =
            Options { specs: vec![(spec, None)], out: out.clone(), name: "keeper-sdk".into(), version: "0.2.0".into() };
        run(&o).unwrap();
        let manifest = std::fs::read_to_string(out.join("Cargo.toml")).unwrap();
        assert!(manifest.contains("name = \"keeper-sdk\"") && manifest.contains("version = \"0.2.0\""), "{manifest}");
        assert!(
            manifest.contains("description = \"Typed Rust SDK for Keeper API, generated from its OpenAPI description."),
            "{manifest}"
        );
        assert!(!manifest.contains("DealPOS"), "{manifest}");
        // The README (the docs.rs landing page) speaks of it too, with none of DealPOS's recipes.
        let readme = std::fs::read_to_string(out.join("README.md")).unwrap();
        assert!(readme.contains("# `keeper-sdk`\n\nTyped Rust SDK for Keeper API"), "{readme}");
        assert!(readme.contains("keeper-sdk = \"0.2\""), "{readme}");
        assert!(!readme.contains("DealPOS") && !readme.contains("## Recipes"), "{readme}");
        // Its own workspace, the workspace's lock and target: offline and warm.
        let mut manifest = manifest;
        manifest.push_str("\n[workspace]\n");
        std::fs::write(out.join("Cargo.toml"), manifest).unwrap();
        std::fs::copy(root.join("Cargo.lock"), out.join("Cargo.lock")).unwrap();
        let status = std::process::Command::new(env!("CARGO"))
            .args(["check", "--offline", "--quiet"])
            .current_dir(&out)
            .env("CARGO_TARGET_DIR", root.join("target/generated-crates-target"))
            .status()
            .unwrap();
        assert!(status.success(), "cargo check failed in {}", out.display());
    }
}
