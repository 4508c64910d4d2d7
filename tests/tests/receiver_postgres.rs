//! The PostgreSQL inbox against a real PostgreSQL server that each test
//! starts (initdb in a temporary directory, listening on a Unix socket
//! there only), behind receivers on OS-assigned loopback ports.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use dealpos::receiver::{
    Handler, HandlerError, Inbox, InboxCounts, PostgresInbox, Receiver, Status, WorkerHandle, handler_fn,
};
use dealpos::webhooks::WebhookKind;
use serde_json::{Value, json};

mod common;
use common::*;

/// The inbox over TLS.
#[path = "receiver_postgres/tls.rs"]
mod tls;

/// A PostgreSQL server of its own, stopped and deleted when dropped.
struct Postgres {
    child: Child,
    config: String,
    _dir: tempfile::TempDir,
}

impl Postgres {
    async fn start() -> Self {
        Self::start_configured(|_, _| Vec::new()).await
    }

    /// A server whose `setup` (given the server's directory and its data
    /// directory, after initdb) returns more `-c name=value` settings.
    async fn start_configured(setup: impl FnOnce(&Path, &Path) -> Vec<String>) -> Self {
        let bin = server_binaries();
        let dir = tempfile::tempdir().unwrap();
        // PostgreSQL refuses to run as root: then it runs as `postgres`.
        let user = as_user();
        if let Some((uid, gid)) = user {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).unwrap();
        }
        let data = dir.path().join("data");
        let initdb = run_as(user, &bin.join("initdb"))
            .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "-D"])
            .arg(&data)
            .output()
            .unwrap();
        assert!(initdb.status.success(), "initdb: {}", String::from_utf8_lossy(&initdb.stderr));
        let settings = setup(dir.path(), &data);
        let child = run_as(user, &bin.join("postgres"))
            .arg("-D")
            .arg(&data)
            .arg("-k")
            .arg(dir.path())
            .args(["-c", "listen_addresses=", "-c", "max_connections=40"])
            .args(settings.iter().flat_map(|s| ["-c", s.as_str()]))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("server.log")).unwrap())
            .spawn()
            .unwrap();
        let mut config = format!("host={} user=postgres dbname=postgres", dir.path().display());
        // The Unix socket's name carries the port.
        if let Some(port) = settings.iter().find_map(|s| s.strip_prefix("port=")) {
            config.push_str(&format!(" port={port}"));
        }
        let server = Self { child, config, _dir: dir };
        let start = Instant::now();
        while tokio_postgres::connect(&server.config, tokio_postgres::NoTls).await.is_err() {
            if start.elapsed() > DEADLINE {
                let log = std::fs::read_to_string(server._dir.path().join("server.log")).unwrap_or_default();
                panic!("PostgreSQL did not start:\n{log}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server
    }

    async fn inbox(&self) -> PostgresInbox {
        PostgresInbox::connect(&self.config).await.unwrap()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // SIGINT: a fast shutdown, so no server outlives its test.
        let pid = self.child.id().to_string();
        let stopped = Command::new("kill").args(["-INT", &pid]).status().is_ok_and(|s| s.success());
        if !stopped {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// The directory holding `initdb` and `postgres`.
fn server_binaries() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|dir| dir.join("initdb").exists() && dir.join("postgres").exists());
    let debian = std::fs::read_dir("/usr/lib/postgresql")
        .map(|versions| versions.filter_map(|v| v.ok()).map(|v| v.path().join("bin")).collect::<Vec<_>>())
        .unwrap_or_default();
    on_path
        .chain(debian)
        .find(|dir| dir.join("initdb").exists())
        .expect("PostgreSQL's server binaries (initdb, postgres): install Debian's `postgresql` package")
}

/// The `postgres` user's ids when running as root.
fn as_user() -> Option<(u32, u32)> {
    let id = |args: &[&str]| {
        let out = Command::new("id").args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().parse::<u32>().unwrap()
    };
    (id(&["-u"]) == 0).then(|| (id(&["-u", "postgres"]), id(&["-g", "postgres"])))
}

fn run_as(user: Option<(u32, u32)>, program: &Path) -> Command {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(program);
    if let Some((uid, gid)) = user {
        command.uid(uid).gid(gid).current_dir("/");
    }
    command
}

/// A receiver on `inbox`, served; its worker runs if asked.
async fn receiver<H: Handler>(handler: H, inbox: PostgresInbox, run_worker: bool) -> (Server, Option<WorkerHandle>) {
    let (router, worker) = Receiver::new(handler).api_key(KEY).retry(fast_retries()).with_inbox(inbox).unwrap();
    (serve(router).await, run_worker.then(|| worker.spawn()))
}

async fn counts(inbox: &PostgresInbox) -> InboxCounts {
    inbox.counts().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_receivers_sharing_one_inbox_handle_a_thousand_concurrent_deliveries_once() {
    const N: usize = 1000;
    let pg = Postgres::start().await;
    let (one, two) = (Arc::new(Recorder::default()), Arc::new(Recorder::default()));
    let (server_one, _worker_one) = receiver(one.clone(), pg.inbox().await, true).await;
    let (server_two, _worker_two) = receiver(two.clone(), pg.inbox().await, true).await;
    let client = reqwest::Client::new();
    let send = |base: &str, i: usize| {
        let kind = WebhookKind::ALL[i % WebhookKind::ALL.len()];
        let request = client
            .post(format!("{base}{}", kind.default_path()))
            .header("X-API-Key", KEY)
            .header("Content-Type", "application/json")
            .body(json!({ "ID": format!("id-{i}") }).to_string());
        tokio::spawn(async move { request.send().await.map(|r| r.status().as_u16()) })
    };
    let mut sends = Vec::new();
    for i in 0..N {
        let base = if i % 2 == 0 { &server_one.base } else { &server_two.base };
        sends.push(send(base, i));
        // Every tenth also reaches the other receiver: a duplicate across receivers.
        if i % 10 == 0 {
            sends.push(send(if i % 2 == 0 { &server_two.base } else { &server_one.base }, i));
        }
    }
    for sent in sends {
        assert_eq!(sent.await.unwrap().unwrap(), 200);
    }
    let inbox = pg.inbox().await;
    assert_eq!(counts(&inbox).await.total(), N as u64, "all stored when answered, duplicates once");
    eventually("all handled", || async { counts(&inbox).await.done == N as u64 }).await;
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (_, delivery) in one.handled().into_iter().chain(two.handled()) {
        let body: Value = serde_json::from_slice(&delivery.body).unwrap();
        *seen.entry(body["ID"].as_str().unwrap().to_string()).or_default() += 1;
    }
    assert_eq!(seen.len(), N, "none lost");
    assert!(seen.values().all(|n| *n == 1), "none handled twice");
    let duplicates: u32 = inbox.list(Status::Done, N).await.unwrap().iter().map(|d| d.duplicates).sum();
    assert_eq!(duplicates, 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_handler_failing_three_times_then_succeeding_processes_the_event_once() {
    let pg = Postgres::start().await;
    let attempts = Arc::new(AtomicU32::new(0));
    let successes = Arc::new(AtomicU32::new(0));
    let handler = {
        let (attempts, successes) = (attempts.clone(), successes.clone());
        handler_fn(move |_, _| {
            let (attempts, successes) = (attempts.clone(), successes.clone());
            async move {
                if attempts.fetch_add(1, Ordering::SeqCst) < 3 {
                    return Err(HandlerError::retry("the database is down"));
                }
                successes.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
        })
    };
    let (server, _worker) = receiver(handler, pg.inbox().await, true).await;
    let body = json!({ "ID": "s-1", "Outlet": "Outlet1" });
    assert_eq!(deliver(&server.base, WebhookKind::ShiftClose, &body).await, (200, success()));
    let inbox = pg.inbox().await;
    eventually("processed", || async { counts(&inbox).await.done == 1 }).await;
    assert_eq!((attempts.load(Ordering::SeqCst), successes.load(Ordering::SeqCst)), (4, 1));
    let stored = inbox.list(Status::Done, 10).await.unwrap();
    assert_eq!((stored[0].attempts, stored[0].body.as_ref()), (4, serde_json::to_vec(&body).unwrap().as_slice()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_event_stored_by_a_receiver_that_died_is_processed_by_the_next_one() {
    let pg = Postgres::start().await;
    let body = json!({ "ID": "p-1", "Name": "Latte" });
    {
        let (server, _no_worker) = receiver(Recorder::default(), pg.inbox().await, false).await;
        assert_eq!(deliver(&server.base, WebhookKind::ProductCreated, &body).await, (200, success()));
    }
    let inbox = pg.inbox().await;
    assert_eq!(counts(&inbox).await, InboxCounts { pending: 1, ..Default::default() });
    let recorder = Arc::new(Recorder::default());
    let (_server, _worker) = receiver(recorder.clone(), pg.inbox().await, true).await;
    eventually("processed after the restart", || async { counts(&inbox).await.done == 1 }).await;
    let handled = recorder.handled();
    assert_eq!(handled.len(), 1);
    assert_eq!(handled[0].1.kind, WebhookKind::ProductCreated);
    assert_eq!(serde_json::from_slice::<Value>(&handled[0].1.body).unwrap(), body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn failures_are_kept_and_replayed() {
    let pg = Postgres::start().await;
    let (server, _worker) = receiver(Recorder::default(), pg.inbox().await, false).await;
    assert_eq!(deliver(&server.base, WebhookKind::CustomerDeleted, &json!({ "FirstName": "Ada" })).await.0, 200);
    let inbox = pg.inbox().await;
    let claimed = inbox.claim(10, Duration::from_secs(60), 3).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert!(inbox.claim(10, Duration::from_secs(60), 3).await.unwrap().is_empty(), "a claim hides it");
    inbox.fail(claimed[0].id, "boom").await.unwrap();
    let failed = inbox.get(claimed[0].id).await.unwrap().unwrap();
    assert_eq!((failed.status, failed.attempts, failed.last_error.as_deref()), (Status::Failed, 1, Some("boom")));
    assert!(inbox.replay(failed.id).await.unwrap());
    assert_eq!(inbox.claim(10, Duration::MAX, 3).await.unwrap()[0].attempts, 1, "any lease works");
    inbox.retry_after(failed.id, "again", Duration::MAX).await.unwrap();
    inbox.complete(failed.id).await.unwrap();
    inbox.fail(failed.id, "a late report").await.unwrap();
    assert_eq!(counts(&inbox).await, InboxCounts { done: 1, ..Default::default() }, "fail never undoes done");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_claim_itself_enforces_the_attempt_limit() {
    let pg = Postgres::start().await;
    let (server, _worker) = receiver(Recorder::default(), pg.inbox().await, false).await;
    assert_eq!(deliver(&server.base, WebhookKind::ShiftClose, &json!({ "ID": "x" })).await.0, 200);
    let inbox = pg.inbox().await;
    // Two attempts that never report back (a worker dying each time).
    for attempt in 1..=2 {
        assert_eq!(inbox.claim(10, Duration::ZERO, 2).await.unwrap()[0].attempts, attempt);
    }
    assert!(inbox.claim(10, Duration::ZERO, 2).await.unwrap().is_empty());
    let failed = inbox.list(Status::Failed, 10).await.unwrap();
    assert_eq!((failed.len(), failed[0].attempts), (1, 2));
    assert!(failed[0].last_error.as_deref().unwrap().contains("2 attempts"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refused_requests_are_kept_as_rejected() {
    let pg = Postgres::start().await;
    let (server, _worker) = receiver(Recorder::default(), pg.inbox().await, false).await;
    let url = format!("{}{}", server.base, WebhookKind::ShiftClose.default_path());
    assert_eq!(post(&url, Some(KEY), Some("text/plain"), r#"{"ID": "t"}"#).await.0, 415);
    assert_eq!(post(&url, Some(KEY), None, "not json").await.0, 400);
    assert_eq!(post(&url, Some(KEY), None, r#"{"ID": "bare"}"#).await.0, 200);
    let inbox = pg.inbox().await;
    assert_eq!(counts(&inbox).await, InboxCounts { pending: 1, rejected: 2, ..Default::default() });
    let rejected = inbox.list(Status::Rejected, 10).await.unwrap();
    let bodies: Vec<&[u8]> = rejected.iter().map(|d| d.body.as_ref()).collect();
    assert_eq!(bodies, [&br#"{"ID": "t"}"#[..], b"not json"]);
    assert!(rejected[0].last_error.as_deref().unwrap().contains("text/plain"));
    assert!(inbox.replay(rejected[1].id).await.unwrap(), "a rejected delivery is replayable");
    assert_eq!(counts(&inbox).await, InboxCounts { pending: 2, rejected: 1, ..Default::default() });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn purge_removes_exactly_what_it_names() {
    let pg = Postgres::start().await;
    let (server, _worker) = receiver(Recorder::default(), pg.inbox().await, false).await;
    let url = format!("{}{}", server.base, WebhookKind::ShiftClose.default_path());
    for i in 0..4 {
        assert_eq!(deliver(&server.base, WebhookKind::ShiftClose, &json!({ "ID": i.to_string() })).await.0, 200);
    }
    assert_eq!(post(&url, Some(KEY), Some("text/plain"), "x").await.0, 415);
    let inbox = pg.inbox().await;
    let claimed = inbox.claim(10, Duration::from_secs(60), 3).await.unwrap();
    inbox.complete(claimed[0].id).await.unwrap();
    inbox.fail(claimed[1].id, "boom").await.unwrap();
    inbox.retry_after(claimed[2].id, "later", Duration::ZERO).await.unwrap();
    let day = Duration::from_secs(24 * 60 * 60);
    assert_eq!(inbox.purge(day, &[Status::Done, Status::Failed, Status::Rejected]).await.unwrap(), 0, "all recent");
    assert_eq!(inbox.purge(Duration::ZERO, &[]).await.unwrap(), 0);
    assert_eq!(inbox.purge(Duration::MAX, &[Status::Done]).await.unwrap(), 0, "any age is fine");
    assert_eq!(inbox.purge(Duration::ZERO, &[Status::Done, Status::Rejected]).await.unwrap(), 2);
    assert_eq!(counts(&inbox).await, InboxCounts { pending: 2, failed: 1, ..Default::default() });
    assert!(inbox.get(claimed[0].id).await.unwrap().is_none());
    assert_eq!(inbox.get(claimed[1].id).await.unwrap().unwrap().status, Status::Failed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_terminated_connection_is_reopened_and_nothing_accepted_is_lost() {
    let pg = Postgres::start().await;
    let recorder = Arc::new(Recorder::default());
    let (server, _worker) = receiver(recorder.clone(), pg.inbox().await, true).await;
    let (admin, connection) = tokio_postgres::connect(&pg.config, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    let terminate = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                     WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'";
    let mut sent = 0;
    for round in 0..5 {
        for i in 0..20 {
            let body = json!({ "ID": format!("{round}-{i}") });
            assert_eq!(deliver(&server.base, WebhookKind::ShiftClose, &body).await, (200, success()), "{body}");
            sent += 1;
        }
        // Every other connection of the server dies: the receiver's and the worker's.
        let killed = admin.query(terminate, &[]).await.unwrap();
        assert!(!killed.is_empty());
    }
    let inbox = pg.inbox().await;
    eventually("every accepted one handled", || async { counts(&inbox).await.done == sent }).await;
    let mut ids: Vec<String> = recorder
        .handled()
        .iter()
        .map(|(_, d)| serde_json::from_slice::<Value>(&d.body).unwrap()["ID"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len() as u64, sent, "none lost");
}
