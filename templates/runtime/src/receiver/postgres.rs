//! The PostgreSQL inbox: several receivers (processes, machines) sharing one
//! inbox, claims taken with `FOR UPDATE SKIP LOCKED`.

use std::time::Duration;

use axum::body::Bytes;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::Mutex;
use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Config, NoTls, Row, Socket};

use super::inbox::{
    Inbox, InboxCounts, InboxError, NewDelivery, Status, Stored, StoredDelivery, abandoned_reason, delay_ms,
    from_millis,
};

/// The schema, created under an advisory lock so that receivers starting
/// together do not race on `CREATE TABLE IF NOT EXISTS`. Times are
/// milliseconds since the Unix epoch, as in the SQLite inbox.
const SCHEMA: &str = "
BEGIN;
SELECT pg_advisory_xact_lock(7366110042);
CREATE TABLE IF NOT EXISTS dealpos_webhook_inbox (
    id            BIGSERIAL PRIMARY KEY,
    kind          TEXT    NOT NULL,
    body          BYTEA   NOT NULL,
    headers       TEXT    NOT NULL,
    content_hash  TEXT    NOT NULL,
    received_at   BIGINT  NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'pending',
    attempts      INTEGER NOT NULL DEFAULT 0,
    available_at  BIGINT  NOT NULL,
    last_error    TEXT,
    duplicates    INTEGER NOT NULL DEFAULT 0,
    finished_at   BIGINT
);
CREATE INDEX IF NOT EXISTS dealpos_webhook_inbox_due ON dealpos_webhook_inbox (status, available_at);
CREATE INDEX IF NOT EXISTS dealpos_webhook_inbox_hash ON dealpos_webhook_inbox (kind, content_hash, received_at);
COMMIT;
";

/// The database's clock in milliseconds since the Unix epoch. Leases, retry
/// times and dedup windows are compared with it, never with a receiver's
/// clock: receivers on several hosts whose clocks disagree would otherwise
/// steal each other's leases or miss duplicates.
const NOW_MS: &str = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT";

const COLUMNS: &str = "id, kind, body, headers, content_hash, received_at, status, attempts, last_error, duplicates";

/// An [`Inbox`] in a PostgreSQL database, shared safely by any number of
/// receivers and workers: duplicate detection runs under a transaction-level
/// advisory lock on (kind, hash), and claims skip rows another worker holds.
///
/// One connection per inbox, reopened when it breaks (a statement that met
/// the closed connection runs once more on the new one); operations from one
/// process queue on it. [`PostgresInbox::connect`] connects without TLS (over
/// a Unix socket or a private network); [`PostgresInbox::connect_with`] takes
/// any tokio-postgres TLS connector and reconnects with it too.
pub struct PostgresInbox {
    connect: Option<Connect>,
    client: Mutex<Client>,
}

impl std::fmt::Debug for PostgresInbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresInbox").finish_non_exhaustive()
    }
}

/// Opens a new connection: the route the inbox was made with (plain or TLS),
/// kept to reopen it.
type Connect = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<Client, InboxError>> + Send>> + Send + Sync>;

impl PostgresInbox {
    /// Connects without TLS with a libpq-style configuration
    /// (`host=/run/postgresql user=dealpos dbname=webhooks`, or a
    /// `postgresql://` URL) and creates the table if needed. Use it over a
    /// Unix socket or a private network; otherwise [`connect_with`](Self::connect_with)
    /// a TLS connector.
    pub async fn connect(config: &str) -> Result<Self, InboxError> {
        Self::connect_with(config, NoTls).await
    }

    /// Connects with `tls` (any tokio-postgres TLS connector, such as
    /// `tokio-postgres-rustls`'s `MakeRustlsConnect`) and creates the table
    /// if needed. The connection is reopened the same way whenever it
    /// breaks.
    pub async fn connect_with<T>(config: &str, tls: T) -> Result<Self, InboxError>
    where
        T: MakeTlsConnect<Socket> + Clone + Send + Sync + 'static,
        T::Stream: Send + 'static,
        T::TlsConnect: Send,
        <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
    {
        Self::connect_config(parse_config(config)?, tls).await
    }

