//! `regen` writes generated/ from spec/; `check` proves it is up to date.

use std::path::Path;
use std::time::{Duration, Instant};

use dealpos_generator::load::Source;
use dealpos_generator::{CrateInfo, Generated};

use crate::files::{read_tree, write_atomic};
use crate::{coverage, lock};

/// Lines of diff shown per differing file before eliding the rest.
const DIFF_LINES: usize = 120;

/// The generated crate's name and the version its manifest carries: the
/// version of the last release, recorded in `spec/lock.json` (its one home).
pub fn crate_info(root: &Path) -> Result<CrateInfo, String> {
    let lock = lock::read(&root.join("spec"))?;
    Ok(CrateInfo { name: "dealpos".into(), version: lock.released()?.version.clone() })
}

/// A file of the workspace, parsed and named by its path relative to `root`
/// (so diagnostics read `spec/dealpos-api.yaml:12:3`, wherever xtask runs).
pub fn load(root: &Path, relative: &str) -> Result<Source, String> {
    let text = std::fs::read_to_string(root.join(relative)).map_err(|e| format!("{relative}: cannot read: {e}"))?;
    dealpos_generator::load::parse(relative, &text).map_err(|e| e.to_string())
}

/// The overlays in `spec/overlays/`, in file-name order.
pub fn overlays(root: &Path) -> Result<Vec<Source>, String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("spec/overlays"))
        .map_err(|e| format!("spec/overlays: {e}"))?
        .filter_map(|entry| entry.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|name| name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".json"))
        .collect();
    names.sort();
    names.iter().map(|name| load(root, &format!("spec/overlays/{name}"))).collect()
}

/// Generates from spec/ as it is on disk, after checking the lock.
fn generate(root: &Path) -> Result<Generated, String> {
    let lock = lock::read(&root.join("spec"))?;
    let problems = lock::verify(&root.join("spec"), &lock);
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    let specs = lock
        .descriptions
        .iter()
        .map(|e| Ok((load(root, &format!("spec/{}", e.file))?, e.module.clone())))
        .collect::<Result<Vec<_>, String>>()?;
    let info = CrateInfo { name: "dealpos".into(), version: lock.released()?.version.clone() };
    dealpos_generator::generate_from(&info, specs, &overlays(root)?).map_err(|e| e.to_string())
}

/// What spec/ generates, with README.md as it is and as its coverage table
/// says the generation should make it.
struct Covered {
    /// The crate, as spec/ and the overlays generate it.
    generated: Generated,
    /// How long the generation itself took (`regen` reports it).
    elapsed: Duration,
    /// README.md as it is on disk.
    readme: String,
    /// README.md with the coverage table of `generated`.
    updated: String,
}

/// The one generation `regen` writes and `check` compares, so that the two
/// can never disagree on what is up to date.
fn generate_and_cover(root: &Path) -> Result<Covered, String> {
    let start = Instant::now();
    let generated = generate(root)?;
    let elapsed = start.elapsed();
    let readme = std::fs::read_to_string(root.join("README.md")).map_err(|e| format!("README.md: {e}"))?;
    let updated = coverage::update(&readme, &generated)?;
    Ok(Covered { generated, elapsed, readme, updated })
}

/// `cargo xtask regen`.
pub fn regen(root: &Path) -> Result<(), String> {
    let Covered { generated, elapsed, readme, updated } = generate_and_cover(root)?;
    let out = root.join("generated");
    let on_disk = read_tree(&out)?;
    let mut written = 0;
    for (path, text) in &generated.files {
        if on_disk.get(path) != Some(text) {
            write_atomic(&out.join(path), text.as_bytes())?;
            written += 1;
        }
    }
    let mut removed = 0;
    for path in on_disk.keys().filter(|p| !generated.files.contains_key(*p)) {
        std::fs::remove_file(out.join(path)).map_err(|e| format!("generated/{path}: {e}"))?;
        removed += 1;
    }
    if updated != readme {
        write_atomic(&root.join("README.md"), updated.as_bytes())?;
        println!("README.md: coverage table updated");
    }
    for warning in &generated.warnings {
        eprintln!("{warning}");
    }
    for m in &generated.modules {
        println!(
            "{:<10} {:>4} types {:>4} operations {:>3} webhooks {:>4} examples  ({})",
            m.name,
            m.api.types.len(),
            m.api.operations.len(),
            m.api.webhooks.len(),
            m.api.examples.len(),
            m.spec
        );
    }
    println!(
        "generated/: {} files, {written} written, {removed} removed; {} overlay changes, {} warnings; generation took {:.0?}",
        generated.files.len(),
        generated.overlay_changes,
        generated.warnings.len(),
        elapsed
    );
    Ok(())
}

/// `cargo xtask check`.
pub fn check(root: &Path) -> Result<(), String> {
    let Covered { generated, readme, updated, .. } = generate_and_cover(root)?;
    let on_disk = read_tree(&root.join("generated"))?;
    let mut report = String::new();
    for (path, text) in &generated.files {
        match on_disk.get(path) {
            Some(old) if old == text => {}
            Some(old) => report.push_str(&diff(path, old, text)),
            None => report.push_str(&format!("generated/{path}: missing\n")),
        }
    }
    for path in on_disk.keys().filter(|p| !generated.files.contains_key(*p)) {
        report.push_str(&format!("generated/{path}: not produced by the generator (hand-written?)\n"));
    }
    if updated != readme {
        report.push_str(&diff_named("README.md", &readme, &updated));
    }
    if report.is_empty() {
        println!("generated/ is up to date with spec/ ({} files)", generated.files.len());
        Ok(())
    } else {
        Err(format!("{report}\ngenerated/ is out of date: run `cargo xtask regen` and commit the result"))
    }
}

fn diff(path: &str, old: &str, new: &str) -> String {
    diff_named(&format!("generated/{path}"), old, new)
}

fn diff_named(path: &str, old: &str, new: &str) -> String {
    let a = format!("{path} (committed)");
    let b = format!("{path} (regenerated)");
    let text = similar::TextDiff::from_lines(old, new).unified_diff().context_radius(3).header(&a, &b).to_string();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = lines.iter().take(DIFF_LINES).copied().collect::<Vec<_>>().join("\n");
    if lines.len() > DIFF_LINES {
        out.push_str(&format!("\n… {} more diff lines", lines.len() - DIFF_LINES));
    }
    out.push('\n');
    out
}
