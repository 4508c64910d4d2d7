//! Client overhead: requests per second of one list call (`listProducts`,
//! `GET Product`, a page of `ITEMS` products) against a loopback server in
//! this process, through the generated client and through raw reqwest, in the
//! same run (group `client`, ids `dealpos`, `reqwest`).
//!
//! - `client/dealpos`: `client.product().list().page_size(ITEMS).send()`, with
//!   the client's rate limiter off (`rate_limit(None)`, else 50 requests per
//!   180 s would be the figure) and its token fetched once and cached.
//! - `client/reqwest`: the baseline, what a user without the SDK would write:
//!   the same GET with the same query and bearer header through a
//!   `reqwest::Client` configured like the SDK's default one (same timeouts,
//!   same connection pooling), the body decoded into the same generated type
//!   with `serde_json`. What differs is only what the SDK adds per request:
//!   building the request, the token cache and limiter checks, the tracing
//!   span, status handling and the error-path-tracking decoder.
//!
//! The server runs on its own one-worker runtime; the client side runs on a
//! current-thread runtime (criterion's `to_async`), so the machine's two cores
//! are one for each side. The server sends no `RateLimit-*` headers.
//! Run: `cargo bench -p dealpos-tests --bench client`.

mod support;

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dealpos::client::Client;
use dealpos::models::ProductDataArrayPage;
use dealpos::receiver::axum::{
    self, Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode, Uri, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde_json::json;
use support::Rng;

/// Products per page: a small page, so the request, not the decoding, dominates.
const ITEMS: u32 = 20;
const TOKEN: &str = "bench-access-token-0123456789abcdef";
/// The query both clients send for page 1.
const QUERY: &str = "PageNumber=1&PageSize=20";

/// The loopback DealPOS: a token endpoint and `GET Product`, counting calls.
struct Dealpos {
    token: Bytes,
    page: Bytes,
    bearer: String,
    token_requests: AtomicUsize,
    list_requests: AtomicUsize,
}

async fn token(State(dealpos): State<Arc<Dealpos>>) -> Response {
    dealpos.token_requests.fetch_add(1, Ordering::Relaxed);
    ([(header::CONTENT_TYPE, "application/json")], dealpos.token.clone()).into_response()
}

/// The page, to a request with the token and the expected query.
async fn products(State(dealpos): State<Arc<Dealpos>>, uri: Uri, headers: HeaderMap) -> Response {
    dealpos.list_requests.fetch_add(1, Ordering::Relaxed);
    if headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) != Some(dealpos.bearer.as_str()) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    if uri.query() != Some(QUERY) {
        return StatusCode::BAD_REQUEST.into_response();
    }
    ([(header::CONTENT_TYPE, "application/json")], dealpos.page.clone()).into_response()
}

/// Starts the server on 127.0.0.1 at a port the OS picks; it stops when the
/// returned runtime is dropped.
fn serve(dealpos: Arc<Dealpos>) -> (tokio::runtime::Runtime, String) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("loopback-dealpos")
        .enable_all()
        .build()
        .expect("a server runtime");
    let listener =
        runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("a loopback port for the server");
    let address = listener.local_addr().expect("the server's address");
    let router = Router::new()
        .route("/api/v3/Token/OAuth2", post(token))
        .route("/api/v3/Product", get(products))
        .with_state(dealpos);
    runtime.spawn(async move { axum::serve(listener, router).await.expect("the loopback server runs") });
    (runtime, format!("http://{address}/api/v3"))
}

/// The baseline request: what `client.product().list().page_size(ITEMS).send()` sends, by hand.
async fn raw_list(http: &reqwest::Client, url: &str, token: &str) -> ProductDataArrayPage {
    let response = http
        .get(url)
        .query(&[("PageNumber", "1"), ("PageSize", "20")])
        .bearer_auth(token)
        .send()
        .await
        .expect("the loopback server answers");
    assert!(response.status().is_success(), "the loopback server answered {}", response.status());
    let body = response.bytes().await.expect("the loopback server sends the page");
    serde_json::from_slice(&body).expect("the page decodes")
}

fn client(c: &mut Criterion) {
    let page = support::product_page(&mut Rng::new(0xC11E_4700), ITEMS as usize);
    let token = json!({
        "access_token": TOKEN, "token_type": "bearer", "expires_in": 172_800,
        "expiredAt": "2099-12-31T23:59:59.9970000",
    });
    let dealpos = Arc::new(Dealpos {
        token: serde_json::to_vec(&token).expect("a Value encodes").into(),
        page: serde_json::to_vec(&page).expect("a Value encodes").into(),
        bearer: format!("Bearer {TOKEN}"),
        token_requests: AtomicUsize::new(0),
        list_requests: AtomicUsize::new(0),
    });
    let (server, base) = serve(dealpos.clone());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a client runtime");

    let sdk = Client::builder()
        .base_url(&base)
        .credentials("bench-client", "bench-secret")
        .rate_limit(None)
        .build()
        .expect("the client builds");
    // Like the SDK's default reqwest client (its timeouts and pool).
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .build()
        .expect("a reqwest client");
    let url = format!("{base}/Product");

    // Before timing: both fetch the page (the SDK its token too), and get it whole.
    let raw_token = runtime.block_on(async {
        let answer = http
            .post(format!("{base}/Token/OAuth2"))
            .header(header::CONTENT_TYPE.as_str(), "application/json")
            .body(json!({"client_id": "bench-client", "client_secret": "bench-secret"}).to_string())
            .send()
            .await
            .expect("the loopback server answers the token request");
        let answer: serde_json::Value =
            serde_json::from_slice(&answer.bytes().await.expect("a token answer")).expect("token JSON");
        answer["access_token"].as_str().expect("an access token").to_string()
    });
    let via_sdk = runtime.block_on(sdk.product().list().page_size(ITEMS).send()).expect("the SDK lists products");
    let via_raw = runtime.block_on(raw_list(&http, &url, &raw_token));
    assert_eq!(via_sdk.data_array.as_ref().map(Vec::len), Some(ITEMS as usize));
    assert_eq!(via_sdk, via_raw, "both decode the same page");
    eprintln!("client: a page of {ITEMS} products, {} bytes", dealpos.page.len());

    let mut group = c.benchmark_group("client");
    group.throughput(Throughput::Elements(1));
    group.bench_function("dealpos", |b| {
        b.to_async(&runtime).iter(|| async {
            black_box(sdk.product().list().page_size(ITEMS).send().await.expect("the SDK lists products"))
        })
    });
    group.bench_function("reqwest", |b| {
        b.to_async(&runtime).iter(|| async { black_box(raw_list(&http, &url, &raw_token).await) })
    });
    group.finish();

    // One token request each: the SDK cached its token for every request.
    assert_eq!(dealpos.token_requests.load(Ordering::Relaxed), 2, "the SDK fetched its token more than once");
    eprintln!("client: {} list requests served", dealpos.list_requests.load(Ordering::Relaxed));
    drop(runtime);
    drop(server);
}

criterion_group!(benches, client);
criterion_main!(benches);
