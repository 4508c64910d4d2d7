//! Receiving DealPOS's webhook deliveries.
//!
//! DealPOS POSTs each event as the bare entity (no envelope, no event name, no
//! id) to the URL the merchant registered for that event, with a static
//! `X-API-Key` header. It expects `{"status": "success"}` within 30 s and
//! retries **once**, 7 s later, and only after a 5xx, 408 or 429 answer. A
//! receiver that does its work before answering therefore loses every event
//! whose handler fails twice.
//!
//! [`Receiver`] builds an [`axum::Router`] with one `POST` route per
//! [`WebhookKind`] (at [`WebhookKind::default_path`] unless configured), that
//! checks the API key in constant time (401, nothing kept: anyone can send
//! it), then the body size (413), the content type (415; a missing one is
//! fine when the body is JSON) and that the body is JSON (400, naming line and
//! column). A request that passes the key check but fails a later one is
//! still **kept** with an inbox: stored as [`Status::Rejected`] with the
//! reason (a body over the size limit up to [`Receiver::body_hard_cap`], and
//! the first that many bytes of a larger one), logged at warn (kind, size,
//! reason, never the body), and listed and replayed like a failed delivery.
//! It is answered with the honest 4xx: DealPOS does not retry a 4xx, and need
//! not, since the request is kept; if it cannot be stored, the answer is 503,
//! which DealPOS retries. Accepted deliveries then go either:
//!
//! - **with an inbox** ([`Receiver::with_inbox`]: `SqliteInbox` with the
//!   `inbox-sqlite` feature, one file, no server; `PostgresInbox` with
//!   `inbox-postgres`, shared by several receivers): stores the delivery durably, answers 200, and a
//!   [`Worker`] hands it to your [`Handler`] with retries and exponential
//!   backoff, marks it done, and keeps failures for inspection and
//!   [`Inbox::replay`]. A delivery that repeats one already stored (same kind,
//!   same body, within the dedup window) is answered 200 and processed once;
//! - **directly** ([`Receiver::direct`]): runs the handler before answering,
//!   500 if it fails. Nothing is stored: if the handler fails on DealPOS's
//!   single retry too, the event is gone. Use it only when losing an event is
//!   acceptable.
//!
//! A body that is JSON but does not fit the typed event (DealPOS changed
//! something) is not rejected: it is stored like any other and goes to
//! [`Handler::fallback`] with the raw body and the [`DecodeError`]. Unknown
//! extra fields are accepted by the typed events themselves.

mod http;
mod inbox;
#[cfg(feature = "inbox-postgres")]
mod postgres;
#[cfg(feature = "inbox-sqlite")]
mod sqlite;
mod worker;

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

pub use axum;
pub use axum::body::Bytes;

use crate::DecodeError;
use crate::webhooks::{WebhookEvent, WebhookKind};

pub use inbox::{Inbox, InboxCounts, InboxError, NewDelivery, Status, Stored, StoredDelivery};
#[cfg(feature = "inbox-postgres")]
pub use postgres::PostgresInbox;
#[cfg(feature = "inbox-sqlite")]
pub use sqlite::SqliteInbox;
pub use worker::{Retention, RetryPolicy, Worker, WorkerHandle};

/// The default body size limit: DealPOS's payloads are a few kilobytes.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// The default hard cap: a body over the limit is still read and kept (as
/// rejected) up to this many bytes, so that memory per request stays bounded.
pub const DEFAULT_BODY_HARD_CAP: usize = 4 * 1024 * 1024;

/// The default window in which an identical delivery counts as a duplicate.
/// DealPOS retries 7 s after an answer it did not like (or a 30 s timeout), so
/// a retry arrives within a minute; an hour leaves room for clock trouble
/// while letting a genuinely repeated event through later.
pub const DEFAULT_DEDUP_WINDOW: Duration = Duration::from_secs(60 * 60);

/// The request headers kept with a stored delivery by default (lower case).
/// The API key is deliberately not among them: it is a secret.
pub const DEFAULT_STORED_HEADERS: &[&str] =
    &["content-type", "content-length", "user-agent", "x-forwarded-for", "x-real-ip", "x-request-id", "traceparent"];

