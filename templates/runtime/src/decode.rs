//! Decoding JSON into the generated types, with errors that say where.

use std::fmt;

pub mod yes_no;

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
    // The body's UTF-8 is checked once, in bulk, so serde_json need not check
    // each string and each amount's text again (a fifth of the decoding time,
    // `cargo xtask bench`); a body that is not UTF-8 fails the same way below.
    match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text).or_else(|_| from_slice_traced(what, body)),
        Err(_) => from_slice_traced(what, body),
    }
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

/// One alternative of an untagged union, as generated code lists it: reads
/// the buffered value as the alternative's payload. With `traced`, a failure
/// says at which field path (only asked once every alternative failed, since
/// tracking the path costs); without it, a failure carries no message.
pub type Alternative<T> = fn(&serde_json::Value, bool) -> Result<Fit<T>, String>;

/// An alternative that decoded, and how much of the value it kept.
#[derive(Debug)]
pub struct Fit<T> {
    value: T,
    /// Properties and items of the value the payload does not hold.
    dropped: usize,
    /// Values the payload holds in another form (`"1.50"` as `1.5`).
    changed: usize,
}

/// Reads `value` as the payload `P` of the variant `wrap` makes, and
/// measures what the payload keeps by encoding it back: an untagged union
/// must not take an alternative that silently drops fields.
pub fn alternative<P, T>(value: &serde_json::Value, traced: bool, wrap: fn(P) -> T) -> Result<Fit<T>, String>
where
    P: serde::de::DeserializeOwned + serde::Serialize,
{
    let payload: P = if traced {
        serde_path_to_error::deserialize(value).map_err(|e| match e.path().to_string().as_str() {
            "." => e.into_inner().to_string(),
            path => format!("at `{path}`: {}", e.into_inner()),
        })?
    } else {
        <P as serde::Deserialize>::deserialize(value).map_err(|_| String::new())?
    };
    let (dropped, changed) = match serde_json::to_value(&payload) {
        Ok(back) => compare(value, &back),
        // A payload that cannot be encoded back keeps nothing we can show.
        Err(_) => (usize::MAX, 0),
    };
    Ok(Fit { value: wrap(payload), dropped, changed })
}

/// Decodes an untagged union `union` from `value`: the first alternative (in
/// the order given, most specific first) that keeps the whole value; else
/// the one that drops least, unless it drops something and the union has a
/// `raw` variant, which keeps the value as it came. An error lists why each
/// alternative failed, with the field path inside it.
pub fn untagged<T, E: serde::de::Error>(
    union: &str,
    value: serde_json::Value,
    alternatives: &[(&str, Alternative<T>)],
    raw: Option<fn(serde_json::Value) -> T>,
) -> Result<T, E> {
    let mut best: Option<Fit<T>> = None;
    for (_, read) in alternatives {
        let Ok(fit) = read(&value, false) else { continue };
        if fit.dropped == 0 && fit.changed == 0 {
            return Ok(fit.value);
        }
        // Strictly better only: equally good alternatives keep their order.
        if best.as_ref().is_none_or(|b| (fit.dropped, fit.changed) < (b.dropped, b.changed)) {
            best = Some(fit);
        }
    }
    match (best, raw) {
        (Some(fit), Some(raw)) if fit.dropped > 0 => Ok(raw(value)),
        (Some(fit), _) => Ok(fit.value),
        (None, _) => {
            let why: Vec<String> = alternatives
                .iter()
                .map(|(name, read)| match read(&value, true) {
                    Err(e) => format!("{name}: {e}"),
                    Ok(_) => format!("{name}: fits only when retried"),
                })
                .collect();
            Err(E::custom(format_args!("no alternative of `{union}` fits ({})", why.join("; "))))
        }
    }
}

