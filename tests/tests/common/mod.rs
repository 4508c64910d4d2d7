//! What the receiver tests share: a recording handler, a server on an
//! OS-assigned loopback port, DealPOS as an HTTP client, and polling.
#![allow(dead_code)] // each test binary uses part of it

use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use dealpos::DecodeError;
use dealpos::receiver::{Delivery, Handler, HandlerError, RetryPolicy, axum};
use dealpos::webhooks::{WebhookEvent, WebhookKind};
use serde_json::{Value, json};

pub const KEY: &str = "test-key-1";
pub const DEADLINE: Duration = Duration::from_secs(60);

/// Every handled event and every fallback call, in order.
#[derive(Default)]
pub struct Recorder {
    pub handled: Mutex<Vec<(WebhookEvent, Delivery)>>,
    pub fallbacks: Mutex<Vec<(DecodeError, Delivery)>>,
}

impl Handler for Recorder {
    async fn handle(&self, event: WebhookEvent, delivery: Delivery) -> Result<(), HandlerError> {
        self.handled.lock().unwrap().push((event, delivery));
        Ok(())
    }

    async fn fallback(&self, error: DecodeError, delivery: Delivery) -> Result<(), HandlerError> {
        self.fallbacks.lock().unwrap().push((error, delivery));
        Ok(())
    }
}

impl Recorder {
    pub fn handled(&self) -> Vec<(WebhookEvent, Delivery)> {
        self.handled.lock().unwrap().clone()
    }

    pub fn calls(&self) -> usize {
        self.handled.lock().unwrap().len() + self.fallbacks.lock().unwrap().len()
    }
}

/// A router served on 127.0.0.1 at a port the OS picked; stopped when dropped.
pub struct Server {
    pub base: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub async fn serve(router: axum::Router) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Server { base, task }
}

pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(40),
        poll_interval: Duration::from_millis(50),
        ..RetryPolicy::default()
    }
}

/// POSTs like DealPOS: `Content-Type: application/json` and the key, unless
/// the test says otherwise. Returns the status and the JSON answer.
pub async fn post(url: &str, key: Option<&str>, content_type: Option<&str>, body: impl Into<Vec<u8>>) -> (u16, Value) {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    let mut request = client.post(url).body(body.into());
    if let Some(key) = key {
        request = request.header("X-API-Key", key);
    }
    if let Some(content_type) = content_type {
        request = request.header("Content-Type", content_type);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

pub async fn deliver(base: &str, kind: WebhookKind, body: &Value) -> (u16, Value) {
    let url = format!("{base}{}", kind.default_path());
    post(&url, Some(KEY), Some("application/json"), serde_json::to_vec(body).unwrap()).await
}

/// Polls `check` until it holds, failing the test after [`DEADLINE`].
pub async fn eventually<Fut: Future<Output = bool>>(what: &str, mut check: impl FnMut() -> Fut) {
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < DEADLINE, "still waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

pub fn success() -> Value {
    json!({ "status": "success" })
}
