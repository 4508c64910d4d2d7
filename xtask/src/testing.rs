//! Helpers shared by the tests that need a git history: a repository in a
//! temporary directory, committed to and tagged as a maintainer would.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `git args…` in `dir` with a fixed identity; panics with git's
/// message when it fails (tests only).
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `git init` in `dir`, quietly, on branch `main`.
pub fn init(dir: &Path) {
    git(dir, &["init", "-q", "-b", "main"]);
}

/// Stages everything in `dir` and commits it with `message`.
pub fn commit_all(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

/// Writes `text` to `relative` under `dir`, creating folders.
pub fn write(dir: &Path, relative: &str, text: &str) {
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().expect("a file in a folder")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// The workspace this crate is in.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask is in the workspace").to_path_buf()
}

/// A copy of what refresh and release read and write: spec/, generated/,
/// README.md.
pub fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (path, bytes) in tree(&workspace(), &["spec", "generated"]) {
        let to = dir.path().join(&path);
        std::fs::create_dir_all(to.parent().expect("a file in a folder")).expect("mkdir");
        std::fs::write(to, bytes).expect("write");
    }
    std::fs::copy(workspace().join("README.md"), dir.path().join("README.md")).expect("copy README.md");
    dir
}

/// Every file under `dirs` of `root` (but build output), by relative path.
pub fn tree(root: &Path, dirs: &[&str]) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack: Vec<PathBuf> = dirs.iter().map(|d| root.join(d)).collect();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                if !path.ends_with("target") {
                    stack.push(path);
                }
            } else {
                let relative = path.strip_prefix(root).expect("under root").to_string_lossy().into_owned();
                out.insert(relative, std::fs::read(&path).expect("read"));
            }
        }
    }
    out
}
