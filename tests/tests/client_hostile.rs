//! The client against a hostile DealPOS (`hostile/`, real HTTP on loopback):
//! each fault ends in a complete result or a clear error, never a partial list
//! reported complete, never a secret in a rendered error, never a window over
//! budget, never an action sent twice.

mod hostile;

use std::time::Duration;

use dealpos::client::{Error, RateLimit};
use futures_util::StreamExt;
use hostile::{Hostile, Switches, http_dates, most_in_any};
use serde_json::json;

/// Every way an error can be rendered.
fn rendered(err: &Error) -> String {
    format!("{err} {err:?} {:?}", std::error::Error::source(err))
}

fn assert_no_secret(err: &Error) {
    let text = rendered(err);
    assert!(!text.contains("SECRET"), "a secret in a rendered error: {text}");
}

/// A client call must end; a hang is a failure, not a slow test.
async fn bounded<T>(what: &str, future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), future).await.unwrap_or_else(|_| panic!("{what} never ended"))
}

#[tokio::test]
async fn a_capped_page_size_still_yields_every_row() {
    let server = Hostile::start(Switches { rows: 237, page_cap: Some(20), ..Default::default() }).await;
    let client = server.client().page_size(50).build().unwrap();
    let products = bounded("products", client.product().list().collect_all()).await.unwrap();
    assert_eq!(products.len(), 237, "RecordsCount is -1: the served size is learned from the first page");
    let names: Vec<_> = products.iter().map(|p| p.name.clone().unwrap()).collect();
    assert_eq!((names[0].as_str(), names[236].as_str()), ("Row 0", "Row 236"));
    let bills = bounded("bills", client.bill().list_with_total_count().collect_all()).await.unwrap();
    assert_eq!(bills.len(), 237, "TotalCount is trusted");
    assert_eq!(server.count("GET", "Bill/WithTotalCount"), 12, "stops on reaching TotalCount, no extra page");
}

#[tokio::test]
async fn a_server_ignoring_page_number_is_an_error_not_a_loop() {
    let server = Hostile::start(Switches { rows: 237, ignore_page_number: true, ..Default::default() }).await;
    let client = server.client().page_size(50).build().unwrap();
    let err = bounded("products", client.product().list().collect_all()).await.unwrap_err();
    assert!(matches!(err, Error::Paging { .. }), "{err}");
    assert!(err.to_string().contains("page 2"), "{err}");
    assert_eq!(server.count("GET", "Product"), 2);
}

#[tokio::test]
async fn a_repeated_page_is_an_error() {
    let server = Hostile::start(Switches { rows: 237, repeat_page: Some(2), ..Default::default() }).await;
    let client = server.client().page_size(50).build().unwrap();
    let mut items = std::pin::pin!(client.bill().list_with_total_count().items());
    let mut rows = 0;
    let err = loop {
        match bounded("bills", items.next()).await {
            Some(Ok(_)) => rows += 1,
            Some(Err(err)) => break err,
            None => panic!("a repeated page was taken for new rows: {rows} rows"),
        }
    };
    assert_eq!(rows, 100, "pages 1 and 2 were delivered before the repeat");
    assert!(matches!(err, Error::Paging { .. }), "{err}");
}

#[tokio::test]
async fn the_maximum_number_of_pages_is_an_error_when_reached() {
    let server = Hostile::start(Switches { rows: 237, page_cap: Some(20), ..Default::default() }).await;
    let client = server.client().page_size(20).max_pages(3).build().unwrap();
    let err = bounded("products", client.product().list().collect_all()).await.unwrap_err();
    assert!(matches!(err, Error::Paging { .. }), "{err}");
    assert_eq!(server.count("GET", "Product"), 3);
}

#[tokio::test]
async fn an_envelope_without_its_list_is_a_decode_error_not_an_empty_page() {
    for from in [1, 2] {
        let server =
            Hostile::start(Switches { rows: 237, drop_list_from_page: Some(from), ..Default::default() }).await;
        let client = server.client().page_size(50).build().unwrap();
        let err = bounded("products", client.product().list().collect_all()).await.unwrap_err();
        assert!(matches!(&err, Error::Decode(e) if e.path == "DataArray"), "page {from}: {err}");
        let err = bounded("bills", client.bill().list_with_total_count().collect_all()).await.unwrap_err();
        assert!(matches!(&err, Error::Decode(e) if e.path == "Data"), "page {from}: {err}");
    }
}

