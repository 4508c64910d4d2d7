//! Parse throughput: a realistic mix of webhook deliveries and list pages
//! decoded into `dealpos`'s types, against two baselines measured in the same
//! run on the same bytes (group `parse`, ids `dealpos`, `plain`, `value`).
//!
//! - `parse/dealpos`: what the SDK does, [`WebhookEvent::parse`] for a
//!   delivery and [`dealpos::decode::from_slice`] (what `Client::execute`
//!   calls) for a list page, into the generated types.
//! - `parse/plain`: the same bytes into the `#[derive(Deserialize)]` structs a
//!   user would write by hand (module [`plain`]): the same fields with plain
//!   types, timestamps as `String`, amounts as `f64`. The bar for typed
//!   decoding: the SDK's extra meaning (timestamps parsed, numbers kept as
//!   sent, absent apart from `null`, error paths) should cost little over it.
//! - `parse/value`: the same bytes into `serde_json::Value`, the untyped
//!   fallback (with this workspace's `preserve_order`, as a user of it gets).
//!
//! Throughput is the mix's total size, so criterion reports MB/s.
//! Run: `cargo bench -p dealpos-tests --bench parse`.

mod support;

use std::fmt::Display;
use std::hint::black_box;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use dealpos::models::{InvoiceSummary, InvoiceWithVariant, ProductDataArrayPage};
use dealpos::webhooks::{WebhookEvent, WebhookKind};
use serde_json::Value;
use support::Rng;

/// Items per list page: the SDK's default page size.
const PAGE: usize = 100;
/// Deliveries of each webhook kind in the mix.
const DELIVERIES: usize = 8;
/// Builds one payload.
type Build = fn(&mut Rng) -> Value;
/// Decodes one payload into some type, or says why it did not.
type Decode = fn(&Payload) -> Result<(), String>;

/// The webhook kinds in the mix, with a builder of a delivery each.
const KINDS: &[(WebhookKind, Build)] = &[
    (WebhookKind::ShiftClose, support::shift_close),
    (WebhookKind::SalesOrderCreated, support::sales_order_created),
    (WebhookKind::ProductUpdated, support::product_updated),
    (WebhookKind::CustomerCreated, support::customer_created),
    (WebhookKind::PaymentCreated, support::payment_created),
];

/// What a body is, so each decoder knows its target type.
#[derive(Debug, Clone, Copy)]
enum Shape {
    Webhook(WebhookKind),
    /// `listInvoicesMultipleOutletWithVariant`: `Vec<InvoiceWithVariant>`.
    Invoices,
    /// `listInvoicesMultipleOutlet`: `Vec<InvoiceSummary>`.
    InvoiceSummaries,
    /// `listProducts`: `ProductDataArrayPage`.
    Products,
}

struct Payload {
    shape: Shape,
    body: Vec<u8>,
}

/// The mix: `DELIVERIES` deliveries of each kind in `KINDS`, interleaved,
/// and one page of `PAGE` items of each list, compact JSON as DealPOS sends it.
fn mix() -> Vec<Payload> {
    let mut rng = Rng::new(0xDEA1_9055);
    let mut mix = Vec::new();
    let mut add = |shape, value: Value| {
        mix.push(Payload { shape, body: serde_json::to_vec(&value).expect("a Value encodes") });
    };
    for _ in 0..DELIVERIES {
        for (kind, build) in KINDS {
            add(Shape::Webhook(*kind), build(&mut rng));
        }
    }
    add(Shape::Invoices, Value::Array((0..PAGE).map(|_| support::invoice_with_variant(&mut rng)).collect()));
    add(Shape::InvoiceSummaries, Value::Array((0..PAGE).map(|_| support::invoice_summary(&mut rng)).collect()));
    add(Shape::Products, support::product_page(&mut rng, PAGE));
    mix
}

/// Keeps a decoded value from being optimised away, then drops it (freeing
/// is part of the cost of every decoder alike).
fn keep<T, E: Display>(decoded: Result<T, E>) -> Result<(), String> {
    decoded
        .map(|value| {
            black_box(value);
        })
        .map_err(|e| e.to_string())
}

