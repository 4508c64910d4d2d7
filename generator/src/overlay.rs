//! Stage 2: apply OpenAPI Overlay 1.0 documents.
//!
//! Corrections to DealPOS's descriptions live in overlays so that the
//! downloaded files stay byte-identical to upstream (their hashes are locked).
//! An action whose target matches nothing is an error: a stale correction must
//! be noticed when upstream changes, not silently skipped.

use serde_json::Value;
use serde_json_path::JsonPath;

use crate::error::{Diagnostic, Error, Location, Result};
use crate::load::Source;

/// The file name an overlay says it corrects (its `extends`, last path segment).
pub fn extends(overlay: &Source) -> Result<String> {
    let root = Location::root(&overlay.name);
    if overlay.value.get("overlay").and_then(Value::as_str).is_none_or(|v| !v.starts_with("1.")) {
        return Err(Error::at(root.join("overlay"), "not an Overlay 1.x document (`overlay: 1.0.0` expected)"));
    }
    let target = overlay
        .value
        .get("extends")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::at(root.join("extends"), "an overlay must say which description it `extends`"))?;
    Ok(target.rsplit('/').next().unwrap_or(target).to_string())
}

/// Applies every action of `overlay` to `doc`, in order. Returns how many
/// nodes were changed.
pub fn apply(doc: &mut Source, overlay: &Source) -> Result<usize> {
    let root = Location::root(&overlay.name);
    let actions = overlay
        .value
        .get("actions")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::at(root.join("actions"), "`actions` must be a list"))?;
    let mut errors = Vec::new();
    let mut changed = 0;
    for (i, action) in actions.iter().enumerate() {
        let at = root.join("actions").join(i);
        match apply_action(&mut doc.value, action, &at) {
            Ok(n) => changed += n,
            Err(d) => errors.push(d),
        }
    }
    if errors.is_empty() { Ok(changed) } else { Err(Error::Invalid(errors)) }
}

fn apply_action(doc: &mut Value, action: &Value, at: &Location) -> Result<usize, Diagnostic> {
    let target = action
        .get("target")
        .and_then(Value::as_str)
        .ok_or_else(|| Diagnostic::error(at.join("target"), "an action needs a `target` JSONPath"))?;
    let path = JsonPath::parse(target)
        .map_err(|e| Diagnostic::error(at.join("target"), format!("invalid JSONPath `{target}`: {e}")))?;
    let pointers: Vec<String> = path.query_located(doc).locations().map(|l| l.to_json_pointer()).collect();
    if pointers.is_empty() {
        return Err(Diagnostic::error(at.join("target"), format!("`{target}` matches nothing in the description")));
    }
    let remove = action.get("remove").and_then(Value::as_bool).unwrap_or(false);
    match (remove, action.get("update")) {
        (true, Some(_)) => Err(Diagnostic::error(at.clone(), "an action cannot both `update` and `remove`")),
        (true, None) => {
            // Reverse order keeps earlier array indices valid while removing later ones.
            for pointer in pointers.iter().rev() {
                remove_at(doc, pointer);
            }
            Ok(pointers.len())
        }
        (false, Some(update)) => {
            for pointer in &pointers {
                if let Some(node) = doc.pointer_mut(pointer) {
                    merge(node, update);
                }
            }
            Ok(pointers.len())
        }
        (false, None) => Err(Diagnostic::error(at.clone(), "an action needs `update` or `remove: true`")),
    }
}

/// Overlay 1.0 merge: objects merge recursively, an array target gets the
/// update appended, anything else is replaced.
fn merge(target: &mut Value, update: &Value) {
    match (target, update) {
        (Value::Object(t), Value::Object(u)) => {
            for (key, value) in u {
                match t.get_mut(key) {
                    Some(existing) if existing.is_object() && value.is_object() => merge(existing, value),
                    _ => {
                        t.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (Value::Array(t), Value::Array(u)) => t.extend(u.iter().cloned()),
        (Value::Array(t), u) => t.push(u.clone()),
        (t, u) => *t = u.clone(),
    }
}

fn remove_at(doc: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else { return };
    let token = last.replace("~1", "/").replace("~0", "~");
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.shift_remove(&token);
        }
        Some(Value::Array(items)) => {
            if let Ok(i) = token.parse::<usize>()
                && i < items.len()
            {
                items.remove(i);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::parse;

    fn overlay(actions: &str) -> Source {
        parse(
            "fix.yaml",
            &format!("overlay: 1.0.0\ninfo: {{title: t, version: '1'}}\nextends: ../api.yaml\nactions:\n{actions}"),
        )
        .unwrap()
    }

    #[test]
    fn update_merges_and_remove_deletes() {
        let mut doc = parse("api.yaml", "a: {type: integer, description: d}\nb: [1, 2]\nc: 1").unwrap();
        let fix = overlay(
            "  - target: $.a\n    update: {type: number}\n  - target: $.b\n    update: 3\n  - target: $.c\n    remove: true\n",
        );
        assert_eq!(extends(&fix).unwrap(), "api.yaml");
        assert_eq!(apply(&mut doc, &fix).unwrap(), 3);
        assert_eq!(doc.value, serde_json::json!({"a": {"type": "number", "description": "d"}, "b": [1, 2, 3]}));
    }

    #[test]
    fn stale_target_names_the_action() {
        let mut doc = parse("api.yaml", "a: 1").unwrap();
        let err = apply(&mut doc, &overlay("  - target: $.missing\n    remove: true\n")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "error: fix.yaml#/actions/0/target: `$.missing` matches nothing in the description"
        );
    }
}