    async fn connect_config<T>(config: Config, tls: T) -> Result<Self, InboxError>
    where
        T: MakeTlsConnect<Socket> + Clone + Send + Sync + 'static,
        T::Stream: Send + 'static,
        T::TlsConnect: Send,
        <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
    {
        let connect: Connect = Arc::new(move || {
            let (config, tls) = (config.clone(), tls.clone());
            Box::pin(async move { open(&config, tls).await })
        });
        let client = connect().await?;
        Self::setup(Some(connect), client).await
    }

    /// Uses a connected client (its connection task already spawned); it
    /// cannot be reopened if it breaks: prefer [`connect_with`](Self::connect_with).
    pub async fn from_client(client: Client) -> Result<Self, InboxError> {
        Self::setup(None, client).await
    }

    async fn setup(connect: Option<Connect>, client: Client) -> Result<Self, InboxError> {
        client.batch_execute(SCHEMA).await.map_err(InboxError::storage)?;
        Ok(Self { connect, client: Mutex::new(client) })
    }

    /// The client, reconnected first if its connection broke.
    async fn client(&self) -> Result<tokio::sync::MutexGuard<'_, Client>, InboxError> {
        let mut client = self.client.lock().await;
        if client.is_closed() {
            let Some(connect) = &self.connect else {
                return Err(InboxError::storage("the PostgreSQL connection is closed"));
            };
            tracing::info!("webhook inbox: reopening the PostgreSQL connection");
            *client = connect().await?;
        }
        Ok(client)
    }

    /// A new connection in place of the current one, whatever it says of
    /// itself: right after the server's goodbye the old client may not know
    /// yet that its connection is gone.
    async fn reopen(&self) -> Result<(), InboxError> {
        let Some(connect) = &self.connect else {
            return Err(InboxError::storage("the PostgreSQL connection is closed"));
        };
        tracing::info!("webhook inbox: reopening the PostgreSQL connection");
        let fresh = connect().await?;
        *self.client.lock().await = fresh;
        Ok(())
    }

    async fn execute(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64, InboxError> {
        // Bound first: the client's lock guard must be gone before `reopen` takes it.
        let first = self.client().await?.execute(sql, params).await;
        let result = match first {
            // The connection died since the last call (a restart, a
            // terminated backend): the statement never ran, so once more on
            // a new one. Every statement here is safe to repeat.
            Err(error) if connection_lost(&error) => {
                self.reopen().await?;
                self.client().await?.execute(sql, params).await
            }
            other => other,
        };
        result.map_err(InboxError::storage)
    }

    async fn query(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>, InboxError> {
        let first = self.client().await?.query(sql, params).await;
        let result = match first {
            Err(error) if connection_lost(&error) => {
                self.reopen().await?;
                self.client().await?.query(sql, params).await
            }
            other => other,
        };
        result.map_err(InboxError::storage)
    }
}

#[cfg(feature = "inbox-postgres-tls")]
impl PostgresInbox {
    /// Connects over TLS (rustls) and creates the table if needed. TLS is
    /// required, whatever `sslmode` the configuration names (libpq's default,
    /// `prefer`, falls back to cleartext), and the server's certificate and
    /// host name are verified against the Mozilla roots (`webpki-roots`).
    /// The connection is reopened the same way whenever it breaks.
    pub async fn connect_tls(config: &str) -> Result<Self, InboxError> {
        let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
        Self::connect_rustls(config, roots).await
    }

    /// [`connect_tls`](Self::connect_tls), trusting only the CA certificates
    /// in `ca_pem` (PEM): a private CA, or a cloud provider's bundle.
    pub async fn connect_tls_with_ca(config: &str, ca_pem: &[u8]) -> Result<Self, InboxError> {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(ca_pem) {
            let cert = cert.map_err(|e| InboxError::storage(format!("the CA certificates: {e}")))?;
            roots.add(cert).map_err(|e| InboxError::storage(format!("a CA certificate: {e}")))?;
        }
        if roots.is_empty() {
            return Err(InboxError::storage("the CA certificates: no certificate in the PEM text"));
        }
        Self::connect_rustls(config, roots).await
    }

    async fn connect_rustls(config: &str, roots: rustls::RootCertStore) -> Result<Self, InboxError> {
        let mut config = parse_config(config)?;
        config.ssl_mode(tokio_postgres::config::SslMode::Require);
        // The provider is named rather than taken from the process default,
        // which another crate may or may not have installed.
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| InboxError::storage(format!("TLS: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Self::connect_config(config, tokio_postgres_rustls::MakeRustlsConnect::new(tls)).await
    }
}

/// Whether `error` means the connection is gone: closed under us, or the
/// server's goodbye (a terminated backend, a shutdown: SQLSTATE 57P01/57P02,
/// class 08), which arrives as the answer to the next statement. That
/// statement never ran, so it may be sent once more on a new connection.
fn connection_lost(error: &tokio_postgres::Error) -> bool {
    use tokio_postgres::error::SqlState;
    error.is_closed()
        || error.code().is_some_and(|code| {
            *code == SqlState::ADMIN_SHUTDOWN || *code == SqlState::CRASH_SHUTDOWN || code.code().starts_with("08")
        })
}

/// Whether an inbox error is a PostgreSQL connection that closed under it.
fn closed(error: &InboxError) -> bool {
    match error {
        InboxError::Storage(source) => source.downcast_ref::<tokio_postgres::Error>().is_some_and(connection_lost),
        InboxError::Corrupt(_) => false,
    }
}

/// The configuration in libpq's form or a URL. Its text never appears in the
/// error: it may hold a password.
fn parse_config(config: &str) -> Result<Config, InboxError> {
    config.parse::<Config>().map_err(|e| InboxError::storage(format!("the PostgreSQL configuration: {e}")))
}

async fn open<T>(config: &Config, tls: T) -> Result<Client, InboxError>
where
    T: MakeTlsConnect<Socket> + Send + 'static,
    T::Stream: Send + 'static,
    T::TlsConnect: Send,
    <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
{
    let (client, connection) = config.connect(tls).await.map_err(InboxError::storage)?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::warn!(%error, "webhook inbox: PostgreSQL connection closed");
        }
    });
    Ok(client)
}

fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Reads a row selected with [`COLUMNS`].
fn delivery(row: &Row) -> Result<StoredDelivery, InboxError> {
    let get_err = |e: tokio_postgres::Error| InboxError::storage(e);
    let headers: String = row.try_get("headers").map_err(get_err)?;
    let headers = serde_json::from_str(&headers).map_err(|e| InboxError::Corrupt(format!("headers: {e}")))?;
    let status: String = row.try_get("status").map_err(get_err)?;
    let status = Status::from_name(&status).ok_or_else(|| InboxError::Corrupt(format!("status `{status}`")))?;
    let count = |column: &str| -> Result<u32, InboxError> {
        let n: i32 = row.try_get(column).map_err(get_err)?;
        u32::try_from(n).map_err(|_| InboxError::Corrupt(format!("{column} = {n}")))
    };
    Ok(StoredDelivery {
        id: row.try_get("id").map_err(get_err)?,
        kind: row.try_get("kind").map_err(get_err)?,
        body: Bytes::from(row.try_get::<_, Vec<u8>>("body").map_err(get_err)?),
        headers,
        content_hash: row.try_get("content_hash").map_err(get_err)?,
        received_at: from_millis(row.try_get("received_at").map_err(get_err)?),
        status,
        attempts: count("attempts")?,
        last_error: row.try_get("last_error").map_err(get_err)?,
        duplicates: count("duplicates")?,
    })
}

