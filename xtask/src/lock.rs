//! `spec/lock.json`: where each description came from and its sha256, so that
//! a hand edit of a downloaded file is caught (corrections belong in overlays).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The lock file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lock {
    /// One entry per description.
    pub descriptions: Vec<Entry>,
    /// The last release of `dealpos`: its version (the one home of the
    /// crate's version, which `regen` writes into the manifest) and the
    /// descriptions it was generated from. Written by `cargo xtask release`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released: Option<Released>,
}

/// A release of `dealpos`, as recorded in `spec/lock.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Released {
    /// The crate's version (`0.2.0`).
    pub version: String,
    /// When it was released (YYYY-MM-DD).
    pub date: String,
    /// The SHA-256 of each description (by file name) it was generated from,
    /// to prove that the git tag `dealpos-v<version>` holds those bytes.
    pub sha256: BTreeMap<String, String>,
}

impl Lock {
    /// The release record, or an error naming the file when there is none.
    pub fn released(&self) -> Result<&Released, String> {
        self.released.as_ref().ok_or_else(|| {
            "spec/lock.json: no `released` record (`{\"version\": \"0.1.0\", \"date\": …, \"sha256\": {…}}`); \
             it holds the version of `dealpos` and is written by `cargo xtask release`"
                .to_string()
        })
    }
}

/// One description.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// File name in `spec/`.
    pub file: String,
    /// The module it becomes in the generated crate.
    pub module: String,
    /// Where it is downloaded from (`null` if the URL is not known).
    pub source: Option<String>,
    /// Where the documentation it renders lives.
    pub page: String,
    /// `downloaded`, or `transcribed` (from the rendered pages).
    pub origin: String,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// When the file was fetched or transcribed (YYYY-MM-DD).
    pub date: String,
}

/// Reads `spec/lock.json`.
pub fn read(spec: &Path) -> Result<Lock, String> {
    let path = spec.join("lock.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes `spec/lock.json` (atomically, in the layout it is read in).
pub fn write(spec: &Path, lock: &Lock) -> Result<(), String> {
    let mut text = serde_json::to_string_pretty(lock).map_err(|e| format!("spec/lock.json: {e}"))?;
    text.push('\n');
    crate::files::write_atomic(&spec.join("lock.json"), text.as_bytes())
}

/// The hex SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Every description whose bytes differ from its locked hash.
pub fn verify(spec: &Path, lock: &Lock) -> Vec<String> {
    let mut problems = Vec::new();
    for entry in &lock.descriptions {
        let path = spec.join(&entry.file);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let actual = sha256(&bytes);
                if actual != entry.sha256 {
                    problems.push(format!(
                        "{}: sha256 {actual} does not match spec/lock.json ({}); descriptions are never edited by hand: put corrections in spec/overlays/",
                        path.display(),
                        entry.sha256
                    ));
                }
            }
            Err(e) => problems.push(format!("{}: cannot read: {e}", path.display())),
        }
    }
    problems
}
