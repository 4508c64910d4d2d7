//! The generated crate `dealpos` against payloads as DealPOS really sends
//! them: looser than its documentation, sometimes broken.

use dealpos::models::{InvoiceVoidByInvoiceId, InvoiceVoidRequest};
use dealpos::webhooks::{WebhookEvent, WebhookKind};
use serde_json::{Value, json};

fn shift_close() -> Value {
    json!({
        "ID": "1de32523-ad82-461e-8980-f62bf337ee42", "Outlet": "Outlet1", "Register": "Outlet1",
        "Open": "2025-04-08T14:37:01", "Close": "2025-04-16T10:11:59.6080951+07:00",
        "Cashier": null, "SalesNTax": 208000.75, "TotalInvoice": 2, "Visitor": 0, "Number": "",
        "Session": {
            "ID": "1de32523-ad82-461e-8980-f62bf337ee42", "Start": "2025-04-08T14:37:01.2",
            "End": "2025-04-16", "Sales": "208000.75", "Created": "0001-01-01T00:00:00", "Bin": false
        }
    })
}

#[test]
fn loose_shift_close_decodes_and_encodes_back_unchanged() {
    let sent = shift_close();
    let body = serde_json::to_vec(&sent).unwrap();
    let event = WebhookEvent::parse(WebhookKind::ShiftClose, &body).unwrap();
    let WebhookEvent::ShiftClose(shift) = &event else { panic!("{event:?}") };
    assert_eq!(shift.cashier, None);
    assert_eq!(shift.sales_n_tax.as_ref().unwrap().to_f64(), 208000.75);
    assert_eq!(shift.close.as_ref().unwrap().offset().unwrap().local_minus_utc(), 7 * 3600);
    let session = shift.session.as_ref().unwrap();
    assert!(session.created.as_ref().unwrap().is_unset());
    assert_eq!(session.end.as_ref().unwrap().date().unwrap().to_string(), "2025-04-16");
    // An amount sent as a string goes back as that string, exactly.
    assert_eq!(session.sales.as_ref().unwrap().to_string(), "208000.75");
    assert_eq!(event.to_json(), sent);
}

#[test]
fn decimals_in_fields_documented_as_integer_decode() {
    let body = br#"{"ID": "x", "Gross": 100000.5, "Variants": [{"Quantity": 1.25, "Price": 80000.4}], "Payments": [{"Amount": 0.5}]}"#;
    let event = WebhookEvent::parse(WebhookKind::SalesOrderCreated, body).unwrap();
    let WebhookEvent::SalesOrderCreated(order) = event else { panic!() };
    assert_eq!(order.gross.unwrap().to_f64(), 100000.5);
    let line = &order.variants.as_ref().unwrap()[0];
    assert_eq!(line.quantity.as_ref().unwrap().to_f64(), 1.25);
}

#[test]
fn unknown_fields_are_accepted() {
    let mut body = shift_close();
    body["AddedByDealPOSNextYear"] = json!({"nested": [1, 2]});
    let event = WebhookEvent::parse(WebhookKind::ShiftClose, &serde_json::to_vec(&body).unwrap());
    assert!(event.is_ok(), "{event:?}");
}

