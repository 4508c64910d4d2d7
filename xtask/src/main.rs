//! Maintainer tasks: `cargo xtask regen`, `check`, `refresh`, `diff`, `test`.

mod bench;
mod coverage;
mod diff;
mod files;
mod generate;
mod lock;
mod refresh;
mod regen;
mod tools;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  regen     regenerate generated/ from spec/ (descriptions + overlays)
  check     fail if generated/ (or README.md's coverage table) is not what regen
            would write, or a description does not match its hash in spec/lock.json
  refresh   download the descriptions from the URLs in spec/lock.json; if they
            changed: update spec/ and the lock, regenerate, and report what
            changed for users of `dealpos` [--check] [--url NAME=URL] [--file NAME=PATH]
  diff      what changed between two descriptions (files or REV:path), each
            change breaking/compatible/patch, with a semver verdict [--format md]
  generate  a crate from any OpenAPI descriptions: SPEC[=MODULE]... --out DIR --name NAME
            [--version V] (no overlays; crate metadata from the descriptions' info)
  bench     run the benchmarks (regeneration, build time per feature set, parse
            and client throughput) and print the table [--readme] writes into
            README.md [--no-criterion] [--no-build]
  test      install the test tools, then run every test (cargo test --workspace)
  tools     install Redocly CLI, Prism and openapi-spec-validator into target/tools
  validate  lint both descriptions with Redocly CLI and openapi-spec-validator
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = args.first().map(String::as_str);
    // `$ref`s to other files resolve relative to the workspace root, where
    // the descriptions are named from; `diff` keeps the caller's directory
    // for the paths it is given.
    if matches!(task, Some("regen" | "check" | "refresh"))
        && let Err(e) = std::env::set_current_dir(root())
    {
        eprintln!("{}: {e}", root().display());
        return ExitCode::FAILURE;
    }
    let result = match task {
        Some("regen") => regen::regen(&root()),
        Some("check") => regen::check(&root()),
        Some("refresh") => refresh::options(&args[1..]).and_then(|o| refresh::run(&root(), &o)).map(drop),
        Some("diff") => diff::run(&root(), &args[1..]),
        Some("generate") => generate::options(&args[1..]).and_then(|o| generate::run(&o)),
        Some("bench") => bench::run(&root(), &args[1..]),
        Some("test") => tools::test(&root(), &args[1..]),
        Some("tools") => tools::install(&root()),
        Some("validate") => tools::validate(&root()),
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (xtask's manifest is one level below it).
fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
