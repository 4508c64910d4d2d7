//! The HTTP side: one route per kind, and the checks every delivery passes
//! before it is stored (or handled, in direct mode).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use http_body_util::BodyExt;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tokio::sync::{Notify, Semaphore};

use super::inbox::{Inbox, NewDelivery, Stored};
use super::{Delivery, Handler};
use crate::webhooks::{WebhookEvent, WebhookKind};

/// The header DealPOS sends the configured key in.
const API_KEY_HEADER: &str = "x-api-key";

/// What the router needs from the builder.
pub(super) struct Config {
    pub keys: KeySet,
    pub body_limit: usize,
    /// How much of a body over `body_limit` is still read and kept (as
    /// rejected): beyond it, only the first `body_hard_cap` bytes are.
    pub body_hard_cap: usize,
    pub paths: BTreeMap<WebhookKind, String>,
    pub stored_headers: Vec<String>,
    /// The deliveries that may be received (read, checked, stored or, in
    /// direct mode, handled) at once; `None` for no cap.
    pub in_flight: Option<Arc<Semaphore>>,
}

/// The accepted API keys, as SHA-256 digests: comparing digests of equal
/// length keeps the comparison constant-time even when the lengths of the
/// presented and the configured keys differ.
pub(super) struct KeySet {
    digests: Vec<[u8; 32]>,
}

impl KeySet {
    pub fn new(keys: &[String]) -> Self {
        Self { digests: keys.iter().map(|k| digest(k.as_bytes())).collect() }
    }

    /// Whether the request may pass. Every configured key is compared, with
    /// no early exit, so the timing says nothing about which one was close.
    fn admits(&self, headers: &HeaderMap) -> bool {
        if self.digests.is_empty() {
            return true;
        }
        let Some(presented) = headers.get(API_KEY_HEADER) else { return false };
        let presented = digest(presented.as_bytes());
        let mut ok = subtle::Choice::from(0);
        for key in &self.digests {
            ok |= key.ct_eq(&presented);
        }
        ok.into()
    }
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// SHA-256 of a body, lower-case hex.
pub(super) fn content_hash(body: &[u8]) -> String {
    use std::fmt::Write as _;
    digest(body).iter().fold(String::with_capacity(64), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// Why a path cannot be mounted (axum would panic on it).
pub(super) fn check_path(path: &str) -> Result<(), &'static str> {
    if !path.starts_with('/') {
        return Err("must start with `/`");
    }
    if path.contains(['{', '}', '*']) || path.split('/').any(|segment| segment.starts_with(':')) {
        return Err("must be a literal path (no `{param}`, `*` or `:segment`)");
    }
    Ok(())
}

/// Why a request that passed the key check is refused: the answer and the
/// reason kept with it.
pub(super) struct Refusal {
    pub status: StatusCode,
    pub reason: String,
}

/// What happens to a delivery that passed the key check.
pub(super) trait Sink: Send + Sync + 'static {
    /// It passed every check.
    fn accept(&self, delivery: Delivery) -> impl Future<Output = Response> + Send;

    /// It failed a check after the key one.
    fn reject(&self, delivery: Delivery, refusal: Refusal) -> impl Future<Output = Response> + Send;
}

/// The refusal's log line: kind, size and reason, never the body (it holds
/// customer data, and the inbox keeps it for whoever needs to look).
fn log_refusal(delivery: &Delivery, refusal: &Refusal, id: Option<i64>) {
    tracing::warn!(
        kind = %delivery.kind,
        size = delivery.body.len(),
        status = refusal.status.as_u16(),
        reason = %refusal.reason,
        ?id,
        "webhook delivery refused"
    );
}

/// Durable mode: store, wake the worker, answer.
pub(super) struct InboxSink<S> {
    pub inbox: Arc<S>,
    pub wake: Arc<Notify>,
    pub dedup_window: Duration,
}

impl<S: Inbox> Sink for InboxSink<S> {
    async fn reject(&self, delivery: Delivery, refusal: Refusal) -> Response {
        self.keep_rejected(delivery, refusal).await
    }

