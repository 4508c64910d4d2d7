//! Reading files as they were at a git revision: the old side of `diff
//! REV:path`, and the last release for `release`. Paths are given relative
//! to the directory git runs in (`REV:./path`), wherever the repository's
//! top level is.

use std::path::Path;
use std::process::Command;

use dealpos_generator::load::{self, Source};

/// Runs `git -C dir args…`: its stdout, or `None` when git says the object
/// does not exist, or an error when git cannot run at all.
fn git(dir: &Path, args: &[&str]) -> Result<Result<Vec<u8>, String>, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git in {}: {e}", dir.display()))?;
    Ok(if out.status.success() { Ok(out.stdout) } else { Err(String::from_utf8_lossy(&out.stderr).trim().to_string()) })
}

/// The bytes of `path` (relative to `dir`) at `rev`.
pub fn show(dir: &Path, rev: &str, path: &str) -> Result<Vec<u8>, String> {
    let object = format!("{rev}:./{}", path.trim_start_matches("./"));
    git(dir, &["show", &object])?.map_err(|e| format!("{rev}:{path}: {e}"))
}

/// Whether `rev` names a commit in the repository at `dir`.
pub fn exists(dir: &Path, rev: &str) -> Result<bool, String> {
    Ok(git(dir, &["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")])?.is_ok())
}

/// The overlays in `spec/overlays/` of the workspace at `root` as they were
/// at `rev`, in file-name order; `None` when the folder did not exist then
/// (the caller falls back to today's).
pub fn overlays_at(root: &Path, rev: &str) -> Result<Option<Vec<Source>>, String> {
    let Ok(listing) = git(root, &["ls-tree", "--name-only", &format!("{rev}:./spec/overlays")])? else {
        return Ok(None);
    };
    let listing = String::from_utf8(listing).map_err(|e| format!("{rev}:spec/overlays: a name is not UTF-8: {e}"))?;
    let mut names: Vec<&str> =
        listing.lines().filter(|n| n.ends_with(".yaml") || n.ends_with(".yml") || n.ends_with(".json")).collect();
    names.sort_unstable();
    names
        .into_iter()
        .map(|name| {
            let path = format!("spec/overlays/{name}");
            parse(&format!("{rev}:{path}"), show(root, rev, &path)?)
        })
        .collect::<Result<Vec<_>, String>>()
        .map(Some)
}

/// Parses bytes read from git as a description or overlay named `name`.
pub fn parse(name: &str, bytes: Vec<u8>) -> Result<Source, String> {
    let text = String::from_utf8(bytes).map_err(|e| format!("{name}: not UTF-8: {e}"))?;
    load::parse(name, &text).map_err(|e| e.to_string())
}
