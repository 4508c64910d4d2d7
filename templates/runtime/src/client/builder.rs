//! Configuring a [`Client`].

use std::sync::Arc;
use std::time::Duration;

use super::{Client, Credentials, Error, Inner, RateLimit, RetryPolicy, Secret, auth, limit};

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
    max_pages: u32,
    deadline: Option<Duration>,
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
            max_pages: 10_000,
            deadline: None,
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

    /// Your own reqwest client (its timeouts and user agent then apply). Keep
    /// its redirects off: an API call is never meant to be redirected. The
    /// token request never uses it: it goes through a client of ours that
    /// follows no redirect, so the credentials go to DealPOS and nowhere else.
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

    /// The longest any wait may be (a 429's `Retry-After` or `RateLimit-Reset`,
    /// a block after `RateLimit-Remaining: 0`); a 429 asking for more fails
    /// at once with [`Error::RateLimited`] (default 180 s).
    pub fn max_rate_limit_wait(mut self, wait: Duration) -> Self {
        self.max_rate_limit_wait = wait;
        self
    }

    /// The page size of paged operations (default 100).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size.max(1);
        self
    }

    /// The most pages a paged stream reads before it fails with
    /// [`Error::Paging`] rather than go on (default 10 000).
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = pages.max(1);
        self
    }

    /// A deadline for each call as a whole: the client-side limiter, the
    /// token, every attempt and every wait (default none: each attempt has
    /// [`ClientBuilder::timeout`]). A call that reaches it fails with
    /// [`Error::Deadline`], or [`Error::OutcomeUnknown`] when an unsafe
    /// request was in flight.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// The client.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = self.base_url.ok_or_else(|| Error::Config("a tenant host or base URL is required".into()))?;
        let credentials = self.credentials.ok_or_else(|| Error::Config("client id and secret are required".into()))?;
        // Redirects off: a redirected call would carry the bearer token, or the
        // client secret, to wherever the server points.
        let ours = || {
            reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .timeout(self.timeout)
                .user_agent(self.user_agent.clone())
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| Error::Config(e.to_string()))
        };
        let token_http = ours()?;
        let http = match self.http.clone() {
            Some(http) => http,
            None => token_http.clone(),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                token_http,
                base_url,
                credentials,
                tokens: auth::TokenCache::default(),
                limiter: limit::Limiter::new(self.rate_limit),
                retry: self.retry,
                max_rate_limit_wait: self.max_rate_limit_wait,
                page_size: self.page_size,
                max_pages: self.max_pages,
                deadline: self.deadline,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builder_needs_a_host_and_credentials() {
        assert!(matches!(Client::builder().build(), Err(Error::Config(_))));
        let client = Client::builder().tenant_host("shop.dealpos.net").credentials("id", "s3cret").build().unwrap();
        assert_eq!(client.base_url(), "https://shop.dealpos.net/api/v3/");
        assert!(!format!("{client:?}").contains("s3cret"));
    }
}