fn decode_dealpos(payload: &Payload) -> Result<(), String> {
    let body = &payload.body[..];
    match payload.shape {
        Shape::Webhook(kind) => keep(WebhookEvent::parse(kind, body)),
        Shape::Invoices => {
            keep(dealpos::decode::from_slice::<Vec<InvoiceWithVariant>>("listInvoicesMultipleOutletWithVariant", body))
        }
        Shape::InvoiceSummaries => {
            keep(dealpos::decode::from_slice::<Vec<InvoiceSummary>>("listInvoicesMultipleOutlet", body))
        }
        Shape::Products => keep(dealpos::decode::from_slice::<ProductDataArrayPage>("listProducts", body)),
    }
}

fn decode_plain(payload: &Payload) -> Result<(), String> {
    let body = &payload.body[..];
    match payload.shape {
        Shape::Webhook(WebhookKind::ShiftClose) => keep(serde_json::from_slice::<plain::ShiftClose>(body)),
        Shape::Webhook(WebhookKind::SalesOrderCreated) => {
            keep(serde_json::from_slice::<plain::SalesOrderCreated>(body))
        }
        Shape::Webhook(WebhookKind::ProductUpdated) => keep(serde_json::from_slice::<plain::ProductUpdated>(body)),
        Shape::Webhook(WebhookKind::CustomerCreated) => keep(serde_json::from_slice::<plain::CustomerCreated>(body)),
        Shape::Webhook(WebhookKind::PaymentCreated) => keep(serde_json::from_slice::<plain::PaymentCreated>(body)),
        Shape::Webhook(other) => Err(format!("no plain struct for {other}")),
        Shape::Invoices => keep(serde_json::from_slice::<Vec<plain::InvoiceWithVariant>>(body)),
        Shape::InvoiceSummaries => keep(serde_json::from_slice::<Vec<plain::InvoiceSummary>>(body)),
        Shape::Products => keep(serde_json::from_slice::<plain::ProductPage>(body)),
    }
}

fn decode_value(payload: &Payload) -> Result<(), String> {
    keep(serde_json::from_slice::<Value>(&payload.body))
}

/// The payload as `dealpos` and as the plain structs decode it, back to JSON.
fn typed_round_trips(payload: &Payload) -> (Value, Value) {
    let body = &payload.body[..];
    fn json<T: serde::Serialize>(value: T) -> Value {
        serde_json::to_value(value).expect("a decoded value encodes")
    }
    fn de<'a, T: serde::Deserialize<'a>>(body: &'a [u8]) -> T {
        serde_json::from_slice(body).expect("checked to decode")
    }
    match payload.shape {
        Shape::Webhook(kind) => {
            let plain = match kind {
                WebhookKind::ShiftClose => json(de::<plain::ShiftClose>(body)),
                WebhookKind::SalesOrderCreated => json(de::<plain::SalesOrderCreated>(body)),
                WebhookKind::ProductUpdated => json(de::<plain::ProductUpdated>(body)),
                WebhookKind::CustomerCreated => json(de::<plain::CustomerCreated>(body)),
                _ => json(de::<plain::PaymentCreated>(body)),
            };
            (WebhookEvent::parse(kind, body).expect("checked to decode").to_json(), plain)
        }
        Shape::Invoices => {
            (json(de::<Vec<InvoiceWithVariant>>(body)), json(de::<Vec<plain::InvoiceWithVariant>>(body)))
        }
        Shape::InvoiceSummaries => {
            (json(de::<Vec<InvoiceSummary>>(body)), json(de::<Vec<plain::InvoiceSummary>>(body)))
        }
        Shape::Products => (json(de::<ProductDataArrayPage>(body)), json(de::<plain::ProductPage>(body))),
    }
}

/// JSON compared for content: `null` members dropped (an `Option` encodes
/// `None` as `null` or not at all), every number as an `f64` (`1500` and
/// `1500.0` are one amount).
fn normalize(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, normalize(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(normalize).collect()),
        Value::Number(n) => n.as_f64().and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number),
        other => other,
    }
}