    async fn accept(&self, delivery: Delivery) -> Response {
        let new = NewDelivery {
            kind: delivery.kind.name().to_string(),
            body: delivery.body,
            headers: delivery.headers,
            received_at: delivery.received_at,
            content_hash: delivery.content_hash,
            dedup_window: self.dedup_window,
            rejected: None,
        };
        match self.inbox.store(new).await {
            Ok(Stored::New(id)) => {
                tracing::debug!(kind = %delivery.kind, id, "webhook delivery stored");
                self.wake.notify_one();
                success()
            }
            Ok(Stored::Duplicate(id)) => {
                tracing::info!(kind = %delivery.kind, id, "duplicate webhook delivery ignored");
                success()
            }
            Err(error) => {
                // 503 is among the answers DealPOS retries on.
                tracing::error!(kind = %delivery.kind, %error, "cannot store webhook delivery");
                failure(StatusCode::SERVICE_UNAVAILABLE, "the delivery could not be stored; retry later")
            }
        }
    }
}

impl<S: Inbox> InboxSink<S> {
    async fn keep_rejected(&self, delivery: Delivery, refusal: Refusal) -> Response {
        let new = NewDelivery {
            kind: delivery.kind.name().to_string(),
            body: delivery.body.clone(),
            headers: delivery.headers.clone(),
            received_at: delivery.received_at,
            content_hash: delivery.content_hash.clone(),
            dedup_window: self.dedup_window,
            rejected: Some(refusal.reason.clone()),
        };
        match self.inbox.store(new).await {
            Ok(stored) => {
                log_refusal(&delivery, &refusal, Some(stored.id()));
                // The honest 4xx: DealPOS does not retry it, and need not,
                // since the request is kept; its log shows the problem.
                let message = format!("{} (kept as rejected delivery {})", refusal.reason, stored.id());
                failure(refusal.status, &message)
            }
            Err(error) => {
                log_refusal(&delivery, &refusal, None);
                // Not kept: a 503 makes DealPOS send it again.
                tracing::error!(kind = %delivery.kind, %error, "cannot store refused webhook delivery");
                failure(StatusCode::SERVICE_UNAVAILABLE, "the delivery could not be stored; retry later")
            }
        }
    }
}

/// Direct mode: run the handler now; its failure is DealPOS's to retry.
pub(super) struct DirectSink<H> {
    pub handler: Arc<H>,
}

impl<H: Handler> Sink for DirectSink<H> {
    async fn reject(&self, delivery: Delivery, refusal: Refusal) -> Response {
        // Direct mode keeps nothing (see `Receiver::direct`): the log line is
        // all that is left of the request.
        log_refusal(&delivery, &refusal, None);
        failure(refusal.status, &refusal.reason)
    }

    async fn accept(&self, delivery: Delivery) -> Response {
        let kind = delivery.kind;
        let result = match WebhookEvent::parse(kind, &delivery.body) {
            Ok(event) => self.handler.handle(event, delivery).await,
            Err(error) => self.handler.fallback(error, delivery).await,
        };
        match result {
            Ok(()) => success(),
            Err(error) => {
                tracing::error!(%kind, %error, "webhook handler failed (direct mode: DealPOS may retry once)");
                failure(StatusCode::INTERNAL_SERVER_ERROR, "the delivery could not be processed")
            }
        }
    }
}

/// One `POST` route per configured kind.
pub(super) fn router<K: Sink>(config: Config, sink: Arc<K>) -> Router {
    let config = Arc::new(config);
    let mut router = Router::new();
    for (kind, path) in &config.paths {
        let (config, sink, kind) = (config.clone(), sink.clone(), *kind);
        router =
            router.route(
                path,
                post(move |headers: HeaderMap, body: Body| async move {
                    receive(&config, &*sink, kind, headers, body).await
                }),
            );
    }
    router
}

/// The checks. The key comes first and alone decides whether anything is
/// kept: every request that passes it is stored, refused or not, since
/// DealPOS never sends again what we answered with a 4xx.
async fn receive<K: Sink>(config: &Config, sink: &K, kind: WebhookKind, headers: HeaderMap, body: Body) -> Response {
    if !config.keys.admits(&headers) {
        // The same answer for a missing and a wrong key; nothing kept, since
        // anyone can send it.
        return failure(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    // Held until the answer is made. Over the cap the request is not read, so
    // not kept: 503 is an answer DealPOS retries.
    let _permit = match config.in_flight.as_ref().map(|slots| slots.clone().try_acquire_owned()) {
        Some(Err(_)) => {
            tracing::warn!(%kind, "webhook delivery turned away: too many in flight (503, DealPOS retries)");
            return failure(StatusCode::SERVICE_UNAVAILABLE, "too many deliveries in flight; retry later");
        }
        Some(Ok(permit)) => Some(permit),
        None => None,
    };
    let read = read_body(body, config.body_limit.max(config.body_hard_cap)).await;
    let stored_headers = config
        .stored_headers
        .iter()
        .flat_map(|name| {
            headers
                .get_all(name.as_str())
                .iter()
                .map(move |v| (name.clone(), String::from_utf8_lossy(v.as_bytes()).into()))
        })
        .collect();
    let body = Bytes::from(read.bytes);
    let delivery = Delivery {
        id: None,
        kind,
        content_hash: content_hash(&body),
        body,
        headers: stored_headers,
        received_at: SystemTime::now(),
        attempt: 1,
    };
    match check(config, &headers, &delivery.body, read.problem) {
        None => sink.accept(delivery).await,
        Some(refusal) => sink.reject(delivery, refusal).await,
    }
}

/// Why a body read in full is refused, if it is: size, then content type,
/// then JSON.
fn check(config: &Config, headers: &HeaderMap, body: &[u8], problem: Option<ReadProblem>) -> Option<Refusal> {
    let refuse = |status, reason: String| Some(Refusal { status, reason });
    let limit = config.body_limit;
    match problem {
        Some(ReadProblem::OverCap { read }) => {
            let reason = format!("the body is larger than {limit} bytes (the first {read} bytes are kept)");
            return refuse(StatusCode::PAYLOAD_TOO_LARGE, reason);
        }
        Some(ReadProblem::Broken(error)) => {
            return refuse(StatusCode::BAD_REQUEST, format!("the body could not be read ({error}); kept as read"));
        }
        None => {}
    }
    if body.len() > limit {
        return refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is larger than {limit} bytes ({})", body.len()),
        );
    }
    match content_type(headers) {
        ContentType::Json | ContentType::Missing => {}
        ContentType::Other(other) => {
            let reason = format!("the content type is `{other}`, not application/json");
            return refuse(StatusCode::UNSUPPORTED_MEDIA_TYPE, reason);
        }
    }
    if let Err(error) = serde_json::from_slice::<serde::de::IgnoredAny>(body) {
        // serde_json's message ends with the position, which goes first here.
        let text = error.to_string();
        let what = text.split(" at line ").next().unwrap_or(&text);
        let reason = format!("malformed JSON at line {}, column {}: {what}", error.line(), error.column());
        return refuse(StatusCode::BAD_REQUEST, reason);
    }
    None
}

/// What the `Content-Type` header says.
#[derive(Debug, PartialEq, Eq)]
enum ContentType {
    /// `application/json`, with or without parameters, or a `+json` type.
    Json,
    /// No header: the body decides (accepted if it is JSON).
    Missing,
    /// Anything else, as sent.
    Other(String),
}

fn content_type(headers: &HeaderMap) -> ContentType {
    let Some(value) = headers.get(header::CONTENT_TYPE) else { return ContentType::Missing };
    let text = String::from_utf8_lossy(value.as_bytes());
    let essence = text.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json")) {
        ContentType::Json
    } else {
        ContentType::Other(text.into_owned())
    }
}

/// A body as far as it was read.
struct Read {
    bytes: Vec<u8>,
    problem: Option<ReadProblem>,
}

enum ReadProblem {
    /// Longer than the cap: `read` bytes were kept, the rest dropped unread.
    OverCap { read: usize },
    /// The connection failed in the middle of the body.
    Broken(String),
}

/// Reads at most `cap` bytes: memory stays bounded, and whatever was read
/// can still be kept.
async fn read_body(mut body: Body, cap: usize) -> Read {
    let mut bytes = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = match frame {
            Ok(frame) => frame,
            Err(error) => return Read { bytes, problem: Some(ReadProblem::Broken(error.to_string())) },
        };
        let Ok(data) = frame.into_data() else { continue }; // trailers
        let room = cap - bytes.len();
        if data.len() > room {
            bytes.extend_from_slice(&data[..room]);
            return Read { bytes, problem: Some(ReadProblem::OverCap { read: cap }) };
        }
        bytes.extend_from_slice(&data);
    }
    Read { bytes, problem: None }
}

