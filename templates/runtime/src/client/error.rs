//! What can go wrong calling DealPOS, as a taxonomy: the API answered with an
//! error status, the call never got a usable answer (transport), the answer
//! did not decode, or the client refused to go on (rate limit, unsafe retry,
//! a list that would not be whole).
//!
//! Every text here is bounded (a hostile server's 64 KiB body never ends up
//! whole in a log line) and holds no secret: the client scrubs its secret and
//! token out of what the server sends back before it is kept.

use std::sync::Arc;
use std::time::Duration;

/// An error from a DealPOS call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// DealPOS answered with an error status.
    #[error("{operation}: DealPOS answered {}: {}", .error.status, .error.summary())]
    Api {
        /// The operation called.
        operation: &'static str,
        /// The answer.
        error: ApiError,
    },
    /// Getting an access token failed: `status` is DealPOS's answer to the
    /// token request (401/403: bad credentials; `None` or 5xx: an outage).
    #[error("authentication failed{}: {cause}", .status.map(|s| format!(" (the token request was answered {s})")).unwrap_or_default())]
    Auth {
        /// The token request's HTTP status, when it got one.
        status: Option<u16>,
        /// Why; shared by every call that was waiting for the same token.
        #[source]
        cause: Arc<Error>,
    },
    /// DealPOS kept answering 429, or asked to wait longer than the client may.
    #[error("{operation}: rate limited by DealPOS; it asks to wait {retry_after:?}, more than the client may wait")]
    RateLimited {
        /// The operation called.
        operation: &'static str,
        /// How long DealPOS asked to wait.
        retry_after: Duration,
    },
    /// The request failed in transit (connect, TLS, reset, timeout) and was
    /// not retried or failed every retry.
    #[error("{operation}: transport error after {attempts} attempt(s): {source}")]
    Transport {
        /// The operation called.
        operation: &'static str,
        /// Attempts made.
        attempts: u32,
        /// The cause.
        source: reqwest::Error,
    },
    /// A request that is not safe to repeat (e.g. creating an invoice,
    /// converting a sales order) was sent and its outcome is unknown (timeout,
    /// dropped connection, 502/503/504): it was NOT sent again, so it may or
    /// may not have taken effect.
    #[error(
        "{operation}: outcome unknown ({cause}); not retried because {method} {path} is not safe to repeat — check before sending it again"
    )]
    OutcomeUnknown {
        /// The operation called.
        operation: &'static str,
        /// HTTP method.
        method: &'static str,
        /// Request path.
        path: String,
        /// What happened.
        cause: String,
    },
    /// The answer did not decode into the expected type (a paged answer
    /// without its list field is one: never taken for an empty page).
    #[error(transparent)]
    Decode(#[from] crate::DecodeError),
    /// A paged list could not be read whole; the items already yielded are
    /// not the whole list.
    #[error("{operation}: paging stopped at page {page}: {fault}; the items read so far are not the whole list")]
    Paging {
        /// The operation called.
        operation: &'static str,
        /// The page at which it stopped.
        page: u32,
        /// What went wrong.
        fault: PagingFault,
    },
    /// The request's body could not be encoded as JSON.
    #[error("{operation}: the request body does not encode as JSON: {message}")]
    Encode {
        /// The operation called.
        operation: &'static str,
        /// serde's message, bounded.
        message: String,
    },
    /// The call's deadline passed (limiter, token, retries and waits included).
    #[error("{operation}: the deadline of {deadline:?} passed")]
    Deadline {
        /// The operation called.
        operation: &'static str,
        /// The deadline configured.
        deadline: Duration,
    },
    /// The client is misconfigured.
    #[error("configuration: {0}")]
    Config(String),
}

/// Why a paged list could not be read whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PagingFault {
    /// The page had the same first and last item as the one before: the
    /// server ignores the page number, or serves a page twice.
    #[error("the page repeats the previous one")]
    RepeatedPage,
    /// The configured maximum number of pages was read and more would follow.
    #[error("{0} pages read, the configured maximum, and the list goes on")]
    TooManyPages(u32),
    /// An empty page came before `TotalCount` was reached.
    #[error("an empty page after {items} of the {total} items the server announced")]
    ShortOfTotal {
        /// Items read.
        items: u64,
        /// `TotalCount`.
        total: u64,
    },
}

impl Error {
    /// The HTTP status, for errors DealPOS answered (the token request's for [`Error::Auth`]).
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { error, .. } => Some(error.status),
            Error::Auth { status, .. } => *status,
            _ => None,
        }
    }

    /// Whether the same call may succeed later as it is: a transport failure
    /// or outage, a rate limit, a deadline. Never for an outcome that is
    /// unknown (check first), bad credentials, or an answer that does not decode.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { .. } | Error::RateLimited { .. } | Error::Deadline { .. } => true,
            Error::Api { error, .. } => matches!(error.status, 429 | 502..=504),
            Error::Auth { status, cause } => match status {
                Some(status) => matches!(status, 429 | 502..=504),
                None => cause.is_retryable(),
            },
            _ => false,
        }
    }

    /// How long DealPOS asked to wait, when it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after, .. } => Some(*retry_after),
            Error::Auth { cause, .. } => cause.retry_after(),
            _ => None,
        }
    }
}

