//! The storage behind the durable mode: what an inbox must do, whatever keeps
//! it (SQLite or PostgreSQL, behind the same trait).

use std::future::Future;
use std::time::{Duration, SystemTime};

use axum::body::Bytes;

/// A delivery to store, as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    /// The kind's description name (`shiftClose`), from the endpoint.
    pub kind: String,
    /// The body exactly as sent.
    pub body: Bytes,
    /// The request headers worth keeping (lower-case names).
    pub headers: Vec<(String, String)>,
    /// When it arrived.
    pub received_at: SystemTime,
    /// SHA-256 of the body, lower-case hex.
    pub content_hash: String,
    /// A stored delivery of the same kind and hash received less than this
    /// long before makes this one a duplicate.
    pub dedup_window: Duration,
    /// Why the receiver refused it (wrong content type, not JSON, too
    /// large), or `None` for an accepted delivery. A refused one is still
    /// stored, as [`Status::Rejected`] with this reason, so that nothing that
    /// passed the key check is lost; it skips duplicate detection (DealPOS
    /// does not retry the 4xx it was answered, so a copy is a new request).
    pub rejected: Option<String>,
}

/// What [`Inbox::store`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// Stored as a new delivery with this id.
    New(i64),
    /// A duplicate of the delivery with this id; not stored again.
    Duplicate(i64),
}

impl Stored {
    /// The id of the stored delivery (the new one, or the original).
    pub fn id(self) -> i64 {
        match self {
            Self::New(id) | Self::Duplicate(id) => id,
        }
    }
}

/// Where a stored delivery is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Waiting for the worker, or being processed, or waiting for a retry.
    Pending,
    /// The handler succeeded.
    Done,
    /// The handler failed for good; kept for inspection and [`Inbox::replay`].
    Failed,
    /// The receiver refused the request after the key check (content type,
    /// JSON, size): kept with the reason, never handed to the handler unless
    /// replayed.
    Rejected,
}

impl Status {
    /// The name stored in the inbox.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Rejected => "rejected",
        }
    }

    /// Every status, in the order of a delivery's life.
    pub const ALL: [Self; 4] = [Self::Pending, Self::Done, Self::Failed, Self::Rejected];

    /// The status named `name`, as stored.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// A delivery as the inbox holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDelivery {
    /// Its id in the inbox.
    pub id: i64,
    /// The kind's description name.
    pub kind: String,
    /// The body exactly as sent.
    pub body: Bytes,
    /// The headers kept with it.
    pub headers: Vec<(String, String)>,
    /// When it arrived.
    pub received_at: SystemTime,
    /// SHA-256 of the body, lower-case hex.
    pub content_hash: String,
    /// Where it is.
    pub status: Status,
    /// How many times the handler was started on it (including a claim that
    /// is running now).
    pub attempts: u32,
    /// The last failure, if any.
    pub last_error: Option<String>,
    /// How many duplicates of it arrived (and were not stored).
    pub duplicates: u32,
}

/// How many deliveries an inbox holds, by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InboxCounts {
    /// [`Status::Pending`].
    pub pending: u64,
    /// [`Status::Done`].
    pub done: u64,
    /// [`Status::Failed`].
    pub failed: u64,
    /// [`Status::Rejected`].
    pub rejected: u64,
}

impl InboxCounts {
    /// Every stored delivery.
    pub fn total(&self) -> u64 {
        self.pending + self.done + self.failed + self.rejected
    }

    /// The count for one status.
    pub fn get(&self, status: Status) -> u64 {
        match status {
            Status::Pending => self.pending,
            Status::Done => self.done,
            Status::Failed => self.failed,
            Status::Rejected => self.rejected,
        }
    }

