//! `cargo xtask semver-check`: an independent check of the diff's verdicts.
//! For some rows of the table of change kinds (generator/src/diff/tests.rs)
//! it generates the crate before and after the change, runs
//! cargo-semver-checks on the pair, and reports where the two disagree. Ours
//! may be stricter (it sees wire changes that keep the Rust API); a change
//! cargo-semver-checks finds breaking and we do not is a bug in the diff.
//!
//! Not in .ci/run: cargo-semver-checks is a large install, and each case
//! builds the rustdoc of two whole crates.

use std::path::Path;
use std::process::Command;

use dealpos_generator::CrateInfo;
use dealpos_generator::diff::{Impact, diff};
use dealpos_generator::load;

use crate::files::write_atomic;

/// A small description in DealPOS's style: a request type, a response type
/// with an enum, two operations.
const BASE: &str = r##"
openapi: 3.1.0
info: {title: Shop, version: '1'}
tags: [{name: Invoice}]
paths:
  /Invoice:
    get:
      operationId: getInvoice
      tags: [Invoice]
      parameters:
        - {name: Number, in: query, required: true, schema: {type: string}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Invoice'}}}}
  /Invoice/Void:
    post:
      operationId: voidInvoice
      tags: [Invoice]
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/VoidRequest'}}}}
      responses: {'200': {description: ok}}
components:
  schemas:
    Invoice:
      type: object
      properties:
        Number: {type: string}
        Status: {$ref: '#/components/schemas/Status'}
    Status: {type: string, enum: [Paid, Void]}
    VoidRequest:
      type: object
      required: [Number]
      properties:
        Number: {type: string}
        Note: {type: string}
"##;

/// (row of the table, text replaced in BASE, replacement).
const CASES: &[(&str, &str, &str)] = &[
    (
        "operation removed",
        "  /Invoice/Void:\n    post:\n      operationId: voidInvoice\n      tags: [Invoice]\n      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/VoidRequest'}}}}\n      responses: {'200': {description: ok}}\n",
        "",
    ),
    ("request field now required", "      required: [Number]\n", "      required: [Number, Note]\n"),
    ("enum value added", "enum: [Paid, Void]", "enum: [Paid, Void, Refunded]"),
    ("path changed", "  /Invoice/Void:", "  /Invoice/Cancel:"),
];

/// What each side says of one case.
struct Outcome {
    case: &'static str,
    ours: Option<Impact>,
    theirs_breaking: bool,
}

/// `cargo xtask semver-check`.
pub fn run(root: &Path) -> Result<(), String> {
    let probe = Command::new("cargo").args(["semver-checks", "--version"]).output();
    if !probe.is_ok_and(|o| o.status.success()) {
        return Err("cargo-semver-checks is not installed: `cargo install cargo-semver-checks --locked`".into());
    }
    // One target directory for every case, so dependencies build once.
    let target = root.join("target/semver-check");
    let mut outcomes = Vec::new();
    for (case, from, to) in CASES {
        if !BASE.contains(from) {
            return Err(format!("case `{case}`: `{from}` is not in the base description"));
        }
        let edited = BASE.replacen(from, to, 1);
        let ours = verdict(BASE, &edited)?;
        let dir = tempfile_dir(&target, case)?;
        generate(&dir.join("old"), BASE)?;
        generate(&dir.join("new"), &edited)?;
        let out = Command::new("cargo")
            .args(["semver-checks", "check-release", "--manifest-path"])
            .arg(dir.join("new/Cargo.toml"))
            .arg("--baseline-root")
            .arg(dir.join("old"))
            .env("CARGO_TARGET_DIR", &target)
            .output()
            .map_err(|e| format!("cannot run cargo semver-checks: {e}"))?;
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        // It exits non-zero both for a breaking change and for an error of
        // its own; only the first names failed checks.
        let theirs_breaking = !out.status.success();
        if theirs_breaking && !text.contains("FAIL") {
            return Err(format!("case `{case}`: cargo semver-checks failed:\n{text}"));
        }
        println!(
            "{case}: ours {ours:?}, cargo-semver-checks {}",
            if theirs_breaking { "breaking" } else { "not breaking" }
        );
        outcomes.push(Outcome { case, ours, theirs_breaking });
    }
    let mut bugs = Vec::new();
    for o in &outcomes {
        match (o.ours == Some(Impact::Breaking), o.theirs_breaking) {
            (false, true) => {
                bugs.push(format!("{}: cargo-semver-checks finds it breaking, we say {:?}", o.case, o.ours))
            }
            (true, false) => println!("{}: ours is stricter (a wire change that keeps the Rust API)", o.case),
            _ => {}
        }
    }
    if bugs.is_empty() {
        println!("no change that cargo-semver-checks finds breaking is judged otherwise by the diff");
        Ok(())
    } else {
        Err(format!("the diff is wrong about:\n{}", bugs.join("\n")))
    }
}

/// The diff's verdict from `old` to `new`.
fn verdict(old: &str, new: &str) -> Result<Option<Impact>, String> {
    let api = |text: &str| {
        let source = load::parse("shop.yaml", text).map_err(|e| e.to_string())?;
        dealpos_generator::analyse(source, &[]).map_err(|e| e.to_string())
    };
    Ok(dealpos_generator::diff::verdict(&diff(&api(old)?, &api(new)?)))
}

/// Writes the crate `dealpos` generated from `text` into `dir`, as its own
/// workspace (so no enclosing one claims it).
fn generate(dir: &Path, text: &str) -> Result<(), String> {
    let source = load::parse("shop.yaml", text).map_err(|e| e.to_string())?;
    let info = CrateInfo { name: "dealpos".into(), version: "0.1.0".into() };
    let generated = dealpos_generator::generate_from(&info, vec![(source, "models".into())], &[])
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    for (path, text) in &generated.files {
        let text = if path == "Cargo.toml" { format!("{text}\n[workspace]\n") } else { text.clone() };
        write_atomic(&dir.join(path), text.as_bytes())?;
    }
    Ok(())
}

/// A fresh directory for one case under `target`.
fn tempfile_dir(target: &Path, case: &str) -> Result<std::path::PathBuf, String> {
    let dir = target.join("cases").join(case.replace(' ', "-"));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use dealpos_generator::diff::Impact;

    /// Our side of each case, so a change of the diff shows here before a
    /// slow semver-check run.
    #[test]
    fn our_verdicts_on_the_cases() {
        let verdicts: Vec<_> = super::CASES
            .iter()
            .map(|(case, from, to)| {
                (*case, super::verdict(super::BASE, &super::BASE.replacen(from, to, 1)).expect("diff"))
            })
            .collect();
        assert_eq!(
            verdicts,
            [
                ("operation removed", Some(Impact::Breaking)),
                ("request field now required", Some(Impact::Breaking)),
                ("enum value added", Some(Impact::Compatible)),
                ("path changed", Some(Impact::Breaking)),
            ]
        );
    }

    #[test]
    fn each_case_generates() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        for (case, from, to) in super::CASES {
            let out = dir.path().join(case.replace(' ', "-"));
            super::generate(&out, &super::BASE.replacen(from, to, 1)).expect("generates");
            let manifest = std::fs::read_to_string(out.join("Cargo.toml")).expect("a manifest");
            assert!(manifest.ends_with("\n[workspace]\n"));
        }
    }
}
