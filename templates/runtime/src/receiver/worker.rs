//! The worker: takes stored deliveries from the inbox to the handler, with
//! retries and exponential backoff.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

use super::inbox::{Inbox, InboxError, StoredDelivery};
use super::{Delivery, Handler, HandlerError};
use crate::webhooks::{WebhookEvent, WebhookKind};

/// How a failing handler is retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; then the delivery is failed.
    pub max_attempts: u32,
    /// The wait after the first failure; it doubles after each further one.
    pub initial_backoff: Duration,
    /// The longest wait.
    pub max_backoff: Duration,
    /// How long one attempt may run. A claim hides the delivery from other
    /// workers for twice as long: a crashed worker's claims come back then.
    pub attempt_timeout: Duration,
    /// How many deliveries run at once.
    pub concurrency: usize,
    /// How often the worker looks at the inbox when nothing woke it (other
    /// processes may write to a shared inbox).
    pub poll_interval: Duration,
}

impl Default for RetryPolicy {
    /// 10 attempts over about 8.5 minutes (1 s, 2 s, 4 s … 256 s between
    /// them), 5 minutes per attempt, 8 at a time.
    fn default() -> Self {
        Self {
            max_attempts: 10,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(15 * 60),
            attempt_timeout: Duration::from_secs(5 * 60),
            concurrency: 8,
            poll_interval: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// The wait after failed attempt number `attempt` (1-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(31);
        self.initial_backoff.saturating_mul(1 << doublings).min(self.max_backoff)
    }
}

/// Hands stored deliveries to the handler. Made by
/// [`Receiver::with_inbox`](super::Receiver::with_inbox); run it with
/// [`Worker::spawn`], or step it with [`Worker::run_due`].
pub struct Worker<H, S> {
    handler: Arc<H>,
    inbox: Arc<S>,
    policy: RetryPolicy,
    wake: Arc<Notify>,
}

impl<H, S> Clone for Worker<H, S> {
    fn clone(&self) -> Self {
        Self {
            handler: self.handler.clone(),
            inbox: self.inbox.clone(),
            policy: self.policy.clone(),
            wake: self.wake.clone(),
        }
    }
}

impl<H: Handler, S: Inbox> Worker<H, S> {
    pub(super) fn new(handler: Arc<H>, inbox: Arc<S>, policy: RetryPolicy) -> Self {
        Self { handler, inbox, policy, wake: Arc::new(Notify::new()) }
    }

    /// What the HTTP side pokes after storing a delivery.
    pub(super) fn waker(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// The inbox, to inspect and replay deliveries.
    pub fn inbox(&self) -> &Arc<S> {
        &self.inbox
    }

    /// Runs the worker on the current tokio runtime until the handle is shut
    /// down or dropped.
    #[must_use = "dropping the handle stops the worker"]
    pub fn spawn(self) -> WorkerHandle {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(self.run(stopped));
        WorkerHandle { stop, task: Some(task) }
    }

    /// Runs until `stop` turns true (or its sender is dropped). Inbox errors
    /// are logged and retried after the poll interval: a database that is
    /// briefly unavailable must not stop the worker for good.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            let ran = match self.run_due().await {
                Ok(ran) => ran,
                Err(error) => {
                    tracing::error!(%error, "webhook inbox unavailable");
                    0
                }
            };
            if ran > 0 {
                continue;
            }
            let wait = match self.inbox.next_due().await {
                Ok(Some(due)) => {
                    due.duration_since(SystemTime::now()).unwrap_or_default().min(self.policy.poll_interval)
                }
                _ => self.policy.poll_interval,
            };
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
                changed = stop.changed() => if changed.is_err() { return },
            }
        }
    }

    /// Processes one batch of due deliveries (up to the policy's
    /// concurrency), and says how many it took.
    pub async fn run_due(&self) -> Result<usize, InboxError> {
        // Twice the attempt timeout: the attempt has ended (and been recorded)
        // well before anyone else may claim the delivery again.
        let lease = self.policy.attempt_timeout.saturating_mul(2);
        let batch = self.inbox.claim(self.policy.concurrency.max(1), lease).await?;
        let count = batch.len();
        let mut running = JoinSet::new();
        for stored in batch {
            let worker = self.clone();
            running.spawn(async move { worker.process(stored).await });
        }
        let mut first_error = None;
        while let Some(joined) = running.join_next().await {
            match joined {
                Ok(Ok(())) => {}
                Ok(Err(error)) => first_error = first_error.or(Some(error)),
                // A panicking handler: its claim runs out and it is retried.
                Err(error) => tracing::error!(%error, "webhook handler task panicked"),
            }
        }
        first_error.map_or(Ok(count), Err)
    }

    /// One attempt at one delivery, and its bookkeeping.
    async fn process(&self, stored: StoredDelivery) -> Result<(), InboxError> {
        let id = stored.id;
        let Some(kind) = WebhookKind::from_name(&stored.kind) else {
            return self.inbox.fail(id, &format!("unknown webhook kind `{}`", stored.kind)).await;
        };
        let delivery = Delivery {
            id: Some(id),
            kind,
            body: stored.body,
            headers: stored.headers,
            received_at: stored.received_at,
            content_hash: stored.content_hash,
            attempt: stored.attempts,
        };
        let attempt = delivery.attempt;
        let work = async {
            match WebhookEvent::parse(kind, &delivery.body) {
                Ok(event) => self.handler.handle(event, delivery).await,
                Err(error) => self.handler.fallback(error, delivery).await,
            }
        };
        let result = match tokio::time::timeout(self.policy.attempt_timeout, work).await {
            Ok(result) => result,
            Err(_) => Err(HandlerError::retry(format!("timed out after {:?}", self.policy.attempt_timeout))),
        };
        match result {
            Ok(()) => {
                tracing::info!(%kind, id, attempt, "webhook delivery processed");
                self.inbox.complete(id).await
            }
            Err(error) if error.is_retryable() && attempt < self.policy.max_attempts => {
                let wait = self.policy.backoff(attempt);
                tracing::warn!(%kind, id, attempt, ?wait, %error, "webhook handler failed; will retry");
                self.inbox.retry_at(id, error.message(), SystemTime::now() + wait).await
            }
            Err(error) => {
                tracing::error!(%kind, id, attempt, %error, "webhook handler failed for good; kept in the inbox");
                self.inbox.fail(id, error.message()).await
            }
        }
    }
}

/// A running worker. Dropping it stops the worker at once (a delivery being
/// handled is claimed again after its lease); [`shutdown`](Self::shutdown)
/// lets the current batch finish.
#[derive(Debug)]
pub struct WorkerHandle {
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl WorkerHandle {
    /// Stops taking new deliveries, and waits for the current ones.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let policy = RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            ..RetryPolicy::default()
        };
        let waits: Vec<_> = (1..=6).map(|n| policy.backoff(n).as_millis()).collect();
        assert_eq!(waits, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(policy.backoff(u32::MAX), Duration::from_secs(1));
    }
}
