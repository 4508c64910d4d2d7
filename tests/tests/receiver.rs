//! The webhook receiver over real HTTP: an axum server on 127.0.0.1 at an
//! OS-assigned port, a SQLite inbox in a temporary directory, reqwest as
//! DealPOS. Nothing here waits a fixed time: every wait polls a condition
//! with a deadline.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dealpos::receiver::{
    ConfigError, Delivery, Handler, HandlerError, Inbox, InboxCounts, Receiver, RetryPolicy, SqliteInbox, Status,
    Worker, WorkerHandle, handler_fn,
};
use dealpos::webhooks::{WebhookEvent, WebhookKind};
use dealpos_generator::{Config, CrateInfo, SpecInput};

mod common;
use common::*;
use serde_json::{Value, json};
use tokio::sync::watch;

/// A receiver with a SQLite inbox at `db`, served, its worker running.
struct Durable<H> {
    server: Server,
    inbox: Arc<SqliteInbox>,
    worker: Worker<H, SqliteInbox>,
    _running: Option<WorkerHandle>,
}

async fn durable<H: Handler>(receiver: Receiver<H>, db: &Path, run_worker: bool) -> Durable<H> {
    let (router, worker) = receiver.retry(fast_retries()).with_inbox(SqliteInbox::open(db).unwrap()).unwrap();
    let inbox = worker.inbox().clone();
    let running = run_worker.then(|| worker.clone().spawn());
    Durable { server: serve(router).await, inbox, worker, _running: running }
}

fn scratch() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inbox.sqlite3");
    (dir, db)
}

async fn counts(inbox: &SqliteInbox) -> InboxCounts {
    inbox.counts().await.unwrap()
}