#[tokio::test]
async fn paging_progress_is_visible() {
    let server = Hostile::start(Switches { rows: 237, page_cap: Some(20), ..Default::default() }).await;
    let client = server.client().page_size(100).build().unwrap();
    let mut items = client.bill().list_with_total_count().items();
    for _ in 0..30 {
        bounded("bills", items.next()).await.unwrap().unwrap();
    }
    let progress = items.progress();
    assert_eq!((progress.pages, progress.items, progress.total), (2, 40, Some(237)));
    let mut products = client.product().list().items();
    while let Some(p) = bounded("products", products.next()).await {
        p.unwrap();
    }
    let progress = products.progress();
    assert_eq!((progress.pages, progress.items, progress.total), (12, 237, None));
}

#[tokio::test]
async fn a_token_lifetime_as_float_or_string_is_understood() {
    for expires_in in [json!(4.0), json!("172800"), json!(3600.5), json!(null)] {
        let server = Hostile::start(Switches { expires_in: Some(expires_in.clone()), ..Default::default() }).await;
        let client = server.client().build().unwrap();
        for _ in 0..3 {
            let methods = client.payment_method().list().send().await;
            assert_eq!(methods.map(|m| m.len()).map_err(|e| rendered(&e)), Ok(2), "expires_in {expires_in}");
        }
        assert_eq!(server.count("POST", "Token/OAuth2"), 1, "expires_in {expires_in}");
    }
    for other in [json!({"access_token": "tok-SECRET-1", "expiredat": "2099-01-01T00:00:00.1234567+07:00"})] {
        let server = Hostile::start(Switches { token_answer: Some(other), ..Default::default() }).await;
        let client = server.client().build().unwrap();
        assert_eq!(client.payment_method().list().send().await.map(|m| m.len()).map_err(|e| rendered(&e)), Ok(2));
    }
}

#[tokio::test]
async fn a_token_answer_that_does_not_decode_never_quotes_the_token() {
    for answer in [
        json!({"access_token": "tok-SECRET-1", "expires_in": {"in": "tok-SECRET-1"}, "junk": "tok-SECRET-1"}),
        json!({"access_token": ["tok-SECRET-1"]}),
        json!({"token": "tok-SECRET-1"}),
        json!("tok-SECRET-1"),
    ] {
        let server = Hostile::start(Switches { token_answer: Some(answer.clone()), ..Default::default() }).await;
        let client = server.client().build().unwrap();
        let result = client.payment_method().list().send().await;
        if let Err(err) = &result {
            assert!(matches!(err, Error::Auth { .. }), "{answer}: {err}");
            assert_no_secret(err);
        }
    }
}

#[tokio::test]
async fn a_rejected_token_request_is_an_auth_error_with_its_status_and_no_secret() {
    let server = Hostile::start(Switches { token_status: Some(401), ..Default::default() }).await;
    let client = server.client().build().unwrap();
    let calls = (0..10).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.payment_method().list().send().await })
    });
    for call in futures_util::future::join_all(calls).await {
        let err = call.unwrap().unwrap_err();
        assert!(matches!(err, Error::Auth { status: Some(401), .. }), "{err}");
        assert!(!err.is_retryable());
        assert_no_secret(&err);
    }
    assert_eq!(server.count("POST", "Token/OAuth2"), 1, "a failed fetch is shared with its waiters");
}

#[tokio::test]
async fn the_token_request_does_not_follow_redirects() {
    let server = Hostile::start(Switches { redirect_token: true, ..Default::default() }).await;
    let client = server.client().build().unwrap();
    let err = client.payment_method().list().send().await.unwrap_err();
    assert!(matches!(err, Error::Auth { status: Some(307), .. }), "{err}");
    assert_no_secret(&err);
    assert_eq!(server.count("POST", "Token/Elsewhere"), 0, "the credentials went nowhere else");
}

