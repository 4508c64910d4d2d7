//! DealPOS's rate limit, kept on the client side: a window of N requests per
//! period (50 per 180 s for every tenant), adjusted by what DealPOS's
//! `RateLimit-*` headers say.

use std::collections::VecDeque;
use std::time::Duration;

use reqwest::header::HeaderMap;
use tokio::sync::Mutex;
// tokio's clock, so tests can run the window on paused time.
use tokio::time::Instant;

/// A request budget: `requests` per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub requests: u32,
    /// The window.
    pub window: Duration,
}

impl RateLimit {
    /// DealPOS's policy: 50 requests per 180 s, across all endpoints.
    pub const DEALPOS: RateLimit = RateLimit { requests: 50, window: Duration::from_secs(180) };
}

/// Spaces requests so the budget is not exceeded. Disabled, it lets every
/// request through at once (DealPOS's 429s are still honoured).
pub(crate) struct Limiter {
    policy: Option<RateLimit>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    sent: VecDeque<Instant>,
    blocked_until: Option<Instant>,
}

impl Limiter {
    pub(crate) fn new(policy: Option<RateLimit>) -> Self {
        Limiter { policy, state: Mutex::new(State::default()) }
    }

    /// Waits until a request may be sent, and counts it.
    pub(crate) async fn acquire(&self) {
        let Some(policy) = self.policy else { return };
        loop {
            let wait = {
                let mut state = self.state.lock().await;
                let now = Instant::now();
                while state.sent.front().is_some_and(|t| now.duration_since(*t) >= policy.window) {
                    state.sent.pop_front();
                }
                match state.blocked_until.filter(|until| *until > now) {
                    Some(until) => until - now,
                    None if (state.sent.len() as u32) < policy.requests.max(1) => {
                        state.sent.push_back(now);
                        return;
                    }
                    None => state.sent.front().map_or(Duration::ZERO, |t| policy.window.saturating_sub(now - *t)),
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Reads `RateLimit-Remaining`: at 0, hold further requests for the rest of
    /// the window (`RateLimit-Reset` if sent, else the policy's window).
    pub(crate) async fn observe(&self, headers: &HeaderMap) {
        let Some(policy) = self.policy else { return };
        if header_u64(headers, "ratelimit-remaining") != Some(0) {
            return;
        }
        let wait = header_u64(headers, "ratelimit-reset")
            .map(Duration::from_secs)
            .or_else(|| policy_window(headers))
            .unwrap_or(policy.window);
        self.state.lock().await.blocked_until = Some(Instant::now() + wait);
    }
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// The window of a `RateLimit-Policy: 50;w=180` header.
pub(crate) fn policy_window(headers: &HeaderMap) -> Option<Duration> {
    let policy = headers.get("ratelimit-policy")?.to_str().ok()?;
    policy.split(';').find_map(|part| part.trim().strip_prefix("w=")?.parse().ok()).map(Duration::from_secs)
}

/// How long a 429 asks to wait: `Retry-After` (seconds or an HTTP date), else
/// the policy's window.
pub(crate) fn retry_after(headers: &HeaderMap, fallback: Duration) -> Duration {
    let Some(value) = headers.get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok()) else {
        return policy_window(headers).unwrap_or(fallback);
    };
    if let Ok(seconds) = value.trim().parse::<u64>() {
        return Duration::from_secs(seconds);
    }
    chrono::DateTime::parse_from_rfc2822(value.trim())
        .ok()
        .and_then(|at| (at.with_timezone(&chrono::Utc) - chrono::Utc::now()).to_std().ok())
        .unwrap_or(fallback)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, v.parse().unwrap());
        }
        map
    }

    #[test]
    fn reads_dealpos_headers() {
        assert_eq!(policy_window(&headers(&[("ratelimit-policy", "50;w=180")])), Some(Duration::from_secs(180)));
        let fallback = Duration::from_secs(9);
        assert_eq!(retry_after(&headers(&[("retry-after", "7")]), fallback), Duration::from_secs(7));
        assert_eq!(retry_after(&headers(&[("ratelimit-policy", "50;w=3")]), fallback), Duration::from_secs(3));
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")]), fallback), fallback);
    }

    #[tokio::test(start_paused = true)]
    async fn the_window_holds_the_request_over_budget() {
        let limiter = Limiter::new(Some(RateLimit { requests: 2, window: Duration::from_secs(10) }));
        let start = tokio::time::Instant::now();
        for _ in 0..3 {
            limiter.acquire().await;
        }
        assert!(start.elapsed() >= Duration::from_secs(10));
    }
}
