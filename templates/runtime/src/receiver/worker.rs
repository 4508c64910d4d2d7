//! The worker: takes stored deliveries from the inbox to the handler, with
//! retries and exponential backoff.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

use super::inbox::{Inbox, InboxError, Status, StoredDelivery};
use super::{Delivery, Handler, HandlerError};
use crate::webhooks::{WebhookEvent, WebhookKind};

/// The longest the worker plans ahead (a year): `Instant + Duration` must not
/// overflow whatever interval is configured.
const MAX_SLEEP: Duration = Duration::from_secs(365 * 24 * 60 * 60);

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

/// How long finished deliveries are kept; the worker applies it every
/// `interval` (see [`Inbox::purge`]).
///
/// Why delete anything: a delivery's body is the whole entity DealPOS sent,
/// a customer's name, phone and address or an invoice's lines, kept verbatim.
/// Once handled, the copy in the inbox serves only investigation, and keeping
/// personal data longer than its purpose needs is a liability (and, under
/// data-protection law, a breach of data minimisation). Failed and rejected
/// deliveries are kept by default because they are not handled yet:
/// deleting them would lose events; replay them (they then age as done) or
/// purge them deliberately.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retention {
    /// How long a done delivery is kept; `None` keeps it forever.
    pub done: Option<Duration>,
    /// How long a failed delivery is kept; `None` (the default) keeps it
    /// until it is replayed or purged.
    pub failed: Option<Duration>,
    /// How long a rejected delivery is kept; `None` (the default) keeps it
    /// until it is replayed or purged.
    pub rejected: Option<Duration>,
    /// How often the worker applies the policy.
    pub interval: Duration,
}

impl Default for Retention {
    /// Done deliveries for 30 days (long enough to look into a problem
    /// reported weeks later), failed and rejected ones until dealt with,
    /// applied hourly.
    fn default() -> Self {
        Self {
            done: Some(Duration::from_secs(30 * 24 * 60 * 60)),
            failed: None,
            rejected: None,
            interval: Duration::from_secs(60 * 60),
        }
    }
}

impl Retention {
    /// Nothing is ever deleted by the worker.
    pub fn keep_everything() -> Self {
        Self { done: None, failed: None, rejected: None, ..Self::default() }
    }

    /// The purges the policy asks for: (age, status).
    fn purges(&self) -> impl Iterator<Item = (Duration, Status)> + '_ {
        [(self.done, Status::Done), (self.failed, Status::Failed), (self.rejected, Status::Rejected)]
            .into_iter()
            .filter_map(|(age, status)| age.map(|age| (age, status)))
    }
}

/// Hands stored deliveries to the handler. Made by
/// [`Receiver::with_inbox`](super::Receiver::with_inbox); run it with
/// [`Worker::spawn`], or step it with [`Worker::run_due`].
pub struct Worker<H, S> {
    handler: Arc<H>,
    inbox: Arc<S>,
    policy: RetryPolicy,
    retention: Retention,
    wake: Arc<Notify>,
}

impl<H, S> Clone for Worker<H, S> {
    fn clone(&self) -> Self {
        Self {
            handler: self.handler.clone(),
            inbox: self.inbox.clone(),
            policy: self.policy.clone(),
            retention: self.retention.clone(),
            wake: self.wake.clone(),
        }
    }
}

impl<H: Handler, S: Inbox> Worker<H, S> {
    pub(super) fn new(handler: Arc<H>, inbox: Arc<S>, policy: RetryPolicy, retention: Retention) -> Self {
        Self { handler, inbox, policy, retention, wake: Arc::new(Notify::new()) }
    }