#[test]
fn a_payload_that_does_not_fit_names_the_field_path() {
    let body = br#"{"ID": "x", "Variants": [{"Price": 1}, {"Price": "twelve"}]}"#;
    let err = WebhookEvent::parse(WebhookKind::SalesOrderCreated, body).unwrap_err();
    assert_eq!(err.path, "Variants[1].Price");
    assert_eq!(err.what, "salesOrderCreated");
    assert!(err.to_string().contains("`twelve` is not a number"), "{err}");
    assert!(err.snippet.starts_with(r#"{"ID": "x""#), "{err}");
}

#[test]
fn garbage_is_a_decode_error_not_a_panic() {
    for body in [&b"not json"[..], b"", b"[1, 2]", b"42", b"{} trailing", b"{\"ID\": "] {
        for kind in WebhookKind::ALL {
            assert!(WebhookEvent::parse(*kind, body).is_err(), "{kind} accepted {:?}", String::from_utf8_lossy(body));
        }
    }
    for (body, path) in
        [(&br#"{"Open": "next tuesday"}"#[..], "Open"), (br#"{"ID": 1}"#, "ID"), (br#"{"Session": "x"}"#, "Session")]
    {
        let err = WebhookEvent::parse(WebhookKind::ShiftClose, body).unwrap_err();
        assert_eq!(err.path, path, "{err}");
    }
}

#[test]
fn kinds_have_names_paths_and_parse_in_any_case_style() {
    assert_eq!(WebhookKind::ALL.len(), 19, "12 events from the seeds, 7 from the reference");
    for kind in WebhookKind::ALL {
        assert_eq!(WebhookKind::from_name(kind.name()), Some(*kind));
        assert_eq!(kind.name().parse::<WebhookKind>().unwrap(), *kind);
        assert_eq!(WebhookKind::from_name(kind.default_path()), Some(*kind), "{}", kind.default_path());
        assert!(!kind.tag().is_empty() && !kind.summary().is_empty(), "{kind}");
    }
    assert_eq!(WebhookKind::ShiftClose.default_path(), "/shift-close");
    assert_eq!(WebhookKind::from_name("SALES_ORDER_CONVERTED"), Some(WebhookKind::SalesOrderConverted));
    assert!("invoiceRefunded".parse::<WebhookKind>().unwrap_err().to_string().contains("invoiceRefunded"));
}

#[test]
fn an_unknown_kind_keeps_the_body() {
    let event = WebhookEvent::parse_named("invoiceRefunded", br#"{"ID": "x", "Amount": 1.5}"#).unwrap();
    assert_eq!(
        event,
        WebhookEvent::Unknown { kind: "invoiceRefunded".into(), body: json!({"ID": "x", "Amount": 1.5}) }
    );
    assert_eq!(event.kind(), None);
    let known = WebhookEvent::parse_named("shift-close", &serde_json::to_vec(&shift_close()).unwrap()).unwrap();
    assert_eq!(known.kind(), Some(WebhookKind::ShiftClose));
}

#[test]
fn invoice_void_alternatives_are_told_apart() {
    let by_id = InvoiceVoidRequest::ByInvoiceId(InvoiceVoidByInvoiceId {
        invoice_id: "6c0b5a43-0000-0000-0000-000000000001".into(),
        note: None,
        fulfillment: None,
    });
    assert_eq!(serde_json::to_value(&by_id).unwrap(), json!({"InvoiceID": "6c0b5a43-0000-0000-0000-000000000001"}));
    let decoded: InvoiceVoidRequest =
        serde_json::from_value(json!({"OutletID": "o", "Number": "1", "Fulfillment": "Sent"})).unwrap();
    let InvoiceVoidRequest::ByOutletId(by_outlet) = decoded else { panic!("{decoded:?}") };
    assert_eq!(by_outlet.fulfillment.unwrap().as_str(), "Sent");
    let unknown: InvoiceVoidRequest =
        serde_json::from_value(json!({"Outlet": "o", "Number": "1", "Fulfillment": "Partial"})).unwrap();
    let InvoiceVoidRequest::ByOutletName(by_name) = unknown else { panic!() };
    assert_eq!(by_name.fulfillment.unwrap().as_str(), "Partial");
}

/// seed 003 sends `Storage` as a string; the newer reference render as an
/// array of objects and with `Brand`, `ThumbnailURL`, `ExtraImageURL`
/// (spec/README.md, "Conflicts"). Both decode and encode back unchanged.
#[test]
fn product_created_storage_decodes_as_string_and_as_array() {
    use dealpos::webhooks::ProductCreatedPayloadStorage;
    let seed = json!({"ID": "0ce13b18-bd2d-466a-8cc1-fde2191655e9", "Category": "Top", "Name": "Flanel",
        "Code": "8008", "Storage": "Rack1", "Tags": ["Cloth"], "Variants": [{}]});
    let event = WebhookEvent::parse(WebhookKind::ProductCreated, &serde_json::to_vec(&seed).unwrap()).unwrap();
    let WebhookEvent::ProductCreated(product) = &event else { panic!("{event:?}") };
    assert_eq!(product.storage, Some(ProductCreatedPayloadStorage::String("Rack1".into())));
    assert_eq!(event.to_json(), seed);

    let reference = json!({"ID": "020f279d-e6ba-408c-b944-57bed320dc22", "Category": "Accessories",
        "Name": "Gorgeous Dress", "Brand": "123", "BrandName": "123", "Code": "DRXS129", "Discontinued": false,
        "Storage": [{"Name": "Rack1"}, {}], "Tags": ["123"],
        "ImageURL": "https://cdn.dealpos.app/com/starterretail/Product/a.jpeg",
        "ThumbnailURL": "https://cdn.dealpos.app/cdn-cgi/image/width=80,quality=100/a.jpeg",
        "ExtraImageURL": ["https://cdn.dealpos.app/b.jpeg"], "Variants": []});
    let event = WebhookEvent::parse(WebhookKind::ProductCreated, &serde_json::to_vec(&reference).unwrap()).unwrap();
    let WebhookEvent::ProductCreated(product) = &event else { panic!("{event:?}") };
    let Some(ProductCreatedPayloadStorage::Array(storage)) = &product.storage else { panic!("{product:?}") };
    assert_eq!(storage.len(), 2);
    assert_eq!(product.brand.as_deref(), Some("123"));
    assert_eq!(product.extra_image_url.as_ref().unwrap().len(), 1);
    assert_eq!(event.to_json(), reference);
}

/// The reference gives productUpdated the shape of productCreated.
#[test]
fn product_updated_storage_decodes_as_an_array() {
    let body = br#"{"ID": "x", "Name": "Gorgeous Dress NEW Collection", "Storage": [{}], "ThumbnailURL": "//res.cloudinary.com/t.jpg"}"#;
    let event = WebhookEvent::parse(WebhookKind::ProductUpdated, body).unwrap();
    let WebhookEvent::ProductUpdated(product) = event else { panic!() };
    assert!(matches!(product.storage, Some(dealpos::webhooks::ProductUpdatedPayloadStorage::Array(_))));
    assert_eq!(product.thumbnail_url.as_deref(), Some("//res.cloudinary.com/t.jpg"));
}

#[test]
fn amounts_are_exact_to_the_byte_or_an_error_naming_the_field() {
    let body = br#"{"ID":"x","Gross":12500.50,"Discount1":"12.50","Tax":0.1,"Sales":1234567890123456789012.345678}"#;
    let event = WebhookEvent::parse(WebhookKind::SalesOrderCreated, body).unwrap();
    let WebhookEvent::SalesOrderCreated(order) = &event else { panic!("{event:?}") };
    let encoded = |d: &Option<dealpos::Decimal>| serde_json::to_string(d).unwrap();
    assert_eq!(encoded(&order.gross), "12500.50");
    assert_eq!(encoded(&order.discount1), "\"12.50\"");
    assert_eq!(encoded(&order.tax), "0.1");
    assert_eq!(encoded(&order.sales), "1234567890123456789012.345678");
    assert_eq!(order.gross, Some(dealpos::Decimal::from(25001).value().checked_div(2.into()).unwrap().into()));

    let body = br#"{"ID":"x","Variants":[{"Price":1},{"Price":1e400}]}"#;
    let err = WebhookEvent::parse(WebhookKind::SalesOrderCreated, body).unwrap_err();
    assert_eq!(err.path, "Variants[1].Price", "{err}");
    assert!(err.to_string().contains("28 significant digits"), "{err}");
}

#[test]
fn customer_birthdates_are_timestamps_and_go_back_unchanged() {
    // Seed 002's customerCreated payload.
    let sent = json!({
        "FirstName": "John", "LastName": "Doe", "Title": "Mr", "Birthdate": "2018-07-22T00:00:00", "Phone": "56545654",
        "Email": "johndoe@gmail.com", "Gender": 0, "Outlet": "Outlet 1", "Name": "Mr John Doe", "Code": "1011",
        "Address": "JL. Muara Karang No.30", "City": "Jakarta", "Mobile": "085212121212", "MemberIdentification": "32412323214512"
    });
    let event = WebhookEvent::parse(WebhookKind::CustomerCreated, &serde_json::to_vec(&sent).unwrap()).unwrap();
    let WebhookEvent::CustomerCreated(customer) = &event else { panic!("{event:?}") };
    assert_eq!(customer.birthdate.as_ref().and_then(dealpos::Timestamp::date).unwrap().to_string(), "2018-07-22");
    // Gender is the number DealPOS sent, not a decimal amount nor a guessed enum.
    assert_eq!(customer.gender, Some(dealpos::models::Gender::Integer(0)));
    assert_eq!(event.to_json(), sent);
}

/// `Void` is the text "Yes"/"No" in the invoice and sales order events
/// (webhook-invoice.md, seed 001): a `bool`, written back as DealPOS wrote it,
/// and anything else is an error naming the field and the value.
#[test]
fn void_is_a_yes_no_flag() {
    for (text, void) in [("No", false), ("Yes", true), ("yes", true)] {
        let body = serde_json::to_vec(&json!({"ID": "x", "Number": "2020.09.0002", "Void": text})).unwrap();
        let event = WebhookEvent::parse(WebhookKind::InvoiceCreated, &body).unwrap();
        let WebhookEvent::InvoiceCreated(invoice) = &event else { panic!("{event:?}") };
        assert_eq!(invoice.void, Some(void), "{text}");
        let written = if void { "Yes" } else { "No" };
        assert_eq!(event.to_json()["Void"], json!(written));
    }
    let err = WebhookEvent::parse(WebhookKind::SalesOrderDeleted, br#"{"ID": "x", "Void": "Maybe"}"#).unwrap_err();
    assert_eq!(err.path, "Void");
    assert!(err.to_string().contains("Maybe"), "{err}");
}

/// The invoice event's customer, lines, payments and logistics are typed
/// (the first three are REST's invoice detail types, `dealpos::models`), not
/// maps: a nested field is reachable by name, and the payload
/// (observed-usage.md E14's shape) goes back unchanged.
#[test]
fn invoice_event_nested_objects_are_typed() {
    let sent = json!({
        "ID": "e0210000-7777-4d5c-bf5b-000000000901", "Number": "20.09.00020",
        "Customer": {"ID": "27740000-8888-4171-8c83-000000000902", "Name": "Walk-in", "Email": "", "Address": ""},
        "Variants": [{"Code": "LATTE-R", "Name": "Latte (Regular)", "Quantity": 1.5, "Price": 45000}],
        "OutboundLogistics": [{"Outlet": "Outlet1", "Number": "OL.20.09.00020", "Date": "2020-09-02T00:00:00"}],
        "Payments": [{"Method": "Cash", "Amount": 45000}], "Void": "No"
    });
    let event = WebhookEvent::parse(WebhookKind::InvoiceCreated, &serde_json::to_vec(&sent).unwrap()).unwrap();
    let WebhookEvent::InvoiceCreated(invoice) = &event else { panic!("{event:?}") };
    let customer: &dealpos::models::InvoiceDetailCustomer = invoice.customer.as_ref().unwrap();
    assert_eq!(customer.name.as_deref(), Some("Walk-in"));
    let line = &invoice.variants.as_ref().unwrap()[0];
    assert_eq!(line.quantity.as_ref().unwrap().to_string(), "1.5");
    assert_eq!(invoice.payments.as_ref().unwrap()[0].method.as_deref(), Some("Cash"));
    let logistic = &invoice.outbound_logistics.as_ref().unwrap()[0];
    assert!(logistic.date.as_ref().unwrap().date().is_some());
    assert_eq!(event.to_json(), sent);
}
