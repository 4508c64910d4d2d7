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
    /// the window (`RateLimit-Reset` if sent, else `w=`, else the policy's
    /// window), never longer than `max_wait`.
    pub(crate) async fn observe(&self, headers: &HeaderMap, max_wait: Duration) {
        let Some(policy) = self.policy else { return };
        if header_u64(headers, "ratelimit-remaining") != Some(0) {
            return;
        }
        let wait = reset_wait(headers).or_else(|| policy_window(headers)).unwrap_or(policy.window);
        self.state.lock().await.blocked_until = Some(Instant::now() + wait.min(max_wait));
    }
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// A `RateLimit-Reset` this large is a Unix time, not seconds (2001-09-09:
/// no window lasts thirty years); some servers and proxies send one.
const EPOCH_FLOOR: u64 = 1_000_000_000;

/// How long `RateLimit-Reset` says to wait: seconds, or a Unix time (past = 0).
fn reset_wait(headers: &HeaderMap) -> Option<Duration> {
    let value = header_u64(headers, "ratelimit-reset")?;
    if value < EPOCH_FLOOR {
        return Some(Duration::from_secs(value));
    }
    let now = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
    Some(Duration::from_secs(value.saturating_sub(now)))
}

/// The window of a `RateLimit-Policy: 50;w=180` header.
pub(crate) fn policy_window(headers: &HeaderMap) -> Option<Duration> {
    let policy = headers.get("ratelimit-policy")?.to_str().ok()?;
    policy.split(';').find_map(|part| part.trim().strip_prefix("w=")?.parse().ok()).map(Duration::from_secs)
}

/// How long a 429 asks to wait: `Retry-After` (seconds or an HTTP-date in any
/// of its three forms; a past date is no wait), else `RateLimit-Reset`, else
/// the policy's `w=`, else `fallback`. The caller clamps it.
pub(crate) fn retry_after(headers: &HeaderMap, fallback: Duration) -> Duration {
    let Some(value) = headers.get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok()) else {
        return reset_wait(headers).or_else(|| policy_window(headers)).unwrap_or(fallback);
    };
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Duration::from_secs(seconds);
    }
    match http_date(value) {
        Some(at) => (at - chrono::Utc::now()).to_std().unwrap_or(Duration::ZERO),
        None => reset_wait(headers).or_else(|| policy_window(headers)).unwrap_or(fallback),
    }
}

/// An HTTP-date (RFC 9110 §5.6.7): IMF-fixdate, the obsolete RFC 850 form, or asctime.
fn http_date(value: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    if let Ok(at) = chrono::DateTime::parse_from_rfc2822(value) {
        return Some(at.with_timezone(&chrono::Utc));
    }
    ["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"]
        .iter()
        .find_map(|format| chrono::NaiveDateTime::parse_from_str(value, format).ok())
        .map(|at| at.and_utc())
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

    #[test]
    fn http_dates_in_every_form_and_past_ones_are_no_wait() {
        let fallback = Duration::from_secs(9);
        for date in ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"] {
            assert_eq!(http_date(date).map(|d| d.timestamp()), Some(784_111_777), "{date}");
            assert_eq!(retry_after(&headers(&[("retry-after", date)]), fallback), Duration::ZERO, "{date}");
        }
        let soon = (chrono::Utc::now() + chrono::Duration::hours(1)).format("%A, %d-%b-%y %H:%M:%S GMT").to_string();
        let wait = retry_after(&headers(&[("retry-after", &soon)]), fallback);
        assert!(wait > Duration::from_secs(3500) && wait <= Duration::from_secs(3600), "{wait:?}");
    }

    #[test]
    fn rate_limit_reset_as_seconds_or_as_a_unix_time() {
        assert_eq!(reset_wait(&headers(&[("ratelimit-reset", "30")])), Some(Duration::from_secs(30)));
        let in_a_minute = (chrono::Utc::now().timestamp() + 60).to_string();
        let wait = reset_wait(&headers(&[("ratelimit-reset", &in_a_minute)])).unwrap();
        assert!(wait > Duration::from_secs(50) && wait <= Duration::from_secs(60), "{wait:?}");
        assert_eq!(reset_wait(&headers(&[("ratelimit-reset", "1000000000")])), Some(Duration::ZERO));
    }

    #[tokio::test(start_paused = true)]
    async fn a_block_never_outlasts_the_maximum_wait() {
        let limiter = Limiter::new(Some(RateLimit { requests: 50, window: Duration::from_secs(10) }));
        let far = (chrono::Utc::now().timestamp() + 86_400).to_string();
        limiter
            .observe(&headers(&[("ratelimit-remaining", "0"), ("ratelimit-reset", &far)]), Duration::from_secs(3))
            .await;
        let start = tokio::time::Instant::now();
        limiter.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_secs(3));
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
