//! The client against a real HTTP server on loopback (wiremock) playing
//! DealPOS, including the faults it really has: expiring tokens, 401s, 429s,
//! 503s, slow answers and garbage.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use dealpos::client::{Client, Error, RateLimit, RetryPolicy};
use futures_util::StreamExt;
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const TOKEN: &str = "/api/v3/Token/OAuth2";

async fn server_with_token(expires_in: u64) -> MockServer {
    let server = MockServer::start().await;
    let n = Arc::new(AtomicU32::new(0));
    Mock::given(method("POST"))
        .and(path(TOKEN))
        .and(body_partial_json(json!({"client_id": "app", "client_secret": "s3cret"})))
        .respond_with(move |_: &Request| {
            let i = n.fetch_add(1, Ordering::SeqCst);
            ResponseTemplate::new(200).set_body_json(json!({
                "access_token": format!("token-{i}"), "token_type": "Bearer", "expires_in": expires_in,
                "expiredAt": "2099-01-01T00:00:00.1234567+07:00"
            }))
        })
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer) -> dealpos::client::ClientBuilder {
    Client::builder().base_url(&format!("{}/api/v3", server.uri())).credentials("app", "s3cret").rate_limit(None).retry(
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(20),
        },
    )
}

async fn requests_to(server: &MockServer, p: &str) -> Vec<Request> {
    server.received_requests().await.unwrap_or_default().into_iter().filter(|r| r.url.path() == p).collect()
}

fn payment_methods() -> Value {
    json!([{"ID": 1, "Name": "Cash", "Type": 0, "Suspended": false, "MDR": 0}, {"ID": 2, "Name": "Card", "Type": 1, "MDR": 0.7}])
}

#[tokio::test]
async fn a_hundred_concurrent_calls_fetch_one_token() {
    let server = server_with_token(3600).await;
    Mock::given(method("GET"))
        .and(path("/api/v3/PaymentMethod"))
        .and(header("authorization", "Bearer token-0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(payment_methods()))
        .mount(&server)
        .await;
    let client = client(&server).build().unwrap();
    let calls = (0..100).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.payment_method().list().send().await })
    });
    for call in futures_util::future::join_all(calls).await {
        assert_eq!(call.unwrap().unwrap().len(), 2);
    }
    assert_eq!(requests_to(&server, TOKEN).await.len(), 1);
}

#[tokio::test]
async fn the_token_is_refreshed_when_it_expires() {
    let server = server_with_token(1).await;
    Mock::given(method("GET"))
        .and(path("/api/v3/PaymentMethod"))
        .respond_with(ResponseTemplate::new(200).set_body_json(payment_methods()))
        .mount(&server)
        .await;
    let client = client(&server).build().unwrap();
    client.payment_method().list().send().await.unwrap();
    client.payment_method().list().send().await.unwrap();
    assert_eq!(requests_to(&server, TOKEN).await.len(), 1, "still valid");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    client.payment_method().list().send().await.unwrap();
    assert_eq!(requests_to(&server, TOKEN).await.len(), 2, "refreshed after expiry");
    let last = requests_to(&server, "/api/v3/PaymentMethod").await.pop().unwrap();
    assert_eq!(last.headers.get("authorization").unwrap(), "Bearer token-1");
}

#[tokio::test]
async fn a_401_re_authenticates_once_and_retries() {
    let server = server_with_token(3600).await;
    Mock::given(method("GET"))
        .and(path("/api/v3/PaymentMethod"))
        .and(header("authorization", "Bearer token-0"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"Message": "Token revoked"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v3/PaymentMethod"))
        .and(header("authorization", "Bearer token-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(payment_methods()))
        .mount(&server)
        .await;
    let client = client(&server).build().unwrap();
    assert_eq!(client.payment_method().list().send().await.unwrap().len(), 2);
    assert_eq!(requests_to(&server, TOKEN).await.len(), 2);
}

#[tokio::test]
async fn a_401_that_persists_is_an_error_without_the_secret() {
    let server = server_with_token(3600).await;
    Mock::given(method("GET"))
        .and(path("/api/v3/PaymentMethod"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"Message": "Unauthorized"})))
        .mount(&server)
        .await;
    let client = client(&server).build().unwrap();
    let err = client.payment_method().list().send().await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert!(!format!("{err} {err:?} {client:?}").contains("s3cret"));
    assert_eq!(requests_to(&server, "/api/v3/PaymentMethod").await.len(), 2, "one re-authentication, not a loop");
}

/// Answers with the given responses in turn, then repeats the last.
struct Sequence(Vec<ResponseTemplate>, AtomicU32);

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let i = self.1.fetch_add(1, Ordering::SeqCst) as usize;
        self.0[i.min(self.0.len() - 1)].clone()
    }
}

