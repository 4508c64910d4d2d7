//! Maintainer tasks: `cargo xtask regen` and `cargo xtask check`.

mod coverage;
mod lock;
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
  test      install the test tools, then run every test (cargo test --workspace)
  tools     install Redocly CLI, Prism and openapi-spec-validator into target/tools
  validate  lint both descriptions with Redocly CLI and openapi-spec-validator
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("regen") => regen::regen(&root()),
        Some("check") => regen::check(&root()),
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