/// Before timing: every payload decodes all three ways, and both typed
/// decoders keep every member (no unknown field skipped by one of them),
/// so the three measure the same work and none measures errors.
fn check(mix: &[Payload]) {
    for (index, payload) in mix.iter().enumerate() {
        let what = format!("payload {index} ({:?})", payload.shape);
        decode_dealpos(payload).unwrap_or_else(|e| panic!("{what}: dealpos: {e}"));
        decode_plain(payload).unwrap_or_else(|e| panic!("{what}: plain: {e}"));
        decode_value(payload).unwrap_or_else(|e| panic!("{what}: value: {e}"));
        let sent = normalize(serde_json::from_slice(&payload.body).expect("checked to decode"));
        let (dealpos, plain) = typed_round_trips(payload);
        assert_eq!(normalize(dealpos), sent, "{what}: dealpos's types lose or change members");
        assert_eq!(normalize(plain), sent, "{what}: the plain structs lose or change members");
    }
}

fn parse(c: &mut Criterion) {
    let mix = mix();
    check(&mix);
    let bytes: usize = mix.iter().map(|p| p.body.len()).sum();
    let webhook_bytes: usize = mix.iter().filter(|p| matches!(p.shape, Shape::Webhook(_))).map(|p| p.body.len()).sum();
    eprintln!(
        "parse mix: {} payloads, {bytes} bytes ({} webhook deliveries, {webhook_bytes} bytes; 3 pages of {PAGE})",
        mix.len(),
        DELIVERIES * KINDS.len()
    );

    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(bytes as u64));
    // An iteration decodes the whole mix (milliseconds): equal-sized samples.
    group.sampling_mode(SamplingMode::Flat);
    let decoders: [(&str, Decode); 3] = [("dealpos", decode_dealpos), ("plain", decode_plain), ("value", decode_value)];
    for (id, decode) in decoders {
        group.bench_function(id, |b| {
            b.iter(|| {
                for payload in &mix {
                    // Checked above to succeed; a failure here would be cheaper, not hidden.
                    let _ = black_box(decode(black_box(payload)));
                }
            })
        });
    }
    group.finish();
}

/// The structs a user would write by hand for the same payloads: the same
/// members as the generated types, with plain types (`String` for
/// timestamps, `f64` for amounts, `Option` where the generated field is
/// optional or nullable). `Serialize` is only for the check before timing.
#[allow(dead_code)]
mod plain {
    use serde::{Deserialize, Serialize};
    use serde_json::Value;

