//! `regen` writes generated/ from spec/; `check` proves it is up to date.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use dealpos_generator::load::Source;
use dealpos_generator::{CrateInfo, Generated};

use crate::lock;

/// Lines of diff shown per differing file before eliding the rest.
const DIFF_LINES: usize = 120;

/// The generated crate's name and the version its manifest carries.
pub fn crate_info() -> CrateInfo {
    CrateInfo { name: "dealpos".into(), version: "0.1.0".into() }
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
    dealpos_generator::generate_from(&crate_info(), specs, &overlays(root)?).map_err(|e| e.to_string())
}

/// `cargo xtask regen`.
pub fn regen(root: &Path) -> Result<(), String> {
    let start = Instant::now();
    let generated = generate(root)?;
    let elapsed = start.elapsed();
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
    let readme_path = root.join("README.md");
    let readme = std::fs::read_to_string(&readme_path).map_err(|e| format!("README.md: {e}"))?;
    let updated = crate::coverage::update(&readme, &generated)?;
    if updated != readme {
        write_atomic(&readme_path, updated.as_bytes())?;
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
    let generated = generate(root)?;
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
    let readme = std::fs::read_to_string(root.join("README.md")).map_err(|e| format!("README.md: {e}"))?;
    let updated = crate::coverage::update(&readme, &generated)?;
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

/// Every file under `dir` (but `target/`), by relative path with `/`.
fn read_tree(dir: &Path) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let entries = match std::fs::read_dir(&current) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("{}: {e}", current.display())),
        };
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            let relative = path.strip_prefix(dir).map_err(|e| e.to_string())?;
            let relative = relative.to_string_lossy().replace('\\', "/");
            if path.is_dir() {
                if relative != "target" {
                    stack.push(path);
                }
            } else {
                let text = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                out.insert(relative, String::from_utf8_lossy(&text).into_owned());
            }
        }
    }
    Ok(out)
}

/// Writes through a temporary file and a rename, so a crash never leaves a
/// half-written file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("{}: {e}", path.display())
    })
}