#[tokio::test]
async fn a_huge_error_body_is_cut_and_echoed_secrets_are_not_shown() {
    let server = Hostile::start(Switches { huge_error_body: true, ..Default::default() }).await;
    let client = server.client().build().unwrap();
    let err = client.payment_method().list().send().await.unwrap_err();
    let Error::Api { error, .. } = &err else { panic!("{err}") };
    assert_eq!(error.status, 400);
    assert!(
        error.message.as_ref().unwrap().len() <= 1024,
        "message of {} bytes",
        error.message.as_ref().unwrap().len()
    );
    assert!(error.body.len() <= 4096);
    assert!(err.to_string().len() <= 2048, "a log line of {} bytes", err.to_string().len());
    assert_no_secret(&err);
}

#[tokio::test]
async fn retry_after_in_every_http_date_form_is_understood_and_a_past_date_means_now() {
    for date in http_dates(chrono::Duration::seconds(-30)) {
        let server =
            Hostile::start(Switches { too_many: Some((1, vec![("retry-after", date.clone())])), ..Default::default() })
                .await;
        let client = server.client().max_rate_limit_wait(Duration::from_secs(5)).build().unwrap();
        let methods = bounded("payment methods", client.payment_method().list().send()).await;
        assert_eq!(methods.map(|m| m.len()).map_err(|e| rendered(&e)), Ok(2), "Retry-After: {date}");
        assert_eq!(server.count("GET", "PaymentMethod"), 2);
    }
    for date in http_dates(chrono::Duration::hours(1)) {
        let server =
            Hostile::start(Switches { too_many: Some((1, vec![("retry-after", date.clone())])), ..Default::default() })
                .await;
        let client = server.client().max_rate_limit_wait(Duration::from_secs(5)).build().unwrap();
        let err = bounded("payment methods", client.payment_method().list().send()).await.unwrap_err();
        let asked = err.retry_after().unwrap_or_default();
        assert!(asked > Duration::from_secs(3000) && asked <= Duration::from_secs(3600), "Retry-After: {date}: {err}");
        assert_eq!(server.count("GET", "PaymentMethod"), 1, "not waited for, not retried");
    }
}

#[tokio::test]
async fn rate_limit_reset_as_an_epoch_is_a_bounded_wait() {
    let epoch = (chrono::Utc::now() + chrono::Duration::seconds(1)).timestamp().to_string();
    let headers = vec![("ratelimit-remaining", "0".to_string()), ("ratelimit-reset", epoch)];
    let server = Hostile::start(Switches { ok_headers: headers.clone(), ..Default::default() }).await;
    let client = server
        .client()
        .rate_limit(Some(RateLimit { requests: 50, window: Duration::from_secs(2) }))
        .max_rate_limit_wait(Duration::from_secs(3))
        .build()
        .unwrap();
    for _ in 0..3 {
        bounded("a call after RateLimit-Remaining: 0", client.payment_method().list().send()).await.unwrap();
    }
    let server = Hostile::start(Switches { too_many: Some((1, headers)), ..Default::default() }).await;
    let client = server.client().max_rate_limit_wait(Duration::from_secs(3)).build().unwrap();
    bounded("a call after a 429", client.payment_method().list().send()).await.unwrap();
    assert_eq!(server.count("GET", "PaymentMethod"), 2);
}

#[tokio::test]
async fn a_deadline_ends_a_call_that_would_wait_longer() {
    // The server asks for 2 s after every call; the client may wait 10 s, but the call only 1 s.
    let headers = vec![("retry-after", "2".to_string())];
    let server = Hostile::start(Switches { too_many: Some((100, headers)), ..Default::default() }).await;
    let client =
        server.client().max_rate_limit_wait(Duration::from_secs(10)).deadline(Duration::from_secs(1)).build().unwrap();
    let err = bounded("a call under a deadline", client.payment_method().list().send()).await.unwrap_err();
    assert!(matches!(err, Error::Deadline { .. }), "{}", rendered(&err));
    assert!(err.is_retryable(), "a deadline is worth trying again later");
    assert_eq!(server.count("GET", "PaymentMethod"), 1, "no request after the deadline");
}

