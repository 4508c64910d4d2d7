//! When to try a request again, and how long to wait first.

use std::time::Duration;

/// Retries of requests that failed in transit or with 502/503/504.
///
/// Only requests that are safe to repeat are retried: GET, PUT, DELETE, and
/// the POST twins of reads. A create POST whose outcome is unknown is never
/// sent twice (see [`Error::OutcomeUnknown`](crate::client::Error::OutcomeUnknown)).
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 disables retries).
    pub max_attempts: u32,
    /// The first backoff; each retry doubles it.
    pub initial_backoff: Duration,
    /// The longest backoff.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// No retries.
    pub fn none() -> Self {
        RetryPolicy { max_attempts: 1, ..Self::default() }
    }

    /// The wait before retry number `retry` (1-based): exponential, with "full
    /// jitter" so that many clients do not retry in step.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self.initial_backoff.saturating_mul(1u32 << retry.saturating_sub(1).min(16));
        let cap = exp.min(self.max_backoff);
        cap.mul_f64(fastrand::f64())
    }
}

/// Statuses that mean "the server or a proxy failed; try again".
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 502..=504)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            max_attempts: 10,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
        };
        for retry in 1..12 {
            let cap = Duration::from_millis(100 * (1u64 << (retry - 1))).min(Duration::from_secs(1));
            assert!(p.backoff(retry) <= cap);
        }
        assert!(is_retryable_status(503) && !is_retryable_status(500) && !is_retryable_status(429));
    }
}