fn sequence(responses: Vec<ResponseTemplate>) -> Sequence {
    Sequence(responses, AtomicU32::new(0))
}

#[tokio::test]
async fn a_429_is_waited_out_with_and_without_retry_after() {
    for limited in [
        ResponseTemplate::new(429).insert_header("Retry-After", "1"),
        ResponseTemplate::new(429)
            .insert_header("RateLimit-Policy", "50;w=1")
            .insert_header("RateLimit-Remaining", "0"),
    ] {
        let server = server_with_token(3600).await;
        let ok = ResponseTemplate::new(200).set_body_json(payment_methods());
        Mock::given(method("GET"))
            .and(path("/api/v3/PaymentMethod"))
            .respond_with(sequence(vec![limited, ok]))
            .mount(&server)
            .await;
        let client = client(&server).max_rate_limit_wait(Duration::from_secs(5)).build().unwrap();
        let started = std::time::Instant::now();
        assert_eq!(client.payment_method().list().send().await.unwrap().len(), 2);
        assert!(started.elapsed() >= Duration::from_millis(900), "the client waited before trying again");
        assert_eq!(requests_to(&server, "/api/v3/PaymentMethod").await.len(), 2);
    }
}

#[tokio::test]
async fn a_429_asking_for_too_long_a_wait_is_an_error() {
    let server = server_with_token(3600).await;
    Mock::given(method("GET"))
        .and(path("/api/v3/PaymentMethod"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "600"))
        .mount(&server)
        .await;
    let client = client(&server).max_rate_limit_wait(Duration::from_secs(2)).build().unwrap();
    let err = client.payment_method().list().send().await.unwrap_err();
    assert!(matches!(err, Error::RateLimited { retry_after, .. } if retry_after == Duration::from_secs(600)), "{err}");
}

#[tokio::test]
async fn the_client_side_limiter_spaces_requests() {
    let server = server_with_token(3600).await;
    Mock::given(method("GET"))
        .and(path("/api/v3/PaymentMethod"))
        .respond_with(ResponseTemplate::new(200).set_body_json(payment_methods()))
        .mount(&server)
        .await;
    // 3 per second; the token request counts too.
    let client =
        client(&server).rate_limit(Some(RateLimit { requests: 3, window: Duration::from_secs(1) })).build().unwrap();
    let started = std::time::Instant::now();
    for _ in 0..4 {
        client.payment_method().list().send().await.unwrap();
    }
    assert!(started.elapsed() >= Duration::from_millis(900), "the 4th and 5th requests waited for the window");
}

#[tokio::test]
async fn a_503_is_retried_for_a_get_but_not_for_a_create() {
    let server = server_with_token(3600).await;
    let ok = ResponseTemplate::new(200).set_body_json(payment_methods());
    Mock::given(method("GET"))
        .and(path("/api/v3/PaymentMethod"))
        .respond_with(sequence(vec![ResponseTemplate::new(503), ResponseTemplate::new(502), ok]))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v3/Customer"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = client(&server).build().unwrap();
    assert_eq!(client.payment_method().list().send().await.unwrap().len(), 2);
    assert_eq!(requests_to(&server, "/api/v3/PaymentMethod").await.len(), 3);

    let body: std::collections::BTreeMap<String, Value> =
        serde_json::from_value(json!({"Name": "Hendry", "Code": "HW0001"})).unwrap();
    let err = client.customer().create(body).send().await.unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { method: "POST", .. }), "{err}");
    assert!(err.to_string().contains("not safe to repeat"), "{err}");
    assert_eq!(requests_to(&server, "/api/v3/Customer").await.len(), 1, "a create is never sent twice");
}