/// One delivery, as handed to a [`Handler`].
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The inbox row, or `None` in direct mode.
    pub id: Option<i64>,
    /// The endpoint it arrived on.
    pub kind: WebhookKind,
    /// The body exactly as DealPOS sent it.
    pub body: Bytes,
    /// The request headers listed in [`Receiver::stored_headers`], lower case.
    pub headers: Vec<(String, String)>,
    /// When the receiver got it.
    pub received_at: SystemTime,
    /// SHA-256 of the body, lower-case hex: the duplicate key with the kind.
    pub content_hash: String,
    /// 1 for the first attempt, 2 for the first retry, …
    pub attempt: u32,
}

/// Why a handler did not process a delivery. Any error converts into it with
/// `?` (retried); [`HandlerError::permanent`] says retrying cannot help.
pub struct HandlerError {
    message: String,
    retry: bool,
}

impl HandlerError {
    /// A failure worth retrying (a database down, a remote call timing out).
    pub fn retry(message: impl fmt::Display) -> Self {
        Self { message: message.to_string(), retry: true }
    }

    /// A failure no retry can fix: the delivery is marked failed at once and
    /// kept for inspection and replay.
    pub fn permanent(message: impl fmt::Display) -> Self {
        Self { message: message.to_string(), retry: false }
    }

    /// Whether a retry may succeed.
    pub fn is_retryable(&self) -> bool {
        self.retry
    }

    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

// No `std::error::Error` impl: it would make the blanket `From` below
// overlap with `From<T> for T` (the same choice as `anyhow::Error`).
impl<E: Into<Box<dyn std::error::Error + Send + Sync>>> From<E> for HandlerError {
    fn from(error: E) -> Self {
        Self::retry(error.into())
    }
}

impl fmt::Debug for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandlerError").field("message", &self.message).field("retry", &self.retry).finish()
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// What the receiver calls for each delivery.
///
/// With an inbox, `handle` may run more than once for one delivery (a crash
/// after it succeeded but before the inbox recorded it): make it idempotent,
/// e.g. keyed on [`Delivery::id`] or the entity's `ID`.
pub trait Handler: Send + Sync + 'static {
    /// Processes a delivery whose body decoded into its typed event.
    fn handle(&self, event: WebhookEvent, delivery: Delivery) -> impl Future<Output = Result<(), HandlerError>> + Send;

    /// Processes a delivery whose body is JSON but not the expected shape.
    /// By default it logs and fails permanently, so the delivery stays in the
    /// inbox as failed, to be replayed once the code knows the new shape.
    fn fallback(
        &self,
        error: DecodeError,
        delivery: Delivery,
    ) -> impl Future<Output = Result<(), HandlerError>> + Send {
        async move {
            tracing::error!(kind = %delivery.kind, id = ?delivery.id, %error, "webhook payload does not fit its type");
            Err(HandlerError::permanent(error))
        }
    }
}

/// A [`Handler`] from an async closure; see [`handler_fn`].
#[derive(Clone)]
pub struct HandlerFn<F, G = ()> {
    handle: F,
    fallback: G,
}

/// Makes a [`Handler`] from `|event, delivery| async move { … }`.
pub fn handler_fn<F, Fut>(handle: F) -> HandlerFn<F>
where
    F: Fn(WebhookEvent, Delivery) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send,
{
    HandlerFn { handle, fallback: () }
}

impl<F> HandlerFn<F> {
    /// Replaces the default fallback (log, fail permanently) with `fallback`.
    pub fn with_fallback<G, Fut>(self, fallback: G) -> HandlerFn<F, G>
    where
        G: Fn(DecodeError, Delivery) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), HandlerError>> + Send,
    {
        HandlerFn { handle: self.handle, fallback }
    }
}

impl<F, Fut> Handler for HandlerFn<F>
where
    F: Fn(WebhookEvent, Delivery) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send,
{
    fn handle(&self, event: WebhookEvent, delivery: Delivery) -> impl Future<Output = Result<(), HandlerError>> + Send {
        (self.handle)(event, delivery)
    }
}

impl<F, Fut, G, FutG> Handler for HandlerFn<F, G>
where
    F: Fn(WebhookEvent, Delivery) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send,
    G: Fn(DecodeError, Delivery) -> FutG + Send + Sync + 'static,
    FutG: Future<Output = Result<(), HandlerError>> + Send,
{
    fn handle(&self, event: WebhookEvent, delivery: Delivery) -> impl Future<Output = Result<(), HandlerError>> + Send {
        (self.handle)(event, delivery)
    }

    fn fallback(
        &self,
        error: DecodeError,
        delivery: Delivery,
    ) -> impl Future<Output = Result<(), HandlerError>> + Send {
        (self.fallback)(error, delivery)
    }
}

