//! A DealPOS webhook receiver: every event kind at its default path, stored in
//! a SQLite inbox before it is acknowledged, then logged by the worker.
//!
//! ```sh
//! DEALPOS_WEBHOOK_KEYS=secret cargo run -p {{ name }} --example webhook_receiver --features receiver,inbox-sqlite
//! curl -H 'X-API-Key: secret' -H 'Content-Type: application/json' \
//!      -d '{"ID": "1", "Name": "Walk-in"}' http://127.0.0.1:8080/customer-created
//! ```
//!
//! DealPOS delivers to HTTPS URLs only: put this behind a reverse proxy that
//! terminates TLS, and register `https://<host>/<path>` for each event.
//!
//! Environment:
//! - `DEALPOS_WEBHOOK_KEYS`: the accepted `X-API-Key` values, comma-separated
//!   (two while rotating). Required, unless `DEALPOS_WEBHOOK_ALLOW_UNAUTHENTICATED=1`.
//! - `DEALPOS_WEBHOOK_ADDR`: where to listen (default `127.0.0.1:8080`).
//! - `DEALPOS_WEBHOOK_PREFIX`: a path prefix for every route (default none).
//! - `DEALPOS_WEBHOOK_INBOX`: the SQLite file (default `dealpos-webhooks.sqlite3`).
//! - `DEALPOS_WEBHOOK_DIRECT=1`: no inbox; the handler runs before the answer
//!   (an event whose handling fails twice is lost).
//! - `RUST_LOG`: the log filter (default `info`).

use std::env;
use std::io::IsTerminal as _;

use {{ crate_ident }}::receiver::{Delivery, HandlerError, Inbox, Receiver, SqliteInbox, handler_fn};
use {{ crate_ident }}::webhooks::WebhookEvent;

async fn log_event(event: WebhookEvent, delivery: Delivery) -> Result<(), HandlerError> {
    tracing::info!(
        kind = %delivery.kind,
        id = ?delivery.id,
        attempt = delivery.attempt,
        hash = %delivery.content_hash,
        body = %String::from_utf8_lossy(&delivery.body),
        "{}",
        event.kind().map_or("unknown event", |kind| kind.summary())
    );
    Ok(())
}

fn flag(name: &str) -> bool {
    env::var(name).is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let colour = std::io::stderr().is_terminal();
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(colour).init();

    let keys = env::var("DEALPOS_WEBHOOK_KEYS").unwrap_or_default();
    let mut receiver =
        Receiver::new(handler_fn(log_event)).api_keys(keys.split(',').map(str::trim).filter(|k| !k.is_empty()));
    if flag("DEALPOS_WEBHOOK_ALLOW_UNAUTHENTICATED") {
        receiver = receiver.allow_unauthenticated();
    }
    if let Ok(prefix) = env::var("DEALPOS_WEBHOOK_PREFIX") {
        receiver = receiver.prefix(&prefix);
    }
    let addr = env::var("DEALPOS_WEBHOOK_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;

    // The worker must outlive the server; dropping its handle stops it.
    let (router, worker) = if flag("DEALPOS_WEBHOOK_DIRECT") {
        tracing::warn!("direct mode: nothing is stored, a failing handler loses events");
        (receiver.direct()?, None)
    } else {
        let path = env::var("DEALPOS_WEBHOOK_INBOX").unwrap_or_else(|_| "dealpos-webhooks.sqlite3".into());
        let (router, worker) = receiver.with_inbox(SqliteInbox::open(&path)?)?;
        let counts = worker.inbox().counts().await?;
        tracing::info!(inbox = %path, pending = counts.pending, failed = counts.failed, "inbox opened");
        (router, Some(worker.spawn()))
    };
    tracing::info!(addr = %listener.local_addr()?, "listening for DealPOS webhooks");
    {{ crate_ident }}::receiver::axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    if let Some(worker) = worker {
        worker.shutdown().await;
    }
    Ok(())
}
