//! The receiver end to end against the stand-in webhooks: requests through
//! the axum router (tower `oneshot`, no socket), deliveries stored in a real
//! SQLite file, the worker handing them to a handler. Not copied into the
//! generated crate (it names the stand-in's kinds).
#![cfg(feature = "inbox-sqlite")]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use dealpos_runtime::receiver::{
    ConfigError, Delivery, HandlerError, Inbox, InboxCounts, Receiver, Retention, RetryPolicy, SqliteInbox, Status,
    axum, handler_fn,
};
use dealpos_runtime::webhooks::{WebhookEvent, WebhookKind};
use http_body_util::BodyExt;
use tower::ServiceExt;

const KEY: &str = "s3cret";

/// A fresh directory for one test's database, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("dealpos-runtime-receiver-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn post(path: &str, key: Option<&str>, content_type: &str, body: impl Into<Body>) -> Request<Body> {
    let mut request = Request::post(path).header("content-type", content_type);
    if let Some(key) = key {
        request = request.header("x-api-key", key);
    }
    request.body(body.into()).unwrap()
}

async fn send(router: &axum::Router, request: Request<Body>) -> (StatusCode, serde_json::Value) {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null))
}

/// What the handler saw: (kind, id, the event as JSON), or the decode error.
type Seen = Arc<Mutex<Vec<Result<(WebhookKind, Option<i64>, serde_json::Value), String>>>>;

fn recording_handler(seen: &Seen) -> impl dealpos_runtime::receiver::Handler + use<> {
    let (ok, bad) = (seen.clone(), seen.clone());
    handler_fn(move |event: WebhookEvent, delivery: Delivery| {
        let seen = ok.clone();
        async move {
            assert_eq!(event.kind(), Some(delivery.kind));
            seen.lock().unwrap().push(Ok((delivery.kind, delivery.id, event.to_json())));
            Ok(())
        }
    })
    .with_fallback(move |error, _delivery: Delivery| {
        let seen = bad.clone();
        async move {
            seen.lock().unwrap().push(Err(error.to_string()));
            Err(HandlerError::permanent(error))
        }
    })
}

#[tokio::test]
async fn a_delivery_is_stored_once_then_handed_to_the_handler() {
    let scratch = Scratch::new("durable");
    let seen = Seen::default();
    let inbox = SqliteInbox::open(scratch.0.join("inbox.sqlite3")).unwrap();
    let (router, worker) = Receiver::new(recording_handler(&seen)).api_key(KEY).with_inbox(inbox).unwrap();

    let body = r#"{"ID":"7","Number":"S-1","Close":"2024-05-01T17:00:00","SalesNTax":120.50}"#;
    let (status, answer) = send(&router, post("/shift-close", Some(KEY), "application/json", body)).await;
    assert_eq!((status, answer), (StatusCode::OK, serde_json::json!({ "status": "success" })));
    // DealPOS's retry of the same event: acknowledged, not stored again.
    assert_eq!(send(&router, post("/shift-close", Some(KEY), "application/json", body)).await.0, StatusCode::OK);
    assert_eq!(worker.inbox().counts().await.unwrap(), InboxCounts { pending: 1, ..InboxCounts::default() });
    assert!(seen.lock().unwrap().is_empty(), "nothing is handled before the worker runs");

    assert_eq!(worker.run_due().await.unwrap(), 1);
    assert_eq!(worker.inbox().counts().await.unwrap(), InboxCounts { done: 1, ..InboxCounts::default() });
    let seen = seen.lock().unwrap();
    let Ok((kind, id, json)) = &seen[0] else { panic!("{seen:?}") };
    assert_eq!((*kind, id.is_some()), (WebhookKind::ShiftClose, true));
    // The typed payload: the Timestamp keeps the text DealPOS sent.
    assert_eq!(json["Close"], "2024-05-01T17:00:00");
    assert_eq!(json["SalesNTax"].as_f64(), Some(120.5));
}

#[tokio::test]
async fn a_body_that_does_not_fit_goes_to_the_fallback_and_stays_failed() {
    let scratch = Scratch::new("fallback");
    let seen = Seen::default();
    let inbox = SqliteInbox::open(scratch.0.join("inbox.sqlite3")).unwrap();
    let (router, worker) = Receiver::new(recording_handler(&seen)).api_key(KEY).with_inbox(inbox).unwrap();

    let (status, _) = send(&router, post("/product-created", Some(KEY), "application/json", r#"{"ID":5}"#)).await;
    assert_eq!(status, StatusCode::OK, "JSON that does not fit is still accepted");
    worker.run_due().await.unwrap();
    let failed = worker.inbox().list(Status::Failed, 10).await.unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].kind, "productCreated");
    let seen = seen.lock().unwrap();
    let Err(error) = &seen[0] else { panic!("{seen:?}") };
    assert!(error.contains("ID"), "the error names the field: {error}");
}

