//! The DealPOS client: configuration, authentication, rate limiting, retries,
//! and the one function every operation goes through ([`Client::execute`]).
//! Generated operation methods only describe requests; behaviour lives here.

mod auth;
mod error;
mod limit;
mod paging;
mod retry;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tracing::Instrument;

pub use auth::{Credentials, Secret};
pub use error::{ApiError, Error};
pub use limit::RateLimit;
pub use paging::{Paging, paginate};
pub use retry::RetryPolicy;

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
    base_url: String,
    credentials: Credentials,
    tokens: auth::TokenCache,
    limiter: limit::Limiter,
    retry: RetryPolicy,
    max_rate_limit_wait: Duration,
    page_size: u32,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("client_id", &self.inner.credentials.client_id)
            .finish_non_exhaustive()
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
        let body = self.execute_raw(request, true).await?;
        let body = if body.is_empty() { &b"null"[..] } else { &body[..] };
        Ok(crate::decode::from_slice(request.operation, body)?)
    }

    /// Sends `request`; the answer's body is not read as JSON.
    pub async fn execute_unit(&self, request: &Request) -> Result<(), Error> {
        self.execute_raw(request, true).await.map(|_| ())
    }

    async fn bearer(&self) -> Result<Secret, Error> {
        self.inner.tokens.get(|| self.fetch_token()).await
    }

    async fn fetch_token(&self) -> Result<auth::Token, Error> {
        let credentials = &self.inner.credentials;
        let request = Request::new("createToken", "POST", "Token/OAuth2", true).with_body(serde_json::json!({
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret.expose(),
        }));
        // Boxed: fetching a token is itself a request, and async recursion needs a box.
        let body = Box::pin(self.execute_raw(&request, false)).await.map_err(|e| match e {
            Error::Api { error, .. } => Error::Auth(format!("DealPOS answered {} to the token request", error.status)),
            other => Error::Auth(other.to_string()),
        })?;
        let answer: auth::TokenAnswer = crate::decode::from_slice("token answer", &body)?;
        let lifetime = answer.lifetime();
        Ok(auth::Token::new(answer.access_token, lifetime))
    }

    /// The request loop: rate limit, authenticate, send, and decide what an
    /// answer means — retry, re-authenticate, wait out a 429, or fail.
    async fn execute_raw(&self, request: &Request, authenticate: bool) -> Result<bytes::Bytes, Error> {
        let inner = &self.inner;
        let url = format!("{}{}", inner.base_url, request.path.trim_start_matches('/'));
        let mut attempt = 0;
        let mut reauthenticated = false;
        let mut rate_limited = 0;
        loop {
            attempt += 1;
            inner.limiter.acquire().await;
            let token = if authenticate { Some(self.bearer().await?) } else { None };
            let span = tracing::info_span!(
                "dealpos.request",
                operation = request.operation,
                method = request.method,
                attempt,
                status = tracing::field::Empty,
            );
            let sent = self.build(request, &url, token.as_ref()).send().instrument(span.clone()).await;
            let response = match sent {
                Ok(response) => response,
                Err(source) => {
                    // A connect error means nothing reached DealPOS: safe to repeat anything.
                    if !request.safe && !source.is_connect() {
                        return Err(self.outcome_unknown(request, source.to_string()));
                    }
                    if attempt < inner.retry.max_attempts {
                        tracing::warn!(parent: &span, error = %source, "transport error; retrying");
                        tokio::time::sleep(inner.retry.backoff(attempt)).await;
                        continue;
                    }
                    return Err(Error::Transport { operation: request.operation, attempts: attempt, source });
                }
            };
            let status = response.status().as_u16();
            span.record("status", status);
            inner.limiter.observe(response.headers()).await;
            if status == 401 && authenticate && !reauthenticated {
                if let Some(token) = &token {
                    inner.tokens.invalidate(token).await;
                }
                reauthenticated = true;
                attempt -= 1;
                continue;
            }
            if status == 429 {
                let wait = limit::retry_after(response.headers(), RateLimit::DEALPOS.window);
                rate_limited += 1;
                if wait > inner.max_rate_limit_wait || rate_limited > MAX_RATE_LIMITED {
                    return Err(Error::RateLimited { operation: request.operation, retry_after: wait });
                }
                tracing::warn!(parent: &span, ?wait, "rate limited by DealPOS; waiting");
                tokio::time::sleep(wait).await;
                attempt -= 1;
                continue;
            }
            if retry::is_retryable_status(status) {
                if !request.safe {
                    return Err(self.outcome_unknown(request, format!("HTTP {status}")));
                }
                if attempt < inner.retry.max_attempts {
                    tracing::warn!(parent: &span, status, "server error; retrying");
                    tokio::time::sleep(inner.retry.backoff(attempt)).await;
                    continue;
                }
            }
            let body = match response.bytes().await {
                Ok(body) => body,
                Err(source) if !request.safe => return Err(self.outcome_unknown(request, source.to_string())),
                Err(source) => {
                    return Err(Error::Transport { operation: request.operation, attempts: attempt, source });
                }
            };
            if !(200..300).contains(&status) {
                return Err(Error::Api { operation: request.operation, error: ApiError::from_body(status, &body) });
            }
            return Ok(body);
        }
    }

    fn build(&self, request: &Request, url: &str, token: Option<&Secret>) -> reqwest::RequestBuilder {
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let mut builder = self.inner.http.request(method, url).query(&request.query);
        if let Some(token) = token {
            builder = builder.bearer_auth(token.expose());
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
            cause,
        }
    }
}