impl<H: Handler> Handler for Arc<H> {
    fn handle(&self, event: WebhookEvent, delivery: Delivery) -> impl Future<Output = Result<(), HandlerError>> + Send {
        (**self).handle(event, delivery)
    }

    fn fallback(
        &self,
        error: DecodeError,
        delivery: Delivery,
    ) -> impl Future<Output = Result<(), HandlerError>> + Send {
        (**self).fallback(error, delivery)
    }
}

/// A receiver configuration that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// No API key was given and unauthenticated deliveries were not allowed.
    #[error("no API key configured: add one with `api_key`, or call `allow_unauthenticated`")]
    NoApiKey,
    /// An empty API key would match a request with an empty header.
    #[error("an API key is empty")]
    EmptyApiKey,
    /// A route path axum cannot mount.
    #[error("webhook path `{path}` for {kind}: {reason}")]
    BadPath {
        /// The kind it was configured for.
        kind: WebhookKind,
        /// The path.
        path: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Two kinds on one path: the body does not say which event it is.
    #[error("webhook path `{path}` is configured for both {first} and {second}")]
    SharedPath {
        /// The path.
        path: String,
        /// One kind.
        first: WebhookKind,
        /// The other.
        second: WebhookKind,
    },
}

/// Builds the router (and, with an inbox, its [`Worker`]); see
/// the module documentation for the durable setup.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use dealpos_runtime::receiver::{handler_fn, Receiver};
///
/// let handler = handler_fn(|event, delivery| async move {
///     println!("{}: {}", delivery.kind, event.to_json());
///     Ok(())
/// });
/// // Direct mode: the handler runs before the answer (see `direct` for the risk).
/// let router = Receiver::new(handler).api_key(std::env::var("DEALPOS_WEBHOOK_KEY")?).direct()?;
/// let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
/// dealpos_runtime::receiver::axum::serve(listener, router).await?;
/// # Ok(()) }
/// ```
pub struct Receiver<H> {
    handler: Arc<H>,
    keys: Vec<String>,
    allow_unauthenticated: bool,
    body_limit: usize,
    body_hard_cap: usize,
    paths: BTreeMap<WebhookKind, String>,
    stored_headers: Vec<String>,
    dedup_window: Duration,
    retry: RetryPolicy,
    retention: Retention,
    max_in_flight: Option<usize>,
}

impl<H: Handler> Receiver<H> {
    /// A receiver handing deliveries to `handler`, with the defaults: every
    /// kind at its default path, 1 MiB body limit, no key yet.
    pub fn new(handler: H) -> Self {
        Self {
            handler: Arc::new(handler),
            keys: Vec::new(),
            allow_unauthenticated: false,
            body_limit: DEFAULT_BODY_LIMIT,
            body_hard_cap: DEFAULT_BODY_HARD_CAP,
            paths: WebhookKind::ALL.iter().map(|k| (*k, k.default_path().to_string())).collect(),
            stored_headers: DEFAULT_STORED_HEADERS.iter().map(|h| h.to_string()).collect(),
            dedup_window: DEFAULT_DEDUP_WINDOW,
            retry: RetryPolicy::default(),
            retention: Retention::default(),
            max_in_flight: None,
        }
    }

