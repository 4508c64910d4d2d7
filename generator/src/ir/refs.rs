//! `$ref` resolution, within a document and into other files.
//!
//! Other files are read before the walk starts (every `$ref` with a file part,
//! transitively), so the builder can borrow all documents for its whole run. A
//! file that cannot be read is an error only where a `$ref` that is actually
//! followed needs it: a `$ref`-shaped key inside an example is just data.
//! The crate's other descriptions are not read from disk: they are given
//! ([`Sibling`]), overlays applied, and a schema `$ref` into one of them is a
//! reference to the other module's type (`cross.rs`), not a copy.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Location, Result};
use crate::load::{self, Source};

/// Reads the file a `$ref` names; given the path relative to the current
/// directory, as computed from the referring file's name.
pub type FileLoader<'l> = &'l dyn Fn(&str) -> Result<Source>;

/// Reads `$ref`ed files from disk.
pub fn from_disk(path: &str) -> Result<Source> {
    load::load(Path::new(path))
}

/// Refuses every other file (fuzzing, in-memory use): a `$ref` into another
/// file is then an error naming it.
pub fn no_files(path: &str) -> Result<Source> {
    Err(Error::at(Location::root(path), "reading other files is disabled"))
}

/// At most this many files are read for one description, so a generated
/// chain of files cannot make a run unbounded.
const MAX_FILES: usize = 64;

/// Every document a description can reach, by the name diagnostics use.
#[derive(Debug, Default)]
pub(super) struct Documents {
    /// The document, or why it could not be read.
    docs: BTreeMap<String, std::result::Result<Value, String>>,
}

/// Another description of the crate, as a `$ref` into it sees it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Sibling<'s> {
    /// Its name, normalised as `$ref` targets are (`relative_to`).
    pub(super) file: &'s str,
    /// The module it becomes.
    pub(super) module: &'s str,
    /// The document, overlays applied.
    pub(super) value: &'s Value,
}

impl Documents {
    /// `main` and every file reachable from it through `$ref`s; a file that
    /// is one of `siblings` is taken from there, not read.
    pub(super) fn gather(main: &Source, siblings: &[Sibling<'_>], loader: FileLoader<'_>) -> Self {
        let mut docs = BTreeMap::new();
        docs.insert(main.name.clone(), Ok(main.value.clone()));
        let mut pending = vec![main.name.clone()];
        while let Some(name) = pending.pop() {
            let mut found = Vec::new();
            if let Some(Ok(value)) = docs.get(&name) {
                external_files(&name, value, &mut found);
            }
            for file in found {
                if docs.contains_key(&file) {
                    continue;
                }
                let sibling = siblings.iter().find(|s| s.file == file);
                let loaded = if let Some(sibling) = sibling {
                    Ok(sibling.value.clone())
                } else if docs.len() >= MAX_FILES {
                    Err(format!("more than {MAX_FILES} files are referenced"))
                } else {
                    loader(&file).map(|s| s.value).map_err(|e| e.to_string())
                };
                if loaded.is_ok() {
                    pending.push(file.clone());
                }
                docs.insert(file, loaded);
            }
        }
        Documents { docs }
    }

    /// The document named `file`, or why it is missing.
    pub(super) fn get(&self, file: &str) -> std::result::Result<&Value, String> {
        match self.docs.get(file) {
            Some(Ok(value)) => Ok(value),
            Some(Err(why)) => Err(why.clone()),
            None => Err("it was not read".to_string()),
        }
    }
}

/// The files named by `$ref`s anywhere in `value` (iteratively: documents
/// can nest deeply).
fn external_files(doc: &str, value: &Value, out: &mut Vec<String>) {
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get("$ref")
                    && let Some(Target { file, .. }) = split(doc, reference)
                    && file != doc
                {
                    out.push(file);
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
}

/// Where a `$ref` points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Target {
    /// The document's name (the referring one for a local `$ref`).
    pub file: String,
    /// The JSON pointer, percent-decoded.
    pub pointer: String,
}

/// Splits `reference`, written in the document `doc`, into a file and a
/// pointer. `None` for what we never fetch (URLs) or cannot read (a
/// fragment that is not a JSON pointer).
pub(super) fn split(doc: &str, reference: &str) -> Option<Target> {
    let (file, fragment) = reference.split_once('#').unwrap_or((reference, ""));
    if file.contains("://") || (!fragment.is_empty() && !fragment.starts_with('/')) {
        return None;
    }
    let file = if file.is_empty() { doc.to_string() } else { relative_to(doc, &percent_decode(file)) };
    Some(Target { file, pointer: percent_decode(fragment) })
}

/// `rel` as seen from the directory of the file `base`, normalised lexically
/// (`a/b/../c.yaml` → `a/c.yaml`) so one file has one name.
pub(super) fn relative_to(base: &str, rel: &str) -> String {
    let joined = if rel.starts_with('/') {
        rel.to_string()
    } else {
        match base.rfind(['/', '\\']) {
            Some(i) => format!("{}/{rel}", &base[..i]),
            None => rel.to_string(),
        }
    };
    let absolute = joined.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if absolute => {}
            other => parts.push(other),
        }
    }
    let path = parts.join("/");
    if absolute { format!("/{path}") } else { path }
}

/// Decodes `%XX` escapes (a `$ref` is a URI reference); invalid ones are kept.
pub(super) fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (byte, hex) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_to_the_referring_file() {
        assert_eq!(relative_to("spec/api.yaml", "common.yaml"), "spec/common.yaml");
        assert_eq!(relative_to("spec/api.yaml", "../shared/x.yaml"), "shared/x.yaml");
        assert_eq!(relative_to("api.yaml", "./a/./b.yaml"), "a/b.yaml");
        assert_eq!(relative_to("api.yaml", "../../x.yaml"), "../../x.yaml");
        assert_eq!(relative_to("/s/api.yaml", "../../x.yaml"), "/x.yaml");
    }

    #[test]
    fn references_split_into_file_and_pointer() {
        let t = split("d/api.yaml", "m.yaml#/components/schemas/A%20B").unwrap();
        assert_eq!(t, Target { file: "d/m.yaml".into(), pointer: "/components/schemas/A B".into() });
        assert_eq!(split("api.yaml", "#/a").unwrap().file, "api.yaml");
        assert_eq!(split("api.yaml", "pet.yaml").unwrap().pointer, "");
        assert!(split("api.yaml", "https://example.com/x.yaml#/a").is_none());
        assert!(split("api.yaml", "#anchor").is_none());
        assert_eq!(percent_decode("%zz%41%"), "%zzA%");
    }
}
