//! The SQLite inbox: one file, no server, SQLite compiled in.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use super::inbox::{
    Inbox, InboxCounts, InboxError, NewDelivery, Status, Stored, StoredDelivery, abandoned_reason, delay_ms,
    from_millis, millis,
};

/// The schema. `available_at` is when a pending delivery may next be
/// claimed: a claim moves it past the lease, a failure to the retry time.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS dealpos_webhook_inbox (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT    NOT NULL,
    body          BLOB    NOT NULL,
    headers       TEXT    NOT NULL,
    content_hash  TEXT    NOT NULL,
    received_at   INTEGER NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'pending',
    attempts      INTEGER NOT NULL DEFAULT 0,
    available_at  INTEGER NOT NULL,
    last_error    TEXT,
    duplicates    INTEGER NOT NULL DEFAULT 0,
    finished_at   INTEGER
);
CREATE INDEX IF NOT EXISTS dealpos_webhook_inbox_due ON dealpos_webhook_inbox (status, available_at);
CREATE INDEX IF NOT EXISTS dealpos_webhook_inbox_hash ON dealpos_webhook_inbox (kind, content_hash, received_at);
";

const COLUMNS: &str = "id, kind, body, headers, content_hash, received_at, status, attempts, last_error, duplicates";

/// An [`Inbox`] in a SQLite file.
///
/// Writes are durable when they return (WAL journal, `synchronous = FULL`),
/// so a delivery answered 200 survives a crash of the process or the
/// machine. Several processes may share the file: stores and claims run in
/// immediate transactions, which SQLite serialises.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use dealpos_runtime::receiver::{handler_fn, Receiver, SqliteInbox};
///
/// let handler = handler_fn(|event, delivery| async move {
///     println!("{} #{:?}: {}", delivery.kind, delivery.id, event.to_json());
///     Ok(())
/// });
/// let (router, worker) = Receiver::new(handler)
///     .api_key(std::env::var("DEALPOS_WEBHOOK_KEY")?)
///     .with_inbox(SqliteInbox::open("webhooks.sqlite3")?)?;
/// let _worker = worker.spawn(); // stops when dropped
/// let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
/// dealpos_runtime::receiver::axum::serve(listener, router).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct SqliteInbox {
    // One connection: SQLite writes one transaction at a time anyway, and
    // the mutex makes that wait cheap instead of a busy-timeout spin.
    connection: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for SqliteInbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteInbox").finish_non_exhaustive()
    }
}

impl SqliteInbox {
    /// Opens (creating if needed) the inbox in the file at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, InboxError> {
        let connection = Connection::open(path).map_err(InboxError::storage)?;
        // The busy timeout first: switching to WAL takes a lock, and another
        // process opening the file at the same moment must wait, not fail.
        connection.busy_timeout(Duration::from_secs(10)).map_err(InboxError::storage)?;
        // journal_mode answers with a row, hence query_row.
        connection.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())).map_err(InboxError::storage)?;
        connection.execute_batch("PRAGMA synchronous = FULL;").map_err(InboxError::storage)?;
        connection.execute_batch(SCHEMA).map_err(InboxError::storage)?;
        Ok(Self { connection: Arc::new(Mutex::new(connection)) })
    }

    /// Runs `work` on the connection on tokio's blocking pool: SQLite calls
    /// block, and an fsync must not stall the runtime's workers.
    async fn with<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, InboxError> + Send + 'static,
    ) -> Result<T, InboxError> {
        let connection = self.connection.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = connection.lock().unwrap_or_else(|poisoned| {
                // A panic while holding the lock (a bug, or one injected by a
                // test) must not turn every later store into a 503. The
                // connection is sound: every write is one transaction, which
                // rusqlite rolls back as the panic unwinds; roll back here too
                // in case one was left open.
                tracing::warn!("webhook inbox: recovering the SQLite lock after a panic");
                connection.clear_poison();
                let guard = poisoned.into_inner();
                if !guard.is_autocommit() {
                    let _ = guard.execute_batch("ROLLBACK");
                }
                guard
            });
            work(&mut guard)
        })
        .await
        .map_err(InboxError::storage)?
    }
}

fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Reads a row selected with [`COLUMNS`]; unreadable stored text is a
/// conversion error, reported rather than skipped.
fn row(row: &Row<'_>) -> rusqlite::Result<StoredDelivery> {
    let corrupt = |column: usize, what: String| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, what.into())
    };
    let headers: String = row.get(3)?;
    let headers = serde_json::from_str(&headers).map_err(|e| corrupt(3, format!("headers: {e}")))?;
    let status: String = row.get(6)?;
    let status = Status::from_name(&status).ok_or_else(|| corrupt(6, format!("status `{status}`")))?;
    Ok(StoredDelivery {
        id: row.get(0)?,
        kind: row.get(1)?,
        body: Bytes::from(row.get::<_, Vec<u8>>(2)?),
        headers,
        content_hash: row.get(4)?,
        received_at: from_millis(row.get(5)?),
        status,
        attempts: row.get(7)?,
        last_error: row.get(8)?,
        duplicates: row.get(9)?,
    })
}

fn storage(error: rusqlite::Error) -> InboxError {
    InboxError::storage(error)
}

impl Inbox for SqliteInbox {
    async fn store(&self, delivery: NewDelivery) -> Result<Stored, InboxError> {
        let headers = serde_json::to_string(&delivery.headers).map_err(InboxError::storage)?;
        self.with(move |connection| {
            // Immediate: the duplicate check and the insert see the same
            // state even with another process writing to the file.
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(storage)?;
            let received = millis(delivery.received_at);
            if let Some(reason) = &delivery.rejected {
                // Kept as it came, with why it was refused; finished at once,
                // so retention counts its age from its arrival.
                tx.execute(
                    "INSERT INTO dealpos_webhook_inbox
                     (kind, body, headers, content_hash, received_at, available_at, status, last_error, finished_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?5, 'rejected', ?6, ?5)",
                    params![delivery.kind, delivery.body.as_ref(), headers, delivery.content_hash, received, reason],
                )
                .map_err(storage)?;
                let id = tx.last_insert_rowid();
                tx.commit().map_err(storage)?;
                return Ok(Stored::New(id));
            }
            let since = millis(delivery.received_at.checked_sub(delivery.dedup_window).unwrap_or(UNIX_EPOCH));
            let original: Option<i64> = tx
                .query_row(
                    "SELECT id FROM dealpos_webhook_inbox
                     WHERE kind = ?1 AND content_hash = ?2 AND received_at >= ?3 AND status <> 'rejected'
                     ORDER BY id LIMIT 1",
                    params![delivery.kind, delivery.content_hash, since],
                    |r| r.get(0),
                )
                .optional()
                .map_err(storage)?;
            let stored = if let Some(id) = original {
                tx.execute("UPDATE dealpos_webhook_inbox SET duplicates = duplicates + 1 WHERE id = ?1", [id])
                    .map_err(storage)?;
                Stored::Duplicate(id)
            } else {
                tx.execute(
                    "INSERT INTO dealpos_webhook_inbox
                     (kind, body, headers, content_hash, received_at, available_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                    params![delivery.kind, delivery.body.as_ref(), headers, delivery.content_hash, received],
                )
                .map_err(storage)?;
                Stored::New(tx.last_insert_rowid())
            };
            tx.commit().map_err(storage)?;
            Ok(stored)
        })
        .await
    }

    async fn claim(&self, limit: usize, lease: Duration, max_attempts: u32) -> Result<Vec<StoredDelivery>, InboxError> {
        self.with(move |connection| {
            let now = millis(SystemTime::now());
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(storage)?;
            // Attempts that never reported back count: past the limit, the
            // delivery is failed here rather than claimed forever.
            let abandoned = tx
                .execute(
                    "UPDATE dealpos_webhook_inbox
                     SET status = 'failed', finished_at = ?1,
                         last_error = COALESCE(last_error || '; ', '') || ?3
                     WHERE status = 'pending' AND available_at <= ?1 AND attempts >= ?2",
                    params![now, max_attempts, abandoned_reason(max_attempts)],
                )
                .map_err(storage)?;
            if abandoned > 0 {
                tracing::error!(abandoned, max_attempts, "webhook deliveries failed: attempts exhausted");
            }
            let mut claimed = {
                let mut statement = tx
                    .prepare(&format!(
                        "UPDATE dealpos_webhook_inbox SET attempts = attempts + 1, available_at = ?1
                         WHERE id IN (SELECT id FROM dealpos_webhook_inbox
                                      WHERE status = 'pending' AND available_at <= ?2 AND attempts < ?4
                                      ORDER BY available_at, id LIMIT ?3)
                         RETURNING {COLUMNS}"
                    ))
                    .map_err(storage)?;
                let until = now.saturating_add(delay_ms(lease));
                let rows =
                    statement.query_map(params![until, now, to_i64(limit), max_attempts], row).map_err(storage)?;
                rows.collect::<Result<Vec<_>, _>>().map_err(storage)?
            };
            tx.commit().map_err(storage)?;
            // RETURNING gives no order; the oldest first is what callers expect.
            claimed.sort_by_key(|d| d.id);
            Ok(claimed)
        })
        .await
    }

    async fn complete(&self, id: i64) -> Result<(), InboxError> {
        self.with(move |connection| {
            connection
                .execute(
                    "UPDATE dealpos_webhook_inbox SET status = 'done', finished_at = ?2
                     WHERE id = ?1 AND status IN ('pending', 'failed')",
                    params![id, millis(SystemTime::now())],
                )
                .map_err(storage)?;
            Ok(())
        })
        .await
    }

    async fn retry_after(&self, id: i64, error: &str, delay: Duration) -> Result<(), InboxError> {
        let error = error.to_string();
        self.with(move |connection| {
            connection
                .execute(
                    "UPDATE dealpos_webhook_inbox SET available_at = ?2, last_error = ?3
                     WHERE id = ?1 AND status = 'pending'",
                    params![id, millis(SystemTime::now()).saturating_add(delay_ms(delay)), error],
                )
                .map_err(storage)?;
            Ok(())
        })
        .await
    }

    async fn fail(&self, id: i64, error: &str) -> Result<(), InboxError> {
        let error = error.to_string();
        self.with(move |connection| {
            connection
                .execute(
                    "UPDATE dealpos_webhook_inbox SET status = 'failed', last_error = ?2, finished_at = ?3
                     WHERE id = ?1 AND status IN ('pending', 'failed')",
                    params![id, error, millis(SystemTime::now())],
                )
                .map_err(storage)?;
            Ok(())
        })
        .await
    }

    async fn replay(&self, id: i64) -> Result<bool, InboxError> {
        self.with(move |connection| {
            let changed = connection
                .execute(
                    "UPDATE dealpos_webhook_inbox
                     SET status = 'pending', attempts = 0, available_at = ?2, finished_at = NULL
                     WHERE id = ?1 AND status IN ('failed', 'rejected', 'done')",
                    params![id, millis(SystemTime::now())],
                )
                .map_err(storage)?;
            Ok(changed == 1)
        })
        .await
    }

    async fn get(&self, id: i64) -> Result<Option<StoredDelivery>, InboxError> {
        self.with(move |connection| {
            connection
                .query_row(&format!("SELECT {COLUMNS} FROM dealpos_webhook_inbox WHERE id = ?1"), [id], row)
                .optional()
                .map_err(storage)
        })
        .await
    }

    async fn list(&self, status: Status, limit: usize) -> Result<Vec<StoredDelivery>, InboxError> {
        self.with(move |connection| {
            let mut statement = connection
                .prepare(&format!("SELECT {COLUMNS} FROM dealpos_webhook_inbox WHERE status = ?1 ORDER BY id LIMIT ?2"))
                .map_err(storage)?;
            let rows = statement.query_map(params![status.as_str(), to_i64(limit)], row).map_err(storage)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(storage)
        })
        .await
    }

    async fn counts(&self) -> Result<InboxCounts, InboxError> {
        self.with(|connection| {
            let mut statement = connection
                .prepare("SELECT status, COUNT(*) FROM dealpos_webhook_inbox GROUP BY status")
                .map_err(storage)?;
            let rows =
                statement.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))).map_err(storage)?;
            let mut counts = InboxCounts::default();
            for entry in rows {
                let (status, n) = entry.map_err(storage)?;
                counts.set(&status, u64::try_from(n).unwrap_or(0))?;
            }
            Ok(counts)
        })
        .await
    }

    async fn purge(&self, older_than: Duration, statuses: &[Status]) -> Result<u64, InboxError> {
        let names = serde_json::to_string(&statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>())
            .map_err(InboxError::storage)?;
        self.with(move |connection| {
            let cutoff = millis(SystemTime::now()).saturating_sub(delay_ms(older_than));
            let deleted = connection
                .execute(
                    "DELETE FROM dealpos_webhook_inbox
                     WHERE status IN (SELECT value FROM json_each(?1)) AND COALESCE(finished_at, received_at) <= ?2",
                    params![names, cutoff],
                )
                .map_err(storage)?;
            Ok(u64::try_from(deleted).unwrap_or(u64::MAX))
        })
        .await
    }

    async fn next_due(&self) -> Result<Option<Duration>, InboxError> {
        self.with(|connection| {
            let due: Option<i64> = connection
                .query_row("SELECT MIN(available_at) FROM dealpos_webhook_inbox WHERE status = 'pending'", [], |r| {
                    r.get(0)
                })
                .map_err(storage)?;
            let now = millis(SystemTime::now());
            Ok(due.map(|due| Duration::from_millis(u64::try_from(due.saturating_sub(now)).unwrap_or(0))))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory for one test's database (SQLite's WAL adds files beside it).
    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("dealpos-inbox-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn new(kind: &str, body: &'static [u8], at: SystemTime) -> NewDelivery {
        NewDelivery {
            kind: kind.into(),
            body: Bytes::from_static(body),
            headers: vec![("user-agent".into(), "DealPOS".into())],
            received_at: at,
            content_hash: super::super::http::content_hash(body),
            dedup_window: Duration::from_secs(60),
            rejected: None,
        }
    }

    #[tokio::test]
    async fn duplicates_within_the_window_are_stored_once() {
        let dir = scratch("dedup");
        let inbox = SqliteInbox::open(dir.join("inbox.sqlite3")).unwrap();
        let t0 = SystemTime::now();
        let first = inbox.store(new("shiftClose", b"{}", t0)).await.unwrap();
        assert!(matches!(first, Stored::New(_)));
        assert_eq!(
            inbox.store(new("shiftClose", b"{}", t0 + Duration::from_secs(7))).await.unwrap(),
            Stored::Duplicate(first.id())
        );
        // Another kind, or the same body long after, is a new event.
        assert!(matches!(inbox.store(new("productCreated", b"{}", t0)).await.unwrap(), Stored::New(_)));
        assert!(matches!(
            inbox.store(new("shiftClose", b"{}", t0 + Duration::from_secs(120))).await.unwrap(),
            Stored::New(_)
        ));
        let stored = inbox.get(first.id()).await.unwrap().unwrap();
        assert_eq!((stored.duplicates, stored.status, stored.attempts), (1, Status::Pending, 0));
        assert_eq!(stored.headers, vec![("user-agent".to_string(), "DealPOS".to_string())]);
        drop(inbox);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn a_claim_hides_a_delivery_until_its_lease_runs_out() {
        let dir = scratch("lease");
        let inbox = SqliteInbox::open(dir.join("inbox.sqlite3")).unwrap();
        let id = inbox.store(new("shiftClose", b"{\"ID\":1}", SystemTime::now())).await.unwrap().id();
        let claimed = inbox.claim(10, Duration::ZERO, 10).await.unwrap();
        assert_eq!(claimed.iter().map(|d| (d.id, d.attempts)).collect::<Vec<_>>(), [(id, 1)]);
        // A zero lease has run out: the claim is visible again (a crashed worker).
        assert_eq!(inbox.claim(10, Duration::from_secs(600), 10).await.unwrap()[0].attempts, 2);
        assert!(inbox.claim(10, Duration::from_secs(600), 10).await.unwrap().is_empty());
        inbox.fail(id, "boom").await.unwrap();
        assert_eq!(inbox.counts().await.unwrap(), InboxCounts { failed: 1, ..InboxCounts::default() });
        assert!(inbox.replay(id).await.unwrap());
        assert!(!inbox.replay(id + 1000).await.unwrap());
        let replayed = inbox.claim(10, Duration::from_secs(600), 10).await.unwrap();
        assert_eq!((replayed[0].attempts, replayed[0].last_error.as_deref()), (1, Some("boom")));
        inbox.complete(id).await.unwrap();
        assert_eq!(inbox.counts().await.unwrap().done, 1);
        drop(inbox);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn a_panic_inside_the_store_does_not_disable_later_stores() {
        let dir = scratch("poison");
        let inbox = SqliteInbox::open(dir.join("inbox.sqlite3")).unwrap();
        // A panic in the middle of a write transaction, holding the lock.
        let injected = inbox
            .with(|connection| {
                let tx = connection.transaction().map_err(storage)?;
                tx.execute(
                    "INSERT INTO dealpos_webhook_inbox (kind, body, headers, content_hash, received_at, available_at)
                     VALUES ('shiftClose', x'7b7d', '[]', 'h', 0, 0)",
                    [],
                )
                .map_err(storage)?;
                if tx.is_autocommit() {
                    return Ok(());
                }
                panic!("injected")
            })
            .await;
        assert!(injected.is_err());
        let id = inbox.store(new("shiftClose", b"{}", SystemTime::now())).await.unwrap().id();
        assert_eq!(inbox.counts().await.unwrap(), InboxCounts { pending: 1, ..InboxCounts::default() });
        assert_eq!(inbox.get(id).await.unwrap().unwrap().body.as_ref(), b"{}", "the half-written row rolled back");
        drop(inbox);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn the_claim_enforces_the_attempt_limit_and_fail_never_undoes_done() {
        let dir = scratch("limit");
        let inbox = SqliteInbox::open(dir.join("inbox.sqlite3")).unwrap();
        let id = inbox.store(new("shiftClose", b"{}", SystemTime::now())).await.unwrap().id();
        // Two claims whose attempts never report back (a worker that died each time).
        for attempt in 1..=2 {
            assert_eq!(inbox.claim(10, Duration::ZERO, 2).await.unwrap()[0].attempts, attempt);
        }
        assert!(inbox.claim(10, Duration::ZERO, 2).await.unwrap().is_empty(), "never claimed a third time");
        let failed = inbox.get(id).await.unwrap().unwrap();
        assert_eq!((failed.status, failed.attempts), (Status::Failed, 2));
        assert!(failed.last_error.as_deref().unwrap().contains("2 attempts"), "{:?}", failed.last_error);
        // A lease of any length is fine.
        assert!(inbox.replay(id).await.unwrap());
        assert_eq!(inbox.claim(10, Duration::MAX, 2).await.unwrap().len(), 1);
        inbox.retry_after(id, "again", Duration::MAX).await.unwrap();
        inbox.complete(id).await.unwrap();
        inbox.fail(id, "a late failure report").await.unwrap();
        assert_eq!(inbox.get(id).await.unwrap().unwrap().status, Status::Done);
        drop(inbox);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn purge_removes_exactly_what_it_names() {
        let dir = scratch("purge");
        let inbox = SqliteInbox::open(dir.join("inbox.sqlite3")).unwrap();
        let now = SystemTime::now();
        let days = |n: u64| Duration::from_secs(n * 24 * 60 * 60);
        let rejected =
            |body: &'static [u8], at| NewDelivery { rejected: Some("not JSON".into()), ..new("shiftClose", body, at) };
        let old_rejected = inbox.store(rejected(b"old", now - days(40))).await.unwrap().id();
        let new_rejected = inbox.store(rejected(b"new", now)).await.unwrap().id();
        let done = inbox.store(new("shiftClose", b"{\"ID\":1}", now)).await.unwrap().id();
        let failed = inbox.store(new("shiftClose", b"{\"ID\":2}", now)).await.unwrap().id();
        let pending = inbox.store(new("shiftClose", b"{\"ID\":3}", now)).await.unwrap().id();
        inbox.complete(done).await.unwrap();
        inbox.fail(failed, "boom").await.unwrap();

        assert_eq!(inbox.purge(days(30), &[Status::Rejected]).await.unwrap(), 1);
        assert!(inbox.get(old_rejected).await.unwrap().is_none());
        assert_eq!(inbox.purge(days(1), &[Status::Done, Status::Failed, Status::Rejected]).await.unwrap(), 0);
        assert_eq!(inbox.purge(Duration::ZERO, &[Status::Done]).await.unwrap(), 1);
        assert_eq!(inbox.purge(Duration::MAX, &[Status::Failed]).await.unwrap(), 0, "any age is fine");
        assert_eq!(inbox.purge(Duration::ZERO, &[]).await.unwrap(), 0);
        let left: Vec<i64> = inbox.list(Status::Failed, 10).await.unwrap().iter().map(|d| d.id).collect();
        assert_eq!(left, [failed]);
        assert_eq!(inbox.get(new_rejected).await.unwrap().unwrap().status, Status::Rejected);
        assert_eq!(inbox.get(pending).await.unwrap().unwrap().status, Status::Pending);
        assert_eq!(inbox.counts().await.unwrap(), InboxCounts { pending: 1, failed: 1, rejected: 1, done: 0 });
        drop(inbox);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
