//! The DealPOS client: configuration, authentication, rate limiting, retries,
//! and the one function every operation goes through ([`Client::execute`]).
//! Generated operation methods only describe requests; behaviour lives here.

mod auth;
mod builder;
mod error;
mod limit;
mod paging;
mod request;
mod response;
mod retry;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tracing::Instrument;

pub use auth::{Credentials, Secret};
pub use builder::ClientBuilder;
pub use error::{ApiError, Error, PagingFault};
pub use limit::RateLimit;
pub use paging::{Items, Page, Paging, Progress, paginate};
pub use request::{Request, path_param};
pub use response::Response;
pub use retry::RetryPolicy;

/// A successful answer before its body is decoded.
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: bytes::Bytes,
}

impl Answer {
    /// The answer as users get it, with its decoded `value`.
    fn with_value<T>(self, value: T) -> Response<T> {
        Response::new(value, self.status, self.headers, self.body)
    }
}

/// How many times in a row a 429 is waited out before giving up.
const MAX_RATE_LIMITED: u32 = 5;

/// A DealPOS API client. Cheap to clone: clones share the token, the rate
/// limiter and the connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// Ours, following no redirect, whatever `http` does.
    token_http: reqwest::Client,
    base_url: String,
    credentials: Credentials,
    tokens: auth::TokenCache,
    limiter: limit::Limiter,
    retry: RetryPolicy,
    max_rate_limit_wait: Duration,
    page_size: u32,
    max_pages: u32,
    deadline: Option<Duration>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("client_id", &self.inner.credentials.client_id)
            .finish_non_exhaustive()
    }
}

/// When a call must be over, if it has a deadline.
#[derive(Clone, Copy)]
struct Deadline(Option<(tokio::time::Instant, Duration)>);

impl Deadline {
    fn left(self) -> Option<Duration> {
        self.0.map(|(at, _)| at.saturating_duration_since(tokio::time::Instant::now()))
    }

    /// `future`, unless the deadline passes first.
    async fn within<T>(self, operation: &'static str, future: impl Future<Output = T>) -> Result<T, Error> {
        match self.0 {
            None => Ok(future.await),
            Some((at, deadline)) => {
                tokio::time::timeout_at(at, future).await.map_err(|_| Error::Deadline { operation, deadline })
            }
        }
    }

    /// Sleeps `wait`, unless that would end after the deadline.
    async fn sleep(self, operation: &'static str, wait: Duration) -> Result<(), Error> {
        if let (Some(left), Some((_, deadline))) = (self.left(), self.0)
            && wait >= left
        {
            return Err(Error::Deadline { operation, deadline });
        }
        tokio::time::sleep(wait).await;
        Ok(())
    }
}

impl Client {
    /// A builder: give it the tenant host (or a base URL) and the app's credentials.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base URL requests are made against (ends with `/`).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The default page size of paged operations.
    pub fn page_size(&self) -> u32 {
        self.inner.page_size
    }

    /// Sends `request` and decodes the JSON answer as `T`.
    pub async fn execute<T: serde::de::DeserializeOwned>(&self, request: &Request) -> Result<T, Error> {
        self.execute_with_response(request).await.map(Response::into_value)
    }

    /// Sends `request`; the answer's body is not read as JSON.
    pub async fn execute_unit(&self, request: &Request) -> Result<(), Error> {
        self.execute_raw(request, true).await.map(|_| ())
    }

    /// Sends `request` and decodes the JSON answer as `T`, kept with its
    /// status, headers and raw body.
    pub async fn execute_with_response<T: serde::de::DeserializeOwned>(
        &self,
        request: &Request,
    ) -> Result<Response<T>, Error> {
        let (answer, token) = self.execute_raw(request, true).await?;
        let body = if answer.body.is_empty() { &b"null"[..] } else { &answer.body[..] };
        let value = crate::decode::from_slice(request.operation, body).map_err(|mut e| {
            // What a server echoed of our credentials is not quoted back.
            let secrets = self.secrets(token.as_ref());
            e.snippet = error::scrub(&e.snippet, &secrets);
            e.message = error::scrub(&e.message, &secrets);
            Error::Decode(e)
        })?;
        Ok(answer.with_value(value))
    }

    /// Sends `request`, its body not read as JSON; the answer's status,
    /// headers and raw body are kept.
    pub async fn execute_unit_with_response(&self, request: &Request) -> Result<Response<()>, Error> {
        self.execute_raw(request, true).await.map(|(answer, _)| answer.with_value(()))
    }

