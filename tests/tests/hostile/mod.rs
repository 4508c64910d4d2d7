//! A DealPOS that behaves like real servers do on a bad day: an axum server on
//! 127.0.0.1 (port 0) whose faults are switched on per test. It serves the
//! token, two paged lists (`Product`: `{DataArray, RecordsCount: -1}`;
//! `Bill/WithTotalCount`: `{Data, TotalCount}`), a bare list
//! (`PaymentMethod`) and answers every PUT/DELETE; it records every request so
//! a test can count what really reached it.
#![allow(dead_code)] // each test binary uses part of it

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use dealpos::receiver::axum;
use dealpos::receiver::axum::body::Body;
use dealpos::receiver::axum::extract::{Request, State};
use dealpos::receiver::axum::http::{HeaderMap, HeaderValue, Response, StatusCode};
use futures_util::StreamExt as _;
use serde_json::{Value, json};

/// The app's secret as the tests configure it; no rendered error may contain `SECRET`.
pub const CLIENT_SECRET: &str = "client-SECRET-0f9e";

/// The faults. Counters (`u32`) are how many answers, from the first, get the fault.
#[derive(Debug, Clone, Default)]
pub struct Switches {
    /// Serve at most this many rows per page, whatever `PageSize` asks.
    pub page_cap: Option<usize>,
    /// Always serve page 1.
    pub ignore_page_number: bool,
    /// Serve page N again when page N + 1 is asked.
    pub repeat_page: Option<usize>,
    /// From this page on, leave the list field out of the envelope.
    pub drop_list_from_page: Option<usize>,
    /// `expires_in` of the token answer, as sent (a number, a float, a string).
    pub expires_in: Option<Value>,
    /// The whole token answer instead of a good one.
    pub token_answer: Option<Value>,
    /// The token request's status instead of 200 (the body echoes the request).
    pub token_status: Option<u16>,
    /// Answer the token request with a redirect to another path that gives a token.
    pub redirect_token: bool,
    /// `PaymentMethod` answers 400 with a 64 KiB body that echoes the request.
    pub huge_error_body: bool,
    /// `PaymentMethod` answers 429 with these headers, this many times.
    pub too_many: Option<(u32, Vec<(&'static str, String)>)>,
    /// `PaymentMethod` answers 200 with these headers (e.g. `RateLimit-Remaining: 0`).
    pub ok_headers: Vec<(&'static str, String)>,
    /// `PaymentMethod` sends half its body and then stalls, this many times.
    pub stall_body: u32,
    /// Every PUT and DELETE answers 503.
    pub put_503: bool,
    /// How many rows the paged lists hold.
    pub rows: usize,
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: String,
    pub at: Instant,
}

struct Shared {
    switches: Switches,
    seen: Mutex<Vec<Seen>>,
    tokens: AtomicU32,
    too_many: AtomicU32,
    stalls: AtomicU32,
}

/// The running server; stopped when dropped.
pub struct Hostile {
    /// `http://127.0.0.1:PORT/api/v3`.
    pub base: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Hostile {
    /// Starts a server with `switches`.
    pub async fn start(switches: Switches) -> Hostile {
        let shared = Arc::new(Shared {
            too_many: AtomicU32::new(switches.too_many.as_ref().map_or(0, |t| t.0)),
            stalls: AtomicU32::new(switches.stall_body),
            switches,
            seen: Mutex::default(),
            tokens: AtomicU32::new(0),
        });
        let router = axum::Router::new().fallback(answer).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/api/v3", listener.local_addr().unwrap());
        let task = tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Hostile { base, shared, task }
    }

    /// A client for this server: the test secret, fast retries, no client-side limit.
    pub fn client(&self) -> dealpos::client::ClientBuilder {
        dealpos::client::Client::builder()
            .base_url(&self.base)
            .credentials("app", CLIENT_SECRET)
            .rate_limit(None)
            .retry(dealpos::client::RetryPolicy {
                max_attempts: 3,
                initial_backoff: Duration::from_millis(5),
                max_backoff: Duration::from_millis(20),
            })
    }

    /// Every request received, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.shared.seen.lock().unwrap().clone()
    }

    /// The requests received for `method path` (path relative to `/api/v3/`).
    pub fn count(&self, method: &str, path: &str) -> usize {
        let full = format!("/api/v3/{path}");
        self.seen().iter().filter(|s| s.method == method && s.path == full).count()
    }
}

async fn answer(State(shared): State<Arc<Shared>>, request: Request) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or_default().to_string();
    let method = parts.method.as_str().to_string();
    shared.seen.lock().unwrap().push(Seen {
        method: method.clone(),
        path: path.clone(),
        query: query.clone(),
        at: Instant::now(),
    });
    // What a careless server echoes into its errors: the credentials it was sent.
    let echo = format!("{} {}", String::from_utf8_lossy(&body), header(&parts.headers, "authorization"));
    let s = &shared.switches;
    match (method.as_str(), path.trim_start_matches("/api/v3/")) {
        ("POST", "Token/OAuth2") if s.redirect_token => {
            respond(307, &[("location", "/api/v3/Token/Elsewhere".into())], Body::empty())
        }
        ("POST", "Token/OAuth2" | "Token/Elsewhere") => {
            if let Some(status) = s.token_status {
                shared.tokens.fetch_add(1, Ordering::SeqCst);
                return json_response(status, &json!({"Message": format!("bad credentials: {echo}")}));
            }
            let n = shared.tokens.fetch_add(1, Ordering::SeqCst);
            let answer = s.token_answer.clone().unwrap_or_else(|| {
                json!({
                    "access_token": format!("tok-SECRET-{n}"),
                    "token_type": "Bearer",
                    "expires_in": s.expires_in.clone().unwrap_or(json!(3600)),
                })
            });
            json_response(200, &answer)
        }
        ("GET", "Product") => page(s, &query, |rows, _| json!({"DataArray": rows, "RecordsCount": -1}), "DataArray"),
        ("GET", "Bill/WithTotalCount") => {
            page(s, &query, |rows, total| json!({"Data": rows, "TotalCount": total}), "Data")
        }
        ("GET", "PaymentMethod") => payment_methods(&shared, &echo),
        ("PUT" | "DELETE", _) if s.put_503 => json_response(503, &json!({"Message": "Service Unavailable"})),
        ("PUT" | "DELETE", _) => json_response(200, &json!({})),
        _ => json_response(404, &json!({"Message": "no such route"})),
    }
}

fn payment_methods(shared: &Shared, echo: &str) -> Response<Body> {
    let s = &shared.switches;
    if s.huge_error_body {
        let message = format!("{echo} {}", "x".repeat(64 * 1024));
        return json_response(400, &json!({"title": "Bad Request", "Message": message}));
    }
    if let Some((_, headers)) = &s.too_many
        && shared.too_many.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok()
    {
        return respond(429, headers, Body::from(r#"{"Message": "Too Many Requests"}"#));
    }
    let methods = json!([{"ID": 1, "Name": "Cash", "Type": 0}, {"ID": 2, "Name": "Card", "Type": 1}]).to_string();
    if shared.stalls.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok() {
        // Half the body, then nothing: the client's timeout ends the read mid-way.
        let half = methods.as_bytes()[..methods.len() / 2].to_vec();
        let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>(half)]).chain(futures_util::stream::pending());
        let mut response = respond(200, &[("content-length", methods.len().to_string())], Body::from_stream(chunks));
        response.headers_mut().insert("content-type", HeaderValue::from_static("application/json"));
        return response;
    }
    let mut response = respond(200, &s.ok_headers, Body::from(methods));
    response.headers_mut().insert("content-type", HeaderValue::from_static("application/json"));
    response
}

/// One page of the paged lists, after the switches.
fn page(s: &Switches, query: &str, envelope: fn(Vec<Value>, usize) -> Value, list: &str) -> Response<Body> {
    let param = |name: &str| {
        query.split('&').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('=')?.parse::<usize>().ok())
    };
    let mut number = param("PageNumber").unwrap_or(1).max(1);
    let size = param("PageSize").unwrap_or(100).min(s.page_cap.unwrap_or(usize::MAX));
    if s.ignore_page_number {
        number = 1;
    }
    if s.repeat_page.is_some_and(|n| number == n + 1) {
        number -= 1;
    }
    let rows: Vec<Value> = (0..s.rows)
        .skip((number - 1) * size)
        .take(size)
        .map(|i| json!({"ID": format!("row-{i}"), "Name": format!("Row {i}"), "Number": format!("B{i}")}))
        .collect();
    let mut body = envelope(rows, s.rows);
    if s.drop_list_from_page.is_some_and(|from| number >= from) {
        body.as_object_mut().map(|o| o.remove(list));
    }
    json_response(200, &body)
}

fn header(headers: &HeaderMap, name: &str) -> String {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

fn json_response(status: u16, body: &Value) -> Response<Body> {
    respond(status, &[("content-type", "application/json".into())], Body::from(body.to_string()))
}

fn respond(status: u16, headers: &[(&'static str, String)], body: Body) -> Response<Body> {
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::from_u16(status).unwrap();
    for (name, value) in headers {
        response.headers_mut().insert(*name, HeaderValue::from_str(value).unwrap());
    }
    response
}

/// The largest number of requests the server received within any span of
/// `span` (sliding over the received times).
pub fn most_in_any(seen: &[Seen], span: Duration) -> usize {
    let times: Vec<Instant> = seen.iter().map(|s| s.at).collect();
    (0..times.len())
        .map(|i| times[i..].iter().take_while(|t| t.duration_since(times[i]) < span).count())
        .max()
        .unwrap_or(0)
}

/// An HTTP-date `offset` from now in the three forms RFC 9110 allows.
pub fn http_dates(offset: chrono::Duration) -> [String; 3] {
    let at = chrono::Utc::now() + offset;
    [
        at.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
        at.format("%A, %d-%b-%y %H:%M:%S GMT").to_string(),
        at.format("%a %b %e %H:%M:%S %Y").to_string(),
    ]
}