    #[derive(Deserialize, Serialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct ShiftClose {
        #[serde(rename = "ID")]
        pub id: Option<String>,
        pub outlet: Option<String>,
        pub register: Option<String>,
        pub open: Option<String>,
        pub close: Option<String>,
        pub cashier: Option<String>,
        pub sales_n_tax: Option<f64>,
        pub total_invoice: Option<i64>,
        pub visitor: Option<i64>,
        pub number: Option<String>,
        pub session: Option<ShiftSession>,
    }

    #[derive(Deserialize, Serialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct ShiftSession {
        #[serde(rename = "ID")]
        pub id: Option<String>,
        #[serde(rename = "RegisterID")]
        pub register_id: Option<String>,
        #[serde(rename = "UserID")]
        pub user_id: Option<String>,
        pub user_name: Option<String>,
        #[serde(rename = "EntityID")]
        pub entity_id: Option<String>,
        pub start: Option<String>,
        pub end: Option<String>,
        pub note: Option<String>,
        pub number: Option<String>,
        pub sales: Option<f64>,
        pub tax: Option<f64>,
        pub taxable: Option<f64>,
        pub tax_exempt: Option<f64>,
        #[serde(rename = "Invoice_Count")]
        pub invoice_count: Option<i64>,
        pub last_number: Option<String>,
        #[serde(rename = "InvoiceDateTypeID")]
        pub invoice_date_type_id: Option<i64>,
        pub type_label: Option<String>,
        pub sales_n_surcharge: Option<f64>,
        pub visitors: Option<i64>,
        pub surcharge: Option<f64>,
        #[serde(rename = "ARAmount")]
        pub ar_amount: Option<f64>,
        #[serde(rename = "ARTransaction")]
        pub ar_transaction: Option<f64>,
        pub register_name: Option<String>,
        #[serde(rename = "CreatorID")]
        pub creator_id: Option<String>,
        pub created: Option<String>,
        #[serde(rename = "ModifierID")]
        pub modifier_id: Option<String>,
        pub modified: Option<String>,
        pub creator_name: Option<String>,
        pub modifier_name: Option<String>,
        pub bin: Option<bool>,
    }

    #[derive(Deserialize, Serialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct SalesOrderCreated {
        #[serde(rename = "ID")]
        pub id: Option<String>,
        pub outlet: Option<String>,
        pub number: Option<String>,
        pub date: Option<String>,
        pub due_date: Option<String>,
        pub tag: Option<String>,
        pub customer: Option<SalesOrderCustomer>,
        #[serde(rename = "CreatorID")]
        pub creator_id: Option<String>,
        pub created: Option<String>,
        pub discount1: Option<f64>,
        pub discount2: Option<f64>,
        pub discount_amount: Option<f64>,
        pub gross: Option<f64>,
        pub discount_total: Option<f64>,
        pub tax_type: Option<String>,
        pub tax_calculation: Option<String>,
        pub tax: Option<f64>,
        pub tax_rate: Option<f64>,
        pub sales: Option<f64>,
        pub surcharge: Option<f64>,
        pub sales_n_tax: Option<f64>,
        pub coupon: Option<String>,
        pub note: Option<String>,
        pub point_used: Option<i64>,
        pub points_earned: Option<i64>,
        pub delivery: Option<String>,
        pub void: Option<String>,
        pub variants: Option<Vec<SalesOrderVariant>>,
        pub outbound_logistics: Option<Vec<SalesOrderOutboundLogistic>>,
        pub payments: Option<Vec<Payment>>,
    }

    #[derive(Deserialize, Serialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct SalesOrderCustomer {
        pub name: Option<String>,
        pub email: Option<String>,
        pub phone: Option<String>,
        pub mobile: Option<String>,
        pub code: Option<String>,
    }

    #[derive(Deserialize, Serialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct SalesOrderVariant {
        #[serde(rename = "VariantID")]
        pub variant_id: Option<String>,
        pub name: Option<String>,
        pub code: Option<String>,
        pub quantity: Option<f64>,
        pub unit_quantity: Option<f64>,
        pub cost: Option<f64>,
        pub price: Option<f64>,
        pub price_original: Option<f64>,
        pub discount: Option<f64>,
        pub discount_amount: Option<f64>,
        pub taxable: Option<bool>,
        pub loyalty_point: Option<bool>,
        pub expense: Option<f64>,
        pub nett_price: Option<f64>,
        pub commission: Option<f64>,
        pub sales_name: Option<String>,
        #[serde(rename = "PriceTypeID")]
        pub price_type_id: Option<i64>,
        pub note: Option<String>,
    }

    #[derive(Deserialize, Serialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct SalesOrderOutboundLogistic {
        pub outlet: Option<String>,
        pub number: Option<String>,
        pub date: Option<String>,
    }

    /// A payment line (sales order deliveries, the invoice list).
    #[derive(Deserialize, Serialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct Payment {
        pub date: Option<String>,
        pub amount: Option<f64>,
        pub method: Option<String>,
        pub code: Option<String>,
        pub note: Option<String>,
    }

    #[derive(Deserialize, Serialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct ProductUpdated {
        #[serde(rename = "ID")]
        pub id: Option<String>,
        pub category: Option<String>,
        pub name: Option<String>,
        pub supplier_name: Option<String>,
        pub brand_name: Option<String>,
        pub code: Option<String>,
        pub discontinued: Option<bool>,
        pub description: Option<String>,
        pub storage: Option<String>,
        pub tags: Option<Vec<String>>,
        #[serde(rename = "ImageURL")]
        pub image_url: Option<String>,
        pub variants: Option<Vec<ProductVariantItem>>,
    }

    #[derive(Deserialize, Serialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct ProductVariantItem {
        #[serde(rename = "ID")]
        pub id: Option<String>,
        pub model: Option<String>,
        pub code: Option<String>,
        pub unit_cost: Option<f64>,
        pub unit_price: Option<f64>,
        pub discount: Option<f64>,
        pub discontinued: Option<bool>,
        pub description: Option<String>,
    }

    #[derive(Deserialize, Serialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct CustomerCreated {
        pub first_name: Option<String>,
        pub last_name: Option<String>,
        pub title: Option<String>,
        pub birthdate: Option<String>,
        pub phone: Option<String>,
        pub email: Option<String>,
        pub gender: Option<f64>,
        pub outlet: Option<String>,
        pub name: Option<String>,
        pub code: Option<String>,
        pub address: Option<String>,
        pub city: Option<String>,
        pub mobile: Option<String>,
        pub member_identification: Option<String>,
    }

    #[derive(Deserialize, Serialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct PaymentCreated {
        #[serde(rename = "ID")]
        pub id: Option<String>,
        #[serde(rename = "InvoiceID")]
        pub invoice_id: Option<String>,
        pub outlet: Option<String>,
        pub number: Option<String>,
        pub amount: Option<f64>,
        pub method: Option<String>,
        pub date: Option<String>,
        pub created: Option<String>,
        pub creator: Option<String>,
        #[serde(rename = "CreatorID")]
        pub creator_id: Option<String>,
    }

    #[derive(Deserialize, Serialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct InvoiceWithVariant {
        #[serde(rename = "ID")]
        pub id: Option<String>,
        pub outlet: Option<String>,
        pub number: Option<String>,
        pub customer: Option<String>,
        pub date: Option<String>,
        pub due: Option<String>,
        pub amount: Option<f64>,
        pub payment: Option<String>,
        pub fulfillment: Option<String>,
        pub created: Option<String>,
        pub tag: Option<String>,
        pub variants: Option<Vec<InvoiceLine>>,
        pub reference_number: Option<String>,
        #[serde(rename = "CustomerID")]
        pub customer_id: Option<String>,
        pub delivery: Option<String>,
        pub sales_order_type: Option<String>,
        pub payments: Option<Vec<Payment>>,
    }

    #[derive(Deserialize, Serialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct InvoiceLine {
        #[serde(rename = "VariantID")]
        pub variant_id: Option<String>,
        pub name: Option<String>,
        pub code: Option<String>,
        pub quantity: Option<f64>,
        pub unit_quantity: Option<f64>,
        pub cost: Option<f64>,
        pub price: Option<f64>,
        pub price_original: Option<f64>,
        pub discount: Option<f64>,
        pub discount_amount: Option<f64>,
        pub taxable: Option<bool>,
        pub loyalty_point: Option<bool>,
        pub expense: Option<f64>,
        pub sales: Option<f64>,
        pub tax: Option<f64>,
        pub commission: Option<f64>,
        pub sales_name: Option<String>,
        pub note: Option<String>,
    }

    #[derive(Deserialize, Serialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct InvoiceSummary {
        #[serde(rename = "ID")]
        pub id: Option<String>,
        pub outlet: Option<String>,
        pub number: Option<String>,
        pub reference_number: Option<String>,
        #[serde(rename = "CustomerID")]
        pub customer_id: Option<String>,
        pub customer: Option<String>,
        pub date: Option<String>,
        pub due: Option<String>,
        pub amount: Option<f64>,
        pub payment: Option<String>,
        pub delivery: Option<String>,
        pub fulfillment: Option<String>,
        pub tag: Option<String>,
        pub sales_order_type: Option<String>,
        pub created: Option<String>,
        pub void: Option<Value>,
    }

    #[derive(Deserialize, Serialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct ProductPage {
        pub data_array: Option<Vec<Product>>,
        pub records_count: Option<i64>,
    }

    #[derive(Deserialize, Serialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct Product {
        #[serde(rename = "ID")]
        pub id: Option<String>,
        pub name: Option<String>,
        pub code: Option<String>,
        pub category: Option<String>,
        pub released: Option<String>,
        pub thumbnail_url: Option<String>,
        pub image_url: Option<String>,
        pub discontinued: Option<bool>,
        pub variants: Option<Vec<ProductVariant>>,
        pub created: Option<String>,
        #[serde(rename = "CostCurrencyID")]
        pub cost_currency_id: Option<i64>,
    }

    #[derive(Deserialize, Serialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct ProductVariant {
        #[serde(rename = "ID")]
        pub id: Option<String>,
        pub model: Option<String>,
        pub code: Option<String>,
        pub unit_price: Option<f64>,
        pub unit_cost: Option<f64>,
        pub inventory: Option<f64>,
        pub discontinued: Option<bool>,
        #[serde(rename = "ProductID")]
        pub product_id: Option<String>,
        pub weight: Option<f64>,
        pub discount: Option<f64>,
        #[serde(rename = "TypeID")]
        pub type_id: Option<i64>,
        pub product_index: Option<i64>,
    }
}

criterion_group!(benches, parse);
criterion_main!(benches);
