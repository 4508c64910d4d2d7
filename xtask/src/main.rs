//! Maintainer tasks: `cargo xtask regen`, `check`, `refresh`, `release`, `diff`, `test`.

mod bench;
mod coverage;
mod diff;
mod docs;
mod files;
mod generate;
mod git;
mod lock;
mod refresh;
mod regen;
mod release;
mod semver;
#[cfg(test)]
mod testing;
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
            changed for users of `dealpos` [--check] [--only NAME]
            [--url NAME=URL] [--file NAME=PATH]; naming descriptions (--only,
            --url, --file) leaves the others alone, reported as skipped
  release   the next version of `dealpos`: the diff's verdict since the last
            release (git tag dealpos-vX.Y.Z, checked against spec/lock.json),
            the version bumped, the report prepended to CHANGELOG.md, then
            regen and check [--dry-run] [--bump major|minor|patch] [--since REV]
  diff      what changed between two descriptions (files or REV:path), each
            change breaking/compatible/patch, with a semver verdict [--format md]
  semver-check  cross-check the diff's verdicts with cargo-semver-checks on
            crates generated before and after 23 rows of the table of change
            kinds, and print where they agree as a table; fails where ours is
            more lenient; not in CI: it needs cargo-semver-checks (~2 min)
  generate  a crate from any OpenAPI descriptions: SPEC[=MODULE]... --out DIR --name NAME
            [--version V] (no overlays; crate metadata from the descriptions' info)
  bench     run the benchmarks (regeneration, build time per feature set, parse
            and client throughput) and print the table [--readme] writes into
            README.md [--no-criterion] [--no-build]
  docs      document the generated crate as docs.rs does (all features, --cfg docsrs,
            rustdoc warnings as errors) and check that every feature labels its items
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
    if matches!(task, Some("regen" | "check" | "refresh" | "release"))
        && let Err(e) = std::env::set_current_dir(root())
    {
        eprintln!("{}: {e}", root().display());
        return ExitCode::FAILURE;
    }
    let result = match task {
        Some("regen") => regen::regen(&root()),
        Some("check") => regen::check(&root()),
        Some("refresh") => refresh::options(&args[1..]).and_then(|o| refresh::run(&root(), &o)).map(|done| {
            // Repeated last: the first mention scrolls away above the report.
            for (file, why) in &done.skipped {
                println!("left alone: {file} ({why})");
            }
            if done.report.changes().next().is_none() && !done.report.sections.is_empty() {
                println!("no change for users of `dealpos`");
            }
        }),
        Some("release") => release::options(&args[1..]).and_then(|o| release::run(&root(), &o)).map(drop),
        Some("semver-check") => semver::run(&root()),
        Some("diff") => diff::run(&root(), &args[1..]),
        Some("generate") => generate::options(&args[1..]).and_then(|o| generate::run(&o)),
        Some("bench") => bench::run(&root(), &args[1..]),
        Some("test") => tools::test(&root(), &args[1..]),
        Some("docs") => docs::run(&root()),
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
