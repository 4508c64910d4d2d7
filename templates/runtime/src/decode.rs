//! Decoding JSON into the generated types, with errors that say where.

use std::fmt;

/// How much of a body an error quotes: enough to recognise it, bounded so a
/// large payload does not flood a log.
const SNIPPET: usize = 200;

/// A body that did not decode into the expected type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct DecodeError {
    /// What was being decoded (a webhook kind, an operation).
    pub what: String,
    /// The path of the field that failed (`Variants[2].Price`), `.` for the root.
    pub path: String,
    /// What went wrong there.
    pub message: String,
    /// 1-based line and column in the body.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The start of the body.
    pub snippet: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot decode {} at `{}` (line {}, column {}): {}; body starts: {}",
            self.what, self.path, self.line, self.column, self.message, self.snippet
        )
    }
}

/// Decodes `body` as a `T`; `what` names it in the error.
pub fn from_slice<T: serde::de::DeserializeOwned>(what: &str, body: &[u8]) -> Result<T, DecodeError> {
    // Tracking the path costs as much as the decoding itself (a `String` per
    // key): decode plainly, and only when that fails decode again for the path.
    serde_json::from_slice(body).or_else(|_| from_slice_traced(what, body))
}

fn from_slice_traced<T: serde::de::DeserializeOwned>(what: &str, body: &[u8]) -> Result<T, DecodeError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| error(what, e.path().to_string(), e.into_inner(), body))?;
    de.end().map_err(|e| error(what, ".".to_string(), e, body))?;
    Ok(value)
}

fn error(what: &str, path: String, inner: serde_json::Error, body: &[u8]) -> DecodeError {
    let message = inner.to_string();
    let message = message.split(" at line ").next().unwrap_or(&message).to_string();
    DecodeError {
        what: what.to_string(),
        path,
        message,
        line: inner.line(),
        column: inner.column(),
        snippet: snippet(body),
    }
}

fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(SNIPPET)]);
    let mut out: String = text.chars().filter(|c| !c.is_control() || *c == ' ').collect();
    if body.len() > SNIPPET {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Line {
        #[serde(rename = "Price")]
        price: i64,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Order {
        #[serde(rename = "Variants")]
        variants: Vec<Line>,
    }

    #[test]
    fn error_names_the_field_path_and_quotes_the_body() {
        let body = br#"{"Variants": [{"Price": 1}, {"Price": "x"}]}"#;
        let err = from_slice::<Order>("order", body).unwrap_err();
        assert_eq!(err.path, "Variants[1].Price");
        assert!(err.to_string().starts_with("cannot decode order at `Variants[1].Price` (line 1, column 41)"), "{err}");
        assert!(err.snippet.starts_with("{\"Variants\""));
    }

    #[test]
    fn garbage_and_trailing_bytes_are_errors() {
        assert!(from_slice::<Order>("order", b"not json").is_err());
        assert!(from_slice::<Order>("order", br#"{"Variants": []} x"#).is_err());
        let long = vec![b'['; 1000];
        assert!(from_slice::<Order>("order", &long).unwrap_err().snippet.chars().count() <= SNIPPET + 1);
    }
}