impl PostgresInbox {
    async fn store_once(&self, new: NewDelivery) -> Result<Stored, InboxError> {
        let headers = serde_json::to_string(&new.headers).map_err(InboxError::storage)?;
        let window = delay_ms(new.dedup_window);
        let mut client = self.client().await?;
        if let Some(reason) = &new.rejected {
            // Kept as it came, with why it was refused; no duplicate check.
            let row = client
                .query_one(
                    &format!(
                        "INSERT INTO dealpos_webhook_inbox
                     (kind, body, headers, content_hash, received_at, available_at, status, last_error, finished_at)
                     VALUES ($1, $2, $3, $4, {NOW_MS}, {NOW_MS}, 'rejected', $5, {NOW_MS}) RETURNING id"
                    ),
                    &[&new.kind, &new.body.as_ref(), &headers, &new.content_hash, reason],
                )
                .await
                .map_err(InboxError::storage)?;
            return Ok(Stored::New(row.try_get(0).map_err(InboxError::storage)?));
        }
        let tx = client.transaction().await.map_err(InboxError::storage)?;
        // Serialises deliveries of one (kind, hash) across every receiver,
        // so two racing copies cannot both see "no original".
        let key = format!("{}:{}", new.kind, new.content_hash);
        tx.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", &[&key])
            .await
            .map_err(InboxError::storage)?;
        let original = tx
            .query_opt(
                &format!(
                    "SELECT id FROM dealpos_webhook_inbox
                     WHERE kind = $1 AND content_hash = $2 AND received_at >= {NOW_MS} - $3 AND status <> 'rejected'
                     ORDER BY id LIMIT 1"
                ),
                &[&new.kind, &new.content_hash, &window],
            )
            .await
            .map_err(InboxError::storage)?;
        let stored = match original {
            Some(row) => {
                let id: i64 = row.try_get(0).map_err(InboxError::storage)?;
                tx.execute("UPDATE dealpos_webhook_inbox SET duplicates = duplicates + 1 WHERE id = $1", &[&id])
                    .await
                    .map_err(InboxError::storage)?;
                Stored::Duplicate(id)
            }
            None => {
                let row = tx
                    .query_one(
                        &format!(
                            "INSERT INTO dealpos_webhook_inbox
                             (kind, body, headers, content_hash, received_at, available_at)
                             VALUES ($1, $2, $3, $4, {NOW_MS}, {NOW_MS}) RETURNING id"
                        ),
                        &[&new.kind, &new.body.as_ref(), &headers, &new.content_hash],
                    )
                    .await
                    .map_err(InboxError::storage)?;
                Stored::New(row.try_get(0).map_err(InboxError::storage)?)
            }
        };
        tx.commit().await.map_err(InboxError::storage)?;
        Ok(stored)
    }

    async fn claim_once(
        &self,
        limit: usize,
        lease: Duration,
        max_attempts: u32,
    ) -> Result<Vec<StoredDelivery>, InboxError> {
        let max = i32::try_from(max_attempts).unwrap_or(i32::MAX);
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(InboxError::storage)?;
        // Attempts that never reported back count: past the limit, the
        // delivery is failed here rather than claimed forever.
        let abandoned = tx
            .execute(
                &format!(
                    "UPDATE dealpos_webhook_inbox
                     SET status = 'failed', finished_at = {NOW_MS},
                         last_error = COALESCE(last_error || '; ', '') || $2
                     WHERE status = 'pending' AND available_at <= {NOW_MS} AND attempts >= $1"
                ),
                &[&max, &abandoned_reason(max_attempts)],
            )
            .await
            .map_err(InboxError::storage)?;
        if abandoned > 0 {
            tracing::error!(abandoned, max_attempts, "webhook deliveries failed: attempts exhausted");
        }
        let sql = format!(
            "UPDATE dealpos_webhook_inbox SET attempts = attempts + 1, available_at = {NOW_MS} + $1
             WHERE id IN (SELECT id FROM dealpos_webhook_inbox
                          WHERE status = 'pending' AND available_at <= {NOW_MS} AND attempts < $3
                          ORDER BY available_at, id LIMIT $2
                          FOR UPDATE SKIP LOCKED)
             RETURNING {COLUMNS}"
        );
        let rows = tx.query(&sql, &[&delay_ms(lease), &to_i64(limit), &max]).await.map_err(InboxError::storage)?;
        tx.commit().await.map_err(InboxError::storage)?;
        let mut claimed = rows.iter().map(delivery).collect::<Result<Vec<_>, _>>()?;
        claimed.sort_by_key(|d| d.id);
        Ok(claimed)
    }
}

impl Inbox for PostgresInbox {
    async fn store(&self, new: NewDelivery) -> Result<Stored, InboxError> {
        match self.store_once(new.clone()).await {
            // Not committed, or committed with the answer lost: either way a
            // second try is safe (the duplicate check finds the first; a
            // rejected one may then be kept twice, never lost).
            Err(error) if closed(&error) => {
                self.reopen().await?;
                self.store_once(new).await
            }
            other => other,
        }
    }