#[tokio::test]
async fn timeouts_are_retried_when_safe_and_reported_when_not() {
    let server = server_with_token(3600).await;
    let slow = ResponseTemplate::new(200).set_body_json(payment_methods()).set_delay(Duration::from_secs(5));
    Mock::given(method("GET")).and(path("/api/v3/PaymentMethod")).respond_with(slow.clone()).mount(&server).await;
    Mock::given(method("POST")).and(path("/api/v3/Customer")).respond_with(slow).mount(&server).await;
    let client = client(&server).timeout(Duration::from_millis(200)).build().unwrap();
    let err = client.payment_method().list().send().await.unwrap_err();
    assert!(matches!(&err, Error::Transport { attempts: 3, source, .. } if source.is_timeout()), "{err}");
    assert_eq!(requests_to(&server, "/api/v3/PaymentMethod").await.len(), 3);
    let body: std::collections::BTreeMap<String, Value> = serde_json::from_value(json!({"Name": "Hendry"})).unwrap();
    let err = client.customer().create(body).send().await.unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { .. }), "{err}");
    assert_eq!(requests_to(&server, "/api/v3/Customer").await.len(), 1);
}

#[tokio::test]
async fn garbage_json_is_a_decode_error_with_the_field_path() {
    let server = server_with_token(3600).await;
    let garbage = json!([{"ID": 1, "Name": "Cash"}, {"ID": 2, "Name": {"not": "a string"}}]);
    Mock::given(method("GET"))
        .and(path("/api/v3/PaymentMethod"))
        .respond_with(ResponseTemplate::new(200).set_body_json(garbage))
        .mount(&server)
        .await;
    let client = client(&server).build().unwrap();
    let Error::Decode(err) = client.payment_method().list().send().await.unwrap_err() else { panic!() };
    assert_eq!(err.path, "[1].Name");
    assert!(err.snippet.starts_with("[{\"ID\":1"), "{err}");
}

#[tokio::test]
async fn api_errors_carry_status_and_message_and_gets_carry_no_content_type() {
    let server = server_with_token(3600).await;
    Mock::given(method("GET"))
        .and(path("/api/v3/PaymentMethod"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"title": "Forbidden", "status": 403, "Message": "Outlet not allowed"})),
        )
        .mount(&server)
        .await;
    let client = client(&server).build().unwrap();
    let err = client.payment_method().list().send().await.unwrap_err();
    let Error::Api { error, .. } = &err else { panic!("{err}") };
    assert_eq!(
        (error.status, error.message.as_deref(), error.title.as_deref()),
        (403, Some("Outlet not allowed"), Some("Forbidden"))
    );
    let get = requests_to(&server, "/api/v3/PaymentMethod").await.pop().unwrap();
    assert!(get.headers.get("content-type").is_none(), "DealPOS answers 500 to a GET with a Content-Type");
    assert!(get.headers.get("user-agent").unwrap().to_str().unwrap().starts_with("dealpos-rs/"));
}

/// Serves `items` in pages of the requested size, wrapped by `envelope`.
struct Pages {
    items: Vec<Value>,
    envelope: fn(Vec<Value>) -> Value,
    in_body: bool,
}

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let (page, size) = if self.in_body {
            let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
            (body["PageNumber"].as_u64().unwrap_or(0), body["PageSize"].as_u64().unwrap_or(0))
        } else {
            let q = |k: &str| {
                request.url.query_pairs().find(|(n, _)| n == k).and_then(|(_, v)| v.parse().ok()).unwrap_or(0)
            };
            (q("PageNumber"), q("PageSize"))
        };
        let start = ((page.max(1) - 1) * size) as usize;
        let slice = self.items.iter().skip(start).take(size as usize).cloned().collect();
        ResponseTemplate::new(200).set_body_json((self.envelope)(slice))
    }
}