/// Each kind's examples from the description, with the overlays applied, as
/// the generator's IR has them (distinct bodies only: equal ones are
/// duplicates by design).
fn spec_examples() -> Vec<(WebhookKind, Vec<Value>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let config = Config {
        crate_info: CrateInfo { name: "dealpos".into(), version: "0.0.0".into() },
        // The REST description too: the webhook payloads hold some of its types.
        specs: vec![
            SpecInput { path: root.join("spec/dealpos-webhooks.yaml"), module: "webhooks".into() },
            SpecInput { path: root.join("spec/dealpos-api.yaml"), module: "models".into() },
        ],
        overlays: vec![root.join("spec/overlays/dealpos-webhooks.yaml"), root.join("spec/overlays/dealpos-api.yaml")],
    };
    let generated = dealpos_generator::generate(&config).unwrap();
    let api = &generated.modules[0].api;
    api.webhooks
        .iter()
        .map(|hook| {
            let kind = WebhookKind::from_name(&hook.key).unwrap();
            let mut examples: Vec<Value> = Vec::new();
            for example in &api.examples {
                let belongs = example.ty == hook.payload && example.origin.pointer.starts_with(&hook.origin.pointer);
                if belongs && !examples.contains(&example.value) {
                    examples.push(example.value.clone());
                }
            }
            (kind, examples)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_kind_sent_with_its_spec_example_reaches_the_handler_equal_to_it() {
    let mut examples = spec_examples();
    // The reference shows no payload for these two events (their operations are
    // marked x-dealpos-partial): they are sent with a body of our own.
    let without: BTreeSet<WebhookKind> = examples.iter().filter(|(_, e)| e.is_empty()).map(|(k, _)| *k).collect();
    assert_eq!(
        without,
        BTreeSet::from([WebhookKind::InvoiceDeleted, WebhookKind::InvoiceErased]),
        "kinds without an example"
    );
    for (_, bodies) in examples.iter_mut().filter(|(_, e)| e.is_empty()) {
        bodies.push(serde_json::json!({"ID": "6c0b5a43-0000-0000-0000-000000000001", "Outlet": "Outlet1", "Number": "20.05.00157"}));
    }
    let (_dir, db) = scratch();
    let recorder = Arc::new(Recorder::default());
    let app = durable(Receiver::new(recorder.clone()).api_key(KEY), &db, true).await;
    let mut sent = Vec::new();
    for (kind, bodies) in &examples {
        for body in bodies {
            assert_eq!(deliver(&app.server.base, *kind, body).await, (200, success()), "{kind}");
            sent.push((*kind, body.clone()));
        }
    }
    eventually("every example handled", || async { recorder.calls() >= sent.len() }).await;
    let fallbacks = recorder.fallbacks.lock().unwrap().iter().map(|(e, _)| e.to_string()).collect::<Vec<_>>();
    assert!(fallbacks.is_empty(), "{fallbacks:#?}");
    let handled = recorder.handled();
    assert_eq!(handled.len(), sent.len());
    // The worker runs deliveries concurrently: match them up by kind and raw body.
    for (kind, body) in &sent {
        let raw = serde_json::to_vec(body).unwrap();
        let found = handled.iter().find(|(_, d)| d.kind == *kind && d.body == raw);
        let (event, _) = found.unwrap_or_else(|| panic!("{kind}: the raw body, as sent"));
        assert_eq!(event.kind(), Some(*kind));
        // Payloads are types only DealPOS sends: a `null` field reads as absent.
        assert_eq!(without_nulls(event.to_json()), without_nulls(body.clone()), "{kind}");
    }
    let n = sent.len() as u64;
    eventually("all marked done", || async {
        counts(&app.inbox).await == InboxCounts { done: n, ..Default::default() }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_requests_get_their_answer_and_nothing_accepted_is_lost() {
    let (_dir, db) = scratch();
    let recorder = Arc::new(Recorder::default());
    let receiver = Receiver::new(recorder.clone()).api_keys(["old-key", KEY]);
    let app = durable(receiver, &db, true).await;
    let url = format!("{}{}", app.server.base, WebhookKind::ShiftClose.default_path());
    let ok = br#"{"ID": "a1", "Outlet": "Outlet1"}"#.to_vec();
    let mut accepted: Vec<Vec<u8>> = Vec::new();

    // The key: both keys of a rotation pass; a missing and a wrong one get the same 401.
    for (key, body) in [("old-key", ok.clone()), (KEY, br#"{"ID": "a2"}"#.to_vec())] {
        assert_eq!(post(&url, Some(key), Some("application/json"), body.clone()).await, (200, success()));
        accepted.push(body);
    }
    let missing = post(&url, None, Some("application/json"), ok.clone()).await;
    let wrong = post(&url, Some("test-key-2"), Some("application/json"), ok.clone()).await;
    assert_eq!(missing.0, 401);
    assert_eq!(missing, wrong, "401 does not say whether the key was missing or wrong");
    assert_eq!(post(&url, Some(""), Some("application/json"), ok.clone()).await.0, 401);

    // Content type: a missing one with a JSON body is JSON; another one is
    // refused (415) but kept, as rejected, with the reason.
    let mut refused: Vec<(Vec<u8>, &str)> = Vec::new();
    for content_type in [Some("text/plain"), Some("application/x-www-form-urlencoded")] {
        let body = format!(r#"{{"ID": "ct-{}"}}"#, refused.len()).into_bytes();
        let (status, answer) = post(&url, Some(KEY), content_type, body.clone()).await;
        assert_eq!(status, 415, "{content_type:?}");
        assert!(answer["message"].as_str().unwrap().contains("kept as rejected delivery"), "{answer}");
        refused.push((body, "content type"));
    }
    let bare = br#"{"ID": "no-content-type"}"#.to_vec();
    assert_eq!(post(&url, Some(KEY), None, bare.clone()).await, (200, success()));
    accepted.push(bare);
    let charset = br#"{"ID": "a3"}"#.to_vec();
    assert_eq!(post(&url, Some(KEY), Some("application/json; charset=utf-8"), charset.clone()).await.0, 200);
    accepted.push(charset);

    // Size: 1 MiB by default; exactly the limit passes, a byte more is refused (and kept).
    let sized = |len: usize| {
        let frame = br#"{"ID": "big", "Note": ""}"#.len();
        format!(r#"{{"ID": "big", "Note": "{}"}}"#, "x".repeat(len - frame)).into_bytes()
    };
    let at_limit = sized(1024 * 1024);
    assert_eq!(post(&url, Some(KEY), Some("application/json"), at_limit.clone()).await.0, 200);
    accepted.push(at_limit);
    let over = sized(1024 * 1024 + 1);
    let (status, answer) = post(&url, Some(KEY), Some("application/json"), over.clone()).await;
    assert_eq!(status, 413, "{answer}");
    refused.push((over, "larger than"));

    // Malformed JSON: 400 naming the position, kept; with or without a content type.
    let truncated = "{\n  \"ID\": \"x\",\n  \"Name\": }";
    let (status, answer) = post(&url, Some(KEY), Some("application/json"), truncated).await;
    assert_eq!(status, 400);
    let message = answer["message"].as_str().unwrap();
    assert!(message.contains("line 3, column 11"), "{message}");
    refused.push((truncated.into(), "malformed JSON"));
    for garbage in ["", "not json", "{\"ID\": \"x\"} trailing"] {
        assert_eq!(post(&url, Some(KEY), Some("application/json"), garbage).await.0, 400, "{garbage:?}");
        refused.push((garbage.into(), "malformed JSON"));
    }
    assert_eq!(post(&url, Some(KEY), None, "{\"ID\": \"cut").await.0, 400, "truncated, no content type");
    refused.push((b"{\"ID\": \"cut".to_vec(), "malformed JSON"));

    // Unknown extra fields: accepted, typed, handled.
    let extra = br#"{"ID": "a4", "NewFieldFromDealPOS": {"nested": [1, 2]}}"#.to_vec();
    assert_eq!(post(&url, Some(KEY), Some("application/json"), extra.clone()).await, (200, success()));
    accepted.push(extra);

    // JSON that does not fit the type: accepted, stored, and handed to the fallback with the error.
    let misfit = br#"{"ID": 12345, "Outlet": "Outlet1"}"#.to_vec();
    assert_eq!(post(&url, Some(KEY), Some("application/json"), misfit.clone()).await, (200, success()));
    accepted.push(misfit.clone());

    // Nothing accepted is lost, and every refused request is kept with its reason.
    let n = accepted.len();
    eventually("every accepted delivery handled", || async { recorder.calls() >= n }).await;
    assert_eq!(recorder.calls(), n);
    let fallbacks = recorder.fallbacks.lock().unwrap().clone();
    assert_eq!(fallbacks.len(), 1);
    let (error, delivery) = &fallbacks[0];
    assert_eq!((error.path.as_str(), delivery.body.as_ref()), ("ID", &misfit[..]));
    assert_eq!(delivery.kind, WebhookKind::ShiftClose);
    let unknown = recorder.handled().into_iter().find(|(_, d)| d.body.starts_with(br#"{"ID": "a4""#)).unwrap();
    assert!(matches!(&unknown.0, WebhookEvent::ShiftClose(shift) if shift.id.as_deref() == Some("a4")));
    eventually("all done", || async { counts(&app.inbox).await.done == n as u64 }).await;
    let stored: BTreeSet<Vec<u8>> =
        app.inbox.list(Status::Done, 100).await.unwrap().into_iter().map(|d| d.body.to_vec()).collect();
    assert_eq!(stored, accepted.into_iter().collect(), "exactly the accepted bodies are done");
    let rejected = app.inbox.list(Status::Rejected, 100).await.unwrap();
    assert_eq!(rejected.len(), refused.len());
    for (stored, (body, reason)) in rejected.iter().zip(&refused) {
        assert_eq!(&stored.body[..], &body[..]);
        let error = stored.last_error.as_deref().unwrap();
        assert!(error.contains(reason), "{error}: {reason}");
    }
    assert_eq!(counts(&app.inbox).await.rejected, refused.len() as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_handler_failing_three_times_then_succeeding_processes_the_event_once_after_the_200() {
    let (_dir, db) = scratch();
    let attempts = Arc::new(AtomicU32::new(0));
    let successes = Arc::new(Mutex::new(Vec::new()));
    // The handler cannot start before the test opens the gate, which it does
    // only once it holds the 200: a receiver that ran the handler before
    // answering would never answer.
    let (open, gate) = watch::channel(false);
    let handler = {
        let (attempts, successes) = (attempts.clone(), successes.clone());
        handler_fn(move |event: WebhookEvent, delivery: Delivery| {
            let (attempts, successes, mut gate) = (attempts.clone(), successes.clone(), gate.clone());
            async move {
                gate.wait_for(|open| *open).await?;
                if attempts.fetch_add(1, Ordering::SeqCst) < 3 {
                    return Err(HandlerError::retry("the database is down"));
                }
                let sent: Value = serde_json::from_slice(&delivery.body)?;
                let typed = WebhookEvent::parse(delivery.kind, &delivery.body)? == event;
                successes.lock().unwrap().push((sent, delivery.attempt, typed));
                Ok(())
            }
        })
    };
    let app = durable(Receiver::new(handler).api_key(KEY), &db, true).await;
    let body = json!({ "ID": "c-1", "Outlet": "Outlet1" });
    assert_eq!(deliver(&app.server.base, WebhookKind::ShiftClose, &body).await, (200, success()));
    assert_eq!(attempts.load(Ordering::SeqCst), 0, "nothing ran before the answer");
    open.send(true).unwrap();
    eventually("the event processed", || async { counts(&app.inbox).await.done == 1 }).await;
    assert_eq!(*successes.lock().unwrap(), [(body, 4, true)]);
    assert_eq!(attempts.load(Ordering::SeqCst), 4);
    let stored = app.inbox.list(Status::Done, 10).await.unwrap();
    assert_eq!((stored.len(), stored[0].attempts), (1, 4));
    assert_eq!(stored[0].last_error.as_deref(), Some("the database is down"));
    // Nothing is left for another round.
    assert_eq!(app.worker.run_due().await.unwrap(), 0);
    assert_eq!(successes.lock().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn duplicate_deliveries_are_processed_once() {
    let (_dir, db) = scratch();
    let recorder = Arc::new(Recorder::default());
    let app = durable(Receiver::new(recorder.clone()).api_key(KEY), &db, true).await;
    let body = json!({ "ID": "p-1", "Name": "Latte", "Code": "LATTE" });
    // DealPOS's retry after a slow first answer, and a few more racing each other.
    let sends = (0..6).map(|_| {
        let (base, body) = (app.server.base.clone(), body.clone());
        tokio::spawn(async move { deliver(&base, WebhookKind::ProductCreated, &body).await })
    });
    for send in sends {
        assert_eq!(send.await.unwrap(), (200, success()));
    }
    // The same body for another event is another delivery.
    assert_eq!(deliver(&app.server.base, WebhookKind::ProductUpdated, &body).await, (200, success()));
    eventually("both processed", || async { counts(&app.inbox).await.done == 2 }).await;
    let kinds: Vec<_> = recorder.handled().iter().map(|(_, d)| d.kind).collect();
    assert_eq!(kinds.len(), 2);
    assert!(kinds.contains(&WebhookKind::ProductCreated) && kinds.contains(&WebhookKind::ProductUpdated));
    let stored = app.inbox.list(Status::Done, 10).await.unwrap();
    let created = stored.iter().find(|d| d.kind == "productCreated").unwrap();
    assert_eq!(created.duplicates, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_receiver_killed_between_store_and_processing_processes_the_event_on_restart() {
    let (_dir, db) = scratch();
    let stored_only = json!({ "ID": "s-1", "Outlet": "Outlet1" });
    let mid_handler = json!({ "ID": "s-2", "Outlet": "Outlet1" });
    {
        // The first process: it stores and answers, but its worker never runs.
        let first = durable(Receiver::new(Recorder::default()).api_key(KEY), &db, false).await;
        assert_eq!(deliver(&first.server.base, WebhookKind::ShiftClose, &stored_only).await, (200, success()));
    }
    {
        // The second: its worker dies in the middle of the handler.
        let started = Arc::new(AtomicU32::new(0));
        let hang = {
            let started = started.clone();
            handler_fn(move |_, _| {
                started.fetch_add(1, Ordering::SeqCst);
                std::future::pending()
            })
        };
        let policy = RetryPolicy { attempt_timeout: Duration::from_millis(300), ..fast_retries() };
        let receiver = Receiver::new(hang).api_key(KEY).retry(policy);
        let (router, worker) = receiver.with_inbox(SqliteInbox::open(&db).unwrap()).unwrap();
        let server = serve(router).await;
        assert_eq!(deliver(&server.base, WebhookKind::ShiftClose, &mid_handler).await, (200, success()));
        let running = worker.spawn();
        eventually("both claimed", || async { started.load(Ordering::SeqCst) == 2 }).await;
        drop(running);
    }
    let inbox = SqliteInbox::open(&db).unwrap();
    assert_eq!(counts(&inbox).await, InboxCounts { pending: 2, ..Default::default() });
    drop(inbox);
    // The restart: both events reach the new handler, once each.
    let recorder = Arc::new(Recorder::default());
    let app = durable(Receiver::new(recorder.clone()).api_key(KEY), &db, true).await;
    eventually("both processed after the restart", || async { counts(&app.inbox).await.done == 2 }).await;
    let mut bodies: Vec<Value> =
        recorder.handled().iter().map(|(_, delivery)| serde_json::from_slice(&delivery.body).unwrap()).collect();
    bodies.sort_by_key(|b| b["ID"].to_string());
    assert_eq!(bodies, [stored_only, mid_handler]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_deliveries_are_all_stored_and_handled_once() {
    const N: usize = 1000;
    let (_dir, db) = scratch();
    let recorder = Arc::new(Recorder::default());
    let app = durable(Receiver::new(recorder.clone()).api_key(KEY), &db, true).await;
    let client = reqwest::Client::new();
    let sends: Vec<_> = (0..N)
        .map(|i| {
            let kind = WebhookKind::ALL[i % WebhookKind::ALL.len()];
            let request = client
                .post(format!("{}{}", app.server.base, kind.default_path()))
                .header("X-API-Key", KEY)
                .header("Content-Type", "application/json")
                .body(json!({ "ID": format!("id-{i}") }).to_string());
            tokio::spawn(async move { request.send().await.map(|r| r.status().as_u16()) })
        })
        .collect();
    for send in sends {
        assert_eq!(send.await.unwrap().unwrap(), 200);
    }
    assert_eq!(counts(&app.inbox).await.total(), N as u64, "all stored when answered");
    eventually("all handled", || async { counts(&app.inbox).await.done == N as u64 }).await;
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (event, delivery) in recorder.handled() {
        assert_eq!(event.kind(), Some(delivery.kind));
        let body: Value = serde_json::from_slice(&delivery.body).unwrap();
        *seen.entry(body["ID"].as_str().unwrap().to_string()).or_default() += 1;
    }
    assert_eq!(seen.len(), N, "none lost");
    assert!(seen.values().all(|n| *n == 1), "none handled twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn failures_are_kept_for_inspection_and_replay() {
    let (_dir, db) = scratch();
    let fixed = Arc::new(AtomicU32::new(0));
    let handled = Arc::new(AtomicU32::new(0));
    let handler = {
        let (fixed, handled) = (fixed.clone(), handled.clone());
        handler_fn(move |_, _| {
            let (fixed, handled) = (fixed.load(Ordering::SeqCst) == 1, handled.clone());
            async move {
                if !fixed {
                    return Err(HandlerError::permanent("a bug"));
                }
                handled.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
        })
    };
    // The default fallback keeps a misfit as failed, without retrying it.
    let app = durable(Receiver::new(handler).api_key(KEY), &db, true).await;
    assert_eq!(deliver(&app.server.base, WebhookKind::ProductDeleted, &json!({ "ID": "d-1" })).await.0, 200);
    assert_eq!(deliver(&app.server.base, WebhookKind::ProductDeleted, &json!({ "ID": 7 })).await.0, 200);
    eventually("both failed", || async { counts(&app.inbox).await.failed == 2 }).await;
    let failed = app.inbox.list(Status::Failed, 10).await.unwrap();
    assert_eq!(failed.iter().map(|d| d.attempts).collect::<Vec<_>>(), [1, 1], "permanent: no retries");
    assert_eq!(failed[0].last_error.as_deref(), Some("a bug"));
    assert!(failed[1].last_error.as_deref().unwrap().contains("at `ID`"), "{:?}", failed[1].last_error);
    fixed.store(1, Ordering::SeqCst);
    assert!(app.inbox.replay(failed[0].id).await.unwrap());
    eventually("the replayed one done", || async { counts(&app.inbox).await.done == 1 }).await;
    assert_eq!(handled.load(Ordering::SeqCst), 1);
    assert_eq!(counts(&app.inbox).await.failed, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn direct_mode_runs_the_handler_before_answering() {
    let fail = Arc::new(AtomicU32::new(1));
    let recorder = Arc::new(Recorder::default());
    let handler = {
        let (fail, recorder) = (fail.clone(), recorder.clone());
        handler_fn(move |event, delivery| {
            let (fail, recorder) = (fail.load(Ordering::SeqCst) == 1, recorder.clone());
            async move {
                if fail {
                    return Err(HandlerError::retry("not now"));
                }
                recorder.handle(event, delivery).await
            }
        })
        .with_fallback(|_, _| async { Err(HandlerError::permanent("no fallback here")) })
    };
    let router = Receiver::new(handler).api_key(KEY).direct().unwrap();
    let server = serve(router).await;
    let body = json!({ "FirstName": "Ada" });
    assert_eq!(deliver(&server.base, WebhookKind::CustomerDeleted, &body).await.0, 500, "DealPOS retries a 500");
    fail.store(0, Ordering::SeqCst);
    assert_eq!(deliver(&server.base, WebhookKind::CustomerDeleted, &body).await, (200, success()));
    assert_eq!(recorder.handled().len(), 1, "handled before the answer");
    assert_eq!(deliver(&server.base, WebhookKind::CustomerDeleted, &json!({ "FirstName": [] })).await.0, 500);
}

#[tokio::test]
async fn paths_and_keys_are_configurable_and_checked() {
    let new = || Receiver::new(Recorder::default());
    assert_eq!(new().direct().err(), Some(ConfigError::NoApiKey));
    assert_eq!(new().api_key("").direct().err(), Some(ConfigError::EmptyApiKey));
    assert!(matches!(
        new().api_key(KEY).path(WebhookKind::ShiftClose, "/x/{id}").direct(),
        Err(ConfigError::BadPath { .. })
    ));
    let shared = new().api_key(KEY).path(WebhookKind::ShiftClose, "/product-created").direct();
    assert!(matches!(shared, Err(ConfigError::SharedPath { .. })), "{:?}", shared.err());

    let router =
        new().allow_unauthenticated().prefix("/hooks/dealpos/").path(WebhookKind::ShiftClose, "/close").direct();
    let server = serve(router.unwrap()).await;
    let body = r#"{"ID": "1"}"#;
    let at = |path: &str| format!("{}{path}", server.base);
    assert_eq!(post(&at("/close"), None, Some("application/json"), body).await.0, 200);
    assert_eq!(post(&at("/hooks/dealpos/product-created"), None, Some("application/json"), body).await.0, 200);
    assert_eq!(post(&at("/shift-close"), None, Some("application/json"), body).await.0, 404);
    assert_eq!(post(&at("/hooks/dealpos/shift-close"), None, Some("application/json"), body).await.0, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_deliveries_with_a_panicking_handler_all_end_done_or_failed() {
    const N: usize = 1000;
    let (_dir, db) = scratch();
    // Per ID, what each call did, in order: true for a success.
    let calls: Arc<Mutex<BTreeMap<usize, Vec<bool>>>> = Arc::default();
    let counter = Arc::new(AtomicU32::new(0));
    let handler = {
        let (calls, counter) = (calls.clone(), counter.clone());
        handler_fn(move |_, delivery: Delivery| {
            let (calls, counter) = (calls.clone(), counter.clone());
            async move {
                let body: Value = serde_json::from_slice(&delivery.body)?;
                let i: usize = body["ID"].as_str().unwrap_or_default().parse()?;
                // Every tenth call panics; every twentieth ID panics every time.
                let panics = counter.fetch_add(1, Ordering::SeqCst).is_multiple_of(10) || i.is_multiple_of(20);
                calls.lock().unwrap().entry(i).or_default().push(!panics);
                assert!(!panics, "a handler bug");
                Ok(())
            }
        })
    };
    let policy = RetryPolicy { max_attempts: 3, ..fast_retries() };
    let receiver = Receiver::new(handler).api_key(KEY).retry(policy);
    let (router, worker) = receiver.with_inbox(SqliteInbox::open(&db).unwrap()).unwrap();
    let inbox = worker.inbox().clone();
    let _running = worker.spawn();
    let server = serve(router).await;
    let client = reqwest::Client::new();
    let sends: Vec<_> = (0..N)
        .map(|i| {
            let kind = WebhookKind::ALL[i % WebhookKind::ALL.len()];
            let request = client
                .post(format!("{}{}", server.base, kind.default_path()))
                .header("X-API-Key", KEY)
                .header("Content-Type", "application/json")
                .body(json!({ "ID": i.to_string() }).to_string());
            tokio::spawn(async move { request.send().await.map(|r| r.status().as_u16()) })
        })
        .collect();
    for send in sends {
        assert_eq!(send.await.unwrap().unwrap(), 200);
    }
    eventually("every delivery done or failed", || async {
        let c = counts(&inbox).await;
        c.pending == 0 && c.done + c.failed == N as u64
    })
    .await;
    let calls = calls.lock().unwrap().clone();
    assert_eq!(calls.len(), N, "every delivery reached the handler");
    let mut gave_up = BTreeSet::new();
    for (i, outcomes) in calls.iter() {
        if outcomes == &[false, false, false] {
            gave_up.insert(i.to_string());
        } else {
            assert!(!i.is_multiple_of(20), "{i} always panics: {outcomes:?}");
            assert_eq!(outcomes.iter().filter(|ok| **ok).count(), 1, "{i}: processed once: {outcomes:?}");
            assert_eq!(outcomes.last(), Some(&true), "{i}: nothing after the success: {outcomes:?}");
        }
    }
    assert!(gave_up.len() >= N / 20);
    let c = counts(&inbox).await;
    assert_eq!((c.failed, c.total()), (gave_up.len() as u64, N as u64), "none lost");
    let failed = inbox.list(Status::Failed, N).await.unwrap();
    assert!(failed.iter().all(|d| d.attempts == 3 && d.last_error.as_deref().unwrap().contains("panicked")));
    let failed_ids: BTreeSet<String> = failed
        .iter()
        .map(|d| serde_json::from_slice::<Value>(&d.body).unwrap()["ID"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(failed_ids, gave_up, "failed are exactly those that panicked on every attempt");
}

/// `value` without its `null` properties, at every depth.
fn without_nulls(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, without_nulls(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}