/// An error answer from DealPOS: the status and what the body says, each
/// text bounded and scrubbed of the client's secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// `Message` of the body, when it has one (at most [`ApiError::MESSAGE_LIMIT`] bytes).
    pub message: Option<String>,
    /// `title` of a problem-details body, when it has one (bounded alike).
    pub title: Option<String>,
    /// The body as text, cut to [`ApiError::BODY_LIMIT`] bytes.
    pub body: String,
}

impl ApiError {
    /// How much of an error body is kept.
    pub const BODY_LIMIT: usize = 2048;
    /// How much of a `Message` or `title` is kept.
    pub const MESSAGE_LIMIT: usize = 500;

    /// Reads an error answer: `{Message}`, `{title, status, Message}`, or anything.
    pub fn from_body(status: u16, body: &[u8]) -> Self {
        Self::scrubbed(status, body, &[])
    }

    /// As [`ApiError::from_body`], with every occurrence of `secrets` replaced
    /// before anything is cut (so no part of one survives a cut).
    pub(crate) fn scrubbed(status: u16, body: &[u8], secrets: &[&str]) -> Self {
        let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        let field = |names: &[&str]| {
            let object = json.as_ref()?.as_object()?;
            let text = names.iter().find_map(|n| object.get(*n)?.as_str())?;
            Some(bounded(&scrub(text, secrets), Self::MESSAGE_LIMIT))
        };
        let text = bounded(&scrub(&String::from_utf8_lossy(body), secrets), Self::BODY_LIMIT);
        ApiError { status, message: field(&["Message", "message"]), title: field(&["title", "Title"]), body: text }
    }

    fn summary(&self) -> String {
        match (&self.title, &self.message) {
            (Some(t), Some(m)) => format!("{t}: {m}"),
            (None, Some(m)) => m.clone(),
            (Some(t), None) => t.clone(),
            (None, None) if self.body.is_empty() => "(empty body)".to_string(),
            (None, None) => bounded(&self.body, 200),
        }
    }
}

/// `text` with each non-empty secret replaced.
pub(crate) fn scrub(text: &str, secrets: &[&str]) -> String {
    secrets.iter().filter(|s| !s.is_empty()).fold(text.to_string(), |t, s| t.replace(s, "[redacted]"))
}

/// `text` cut to at most `limit` bytes at a character boundary, `…` marking the cut.
pub(crate) fn bounded(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_string();
    }
    let mut end = limit.saturating_sub('…'.len_utf8());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dealpos_error_bodies_are_read() {
        let e = ApiError::from_body(400, br#"{"Message": "Outlet not found"}"#);
        assert_eq!(e.message.as_deref(), Some("Outlet not found"));
        let e = ApiError::from_body(403, br#"{"title": "Forbidden", "status": 403, "Message": "Outlet not allowed"}"#);
        assert_eq!(e.summary(), "Forbidden: Outlet not allowed");
        let e = ApiError::from_body(500, b"<html>oops</html>");
        assert_eq!((e.message.clone(), e.summary()), (None, "<html>oops</html>".to_string()));
    }

    #[test]
    fn every_text_is_bounded() {
        assert!(ApiError::from_body(500, &vec![b'x'; 10_000]).body.len() <= ApiError::BODY_LIMIT);
        let huge = serde_json::json!({"Message": "é".repeat(40_000), "title": "t".repeat(40_000)}).to_string();
        let e = ApiError::from_body(400, huge.as_bytes());
        assert!(e.message.unwrap().len() <= ApiError::MESSAGE_LIMIT);
        assert!(e.title.unwrap().len() <= ApiError::MESSAGE_LIMIT);
        assert_eq!(bounded("short", 10), "short");
        assert_eq!(bounded("ééé", 4), "…");
    }

    #[test]
    fn secrets_are_scrubbed_before_the_cut() {
        let echo = format!("{}s3cret-value", "x".repeat(2030));
        let body = serde_json::json!({"Message": "bad secret s3cret-value", "echo": echo}).to_string();
        let e = ApiError::scrubbed(401, body.as_bytes(), &["s3cret-value", ""]);
        assert!(!format!("{e:?}").contains("s3cret"), "{e:?}");
        assert!(!format!("{e:?}").contains("s3c"), "no part of it survives the cut: {e:?}");
        assert_eq!(e.message.as_deref(), Some("bad secret [redacted]"));
    }

    #[test]
    fn retryable_errors_and_their_waits() {
        let api = |status| Error::Api { operation: "op", error: ApiError::from_body(status, b"") };
        assert!(api(503).is_retryable() && !api(400).is_retryable());
        let limited = Error::RateLimited { operation: "op", retry_after: Duration::from_secs(7) };
        let auth = Error::Auth { status: None, cause: Arc::new(limited) };
        assert_eq!(auth.retry_after(), Some(Duration::from_secs(7)));
        assert!(auth.is_retryable());
        let denied = Error::Auth { status: Some(401), cause: Arc::new(api(401)) };
        assert!(!denied.is_retryable() && denied.status() == Some(401));
    }
}