    #[cfg(any(feature = "inbox-sqlite", feature = "inbox-postgres"))]
    /// Sets the count for the status named `name` (as stored); an unknown
    /// name is corrupt data, reported rather than skipped.
    pub(super) fn set(&mut self, name: &str, n: u64) -> Result<(), InboxError> {
        let slot = match Status::from_name(name) {
            Some(Status::Pending) => &mut self.pending,
            Some(Status::Done) => &mut self.done,
            Some(Status::Failed) => &mut self.failed,
            Some(Status::Rejected) => &mut self.rejected,
            None => return Err(InboxError::Corrupt(format!("status `{name}`"))),
        };
        *slot = n;
        Ok(())
    }
}

/// An inbox operation that failed.
#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    /// The storage failed (I/O, database error, a lock).
    #[error("webhook inbox storage: {0}")]
    Storage(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The storage holds something this code cannot read.
    #[error("webhook inbox holds unreadable data: {0}")]
    Corrupt(String),
}

impl InboxError {
    /// A storage error from any error.
    pub fn storage(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Storage(error.into())
    }
}

#[cfg(any(feature = "inbox-sqlite", feature = "inbox-postgres"))]
/// The longest lease or delay an inbox stores, in milliseconds (about 1,000
/// years): any configured [`Duration`], `Duration::MAX` included, is clamped
/// to it, so that "now plus the delay" never overflows a 64-bit column.
pub(super) const MAX_DELAY_MS: i64 = 1000 * 366 * 24 * 60 * 60 * 1000;

#[cfg(any(feature = "inbox-sqlite", feature = "inbox-postgres"))]
/// A duration in milliseconds, clamped to [`MAX_DELAY_MS`].
pub(super) fn delay_ms(delay: Duration) -> i64 {
    i64::try_from(delay.as_millis()).unwrap_or(i64::MAX).min(MAX_DELAY_MS)
}

#[cfg(feature = "inbox-sqlite")]
/// A time as milliseconds since the Unix epoch (0 before it).
pub(super) fn millis(time: SystemTime) -> i64 {
    time.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(any(feature = "inbox-sqlite", feature = "inbox-postgres"))]
/// Milliseconds since the Unix epoch as a time; one the platform cannot
/// represent becomes the latest time every platform can (2106).
pub(super) fn from_millis(ms: i64) -> SystemTime {
    let since = Duration::from_millis(u64::try_from(ms).unwrap_or(0));
    std::time::UNIX_EPOCH.checked_add(since).unwrap_or(std::time::UNIX_EPOCH + Duration::from_secs(u32::MAX.into()))
}

#[cfg(any(feature = "inbox-sqlite", feature = "inbox-postgres"))]
/// What a delivery the claim gives up on is marked with.
pub(super) fn abandoned_reason(max_attempts: u32) -> String {
    format!("gave up after {max_attempts} attempts (the last one never reported back: a crash or a stopped worker)")
}

