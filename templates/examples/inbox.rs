//! Looks after a webhook inbox: counts, lists, shows, replays and purges the
//! deliveries a receiver stored.
//!
//! ```sh
//! cargo run -p {{ name }} --example inbox --features receiver,inbox-sqlite -- counts
//! cargo run -p {{ name }} --example inbox --features receiver,inbox-sqlite -- list --status failed
//! cargo run -p {{ name }} --example inbox --features receiver,inbox-sqlite -- show 42
//! cargo run -p {{ name }} --example inbox --features receiver,inbox-sqlite -- replay 42 43
//! cargo run -p {{ name }} --example inbox --features receiver,inbox-sqlite -- purge --status done --older-than 30d
//! ```
//!
//! Commands:
//! - `counts [--check]`: deliveries per status; with `--check`, exits with 1
//!   when any is failed or rejected (a health check for cron or a monitor).
//! - `list [--status pending|done|failed|rejected] [--limit N]`: one line each,
//!   oldest first (default: failed, 50).
//! - `show ID`: one delivery in full: headers, attempts, last error, body.
//! - `replay ID…`: makes failed, rejected or done deliveries pending again;
//!   a running worker picks them up.
//! - `purge --status S[,S…] --older-than AGE`: deletes the deliveries with
//!   those statuses that finished at least AGE ago (`30d`, `12h`, `15m`, `0`).
//!
//! Environment:
//! - `DEALPOS_WEBHOOK_INBOX`: the SQLite file (default `dealpos-webhooks.sqlite3`).
//! - `DEALPOS_WEBHOOK_POSTGRES`: a libpq configuration; when set (and the
//!   `inbox-postgres` feature is on), the PostgreSQL inbox is used instead.

use std::env;
use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use {{ crate_ident }}::receiver::{Inbox, SqliteInbox, Status, StoredDelivery};

type Failure = Box<dyn Error>;

const USAGE: &str = "usage: inbox counts [--check] | list [--status S] [--limit N] | show ID | replay ID... \
                     | purge --status S[,S...] --older-than AGE";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    match open_and_run(&args).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("inbox: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn open_and_run(args: &[String]) -> Result<ExitCode, Failure> {
    #[cfg(feature = "inbox-postgres")]
    if let Ok(config) = env::var("DEALPOS_WEBHOOK_POSTGRES") {
        let inbox = {{ crate_ident }}::receiver::PostgresInbox::connect(&config).await?;
        return run(&inbox, args).await;
    }
    let path = env::var("DEALPOS_WEBHOOK_INBOX").unwrap_or_else(|_| "dealpos-webhooks.sqlite3".into());
    if !std::path::Path::new(&path).exists() {
        // Opening would create an empty inbox, which is never what was meant here.
        return Err(format!("no inbox at `{path}` (set DEALPOS_WEBHOOK_INBOX)").into());
    }
    run(&SqliteInbox::open(&path)?, args).await
}

async fn run(inbox: &impl Inbox, args: &[String]) -> Result<ExitCode, Failure> {
    let (command, rest) = args.split_first().ok_or(USAGE)?;
    match command.as_str() {
        "counts" => {
            let counts = inbox.counts().await?;
            for status in Status::ALL {
                println!("{:<9} {}", status.as_str(), counts.get(status));
            }
            println!("{:<9} {}", "total", counts.total());
            let unhealthy = counts.failed + counts.rejected > 0;
            Ok(if rest.iter().any(|a| a == "--check") && unhealthy { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        "list" => {
            let status = option(rest, "--status").map(parse_status).transpose()?.unwrap_or(Status::Failed);
            let limit = option(rest, "--limit").map(str::parse).transpose()?.unwrap_or(50);
            for delivery in inbox.list(status, limit).await? {
                println!(
                    "{:>8}  {:<20} {:<8} attempts={} received={}  {}",
                    delivery.id,
                    delivery.kind,
                    delivery.status.as_str(),
                    delivery.attempts,
                    time(&delivery),
                    delivery.last_error.as_deref().unwrap_or("")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        "show" => {
            let id: i64 = rest.first().ok_or("show needs an ID")?.parse()?;
            let delivery = inbox.get(id).await?.ok_or_else(|| format!("no delivery {id}"))?;
            println!("id:         {}", delivery.id);
            println!("kind:       {}", delivery.kind);
            println!("status:     {}", delivery.status.as_str());
            println!("received:   {}", time(&delivery));
            println!("attempts:   {}", delivery.attempts);
            println!("duplicates: {}", delivery.duplicates);
            println!("last error: {}", delivery.last_error.as_deref().unwrap_or("-"));
            println!("sha256:     {}", delivery.content_hash);
            for (name, value) in &delivery.headers {
                println!("header:     {name}: {value}");
            }
            println!("body ({} bytes):\n{}", delivery.body.len(), String::from_utf8_lossy(&delivery.body));
            Ok(ExitCode::SUCCESS)
        }
        "replay" => {
            if rest.is_empty() {
                return Err("replay needs at least one ID".into());
            }
            let mut missing = false;
            for id in rest {
                let id: i64 = id.parse()?;
                if inbox.replay(id).await? {
                    println!("{id}: pending again");
                } else {
                    eprintln!("{id}: no such delivery, or it is pending already");
                    missing = true;
                }
            }
            Ok(if missing { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        "purge" => {
            let statuses = option(rest, "--status")
                .ok_or("purge needs --status (it never guesses what to delete)")?
                .split(',')
                .map(parse_status)
                .collect::<Result<Vec<_>, _>>()?;
            let age = parse_age(option(rest, "--older-than").ok_or("purge needs --older-than")?)?;
            let deleted = inbox.purge(age, &statuses).await?;
            println!("{deleted} deleted");
            Ok(ExitCode::SUCCESS)
        }
        _ => Err(USAGE.into()),
    }
}

/// The value after `--name`.
fn option<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map(String::as_str)
}

fn parse_status(name: &str) -> Result<Status, Failure> {
    Status::from_name(name.trim()).ok_or_else(|| format!("unknown status `{name}`").into())
}

/// `30d`, `12h`, `15m`, `45s`, or `0`.
fn parse_age(text: &str) -> Result<Duration, Failure> {
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let n: u64 = number.parse().map_err(|_| format!("bad age `{text}`"))?;
    let seconds = match unit {
        "d" => 24 * 60 * 60,
        "h" => 60 * 60,
        "m" => 60,
        "s" | "" => 1,
        _ => return Err(format!("bad age unit in `{text}` (d, h, m or s)").into()),
    };
    Ok(Duration::from_secs(n.saturating_mul(seconds)))
}

fn time(delivery: &StoredDelivery) -> String {
    chrono::DateTime::<chrono::Utc>::from(delivery.received_at).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