#[tokio::test]
async fn paging_streams_every_item_over_each_envelope_and_stops_on_a_short_page() {
    let server = server_with_token(3600).await;
    let inventory: Vec<Value> =
        (0..5).map(|i| json!({"Code": format!("V{i}"), "Outlet": "Outlet1", "Quantity": i})).collect();
    let bills: Vec<Value> =
        (0..5).map(|i| json!({"Number": format!("B{i}"), "Date": "2024-05-08T14:46:00.01"})).collect();
    let products: Vec<Value> = (0..5).map(|i| json!({"ID": format!("p{i}"), "Name": format!("Product {i}")})).collect();
    let invoices: Vec<Value> =
        (0..5).map(|i| json!({"Number": format!("20.05.{i:05}"), "Outlet": "Outlet1"})).collect();
    let mount =
        |p: &'static str, verb: &'static str, pages: Pages| Mock::given(method(verb)).and(path(p)).respond_with(pages);
    mount("/api/v3/Inventory", "POST", Pages { items: inventory, envelope: Value::Array, in_body: false })
        .mount(&server)
        .await;
    mount(
        "/api/v3/Bill/WithTotalCount",
        "GET",
        Pages { items: bills, envelope: |d| json!({"Data": d, "TotalCount": 5}), in_body: false },
    )
    .mount(&server)
    .await;
    mount(
        "/api/v3/Product",
        "GET",
        Pages { items: products, envelope: |d| json!({"DataArray": d, "RecordsCount": -1}), in_body: false },
    )
    .mount(&server)
    .await;
    mount(
        "/api/v3/Invoice/WithTotalCount",
        "POST",
        Pages { items: invoices, envelope: |d| json!({"Data": d, "TotalCount": 5}), in_body: true },
    )
    .mount(&server)
    .await;
    let client = client(&server).page_size(2).build().unwrap();

    let bare = client
        .inventory()
        .get_by_list(dealpos::models::InventoryListByOutletRequest::new())
        .collect_all()
        .await
        .unwrap();
    assert_eq!(bare.len(), 5);
    let data = client
        .bill()
        .list_with_total_count()
        .from("2000-01-01".parse::<dealpos::Timestamp>().unwrap())
        .collect_all()
        .await
        .unwrap();
    assert_eq!(data.iter().map(|b| b.number.clone().unwrap()).collect::<Vec<_>>(), ["B0", "B1", "B2", "B3", "B4"]);
    let mut stream = std::pin::pin!(client.product().list().items());
    let mut names = Vec::new();
    while let Some(product) = stream.next().await {
        names.push(product.unwrap().name.unwrap());
    }
    assert_eq!(names.len(), 5, "RecordsCount -1 is not trusted");
    let query: dealpos::models::InvoiceWithTotalCountQuery =
        serde_json::from_value(json!({"From": "2020-01-01", "To": "2020-12-31"})).unwrap();
    let invoices = client.invoice().list_with_total_count(query).collect_all().await.unwrap();
    assert_eq!(invoices.len(), 5);

    for (p, verb) in [
        ("/api/v3/Inventory", "POST"),
        ("/api/v3/Bill/WithTotalCount", "GET"),
        ("/api/v3/Product", "GET"),
        ("/api/v3/Invoice/WithTotalCount", "POST"),
    ] {
        let requests = requests_to(&server, p).await;
        assert_eq!(requests.len(), 3, "{p}: pages 1, 2 and a short page 3");
        assert!(requests.iter().all(|r| r.method.as_str() == verb), "{p}");
    }
    let bill_query = requests_to(&server, "/api/v3/Bill/WithTotalCount").await.remove(0);
    assert!(bill_query.url.query().unwrap().contains("From=2000-01-01"));
    let _ = query_param("PageNumber", "1");
}

