//! A successful answer with what came with it: `send_with_response()`.

use std::fmt;

/// The header DealPOS (or a proxy in front of it) names a request by, when
/// it sends one; the receiver logs the same header on deliveries.
const REQUEST_ID_HEADERS: [&str; 2] = ["x-request-id", "request-id"];

/// A successful answer: the decoded value, the HTTP status, the headers
/// and the raw body, as `send_with_response()` returns them.
#[derive(Clone)]
pub struct Response<T> {
    value: T,
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: bytes::Bytes,
}

// By hand: the body may be large; its length says enough in a log line.
impl<T: fmt::Debug> fmt::Debug for Response<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("request_id", &self.request_id())
            .field("value", &self.value)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl<T> Response<T> {
    /// An answer; made by the client, public for tests of code that takes one.
    pub fn new(value: T, status: u16, headers: reqwest::header::HeaderMap, body: bytes::Bytes) -> Self {
        Response { value, status, headers, body }
    }

    /// The decoded answer (what `send()` returns).
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The decoded answer, taken out.
    pub fn into_value(self) -> T {
        self.value
    }

    /// The HTTP status (2xx: other statuses are errors).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The answer's headers (`RateLimit-Remaining`, `Date`, …).
    pub fn headers(&self) -> &reqwest::header::HeaderMap {
        &self.headers
    }

    /// The request id the answer carries (`X-Request-Id`, else `Request-Id`),
    /// if any: what to quote to DealPOS's support.
    pub fn request_id(&self) -> Option<&str> {
        REQUEST_ID_HEADERS.iter().find_map(|name| self.headers.get(*name)?.to_str().ok())
    }

    /// The body exactly as received (empty when the answer had none).
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The same answer with its value changed by `f`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response { value: f(self.value), status: self.status, headers: self.headers, body: self.body }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_id_is_read_from_either_header() {
        let mut headers = reqwest::header::HeaderMap::new();
        let none = Response::new((), 200, headers.clone(), bytes::Bytes::new());
        assert_eq!(none.request_id(), None);
        headers.insert("request-id", "r-2".parse().unwrap());
        assert_eq!(Response::new((), 200, headers.clone(), bytes::Bytes::new()).request_id(), Some("r-2"));
        headers.insert("x-request-id", "r-1".parse().unwrap());
        let answer = Response::new(7, 201, headers, bytes::Bytes::from_static(b"7"));
        assert_eq!((answer.request_id(), answer.status(), answer.body()), (Some("r-1"), 201, &b"7"[..]));
        assert_eq!(answer.map(|v| v + 1).into_value(), 8);
    }
}