/// What `back` (a payload encoded again) lost of `value`: (dropped, changed).
/// A property of `value` missing from `back` is dropped, unless it is `null`:
/// a type only DealPOS sends reads an absent and a `null` field alike (`None`,
/// not sent back). A property `back` adds (a `null` for an absent optional
/// field) costs nothing.
fn compare(value: &serde_json::Value, back: &serde_json::Value) -> (usize, usize) {
    use serde_json::Value;
    match (value, back) {
        _ if value == back => (0, 0),
        (Value::Object(a), Value::Object(b)) => a.iter().fold((0, 0), |(d, c), (key, v)| match b.get(key) {
            Some(w) => {
                let (d2, c2) = compare(v, w);
                (d.saturating_add(d2), c.saturating_add(c2))
            }
            None if v.is_null() => (d, c),
            None => (d.saturating_add(1), c),
        }),
        (Value::Array(a), Value::Array(b)) => {
            let lost = a.len().saturating_sub(b.len());
            a.iter().zip(b).fold((lost, 0), |(d, c), (v, w)| {
                let (d2, c2) = compare(v, w);
                (d.saturating_add(d2), c.saturating_add(c2))
            })
        }
        _ => (0, 1),
    }
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

    /// The bulk UTF-8 check must not hide where a bad byte is.
    #[test]
    fn a_body_that_is_not_utf8_is_an_error_naming_the_place() {
        let err = from_slice::<Order>("order", b"{\"Variants\": [{\"Price\": \"1\xff\"}]}").unwrap_err();
        assert_eq!((err.path.as_str(), err.line, err.column), ("Variants[0].Price", 1, 27), "{err}");
        assert!(err.message.contains("unicode"), "{err}");
    }

    #[test]
    fn garbage_and_trailing_bytes_are_errors() {
        assert!(from_slice::<Order>("order", b"not json").is_err());
        assert!(from_slice::<Order>("order", br#"{"Variants": []} x"#).is_err());
        let long = vec![b'['; 1000];
        assert!(from_slice::<Order>("order", &long).unwrap_err().snippet.chars().count() <= SNIPPET + 1);
    }

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Timer {
        id: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        wait: Option<i64>,
    }

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Reviewers {
        id: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reviewers: Option<Vec<String>>,
    }

    #[derive(Debug, PartialEq)]
    enum Rule {
        Timer(Timer),
        Reviewers(Reviewers),
        Other(serde_json::Value),
    }

    fn rule(value: serde_json::Value, raw: bool) -> Result<Rule, serde_json::Error> {
        let alternatives: &[(&str, Alternative<Rule>)] = &[
            ("Timer", |v, t| alternative(v, t, Rule::Timer)),
            ("Reviewers", |v, t| alternative(v, t, Rule::Reviewers)),
        ];
        untagged("Rule", value, alternatives, raw.then_some(Rule::Other as fn(_) -> _))
    }

    #[test]
    fn untagged_takes_the_alternative_that_keeps_every_field_not_the_first_that_decodes() {
        let value = serde_json::json!({"id": 1, "reviewers": ["ana"]});
        let expected = Rule::Reviewers(Reviewers { id: 1, reviewers: Some(vec!["ana".into()]) });
        assert_eq!(rule(value, true).unwrap(), expected);
        assert_eq!(rule(serde_json::json!({"id": 1}), true).unwrap(), Rule::Timer(Timer { id: 1, wait: None }));
    }

    #[test]
    fn untagged_keeps_the_raw_value_when_every_alternative_drops_something() {
        let value = serde_json::json!({"id": 1, "wait": 5, "reviewers": []});
        assert_eq!(rule(value.clone(), true).unwrap(), Rule::Other(value.clone()));
        // Without a raw variant, the alternative that drops least.
        let value = serde_json::json!({"id": 1, "wait": 5, "reviewers": [], "x": 1, "y": 2});
        assert!(matches!(rule(value, false).unwrap(), Rule::Timer(_)));
    }

    #[test]
    fn untagged_failure_names_each_alternative_and_the_path_inside_it() {
        let err = rule(serde_json::json!({"id": "one"}), true).unwrap_err().to_string();
        assert!(err.starts_with("no alternative of `Rule` fits (Timer: at `id`: invalid type"), "{err}");
        assert!(err.contains("; Reviewers: at `id`: "), "{err}");
    }

    #[test]
    fn compare_counts_dropped_properties_and_items_and_changed_values() {
        let value = serde_json::json!({"a": null, "b": [1, 2], "c": "1.50"});
        assert_eq!(compare(&value, &value), (0, 0));
        // `a: null` missing is no loss (absent and null read alike); the list item is.
        assert_eq!(compare(&value, &serde_json::json!({"b": [1], "c": 1.5, "d": null})), (1, 1));
        assert_eq!(compare(&serde_json::json!({"a": 0}), &serde_json::json!({})), (1, 0));
    }

    impl<'de> serde::Deserialize<'de> for Rule {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
            untagged(
                "Rule",
                value,
                &[
                    ("Timer", |v, t| alternative(v, t, Rule::Timer)),
                    ("Reviewers", |v, t| alternative(v, t, Rule::Reviewers)),
                ],
                Some(Rule::Other as fn(serde_json::Value) -> Self),
            )
        }
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Rules {
        rules: Vec<Rule>,
    }

    #[test]
    fn a_union_error_names_the_union_s_place_and_the_field_inside_the_alternative() {
        let body = br#"{"rules": [{"id": 1}, {"id": "2", "reviewers": [3]}]}"#;
        let err = from_slice::<Rules>("rules", body).unwrap_err();
        assert_eq!(err.path, "rules[1]");
        assert!(err.message.contains("Reviewers: at `id`: invalid type: string \"2\""), "{err}");
    }
}