    fn secrets<'s>(&'s self, token: Option<&'s Secret>) -> [&'s str; 2] {
        [self.inner.credentials.client_secret.expose(), token.map_or("", Secret::expose)]
    }

    async fn bearer(&self, deadline: Deadline, operation: &'static str) -> Result<Secret, Error> {
        deadline.within(operation, self.inner.tokens.get(|| self.fetch_token(deadline))).await?
    }

    /// Asks DealPOS for a token. Every failure is an [`Error::Auth`] with the
    /// token request's status, if any; none of its text holds the secret.
    async fn fetch_token(&self, deadline: Deadline) -> Result<auth::Token, Error> {
        let credentials = &self.inner.credentials;
        let request = Request::new("createToken", "POST", "Token/OAuth2", true).with_body(serde_json::json!({
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret.expose(),
        }));
        let auth = |status, cause| Error::Auth { status, cause: Arc::new(cause) };
        // Boxed: fetching a token is itself a request, and async recursion needs a box.
        let (answer, _) = Box::pin(self.send(&request, None, deadline)).await.map_err(|e| match e {
            Error::Deadline { .. } => e,
            e => auth(e.status(), e),
        })?;
        let answer = auth::TokenAnswer::parse(&answer.body).map_err(|e| auth(Some(200), Error::Decode(e)))?;
        let lifetime = answer.lifetime();
        Ok(auth::Token::new(answer.access_token, lifetime))
    }

    /// Sends an API request, authenticated, within the call's deadline.
    async fn execute_raw(&self, request: &Request, authenticate: bool) -> Result<(Answer, Option<Secret>), Error> {
        let deadline = Deadline(self.inner.deadline.map(|d| (tokio::time::Instant::now() + d, d)));
        let token = if authenticate { Some(self.bearer(deadline, request.operation).await?) } else { None };
        self.send(request, token, deadline).await
    }

    /// The request loop: rate limit, send, and decide what an answer means —
    /// retry, re-authenticate, wait out a 429, or fail. The token comes
    /// before the limiter's permit: a token fetch takes a permit of its own,
    /// and must never wait behind requests that are waiting for it.
    async fn send(
        &self,
        request: &Request,
        mut token: Option<Secret>,
        deadline: Deadline,
    ) -> Result<(Answer, Option<Secret>), Error> {
        let inner = &self.inner;
        let operation = request.operation;
        let url = format!("{}{}", inner.base_url, request.path.trim_start_matches('/'));
        let mut attempt = 0;
        let mut reauthenticated = false;
        let mut rate_limited = 0;
        loop {
            attempt += 1;
            deadline.within(operation, inner.limiter.acquire()).await?;
            let span = tracing::info_span!(
                "dealpos.request",
                operation,
                method = request.method,
                attempt,
                status = tracing::field::Empty,
            );
            let sent = self.build(request, &url, token.as_ref(), deadline).send().instrument(span.clone()).await;
            let transport = |source: reqwest::Error, attempt| {
                // A connect error means nothing reached DealPOS: safe to repeat anything.
                if !request.safe && !source.is_connect() {
                    return Err(self.outcome_unknown(request, source.to_string()));
                }
                if attempt < inner.retry.max_attempts {
                    tracing::warn!(parent: &span, error = %source, "transport error; retrying");
                    return Ok(inner.retry.backoff(attempt));
                }
                Err(Error::Transport { operation, attempts: attempt, source })
            };
            let response = match sent {
                Ok(response) => response,
                Err(source) => {
                    deadline.sleep(operation, transport(source, attempt)?).await?;
                    continue;
                }
            };
            let status = response.status().as_u16();
            span.record("status", status);
            inner.limiter.observe(response.headers(), inner.max_rate_limit_wait).await;
            if status == 401 && token.is_some() && !reauthenticated {
                if let Some(used) = &token {
                    inner.tokens.invalidate(used).await;
                }
                token = Some(self.bearer(deadline, operation).await?);
                reauthenticated = true;
                attempt -= 1;
                continue;
            }
            if status == 429 {
                let wait = limit::retry_after(response.headers(), RateLimit::DEALPOS.window);
                rate_limited += 1;
                if wait > inner.max_rate_limit_wait || rate_limited > MAX_RATE_LIMITED {
                    return Err(Error::RateLimited { operation, retry_after: wait });
                }
                tracing::warn!(parent: &span, ?wait, "rate limited by DealPOS; waiting");
                deadline.sleep(operation, wait).await?;
                attempt -= 1;
                continue;
            }
            if retry::is_retryable_status(status) {
                if !request.safe {
                    return Err(self.outcome_unknown(request, format!("HTTP {status}")));
                }
                if attempt < inner.retry.max_attempts {
                    tracing::warn!(parent: &span, status, "server error; retrying");
                    deadline.sleep(operation, inner.retry.backoff(attempt)).await?;
                    continue;
                }
            }
            // Kept for `send_with_response()`; `bytes()` consumes the response.
            let headers = response.headers().clone();
            let body = match response.bytes().await {
                Ok(body) => body,
                // A body cut mid-way is a transport error like any other.
                Err(source) => {
                    deadline.sleep(operation, transport(source, attempt)?).await?;
                    continue;
                }
            };
            if !(200..300).contains(&status) {
                let secrets = self.secrets(token.as_ref());
                return Err(Error::Api { operation, error: ApiError::scrubbed(status, &body, &secrets) });
            }
            return Ok((Answer { status, headers, body }, token));
        }
    }

    fn build(
        &self,
        request: &Request,
        url: &str,
        token: Option<&Secret>,
        deadline: Deadline,
    ) -> reqwest::RequestBuilder {
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).unwrap_or(reqwest::Method::GET);
        // Only the API's own token endpoint goes without a token, and never through a redirect.
        let http = if token.is_none() { &self.inner.token_http } else { &self.inner.http };
        let mut builder = http.request(method, url).query(&request.query);
        if let Some(token) = token {
            builder = builder.bearer_auth(token.expose());
        }
        if let Some(left) = deadline.left() {
            builder = builder.timeout(left);
        }
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        // Content-Type only with a body: DealPOS answers 500 to a GET that
        // declares a JSON body it does not carry.
        if let Some(body) = &request.body {
            builder = builder.header(reqwest::header::CONTENT_TYPE, "application/json").body(body.to_string());
        }
        builder
    }

    fn outcome_unknown(&self, request: &Request, cause: String) -> Error {
        Error::OutcomeUnknown {
            operation: request.operation,
            method: request.method,
            path: request.path.clone(),
            cause: error::bounded(&cause, 500),
        }
    }
}
