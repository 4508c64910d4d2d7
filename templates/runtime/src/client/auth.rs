//! OAuth2 client credentials: a token fetched lazily, shared by every task
//! using the client, refreshed before it expires, one refresh in flight.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
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
/// ask at once, one request goes to DealPOS and the others wait for its
/// answer — a failure included: tasks that were waiting when a fetch failed
/// get that failure rather than each sending a token request of its own.
#[derive(Default)]
pub(crate) struct TokenCache {
    current: Mutex<Slot>,
    /// Fetches ended so far; a task notes it before taking the lock, so it
    /// knows a failure stored since ended while it waited.
    ended: AtomicU64,
}

#[derive(Default)]
struct Slot {
    token: Option<Token>,
    /// The last failed fetch: its number and the error.
    failed: Option<(u64, super::Error)>,
}

impl TokenCache {
    /// The current token, fetching a new one with `fetch` when there is none
    /// or it is due for refresh.
    pub(crate) async fn get<F, Fut>(&self, fetch: F) -> Result<Secret, super::Error>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Token, super::Error>>,
    {
        let before = self.ended.load(Ordering::SeqCst);
        let mut slot = self.current.lock().await;
        if let Some(token) = slot.token.as_ref().filter(|t| Instant::now() < t.refresh_at) {
            return Ok(token.value.clone());
        }
        // A fetch that failed while this task waited is this task's answer too.
        if let Some((number, error)) = &slot.failed
            && *number > before
        {
            return Err(share(error));
        }
        let result = fetch().await;
        let number = self.ended.fetch_add(1, Ordering::SeqCst) + 1;
        match result {
            Ok(token) => {
                let value = token.value.clone();
                *slot = Slot { token: Some(token), failed: None };
                Ok(value)
            }
            Err(error) => {
                slot.failed = Some((number, share(&error)));
                Err(error)
            }
        }
    }

    /// Forgets `used` after DealPOS rejected it (401), unless another task has
    /// already replaced it.
    pub(crate) async fn invalidate(&self, used: &Secret) {
        let mut slot = self.current.lock().await;
        if slot.token.as_ref().is_some_and(|t| t.value.expose() == used.expose()) {
            slot.token = None;
        }
    }
}

/// A copy of a token failure for another waiter: the same status, the same
/// (shared) cause.
fn share(error: &super::Error) -> super::Error {
    match error {
        super::Error::Auth { status, cause } => super::Error::Auth { status: *status, cause: cause.clone() },
        // Fetches only fail with `Auth` or `Deadline`; anything else is told as its text.
        other => super::Error::Config(other.to_string()),
    }
}

/// DealPOS's token answer, read leniently and without ever quoting it: it
/// holds the token. `expires_in` may be an integer, a float or a numeric
/// string; the expiry may be `expiredAt` or `expiredat`; either may be missing.
pub(crate) struct TokenAnswer {
    pub(crate) access_token: String,
    pub(crate) expires_in: Option<Duration>,
    pub(crate) expired_at: Option<String>,
}

impl TokenAnswer {
    /// Reads the answer; the error names what is wrong, never a value.
    pub(crate) fn parse(body: &[u8]) -> Result<Self, crate::DecodeError> {
        let fail = |path: &str, message: &str| crate::DecodeError {
            what: "the token answer".into(),
            path: path.into(),
            message: message.into(),
            line: 0,
            column: 0,
            snippet: "[not shown: it holds a token]".into(),
        };
        let json: serde_json::Value = serde_json::from_slice(body).map_err(|_| fail(".", "not JSON"))?;
        let object = json.as_object().ok_or_else(|| fail(".", "not a JSON object"))?;
        let access_token = object
            .get("access_token")
            .and_then(serde_json::Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| fail("access_token", "missing, empty or not a string"))?
            .to_string();
        let expires_in = object.get("expires_in").and_then(|v| match v {
            serde_json::Value::Number(n) => n.as_f64(),
            serde_json::Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        });
        let expires_in = expires_in.filter(|s| s.is_finite() && *s >= 0.0).map(|s| Duration::from_secs_f64(s.min(1e9)));
        let expired_at = ["expiredAt", "expiredat"]
            .iter()
            .find_map(|k| object.get(*k).and_then(serde_json::Value::as_str).map(str::to_string));
        Ok(TokenAnswer { access_token, expires_in, expired_at })
    }

    /// How long the token lives: the shorter of `expires_in` and `expiredAt`
    /// (one hour if DealPOS gives neither; a 401 re-authenticates if it is less).
    pub(crate) fn lifetime(&self) -> Duration {
        let by_time = self.expired_at.as_deref().and_then(|t| {
            let at = crate::Timestamp::parse(t).ok()?.to_utc(chrono::FixedOffset::east_opt(0)?)?;
            (at - chrono::Utc::now()).to_std().ok()
        });
        match (self.expires_in, by_time) {
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
        let answer = TokenAnswer {
            access_token: "t".into(),
            expires_in: Some(Duration::from_secs(172_800)),
            expired_at: Some(in_an_hour),
        };
        let lifetime = answer.lifetime();
        assert!(lifetime <= Duration::from_secs(3600) && lifetime > Duration::from_secs(3500), "{lifetime:?}");
        let answer =
            TokenAnswer { access_token: "t".into(), expires_in: Some(Duration::from_secs(60)), expired_at: None };
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

    #[test]
    fn token_answers_are_read_leniently_and_never_quoted() {
        for (body, lifetime) in [
            (r#"{"access_token": "t", "expires_in": 4.0}"#, Some(4.0)),
            (r#"{"access_token": "t", "expires_in": "172800"}"#, Some(172_800.0)),
            (r#"{"access_token": "t", "expires_in": 60}"#, Some(60.0)),
            (r#"{"access_token": "t", "expires_in": "soon"}"#, None),
            (r#"{"access_token": "t"}"#, None),
        ] {
            let answer = TokenAnswer::parse(body.as_bytes()).unwrap();
            assert_eq!(answer.expires_in, lifetime.map(Duration::from_secs_f64), "{body}");
        }
        let answer = TokenAnswer::parse(br#"{"access_token": "t", "expiredat": "2099-01-01T00:00:00+07:00"}"#).unwrap();
        assert!(answer.lifetime() > Duration::from_secs(3600 * 24 * 365));
        for body in [r#"{"access_token": 7, "x": "hunter2"}"#, r#"["hunter2"]"#, "hunter2", r#"{"token": "hunter2"}"#] {
            let Err(err) = TokenAnswer::parse(body.as_bytes()) else { panic!("{body} was taken") };
            assert!(!format!("{err} {err:?}").contains("hunter2"), "{err:?}");
        }
    }

    #[tokio::test]
    async fn a_failed_fetch_is_shared_with_its_waiters() {
        let cache = Arc::new(TokenCache::default());
        let fetches = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let (cache, fetches) = (cache.clone(), fetches.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .get(|| async {
                        fetches.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        tokio::task::yield_now().await;
                        let cause = Arc::new(super::super::Error::Config("denied".into()));
                        Err(super::super::Error::Auth { status: Some(401), cause })
                    })
                    .await
            }));
        }
        for task in tasks {
            assert!(matches!(task.await.unwrap(), Err(super::super::Error::Auth { status: Some(401), .. })));
        }
        assert_eq!(fetches.load(std::sync::atomic::Ordering::SeqCst), 1);
        // A later call tries again.
        let again = cache.get(|| async { Ok(Token::new("t".into(), Duration::from_secs(60))) }).await;
        assert_eq!(again.unwrap().expose(), "t");
    }
}