/// A request, as generated operation methods describe it.
#[derive(Debug, Clone)]
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
    /// Whether sending it twice has the effect of sending it once (GET, PUT,
    /// DELETE, the POST twins of reads), so it may be retried.
    pub safe: bool,
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

/// Configures a [`Client`].
#[derive(Debug)]
pub struct ClientBuilder {
    base_url: Option<String>,
    credentials: Option<Credentials>,
    connect_timeout: Duration,
    timeout: Duration,
    user_agent: String,
    http: Option<reqwest::Client>,
    rate_limit: Option<RateLimit>,
    retry: RetryPolicy,
    max_rate_limit_wait: Duration,
    page_size: u32,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: None,
            credentials: None,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            user_agent: concat!("dealpos-rs/", env!("CARGO_PKG_VERSION")).to_string(),
            http: None,
            rate_limit: Some(RateLimit::DEALPOS),
            retry: RetryPolicy::default(),
            max_rate_limit_wait: RateLimit::DEALPOS.window,
            page_size: 100,
        }
    }
}

impl ClientBuilder {
    /// The tenant's host, e.g. `mystore.dealpos.net`: requests go to `https://{host}/api/v3/`.
    pub fn tenant_host(mut self, host: &str) -> Self {
        self.base_url = Some(format!("https://{}/api/v3/", host.trim_matches('/')));
        self
    }

    /// A base URL instead of a tenant host (a proxy, a test server).
    pub fn base_url(mut self, url: &str) -> Self {
        self.base_url = Some(format!("{}/", url.trim_end_matches('/')));
        self
    }

    /// The app's client id and secret.
    pub fn credentials(mut self, client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        self.credentials = Some(Credentials { client_id: client_id.into(), client_secret: Secret::new(client_secret) });
        self
    }

    /// Time allowed to connect (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for a whole request (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The `User-Agent` (default `dealpos-rs/<version>`).
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = agent.into();
        self
    }

    /// Your own reqwest client (its timeouts and user agent then apply).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The client-side rate limit (default [`RateLimit::DEALPOS`]); `None` turns it off.
    pub fn rate_limit(mut self, limit: Option<RateLimit>) -> Self {
        self.rate_limit = limit;
        self
    }

    /// Retries of safe requests (default: 3 attempts, exponential backoff with jitter).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The longest a 429 is waited out before failing with [`Error::RateLimited`] (default 180 s).
    pub fn max_rate_limit_wait(mut self, wait: Duration) -> Self {
        self.max_rate_limit_wait = wait;
        self
    }

    /// The page size of paged operations (default 100).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size.max(1);
        self
    }

    /// The client.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = self.base_url.ok_or_else(|| Error::Config("a tenant host or base URL is required".into()))?;
        let credentials = self.credentials.ok_or_else(|| Error::Config("client id and secret are required".into()))?;
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .timeout(self.timeout)
                .user_agent(self.user_agent)
                .build()
                .map_err(|e| Error::Config(e.to_string()))?,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                credentials,
                tokens: auth::TokenCache::default(),
                limiter: limit::Limiter::new(self.rate_limit),
                retry: self.retry,
                max_rate_limit_wait: self.max_rate_limit_wait,
                page_size: self.page_size,
            }),
        })
    }
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
    fn the_builder_needs_a_host_and_credentials() {
        assert!(matches!(Client::builder().build(), Err(Error::Config(_))));
        let client = Client::builder().tenant_host("shop.dealpos.net").credentials("id", "s3cret").build().unwrap();
        assert_eq!(client.base_url(), "https://shop.dealpos.net/api/v3/");
        assert!(!format!("{client:?}").contains("s3cret"));
    }
}