    async fn claim(&self, limit: usize, lease: Duration, max_attempts: u32) -> Result<Vec<StoredDelivery>, InboxError> {
        match self.claim_once(limit, lease, max_attempts).await {
            // A claim lost with its answer runs out with its lease.
            Err(error) if closed(&error) => {
                self.reopen().await?;
                self.claim_once(limit, lease, max_attempts).await
            }
            other => other,
        }
    }

    async fn complete(&self, id: i64) -> Result<(), InboxError> {
        let sql = format!(
            "UPDATE dealpos_webhook_inbox SET status = 'done', finished_at = {NOW_MS}
             WHERE id = $1 AND status IN ('pending', 'failed')"
        );
        self.execute(&sql, &[&id]).await.map(drop)
    }

    async fn retry_after(&self, id: i64, error: &str, delay: Duration) -> Result<(), InboxError> {
        let sql = format!(
            "UPDATE dealpos_webhook_inbox SET available_at = {NOW_MS} + $2, last_error = $3
             WHERE id = $1 AND status = 'pending'"
        );
        self.execute(&sql, &[&id, &delay_ms(delay), &error]).await.map(drop)
    }

    async fn fail(&self, id: i64, error: &str) -> Result<(), InboxError> {
        let sql = format!(
            "UPDATE dealpos_webhook_inbox SET status = 'failed', last_error = $2, finished_at = {NOW_MS}
             WHERE id = $1 AND status IN ('pending', 'failed')"
        );
        self.execute(&sql, &[&id, &error]).await.map(drop)
    }

    async fn replay(&self, id: i64) -> Result<bool, InboxError> {
        let sql = format!(
            "UPDATE dealpos_webhook_inbox
             SET status = 'pending', attempts = 0, available_at = {NOW_MS}, finished_at = NULL
             WHERE id = $1 AND status IN ('failed', 'rejected', 'done')"
        );
        Ok(self.execute(&sql, &[&id]).await? == 1)
    }

    async fn get(&self, id: i64) -> Result<Option<StoredDelivery>, InboxError> {
        let sql = format!("SELECT {COLUMNS} FROM dealpos_webhook_inbox WHERE id = $1");
        self.query(&sql, &[&id]).await?.first().map(delivery).transpose()
    }

    async fn list(&self, status: Status, limit: usize) -> Result<Vec<StoredDelivery>, InboxError> {
        let sql = format!("SELECT {COLUMNS} FROM dealpos_webhook_inbox WHERE status = $1 ORDER BY id LIMIT $2");
        self.query(&sql, &[&status.as_str(), &to_i64(limit)]).await?.iter().map(delivery).collect()
    }

    async fn counts(&self) -> Result<InboxCounts, InboxError> {
        let rows = self.query("SELECT status, COUNT(*) FROM dealpos_webhook_inbox GROUP BY status", &[]).await?;
        let mut counts = InboxCounts::default();
        for row in rows {
            let status: String = row.try_get(0).map_err(InboxError::storage)?;
            let n: i64 = row.try_get(1).map_err(InboxError::storage)?;
            counts.set(&status, u64::try_from(n).unwrap_or(0))?;
        }
        Ok(counts)
    }

    async fn purge(&self, older_than: Duration, statuses: &[Status]) -> Result<u64, InboxError> {
        let names: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
        let sql = format!(
            "DELETE FROM dealpos_webhook_inbox
             WHERE status = ANY($1) AND COALESCE(finished_at, received_at) <= {NOW_MS} - $2"
        );
        self.execute(&sql, &[&names, &delay_ms(older_than)]).await
    }

    async fn next_due(&self) -> Result<Option<Duration>, InboxError> {
        let sql = format!(
            "SELECT GREATEST(MIN(available_at) - {NOW_MS}, 0) FROM dealpos_webhook_inbox WHERE status = 'pending'"
        );
        let rows = self.query(&sql, &[]).await?;
        let due: Option<i64> = match rows.first() {
            Some(row) => row.try_get(0).map_err(InboxError::storage)?,
            None => None,
        };
        Ok(due.map(|ms| Duration::from_millis(u64::try_from(ms).unwrap_or(0))))
    }
}
