//! OAuth2 client credentials: a token fetched lazily, shared by every task
//! using the client, refreshed before it expires, one refresh in flight.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

/// A secret that never shows in `Debug`, errors or logs.
#[derive(Clone)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Arc::from(value.into()))
    }

    /// The value, for the one place that sends it.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// A client id and secret, issued by DealPOS for an app.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// The app's client id.
    pub client_id: String,
    /// The app's client secret.
    pub client_secret: Secret,
}

/// A bearer token and when to stop using it.
#[derive(Clone)]
pub(crate) struct Token {
    pub(crate) value: Secret,
    pub(crate) refresh_at: Instant,
}

impl Token {
    /// A token valid for `lifetime`, refreshed a margin before the end: a
    /// tenth of its life, at most a minute, so a request never carries a
    /// token that expires in flight.
    pub(crate) fn new(value: String, lifetime: Duration) -> Self {
        let margin = (lifetime / 10).min(Duration::from_secs(60));
        Token { value: Secret::new(value), refresh_at: Instant::now() + lifetime.saturating_sub(margin) }
    }
}

/// The shared token. The lock is held while fetching, so however many tasks
/// ask at once, one request goes to DealPOS and the others wait for its answer.
#[derive(Default)]
pub(crate) struct TokenCache {
    current: Mutex<Option<Token>>,
}

impl TokenCache {
    /// The current token, fetching a new one with `fetch` when there is none
    /// or it is due for refresh.
    pub(crate) async fn get<F, Fut>(&self, fetch: F) -> Result<Secret, super::Error>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Token, super::Error>>,
    {
        let mut current = self.current.lock().await;
        if let Some(token) = current.as_ref().filter(|t| Instant::now() < t.refresh_at) {
            return Ok(token.value.clone());
        }
        let token = fetch().await?;
        let value = token.value.clone();
        *current = Some(token);
        Ok(value)
    }

    /// Forgets `used` after DealPOS rejected it (401), unless another task has
    /// already replaced it.
    pub(crate) async fn invalidate(&self, used: &Secret) {
        let mut current = self.current.lock().await;
        if current.as_ref().is_some_and(|t| t.value.expose() == used.expose()) {
            *current = None;
        }
    }
}

/// DealPOS's token answer.
#[derive(serde::Deserialize)]
pub(crate) struct TokenAnswer {
    pub(crate) access_token: String,
    #[serde(default)]
    pub(crate) expires_in: Option<u64>,
    #[serde(default, rename = "expiredAt", alias = "expiredat")]
    pub(crate) expired_at: Option<String>,
}

impl TokenAnswer {
    /// How long the token lives: the shorter of `expires_in` and `expiredAt`
    /// (one hour if DealPOS gives neither).
    pub(crate) fn lifetime(&self) -> Duration {
        let by_seconds = self.expires_in.map(Duration::from_secs);
        let by_time = self.expired_at.as_deref().and_then(|t| {
            let at = crate::Timestamp::parse(t).ok()?.to_utc(chrono::FixedOffset::east_opt(0)?)?;
            (at - chrono::Utc::now()).to_std().ok()
        });
        match (by_seconds, by_time) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => Duration::from_secs(3600),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_leak_in_debug() {
        let creds = Credentials { client_id: "app".into(), client_secret: Secret::new("hunter2") };
        assert!(!format!("{creds:?}").contains("hunter2"));
    }

    #[test]
    fn lifetime_is_the_shorter_of_both_expiries() {
        let in_an_hour = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
        let answer = TokenAnswer { access_token: "t".into(), expires_in: Some(172_800), expired_at: Some(in_an_hour) };
        let lifetime = answer.lifetime();
        assert!(lifetime <= Duration::from_secs(3600) && lifetime > Duration::from_secs(3500), "{lifetime:?}");
        let answer = TokenAnswer { access_token: "t".into(), expires_in: Some(60), expired_at: None };
        assert_eq!(answer.lifetime(), Duration::from_secs(60));
    }

    #[tokio::test]
    async fn one_fetch_for_many_callers() {
        let cache = Arc::new(TokenCache::default());
        let fetches = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let (cache, fetches) = (cache.clone(), fetches.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .get(|| async {
                        fetches.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        tokio::task::yield_now().await;
                        Ok(Token::new("t".into(), Duration::from_secs(600)))
                    })
                    .await
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap().expose(), "t");
        }
        assert_eq!(fetches.load(std::sync::atomic::Ordering::SeqCst), 1);
    }
}