#[tokio::test]
async fn a_body_that_stalls_mid_way_is_retried_for_a_safe_request() {
    let server = Hostile::start(Switches { stall_body: 1, ..Default::default() }).await;
    let client = server.client().timeout(Duration::from_millis(500)).build().unwrap();
    let methods = bounded("payment methods", client.payment_method().list().send()).await;
    assert_eq!(methods.map(|m| m.len()).map_err(|e| rendered(&e)), Ok(2));
    assert_eq!(server.count("GET", "PaymentMethod"), 2);
}

#[tokio::test]
async fn actions_answered_503_are_never_sent_twice() {
    let server = Hostile::start(Switches { put_503: true, ..Default::default() }).await;
    let client = server.client().build().unwrap();
    let order: dealpos::models::SalesOrderRef =
        serde_json::from_value(json!({"Outlet": "Outlet1", "Number": "SO-1"})).unwrap();
    let err = client.sales_order().convert_to_invoice(order).send().await.unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { method: "PUT", .. }), "{err}");
    let shift: dealpos::models::ShiftCloseRequest = serde_json::from_value(json!({"Register": "R1"})).unwrap();
    let err = client.shift().close(shift).send().await.unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { .. }), "{err}");
    let payments: dealpos::models::InvoicePaymentDeleteRequest =
        serde_json::from_value(json!({"Outlet": "Outlet1", "Number": "INV-1"})).unwrap();
    let err = client.invoice_payment().delete(payments).send().await.unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { method: "DELETE", .. }), "{err}");
    assert_eq!(
        (
            server.count("PUT", "SalesOrder/ConvertInvoice"),
            server.count("PUT", "Shift"),
            server.count("DELETE", "Payment/Invoice")
        ),
        (1, 1, 1)
    );
    // An update by key is repeatable: it is retried like a read.
    let rename: dealpos::models::CategoryUpdateRequest =
        serde_json::from_value(json!({"Name": "Shoes", "Rename": "Footwear", "Discontinued": false})).unwrap();
    let err = client.category().update(rename).send().await.unwrap_err();
    assert_eq!(err.status(), Some(503), "{err}");
    assert!(err.is_retryable());
    assert_eq!(server.count("PUT", "Category"), 3, "every attempt of the policy");
}

// Several workers, so that calls race for the budget as they do in a real job.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cold_start_over_budget_sends_no_burst() {
    let server = Hostile::start(Switches::default()).await;
    let budget = RateLimit { requests: 3, window: Duration::from_secs(1) };
    let client = server.client().rate_limit(Some(budget)).build().unwrap();
    let calls = (0..9).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.payment_method().list().send().await })
    });
    for call in bounded("nine calls", futures_util::future::join_all(calls)).await {
        assert_eq!(call.unwrap().unwrap().len(), 2);
    }
    let seen = server.seen();
    assert_eq!(seen.len(), 10, "one token and nine calls");
    // The server's clock sees the client's window a little late; a margin keeps that from counting.
    let most = most_in_any(&seen, budget.window - Duration::from_millis(100));
    assert!(most <= 3, "{most} requests in one window of a budget of 3");
}

#[test]
fn generated_types_holding_credentials_redact_them_in_debug() {
    let request: dealpos::models::TokenRequest =
        serde_json::from_value(json!({"client_id": "app", "client_secret": hostile::CLIENT_SECRET})).unwrap();
    let answer: dealpos::models::TokenResponse =
        serde_json::from_value(json!({"access_token": "tok-SECRET-0", "token_type": "Bearer", "expires_in": 60}))
            .unwrap();
    let shown = format!("{request:?} {answer:?} {request:#?}");
    assert!(!shown.contains("SECRET"), "{shown}");
    assert!(
        shown.contains("client_id: \"app\"") && shown.contains("expires_in: Some(60)"),
        "the rest is shown: {shown}"
    );
}
