//! Helpers shared by the tests that need a git history: a repository in a
//! temporary directory, committed to and tagged as a maintainer would.

use std::path::Path;
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
