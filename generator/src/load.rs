//! Stage 1: read a description (YAML or JSON) into a JSON value.
//!
//! We read into `serde_json::Value` rather than a typed OpenAPI model so that
//! nothing is dropped on the way in (`webhooks`, `const`, `examples`, 3.1 type
//! arrays all survive) and every later diagnostic can name a JSON pointer.

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Location, Result};

/// A parsed input document and the name it is reported under.
#[derive(Debug, Clone)]
pub struct Source {
    /// The name used in diagnostics (usually the path as given).
    pub name: String,
    /// The document.
    pub value: Value,
}

/// Reads and parses `path`.
pub fn load(path: &Path) -> Result<Source> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read { file: path.to_path_buf(), source })?;
    parse(&path.display().to_string(), &text)
}

/// Parses `text`, JSON if it looks like JSON, YAML otherwise.
pub fn parse(name: &str, text: &str) -> Result<Source> {
    let looks_json = name.ends_with(".json") || text.trim_start().starts_with('{');
    let value: serde_json::Value = if looks_json {
        serde_json::from_str(text).map_err(|e| Error::Syntax {
            file: name.to_string(),
            line: e.line(),
            column: e.column(),
            pointer: json_pointer_near(text, e.line(), e.column()),
            format: "JSON",
            message: strip_position(&e.to_string()),
        })?
    } else {
        yaml_serde::from_str(text).map_err(|e| {
            let (line, column) = e.location().map(|l| (l.line(), l.column())).unwrap_or((0, 0));
            Error::Syntax {
                file: name.to_string(),
                line,
                column,
                pointer: pointer_near_line(text, line),
                format: "YAML",
                message: strip_position(&e.to_string()),
            }
        })?
    };
    if !value.is_object() {
        return Err(Error::at(Location::root(name), "the document is not a mapping"));
    }
    Ok(Source { name: name.to_string(), value })
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// The JSON pointer of the mapping keys open at 1-based `line` of a block-style
/// YAML text. A best effort for error messages: the parser only gives a line.
pub(crate) fn pointer_near_line(text: &str, line: usize) -> String {
    // Each entry: (indent, reference token, is a sequence index).
    let mut stack: Vec<(usize, String, bool)> = Vec::new();
    for raw in text.lines().take(line.max(1)) {
        let content = raw.trim_start();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let mut indent = raw.len() - content.len();
        let mut rest = content;
        if let Some(item) = rest.strip_prefix("- ").or_else(|| (rest == "-").then_some("")) {
            while stack.last().is_some_and(|(i, _, _)| *i > indent) {
                stack.pop();
            }
            let mut next = 0;
            if let Some((i, token, true)) = stack.last()
                && *i == indent
            {
                next = token.parse::<usize>().map_or(0, |n| n + 1);
                stack.pop();
            }
            stack.push((indent, next.to_string(), true));
            indent += 2;
            rest = item;
        }
        if let Some(key) = mapping_key(rest) {
            while stack.last().is_some_and(|(i, _, _)| *i >= indent) {
                stack.pop();
            }
            stack.push((indent, key, false));
        }
    }
    stack.iter().map(|(_, token, _)| format!("/{}", token.replace('~', "~0").replace('/', "~1"))).collect()
}

/// The JSON pointer of the value being read at 1-based `line` and `column`
/// of a JSON text: a small scanner of brackets, keys and commas, since the
/// parser only gives a position.
pub(crate) fn json_pointer_near(text: &str, line: usize, column: usize) -> String {
    enum Frame {
        Object(Option<String>),
        Array(usize),
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut chars = text.chars();
    let (mut at_line, mut at_column) = (1, 0);
    // The last string read, which becomes a key if a `:` follows it.
    let mut last_string: Option<String> = None;
    while let Some(c) = chars.next() {
        if c == '\n' {
            at_line += 1;
            at_column = 0;
        } else {
            at_column += 1;
        }
        if at_line > line || (at_line == line && at_column >= column) {
            break;
        }
        match c {
            '{' => stack.push(Frame::Object(None)),
            '[' => stack.push(Frame::Array(0)),
            '}' | ']' => {
                stack.pop();
            }
            ',' => match stack.last_mut() {
                Some(Frame::Array(i)) => *i += 1,
                Some(Frame::Object(key)) => *key = None,
                None => {}
            },
            ':' => {
                if let Some(Frame::Object(key)) = stack.last_mut() {
                    *key = last_string.take();
                }
            }
            '"' => {
                let mut string = String::new();
                let mut escaped = false;
                for c in chars.by_ref() {
                    at_column += 1;
                    match (escaped, c) {
                        (false, '\\') => escaped = true,
                        (false, '"') => break,
                        (_, c) => {
                            string.push(c);
                            escaped = false;
                        }
                    }
                }
                last_string = Some(string);
            }
            _ => {}
        }
    }
    stack
        .iter()
        .filter_map(|frame| match frame {
            Frame::Object(Some(key)) => Some(key.replace('~', "~0").replace('/', "~1")),
            Frame::Object(None) => None,
            Frame::Array(i) => Some(i.to_string()),
        })
        .map(|token| format!("/{token}"))
        .collect()
}

fn mapping_key(content: &str) -> Option<String> {
    let (key, _) = content.split_once(':').filter(|(_, after)| after.is_empty() || after.starts_with(' '))?;
    let key = key.trim();
    let key = key.trim_matches(|c| c == '\'' || c == '"');
    (!key.is_empty() && !key.contains(['{', '[', '#'])).then(|| key.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_tracks_keys_and_items() {
        let text = "a:\n  b:\n    - x: 1\n    - y: 2\n      z: [\n";
        assert_eq!(pointer_near_line(text, 5), "/a/b/1/z");
    }

    #[test]
    fn malformed_yaml_names_file_line_and_pointer() {
        let err = parse("spec.yaml", "paths:\n  /a:\n    get: {\n").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("spec.yaml:"), "{text}");
        assert!(text.contains("#/paths/~1a/get"), "{text}");
    }

    #[test]
    fn malformed_json_names_line_and_pointer() {
        let err = parse("spec.json", "{\"a\": [1,}").unwrap_err();
        assert!(matches!(err, Error::Syntax { line: 1, format: "JSON", .. }), "{err}");
        let err = parse("spec.json", "{\"paths\": {\"/a\": {\"get\": [1, {\"x\": tru}]}}}").unwrap_err();
        assert!(err.to_string().contains("(near #/paths/~1a/get/1/x)"), "{err}");
    }

    #[test]
    fn scalar_document_is_rejected() {
        let err = parse("x.yaml", "just text").unwrap_err();
        assert_eq!(err.to_string(), "error: x.yaml#/: the document is not a mapping");
    }
}
