//! A request as generated operations describe it, and how parameters are written.

use std::fmt;

/// A request, as generated operation methods describe it.
#[derive(Clone)]
pub struct Request {
    /// The operation's id (for errors and traces).
    pub operation: &'static str,
    /// HTTP method.
    pub method: &'static str,
    /// Path relative to the base URL, parameters filled in.
    pub path: String,
    /// Query parameters.
    pub query: Vec<(String, String)>,
    /// Header parameters.
    pub headers: Vec<(String, String)>,
    /// The JSON body.
    pub body: Option<serde_json::Value>,
    /// Whether sending it twice has the effect of sending it once (reads,
    /// the POST twins of reads, PUT/DELETE the description marks repeatable),
    /// so it may be retried after an unknown outcome.
    pub safe: bool,
}

// By hand: a body may carry a secret (the token request's client secret), and
// a request is the kind of value that ends up in a `{:?}` log line.
impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("operation", &self.operation)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &self.headers)
            .field("body", &self.body.as_ref().map(|_| "[not shown]"))
            .field("safe", &self.safe)
            .finish_non_exhaustive()
    }
}

impl Request {
    /// A request without parameters or body.
    pub fn new(operation: &'static str, method: &'static str, path: impl Into<String>, safe: bool) -> Self {
        Request { operation, method, path: path.into(), query: Vec::new(), headers: Vec::new(), body: None, safe }
    }

    /// With a JSON body.
    pub fn with_body(mut self, body: serde_json::Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Adds a query parameter (a list adds one pair per item).
    pub fn query(&mut self, name: &str, value: &impl serde::Serialize) {
        for v in param_values(value) {
            self.query.push((name.to_string(), v));
        }
    }

    /// Adds a header parameter.
    pub fn header(&mut self, name: &str, value: &impl serde::Serialize) {
        let values = param_values(value);
        if !values.is_empty() {
            self.headers.push((name.to_string(), values.join(",")));
        }
    }
}

/// A parameter's text: strings as they are, numbers and booleans as JSON
/// writes them, lists item by item, `null` as nothing.
fn param_values(value: &impl serde::Serialize) -> Vec<String> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::Null) | Err(_) => Vec::new(),
        Ok(serde_json::Value::String(s)) => vec![s],
        Ok(serde_json::Value::Array(items)) => items
            .into_iter()
            .filter(|v| !v.is_null())
            .map(|v| match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            })
            .collect(),
        Ok(other) => vec![other.to_string()],
    }
}

/// Fills a path template's `{name}` with a percent-encoded value.
pub fn path_param(template: &str, name: &str, value: &impl serde::Serialize) -> String {
    let text = param_values(value).join(",");
    let encoded: String = text
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    // Built by concatenation: the braces of a format string would read as template syntax.
    template.replace(&["{", name, "}"].concat(), &encoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_and_paths() {
        assert_eq!(param_values(&vec!["a", "b"]), ["a", "b"]);
        assert_eq!(param_values(&Some(true)), ["true"]);
        assert!(param_values(&None::<i64>).is_empty());
        assert_eq!(path_param("Invoice/Join/Detail/{id}", "id", &"a b/c"), "Invoice/Join/Detail/a%20b%2Fc");
    }

    #[test]
    fn a_body_is_never_shown() {
        let request = Request::new("createToken", "POST", "Token/OAuth2", false)
            .with_body(serde_json::json!({"client_secret": "hunter2"}));
        assert!(!format!("{request:?}").contains("hunter2"));
    }
}