    /// Applies the retention policy once; says how many deliveries it
    /// deleted. The worker calls it every [`Retention::interval`].
    pub async fn apply_retention(&self) -> Result<u64, InboxError> {
        let mut deleted = 0;
        for (age, status) in self.retention.purges() {
            let n = self.inbox.purge(age, &[status]).await?;
            if n > 0 {
                tracing::info!(n, status = status.as_str(), ?age, "webhook inbox: old deliveries purged");
            }
            deleted += n;
        }
        Ok(deleted)
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
    /// down or dropped. Should the worker's loop itself panic (a bug in an
    /// inbox), it is logged and restarted: a receiver must not keep answering
    /// 200 for deliveries nobody will process.
    #[must_use = "dropping the handle stops the worker"]
    pub fn spawn(self) -> WorkerHandle {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            loop {
                match tokio::spawn(self.clone().run(stopped.clone())).await {
                    Err(error) if error.is_panic() => {
                        tracing::error!(error = %panic_message(error.into_panic()), "webhook worker panicked; restarting");
                        tokio::time::sleep(self.policy.poll_interval).await;
                    }
                    _ => return,
                }
            }
        });
        WorkerHandle { stop, task: Some(task) }
    }

    /// Runs until `stop` turns true (or its sender is dropped), then waits
    /// for the deliveries being handled. Each of the policy's `concurrency`
    /// slots takes new work as soon as it frees: a slow handler holds its own
    /// slot, never the others. Inbox errors are logged and retried after the
    /// poll interval: a database that is briefly unavailable must not stop
    /// the worker for good.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let slots = self.policy.concurrency.max(1);
        let mut running = JoinSet::new();
        let mut next_purge = tokio::time::Instant::now();
        loop {
            if *stop.borrow() {
                break;
            }
            if tokio::time::Instant::now() >= next_purge {
                if let Err(error) = self.apply_retention().await {
                    tracing::error!(%error, "webhook inbox: retention not applied");
                }
                next_purge = tokio::time::Instant::now() + self.retention.interval.min(MAX_SLEEP);
            }
            let free = slots.saturating_sub(running.len());
            let mut claimed = 0;
            if free > 0 {
                match self.inbox.claim(free, self.lease(), self.policy.max_attempts).await {
                    Ok(batch) => {
                        claimed = batch.len();
                        for stored in batch {
                            let worker = self.clone();
                            running.spawn(async move { worker.process(stored).await });
                        }
                    }
                    Err(error) => tracing::error!(%error, "webhook inbox unavailable"),
                }
            }
            if claimed > 0 && running.len() < slots {
                continue; // there may be more due
            }
            let wait = if running.len() < slots { self.idle_wait().await } else { self.policy.poll_interval };
            let wait = wait.min(next_purge.saturating_duration_since(tokio::time::Instant::now()));
            tokio::select! {
                _ = self.wake.notified(), if running.len() < slots => {}
                _ = tokio::time::sleep(wait) => {}
                Some(joined) = running.join_next(), if !running.is_empty() => log_joined(joined),
                changed = stop.changed() => if changed.is_err() { break },
            }
        }
        while let Some(joined) = running.join_next().await {
            log_joined(joined);
        }
    }

    /// How long to sleep when nothing is due: until the next delivery is,
    /// at most the poll interval (other processes may write to the inbox).
    async fn idle_wait(&self) -> Duration {
        match self.inbox.next_due().await {
            Ok(Some(due)) => due.min(self.policy.poll_interval),
            _ => self.policy.poll_interval,
        }
    }

    /// How long a claim hides a delivery: twice the attempt timeout, so the
    /// attempt has ended (and been recorded) well before anyone else may claim
    /// it again. Saturating: `Duration::MAX` is a valid timeout.
    fn lease(&self) -> Duration {
        self.policy.attempt_timeout.saturating_mul(2)
    }

    /// Processes one batch of due deliveries (up to the policy's
    /// concurrency) to the end, and says how many it took: for tests and
    /// for callers that drive the worker themselves.
    pub async fn run_due(&self) -> Result<usize, InboxError> {
        let batch = self.inbox.claim(self.policy.concurrency.max(1), self.lease(), self.policy.max_attempts).await?;
        let count = batch.len();
        let mut running = JoinSet::new();
        for stored in batch {
            let worker = self.clone();
            running.spawn(async move { worker.process(stored).await });
        }
        let mut first_error = None;
        while let Some(joined) = running.join_next().await {
            match joined {
                Ok(Err(error)) => first_error = first_error.or(Some(error)),
                other => log_joined(other),
            }
        }
        first_error.map_or(Ok(count), Err)
    }

    /// One attempt at one delivery, and its bookkeeping. The handler runs in
    /// a task of its own: its panic is caught and counts as a failed attempt,
    /// and on timeout it is aborted rather than left running.
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
        let handler = self.handler.clone();
        let task = tokio::spawn(async move {
            match WebhookEvent::parse(kind, &delivery.body) {
                Ok(event) => handler.handle(event, delivery).await,
                Err(error) => handler.fallback(error, delivery).await,
            }
        });
        let abort = task.abort_handle();
        let result = match tokio::time::timeout(self.policy.attempt_timeout, task).await {
            Ok(Ok(result)) => result,
            Ok(Err(error)) if error.is_panic() => {
                Err(HandlerError::retry(format!("the handler panicked: {}", panic_message(error.into_panic()))))
            }
            Ok(Err(error)) => Err(HandlerError::retry(format!("the handler was cancelled: {error}"))),
            Err(_) => {
                abort.abort();
                Err(HandlerError::retry(format!("timed out after {:?}", self.policy.attempt_timeout)))
            }
        };
        match result {
            Ok(()) => {
                tracing::info!(%kind, id, attempt, "webhook delivery processed");
                self.inbox.complete(id).await
            }
            Err(error) if error.is_retryable() && attempt < self.policy.max_attempts => {
                let wait = self.policy.backoff(attempt);
                tracing::warn!(%kind, id, attempt, ?wait, %error, "webhook handler failed; will retry");
                self.inbox.retry_after(id, error.message(), wait).await
            }
            Err(error) => {
                tracing::error!(%kind, id, attempt, %error, "webhook handler failed for good; kept in the inbox");
                self.inbox.fail(id, error.message()).await
            }
        }
    }
}

/// Logs how a delivery's task ended, if badly: its bookkeeping failed (the
/// claim runs out and it is retried), or the bookkeeping itself panicked.
fn log_joined(joined: Result<Result<(), InboxError>, tokio::task::JoinError>) {
    match joined {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::error!(%error, "webhook inbox bookkeeping failed; the delivery will be retried"),
        Err(error) => tracing::error!(%error, "webhook delivery task ended abnormally"),
    }
}

/// The message a panic carried, when it is text.
fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(text) => *text,
        Err(payload) => payload.downcast_ref::<&str>().map_or_else(|| "(no message)".to_string(), |s| s.to_string()),
    }
}

/// A running worker. Dropping it stops the worker at once (a delivery being
/// handled is claimed again after its lease); [`shutdown`](Self::shutdown)
/// lets the deliveries being handled finish.
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
        let unbounded = RetryPolicy { initial_backoff: Duration::MAX, max_backoff: Duration::MAX, ..policy };
        assert_eq!(unbounded.backoff(40), Duration::MAX, "saturates, never overflows");
    }

    #[test]
    fn panic_messages_are_read() {
        assert_eq!(panic_message(Box::new("static")), "static");
        assert_eq!(panic_message(Box::new(String::from("owned"))), "owned");
        assert_eq!(panic_message(Box::new(7)), "(no message)");
    }
}