/// Durable storage of deliveries, shared by the HTTP side (which stores) and
/// the [`Worker`](super::Worker) (which claims, completes, retries, fails).
///
/// An implementation must make [`store`](Inbox::store) durable before it
/// returns (the 200 follows it), detect duplicates atomically (two identical
/// deliveries racing store one row), and make a claimed delivery invisible to
/// other claims until its lease runs out, so that a crashed worker's claims
/// come back by themselves.
pub trait Inbox: Send + Sync + 'static {
    /// Stores a delivery, or finds the one it duplicates.
    fn store(&self, delivery: NewDelivery) -> impl Future<Output = Result<Stored, InboxError>> + Send;

    /// Claims up to `limit` pending deliveries that are due, oldest first:
    /// each has its attempt count raised and is hidden from other claims for
    /// `lease` (any duration: it is clamped, never overflows).
    ///
    /// A due delivery that already had `max_attempts` attempts is not claimed
    /// but marked [`Status::Failed`] (its last attempt never reported back: a
    /// crash, or a worker stopped mid-attempt), in the same transaction: the
    /// limit holds even when no worker lives to enforce it.
    fn claim(
        &self,
        limit: usize,
        lease: Duration,
        max_attempts: u32,
    ) -> impl Future<Output = Result<Vec<StoredDelivery>, InboxError>> + Send;

    /// Marks a claimed delivery done (also one the claim gave up on: its
    /// handler did succeed in the end). A rejected or done one is left alone.
    fn complete(&self, id: i64) -> impl Future<Output = Result<(), InboxError>> + Send;

    /// Records a failure of a pending delivery and makes it due again after
    /// `delay` (by the inbox's clock; any duration, clamped).
    fn retry_after(&self, id: i64, error: &str, delay: Duration)
    -> impl Future<Output = Result<(), InboxError>> + Send;

    /// Marks a pending delivery failed for good, keeping it and the error;
    /// never a done one (a late report of an earlier attempt must not undo a
    /// success) or a rejected one.
    fn fail(&self, id: i64, error: &str) -> impl Future<Output = Result<(), InboxError>> + Send;

    /// Makes a failed, rejected or done delivery pending again with a fresh
    /// attempt count; `false` if there is no such delivery (or it is pending).
    fn replay(&self, id: i64) -> impl Future<Output = Result<bool, InboxError>> + Send;

    /// The delivery with this id.
    fn get(&self, id: i64) -> impl Future<Output = Result<Option<StoredDelivery>, InboxError>> + Send;

    /// Up to `limit` deliveries with this status, oldest first.
    fn list(
        &self,
        status: Status,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<StoredDelivery>, InboxError>> + Send;

    /// How many deliveries there are, by status.
    fn counts(&self) -> impl Future<Output = Result<InboxCounts, InboxError>> + Send;

    /// Deletes the deliveries with one of `statuses` that finished (or, if
    /// pending, arrived) at least `older_than` ago, by the inbox's clock, and
    /// says how many. Nothing else is touched: naming no status deletes
    /// nothing, and a pending delivery goes only if `Pending` is named.
    fn purge(&self, older_than: Duration, statuses: &[Status]) -> impl Future<Output = Result<u64, InboxError>> + Send;

    /// How long until the next pending delivery is due (zero if one is due
    /// now), by the inbox's clock; `None` if nothing is pending. Lets the
    /// worker sleep until then instead of polling.
    fn next_due(&self) -> impl Future<Output = Result<Option<Duration>, InboxError>> + Send;
}

impl<S: Inbox> Inbox for std::sync::Arc<S> {
    fn store(&self, delivery: NewDelivery) -> impl Future<Output = Result<Stored, InboxError>> + Send {
        (**self).store(delivery)
    }

    fn claim(
        &self,
        limit: usize,
        lease: Duration,
        max_attempts: u32,
    ) -> impl Future<Output = Result<Vec<StoredDelivery>, InboxError>> + Send {
        (**self).claim(limit, lease, max_attempts)
    }

    fn complete(&self, id: i64) -> impl Future<Output = Result<(), InboxError>> + Send {
        (**self).complete(id)
    }

    fn retry_after(
        &self,
        id: i64,
        error: &str,
        delay: Duration,
    ) -> impl Future<Output = Result<(), InboxError>> + Send {
        (**self).retry_after(id, error, delay)
    }

    fn fail(&self, id: i64, error: &str) -> impl Future<Output = Result<(), InboxError>> + Send {
        (**self).fail(id, error)
    }

    fn replay(&self, id: i64) -> impl Future<Output = Result<bool, InboxError>> + Send {
        (**self).replay(id)
    }

    fn get(&self, id: i64) -> impl Future<Output = Result<Option<StoredDelivery>, InboxError>> + Send {
        (**self).get(id)
    }

    fn list(
        &self,
        status: Status,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<StoredDelivery>, InboxError>> + Send {
        (**self).list(status, limit)
    }

    fn counts(&self) -> impl Future<Output = Result<InboxCounts, InboxError>> + Send {
        (**self).counts()
    }

    fn purge(&self, older_than: Duration, statuses: &[Status]) -> impl Future<Output = Result<u64, InboxError>> + Send {
        (**self).purge(older_than, statuses)
    }

    fn next_due(&self) -> impl Future<Output = Result<Option<Duration>, InboxError>> + Send {
        (**self).next_due()
    }
}