    /// Accepts deliveries whose `X-API-Key` is `key`. Call it once per key:
    /// while rotating, configure the old and the new one.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.keys.push(key.into());
        self
    }

    /// Accepts deliveries with any of `keys`.
    pub fn api_keys<K: Into<String>>(mut self, keys: impl IntoIterator<Item = K>) -> Self {
        self.keys.extend(keys.into_iter().map(Into::into));
        self
    }

    /// Accepts deliveries without checking `X-API-Key` (DealPOS's "No Auth"
    /// setting). Anyone who finds the URL can then inject events.
    pub fn allow_unauthenticated(mut self) -> Self {
        self.allow_unauthenticated = true;
        self
    }

    /// The largest body accepted (bytes); larger ones get 413 and are kept
    /// as rejected (up to [`body_hard_cap`](Self::body_hard_cap)).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// How much of a body over the limit is read and kept as rejected; of a
    /// larger one only the first this many bytes are kept (with a reason that
    /// says so). It bounds the memory one request can take. Never below the
    /// body limit.
    pub fn body_hard_cap(mut self, bytes: usize) -> Self {
        self.body_hard_cap = bytes;
        self
    }

    /// Mounts `kind` at `path` instead of its default path.
    pub fn path(mut self, kind: WebhookKind, path: impl Into<String>) -> Self {
        self.paths.insert(kind, path.into());
        self
    }

    /// Mounts every kind under `prefix` (e.g. `/hooks/dealpos`), at its
    /// default path.
    pub fn prefix(mut self, prefix: &str) -> Self {
        let prefix = prefix.trim_end_matches('/');
        for (kind, path) in &mut self.paths {
            *path = format!("{prefix}{}", kind.default_path());
        }
        self
    }

    /// The request headers stored with each delivery (names, any case).
    pub fn stored_headers<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.stored_headers = names.into_iter().map(|n| n.into().to_ascii_lowercase()).collect();
        self
    }

    /// How long after a delivery an identical one (same kind, same body) is
    /// a duplicate rather than a new event.
    pub fn dedup_window(mut self, window: Duration) -> Self {
        self.dedup_window = window;
        self
    }

    /// How the worker retries a failing handler.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// At most `n` deliveries are received at once (read, checked and stored,
    /// or handled in direct mode); more get 503, which DealPOS retries once,
    /// 7 s later. It bounds memory and database connections under a burst.
    /// None by default.
    pub fn max_in_flight(mut self, n: usize) -> Self {
        self.max_in_flight = Some(n);
        self
    }

    /// How long the worker keeps finished deliveries; by default done ones
    /// for 30 days and failed or rejected ones until replayed or purged (see
    /// [`Retention`] for why). [`Retention::keep_everything`] turns it off.
    pub fn retention(mut self, retention: Retention) -> Self {
        self.retention = retention;
        self
    }

    /// The router with a durable inbox: each delivery is stored before the
    /// 200, and the returned [`Worker`] (run it with [`Worker::spawn`]) hands
    /// it to the handler. Run several workers on one inbox only if its
    /// implementation says it supports that.
    pub fn with_inbox<S: Inbox>(self, inbox: S) -> Result<(axum::Router, Worker<H, S>), ConfigError> {
        let inbox = Arc::new(inbox);
        let worker = Worker::new(self.handler.clone(), inbox.clone(), self.retry.clone(), self.retention.clone());
        let sink = http::InboxSink { inbox, wake: worker.waker(), dedup_window: self.dedup_window };
        let router = http::router(self.http_config()?, Arc::new(sink));
        Ok((router, worker))
    }

    /// The router without an inbox: the handler runs before the answer, and
    /// a failure answers 500 so that DealPOS retries — once, 7 s later. An
    /// event whose handler fails on both tries, or that arrives while the
    /// process is down, is lost; so is a refused request (only its warn log
    /// line remains).
    pub fn direct(self) -> Result<axum::Router, ConfigError> {
        let sink = http::DirectSink { handler: self.handler.clone() };
        Ok(http::router(self.http_config()?, Arc::new(sink)))
    }

    fn http_config(&self) -> Result<http::Config, ConfigError> {
        if self.keys.is_empty() && !self.allow_unauthenticated {
            return Err(ConfigError::NoApiKey);
        }
        if self.keys.iter().any(String::is_empty) {
            return Err(ConfigError::EmptyApiKey);
        }
        let mut seen: BTreeMap<&str, WebhookKind> = BTreeMap::new();
        for (kind, path) in &self.paths {
            http::check_path(path).map_err(|reason| ConfigError::BadPath {
                kind: *kind,
                path: path.clone(),
                reason,
            })?;
            if let Some(first) = seen.insert(path, *kind) {
                return Err(ConfigError::SharedPath { path: path.clone(), first, second: *kind });
            }
        }
        Ok(http::Config {
            keys: http::KeySet::new(&self.keys),
            body_limit: self.body_limit,
            body_hard_cap: self.body_hard_cap.max(self.body_limit),
            paths: self.paths.clone(),
            stored_headers: self.stored_headers.clone(),
            in_flight: self.max_in_flight.map(|n| Arc::new(tokio::sync::Semaphore::new(n))),
        })
    }
}
