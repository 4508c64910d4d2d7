//! Streams the invoices of a date window to stdout as JSON lines, with
//! progress on stderr, as an ETL job into a warehouse would.
//!
//! ```sh
//! DEALPOS_HOST=mystore.dealpos.net DEALPOS_CLIENT_ID=… DEALPOS_CLIENT_SECRET=… \
//!   cargo run -p dealpos --example sync_invoices -- 2024-01-01 2024-01-31 > invoices.jsonl
//! ```
//!
//! The client keeps within DealPOS's rate limit (50 requests per 180 s), pages
//! until a short page, and retries what is safe to retry.

use std::io::Write;
use std::time::Instant;

use dealpos::Timestamp;
use dealpos::client::Client;
use dealpos::models::InvoiceWithTotalCountQuery;
use futures_util::StreamExt;

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name}"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(from), Some(to)) = (args.next(), args.next()) else {
        return Err("usage: sync_invoices FROM TO (dates, e.g. 2024-01-01 2024-01-31)".into());
    };
    let (from, to): (Timestamp, Timestamp) = (from.parse()?, to.parse()?);
    let client = Client::builder()
        .tenant_host(&env("DEALPOS_HOST")?)
        .credentials(env("DEALPOS_CLIENT_ID")?, env("DEALPOS_CLIENT_SECRET")?)
        .page_size(100)
        .build()?;
    let query = InvoiceWithTotalCountQuery::new().with_from(from.clone()).with_to(to.clone());
    let mut invoices = std::pin::pin!(client.invoice().list_with_total_count(query).items());
    let started = Instant::now();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut count = 0u64;
    while let Some(invoice) = invoices.next().await {
        serde_json::to_writer(&mut out, &invoice?)?;
        writeln!(out)?;
        count += 1;
        if count.is_multiple_of(100) {
            eprintln!("{from}..{to}: {count} invoices ({:.0?})", started.elapsed());
        }
    }
    out.flush()?;
    eprintln!("{from}..{to}: done, {count} invoices in {:.1?}", started.elapsed());
    Ok(())
}