#[tokio::test]
async fn send_with_response_gives_status_headers_request_id_and_the_raw_body() {
    let server = server_with_token(3600).await;
    let raw = r#"[{"ID": 1, "Name": "Cash", "Type": 0, "MDR": 0}]"#;
    Mock::given(method("GET"))
        .and(path("/api/v3/PaymentMethod"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-request-id", "req-42")
                .insert_header("RateLimit-Remaining", "49")
                .set_body_raw(raw, "application/json"),
        )
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/v3/Invoice/Void"))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"Message": "voided"})))
        .mount(&server)
        .await;
    let client = client(&server).build().unwrap();

    let answer = client.payment_method().list().send_with_response().await.unwrap();
    assert_eq!((answer.status(), answer.request_id()), (200, Some("req-42")));
    assert_eq!(answer.headers().get("ratelimit-remaining").unwrap(), "49");
    assert_eq!(answer.body(), raw.as_bytes(), "the body exactly as received");
    assert_eq!(answer.value()[0].name.as_deref(), Some("Cash"));
    assert_eq!(answer.into_value().len(), 1);

    // A request union takes any of its alternatives; the answer says 202, without a request id.
    let void = dealpos::models::InvoiceVoidByOutletName::new("Outlet1", "2020.06.00005").with_note("duplicate");
    let answer = client.invoice().void(void).send_with_response().await.unwrap();
    assert_eq!((answer.status(), answer.request_id()), (202, None));
    let sent: Value = serde_json::from_slice(&requests_to(&server, "/api/v3/Invoice/Void").await[0].body).unwrap();
    assert_eq!(sent, json!({"Outlet": "Outlet1", "Number": "2020.06.00005", "Note": "duplicate"}));

    // An operation without an answer body: the body is kept raw, never read as JSON.
    Mock::given(method("DELETE"))
        .and(path("/api/v3/Customer"))
        .respond_with(
            ResponseTemplate::new(200).insert_header("request-id", "r-7").set_body_string("deleted, not JSON"),
        )
        .mount(&server)
        .await;
    let answer = client.customer().delete_by_email().send_with_response().await.unwrap();
    assert_eq!((answer.status(), answer.request_id(), answer.body()), (200, Some("r-7"), &b"deleted, not JSON"[..]));
}

#[tokio::test]
async fn required_parameters_are_arguments_and_flags_are_sent_as_true_or_false() {
    let server = server_with_token(3600).await;
    Mock::given(method("GET"))
        .and(path("/api/v3/Invoice/Number"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"Number": "2020.06.00005"})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v3/Product"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"Message": "ok"})))
        .mount(&server)
        .await;
    let client = client(&server).build().unwrap();

    client.invoice().get_by_number("2020.06.00005").outlet("Outlet1").send().await.unwrap();
    let get = requests_to(&server, "/api/v3/Invoice/Number").await.remove(0);
    assert_eq!(get.url.query(), Some("Number=2020.06.00005&Outlet=Outlet1"));

    let product = dealpos::models::ProductCreateRequest::new("Shoes", "Runner", "Acme", "RUN-1", false, "", vec![]);
    client.product().create(product).upload_image_async(true).send().await.unwrap();
    let post = requests_to(&server, "/api/v3/Product").await.remove(0);
    assert_eq!(post.headers.get("UploadImageAsync").unwrap(), "true", "DealPOS reads the text true/false");
}

#[tokio::test]
async fn paged_requests_take_no_paging_fields_and_send_filters_once() {
    let server = server_with_token(3600).await;
    Mock::given(method("GET"))
        .and(path("/api/v3/Customer"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v3/Invoice/MultipleOutlet/WithTotalCount"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"Data": [], "TotalCount": 0})))
        .mount(&server)
        .await;
    let client = client(&server).page_size(50).build().unwrap();

    // Customer's filters are query parameters: the GET carries them there, and no body.
    let none = client.customer().list().name("Ann").collect_all().await.unwrap();
    assert!(none.is_empty());
    let get = requests_to(&server, "/api/v3/Customer").await.remove(0);
    assert_eq!(get.url.query(), Some("Name=Ann&PageNumber=1&PageSize=50"));
    assert!(get.body.is_empty(), "the filters are not repeated in a body");

    // THE invoice list: its body holds the filters; the client adds the page.
    let window = dealpos::models::InvoiceMultipleOutletQueryByOutlet::new()
        .with_from("2024-01-01".parse::<dealpos::Timestamp>().unwrap())
        .with_outlet(vec!["Outlet1".to_string()]);
    client.invoice().list(window).collect_all().await.unwrap();
    let post = requests_to(&server, "/api/v3/Invoice/MultipleOutlet/WithTotalCount").await.remove(0);
    let body: Value = serde_json::from_slice(&post.body).unwrap();
    assert_eq!(body, json!({"From": "2024-01-01", "Outlet": ["Outlet1"], "PageNumber": 1, "PageSize": 50}));
}

#[test]
fn a_created_invoice_sends_its_required_fields_and_only_the_optional_ones_set() {
    use dealpos::models::{InvoiceCreateRequest, InvoiceVariantInput};
    // A quantity is a Decimal: an integer converts, a text is parsed (and sent quoted if asked).
    let half = dealpos::Decimal::parse("0.5").unwrap().quoted();
    let lines = vec![InvoiceVariantInput::new("1315L", 2), InvoiceVariantInput::new(200535, half).with_note("gift")];
    let invoice = InvoiceCreateRequest::new("Outlet1", lines).with_note("table 4");
    assert_eq!(
        serde_json::to_value(&invoice).unwrap(),
        json!({"Outlet": "Outlet1", "Note": "table 4", "Variants": [
            {"Code": "1315L", "Quantity": 2},
            {"Code": 200535, "Quantity": "0.5", "Note": "gift"},
        ]})
    );
}
