//! What can go wrong calling DealPOS, as a taxonomy: the API answered with an
//! error status, the call never got a usable answer (transport), the answer
//! did not decode, or the client refused to go on (rate limit, unsafe retry).

use std::time::Duration;

/// An error from a DealPOS call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// DealPOS answered with an error status.
    #[error("{operation}: DealPOS answered {}: {}", .error.status, .error.summary())]
    Api {
        /// The operation called.
        operation: &'static str,
        /// The answer.
        error: ApiError,
    },
    /// Getting an access token failed.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// DealPOS kept answering 429 for longer than the client may wait.
    #[error("{operation}: rate limited by DealPOS; it asks to wait {retry_after:?}, more than the configured maximum")]
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
    /// A request that is not safe to repeat (e.g. creating an invoice) was sent
    /// and its outcome is unknown (timeout, dropped connection, 502/503/504):
    /// it was NOT sent again, so it may or may not have taken effect.
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
    /// The answer did not decode into the expected type.
    #[error(transparent)]
    Decode(#[from] crate::DecodeError),
    /// The client is misconfigured.
    #[error("configuration: {0}")]
    Config(String),
}

impl Error {
    /// The HTTP status, for errors DealPOS answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { error, .. } => Some(error.status),
            _ => None,
        }
    }
}

/// An error answer from DealPOS: the status and what the body says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// `Message` of the body, when it has one.
    pub message: Option<String>,
    /// `title` of a problem-details body, when it has one.
    pub title: Option<String>,
    /// The body as text, cut to a bounded length.
    pub body: String,
}

/// How much of an error body is kept.
const BODY_LIMIT: usize = 2048;

impl ApiError {
    /// Reads an error answer: `{Message}`, `{title, status, Message}`, or anything.
    pub fn from_body(status: u16, body: &[u8]) -> Self {
        let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        let field = |names: &[&str]| {
            let object = json.as_ref()?.as_object()?;
            names.iter().find_map(|n| object.get(*n)?.as_str().map(str::to_string))
        };
        let text = String::from_utf8_lossy(&body[..body.len().min(BODY_LIMIT)]).into_owned();
        ApiError { status, message: field(&["Message", "message"]), title: field(&["title", "Title"]), body: text }
    }

    fn summary(&self) -> String {
        match (&self.title, &self.message) {
            (Some(t), Some(m)) => format!("{t}: {m}"),
            (None, Some(m)) => m.clone(),
            (Some(t), None) => t.clone(),
            (None, None) if self.body.is_empty() => "(empty body)".to_string(),
            (None, None) => self.body.chars().take(200).collect(),
        }
    }
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
        assert!(ApiError::from_body(500, &vec![b'x'; 10_000]).body.len() <= BODY_LIMIT);
    }
}