/// DealPOS's expected acknowledgement.
fn success() -> Response {
    json(StatusCode::OK, serde_json::json!({ "status": "success" }))
}

fn failure(status: StatusCode, message: &str) -> Response {
    json(status, serde_json::json!({ "status": "error", "message": message }))
}

fn json(status: StatusCode, value: serde_json::Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], value.to_string()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn any_configured_key_is_admitted_and_nothing_else() {
        let keys = KeySet::new(&["old-key".to_string(), "new-key".to_string()]);
        assert!(keys.admits(&headers(&[("x-api-key", "old-key")])));
        assert!(keys.admits(&headers(&[("x-api-key", "new-key")])));
        for wrong in ["", "new-ke", "new-key ", "NEW-KEY", "old-keyold-key"] {
            assert!(!keys.admits(&headers(&[("x-api-key", wrong)])), "{wrong:?}");
        }
        assert!(!keys.admits(&HeaderMap::new()));
        assert!(KeySet::new(&[]).admits(&HeaderMap::new()), "no keys: unauthenticated mode");
    }

    #[test]
    fn json_content_types() {
        for ok in ["application/json", "Application/JSON; charset=utf-8", "application/vnd.dealpos+json"] {
            assert_eq!(content_type(&headers(&[("content-type", ok)])), ContentType::Json, "{ok}");
        }
        for bad in ["text/plain", "application/x-www-form-urlencoded", "application/jsonx", ""] {
            assert_eq!(content_type(&headers(&[("content-type", bad)])), ContentType::Other(bad.into()), "{bad}");
        }
        assert_eq!(content_type(&HeaderMap::new()), ContentType::Missing);
    }

    #[test]
    fn paths_axum_would_panic_on_are_refused() {
        assert!(check_path("/hooks/shift-close").is_ok());
        for bad in ["shift-close", "/hooks/{id}", "/hooks/*rest", "/hooks/:id"] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn content_hash_is_sha256_hex() {
        assert_eq!(content_hash(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