#[tokio::test]
async fn only_a_bad_key_is_refused_unkept() {
    let scratch = Scratch::new("refused");
    let inbox = SqliteInbox::open(scratch.0.join("inbox.sqlite3")).unwrap();
    let (router, worker) = Receiver::new(recording_handler(&Seen::default())).api_key(KEY).with_inbox(inbox).unwrap();
    let cases = [
        (post("/shift-close", None, "application/json", "{}"), StatusCode::UNAUTHORIZED),
        (post("/shift-close", Some("wrong"), "application/json", "{}"), StatusCode::UNAUTHORIZED),
        (post("/no-such-event", Some(KEY), "application/json", "{}"), StatusCode::NOT_FOUND),
    ];
    for (request, expected) in cases {
        let path = request.uri().to_string();
        assert_eq!(send(&router, request).await.0, expected, "{path}");
    }
    assert_eq!(worker.inbox().counts().await.unwrap().total(), 0);
}

#[tokio::test]
async fn every_authenticated_request_is_kept_rejected_ones_with_their_reason() {
    let scratch = Scratch::new("rejected");
    let seen = Seen::default();
    let inbox = SqliteInbox::open(scratch.0.join("inbox.sqlite3")).unwrap();
    let (router, worker) = Receiver::new(recording_handler(&seen))
        .api_key(KEY)
        .body_limit(64)
        .body_hard_cap(128)
        .with_inbox(inbox)
        .unwrap();

    // No Content-Type with a JSON body: accepted as JSON.
    let bare = Request::post("/shift-close").header("x-api-key", KEY).body(Body::from(r#"{"ID":"bare"}"#)).unwrap();
    assert_eq!(send(&router, bare).await.0, StatusCode::OK);

    let huge = format!("\"{}\"", "x".repeat(100));
    let enormous = format!("\"{}\"", "y".repeat(500));
    let cases: [(Request<Body>, StatusCode, &str, &[u8]); 6] = [
        (
            post("/shift-close", Some(KEY), "text/plain", "{}"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content type",
            b"{}",
        ),
        (post("/shift-close", Some(KEY), "application/json", "not json"), StatusCode::BAD_REQUEST, "JSON", b"not json"),
        (post("/shift-close", Some(KEY), "application/json", "{\"ID\":"), StatusCode::BAD_REQUEST, "JSON", b"{\"ID\":"),
        (
            Request::post("/shift-close").header("x-api-key", KEY).body(Body::from("plain words")).unwrap(),
            StatusCode::BAD_REQUEST,
            "JSON",
            b"plain words",
        ),
        (
            post("/shift-close", Some(KEY), "application/json", huge.clone()),
            StatusCode::PAYLOAD_TOO_LARGE,
            "larger than 64",
            huge.as_bytes(),
        ),
        (
            post("/shift-close", Some(KEY), "application/json", enormous.clone()),
            StatusCode::PAYLOAD_TOO_LARGE,
            "first 128 bytes",
            &enormous.as_bytes()[..128],
        ),
    ];
    let mut expected = Vec::new();
    for (request, status, reason, kept) in cases {
        let (got, answer) = send(&router, request).await;
        assert_eq!(got, status, "{reason}: {answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(message.contains("kept as rejected delivery"), "{message}");
        expected.push((reason, kept.to_vec()));
    }
    let counts = worker.inbox().counts().await.unwrap();
    assert_eq!(counts, InboxCounts { pending: 1, rejected: 6, ..InboxCounts::default() });
    let rejected = worker.inbox().list(Status::Rejected, 10).await.unwrap();
    for (stored, (reason, kept)) in rejected.iter().zip(&expected) {
        assert_eq!(stored.body.as_ref(), &kept[..], "{reason}");
        let error = stored.last_error.as_deref().unwrap();
        assert!(error.contains(reason), "{error} should say {reason}");
        assert_eq!(stored.kind, "shiftClose");
    }
    // The worker never touches them until they are replayed.
    assert_eq!(worker.run_due().await.unwrap(), 1);
    assert_eq!(worker.inbox().counts().await.unwrap().rejected, 6);
    assert!(worker.inbox().replay(rejected[0].id).await.unwrap());
    assert_eq!(worker.run_due().await.unwrap(), 1);
    assert_eq!(worker.inbox().counts().await.unwrap(), InboxCounts { done: 2, rejected: 5, ..InboxCounts::default() });
}

#[tokio::test]
async fn direct_mode_answers_500_when_the_handler_fails() {
    let handler = handler_fn(|event: WebhookEvent, _| async move {
        match event {
            WebhookEvent::ProductCreated(_) => Err(HandlerError::retry("database down")),
            _ => Ok(()),
        }
    });
    let router = Receiver::new(handler).api_key(KEY).prefix("/hooks").direct().unwrap();
    let ok = send(&router, post("/hooks/shift-close", Some(KEY), "application/json", "{}")).await;
    assert_eq!(ok.0, StatusCode::OK);
    let failed = send(&router, post("/hooks/product-created", Some(KEY), "application/json", "{}")).await;
    assert_eq!(failed.0, StatusCode::INTERNAL_SERVER_ERROR);
}

#[test]
fn configurations_that_cannot_work_are_refused() {
    let handler = || handler_fn(|_, _| async { Ok(()) });
    assert!(matches!(Receiver::new(handler()).direct(), Err(ConfigError::NoApiKey)));
    assert!(matches!(Receiver::new(handler()).api_key("").direct(), Err(ConfigError::EmptyApiKey)));
    let shared = Receiver::new(handler()).api_key(KEY).path(WebhookKind::ProductCreated, "/shift-close").direct();
    assert!(matches!(shared, Err(ConfigError::SharedPath { .. })), "{:?}", shared.err());
    let bad = Receiver::new(handler()).api_key(KEY).path(WebhookKind::ShiftClose, "/hooks/{id}").direct();
    assert!(matches!(bad, Err(ConfigError::BadPath { kind: WebhookKind::ShiftClose, .. })));
}

/// Polls `check` until it holds; fails the test after a deadline (a condition,
/// never a fixed sleep, is the proof).
async fn eventually<F: std::future::Future<Output = bool>>(what: &str, mut check: impl FnMut() -> F) {
    let start = std::time::Instant::now();
    while !check().await {
        assert!(start.elapsed() < std::time::Duration::from_secs(20), "still waiting for: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

fn quick(max_attempts: u32, concurrency: usize) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        concurrency,
        initial_backoff: std::time::Duration::from_millis(1),
        max_backoff: std::time::Duration::from_millis(5),
        poll_interval: std::time::Duration::from_millis(20),
        ..RetryPolicy::default()
    }
}

fn explode() -> Result<(), HandlerError> {
    panic!("handler bug")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_that_always_panics_ends_failed_after_the_maximum_attempts() {
    let scratch = Scratch::new("panics");
    let calls = Arc::new(AtomicU32::new(0));
    let handler = {
        let calls = calls.clone();
        handler_fn(move |_, _| {
            calls.fetch_add(1, Ordering::SeqCst);
            async { explode() }
        })
    };
    let inbox = SqliteInbox::open(scratch.0.join("inbox.sqlite3")).unwrap();
    let (router, worker) = Receiver::new(handler).api_key(KEY).retry(quick(3, 2)).with_inbox(inbox).unwrap();
    let _running = worker.clone().spawn();
    assert_eq!(send(&router, post("/shift-close", Some(KEY), "application/json", "{}")).await.0, StatusCode::OK);
    eventually("failed", || async { worker.inbox().counts().await.unwrap().failed == 1 }).await;
    let failed = worker.inbox().list(Status::Failed, 10).await.unwrap();
    assert_eq!(failed[0].attempts, 3);
    let error = failed[0].last_error.as_deref().unwrap();
    assert!(error.contains("panicked") && error.contains("handler bug"), "{error}");
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert_eq!(worker.inbox().counts().await.unwrap(), InboxCounts { failed: 1, ..InboxCounts::default() });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_handler_holds_one_slot_and_nothing_else() {
    let scratch = Scratch::new("hang");
    let hanging = Arc::new(AtomicU32::new(0));
    let handler = {
        let hanging = hanging.clone();
        handler_fn(move |event: WebhookEvent, _| {
            let hanging = hanging.clone();
            async move {
                if event.to_json()["ID"] == "hang" {
                    hanging.fetch_add(1, Ordering::SeqCst);
                    std::future::pending::<()>().await;
                }
                Ok(())
            }
        })
    };
    let inbox = SqliteInbox::open(scratch.0.join("inbox.sqlite3")).unwrap();
    let (router, worker) = Receiver::new(handler).api_key(KEY).retry(quick(3, 2)).with_inbox(inbox).unwrap();
    let _running = worker.clone().spawn();
    let body = |id: &str| format!(r#"{{"ID":"{id}"}}"#);
    assert_eq!(
        send(&router, post("/shift-close", Some(KEY), "application/json", body("hang"))).await.0,
        StatusCode::OK
    );
    eventually("the hanging one started", || async { hanging.load(Ordering::SeqCst) == 1 }).await;
    for i in 0..6 {
        let request = post("/shift-close", Some(KEY), "application/json", body(&i.to_string()));
        assert_eq!(send(&router, request).await.0, StatusCode::OK);
    }
    eventually("the others done while one hangs", || async { worker.inbox().counts().await.unwrap().done == 6 }).await;
    assert_eq!((hanging.load(Ordering::SeqCst), worker.inbox().counts().await.unwrap().pending), (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unbounded_attempt_timeout_and_backoff_work() {
    let scratch = Scratch::new("forever");
    let calls = Arc::new(AtomicU32::new(0));
    let handler = {
        let calls = calls.clone();
        handler_fn(move |_, _| {
            let first = calls.fetch_add(1, Ordering::SeqCst) == 0;
            async move { if first { Err(HandlerError::retry("once")) } else { Ok(()) } }
        })
    };
    let policy =
        RetryPolicy { attempt_timeout: std::time::Duration::MAX, max_backoff: std::time::Duration::MAX, ..quick(5, 2) };
    let inbox = SqliteInbox::open(scratch.0.join("inbox.sqlite3")).unwrap();
    let (router, worker) = Receiver::new(handler).api_key(KEY).retry(policy).with_inbox(inbox).unwrap();
    let _running = worker.clone().spawn();
    assert_eq!(send(&router, post("/shift-close", Some(KEY), "application/json", "{}")).await.0, StatusCode::OK);
    eventually("done", || async { worker.inbox().counts().await.unwrap().done == 1 }).await;
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    // The inbox still stores.
    let again = post("/shift-close", Some(KEY), "application/json", r#"{"ID":"2"}"#);
    assert_eq!(send(&router, again).await.0, StatusCode::OK);
    eventually("the next one done", || async { worker.inbox().counts().await.unwrap().done == 2 }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_applies_the_retention_policy() {
    let scratch = Scratch::new("retention");
    let handler = handler_fn(|event: WebhookEvent, _| async move {
        if event.to_json()["ID"] == "bad" { Err(HandlerError::permanent("a bug")) } else { Ok(()) }
    });
    let retention = Retention {
        done: Some(std::time::Duration::ZERO),
        interval: std::time::Duration::from_millis(10),
        ..Retention::default()
    };
    let inbox = SqliteInbox::open(scratch.0.join("inbox.sqlite3")).unwrap();
    let (router, worker) =
        Receiver::new(handler).api_key(KEY).retry(quick(3, 2)).retention(retention).with_inbox(inbox).unwrap();
    let _running = worker.clone().spawn();
    for body in [r#"{"ID":"ok"}"#, r#"{"ID":"bad"}"#, "not json"] {
        send(&router, post("/shift-close", Some(KEY), "application/json", body)).await;
    }
    // Done ones go at once (age zero); failed and rejected ones stay until replayed or purged.
    eventually("done purged", || async {
        worker.inbox().counts().await.unwrap() == InboxCounts { failed: 1, rejected: 1, ..InboxCounts::default() }
    })
    .await;
    let defaults = Retention::default();
    assert_eq!(defaults.done, Some(std::time::Duration::from_secs(30 * 24 * 60 * 60)));
    assert_eq!((defaults.failed, defaults.rejected), (None, None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_over_the_in_flight_cap_get_503() {
    let (release, gate) = tokio::sync::watch::channel(false);
    let started = Arc::new(AtomicU32::new(0));
    let handler = {
        let started = started.clone();
        handler_fn(move |_, _| {
            let (started, mut gate) = (started.clone(), gate.clone());
            async move {
                started.fetch_add(1, Ordering::SeqCst);
                gate.wait_for(|open| *open).await?;
                Ok(())
            }
        })
    };
    let router = Receiver::new(handler).api_key(KEY).max_in_flight(1).direct().unwrap();
    let first = tokio::spawn({
        let router = router.clone();
        async move { send(&router, post("/shift-close", Some(KEY), "application/json", "{}")).await.0 }
    });
    eventually("the first one in flight", || async { started.load(Ordering::SeqCst) == 1 }).await;
    let (status, answer) = send(&router, post("/shift-close", Some(KEY), "application/json", "{}")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
    release.send(true).unwrap();
    assert_eq!(first.await.unwrap(), StatusCode::OK);
    assert_eq!(send(&router, post("/shift-close", Some(KEY), "application/json", "{}")).await.0, StatusCode::OK);
}
