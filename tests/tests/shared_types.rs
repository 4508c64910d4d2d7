//! The webhook payloads' nested objects that the REST description types are
//! the REST types themselves (`dealpos::models::…`), not copies in
//! `dealpos::webhooks`: code written for an invoice read through the client
//! takes the invoice webhook's customer, lines and payments as they are.

use dealpos::Decimal;
use dealpos::models::{Gender, InvoiceDetailCustomer, InvoiceDetailPayment, InvoiceDetailVariant, VariantComponent};
use dealpos::webhooks::{WebhookEvent, WebhookKind};

/// What a user writes once for REST invoice lines (`InvoiceDetail::variants`).
fn line_total(line: &InvoiceDetailVariant) -> Decimal {
    let zero = Decimal::from(0).value();
    let quantity = line.quantity.as_ref().map_or(zero, Decimal::value);
    let price = line.price.as_ref().map_or(zero, Decimal::value);
    (quantity * price).into()
}

/// And for its customer.
fn customer_label(customer: &InvoiceDetailCustomer) -> String {
    format!("{} ({})", customer.name.as_deref().unwrap_or("?"), customer.id.as_deref().unwrap_or("no id"))
}

/// And for its payments.
fn paid(payments: &[InvoiceDetailPayment]) -> Decimal {
    let amounts = payments.iter().filter_map(|p| p.amount.as_ref());
    amounts.fold(Decimal::from(0).value(), |total, amount| total + amount.value()).into()
}

#[test]
fn the_invoice_webhooks_customer_lines_and_payments_are_the_rest_types() {
    let text = WebhookKind::InvoiceCreated.example().expect("the invoice event has an example");
    let event = WebhookEvent::parse(WebhookKind::InvoiceCreated, text.as_bytes()).expect("the example decodes");
    let WebhookEvent::InvoiceCreated(invoice) = &event else { panic!("{event:?}") };

    let customer: &InvoiceDetailCustomer = invoice.customer.as_ref().expect("a customer");
    assert_eq!(customer_label(customer), "Walk-in (27740000-8888-4171-8c83-000000000902)");
    // The fields the REST type gained for the webhook (its overlay: ID and Address).
    assert_eq!(customer.address.as_deref(), Some(""));

    let lines: &[InvoiceDetailVariant] = invoice.variants.as_deref().expect("lines");
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].code.as_deref(), Some("LATTE-R"));
    assert_eq!(line_total(&lines[0]), Decimal::from(45000));

    let payments: &[InvoiceDetailPayment] = invoice.payments.as_deref().expect("payments");
    assert_eq!(payments[0].method.as_deref(), Some("Cash"));
    assert_eq!(paid(payments), Decimal::from(45000));

    // Nothing is lost on the way back through the shared types.
    let sent: serde_json::Value = serde_json::from_str(text).expect("JSON");
    assert_eq!(event.to_json(), sent);
}

/// A REST invoice's line (as `Invoice/Detail` answers it) and a webhook's are
/// values of one type: they compare, and one function reads both.
#[test]
fn a_rest_line_and_a_webhook_line_are_one_type() {
    let rest: InvoiceDetailVariant =
        serde_json::from_str(r#"{"Code": "LATTE-R", "Name": "Latte (Regular)", "Quantity": 1, "Price": 45000}"#)
            .expect("a REST line");
    let body =
        br#"{"ID": "x", "Variants": [{"Code": "LATTE-R", "Name": "Latte (Regular)", "Quantity": 1, "Price": 45000}]}"#;
    let WebhookEvent::InvoiceCreated(invoice) =
        WebhookEvent::parse(WebhookKind::InvoiceCreated, body).expect("decodes")
    else {
        panic!("not an invoice")
    };
    let hook = &invoice.variants.as_ref().expect("lines")[0];
    assert_eq!(hook, &rest);
    assert_eq!(line_total(hook), line_total(&rest));
}

/// The variant events' components are REST `VariantComponent`s, and the
/// customer events' gender is the one `Gender`.
#[test]
fn variant_components_and_gender_are_the_rest_types() {
    let body = br#"{"ID": "v", "Components": [{"Name": "Lid", "Code": "TPW-LID", "Qty": 1.5}, {}]}"#;
    let WebhookEvent::ProductVariantCreated(variant) =
        WebhookEvent::parse(WebhookKind::ProductVariantCreated, body).expect("decodes")
    else {
        panic!("not a variant")
    };
    let components: &[VariantComponent] = variant.components.as_deref().expect("components");
    assert_eq!(components[0].qty.as_ref().map(Decimal::to_f64), Some(1.5));
    assert_eq!(components[1], VariantComponent::default());

    let body = br#"{"Name": "Mr John Doe", "Gender": 0}"#;
    let WebhookEvent::CustomerCreated(customer) =
        WebhookEvent::parse(WebhookKind::CustomerCreated, body).expect("decodes")
    else {
        panic!("not a customer")
    };
    let gender: &Gender = customer.gender.as_ref().expect("a gender");
    assert_eq!(gender, &Gender::from(0_i64));
}
