//! REST models against answers as DealPOS really sends them (observed-usage.md),
//! with the overlays' corrections.

use dealpos::models::{
    CustomerListItem, InvoiceDetail, InvoiceSummary, ProductListItem, PromotionEvent, ShiftListItem, ShiftListRequest,
    VariantDetail,
};
use dealpos::{Decimal, Timestamp};
use serde_json::json;

#[test]
fn variant_detail_accepts_both_image_url_spellings_decimals_and_null_weight() {
    for key in ["ImageURL", "ImageUrl"] {
        let body = json!({"ID": "v1", "Code": "", key: "/media/v1/", "Weight": null, "UnitPrice": 550000.4, "UnitCost": 125000, "Type": "Serialized2027"});
        let variant: VariantDetail = serde_json::from_value(body).unwrap();
        assert_eq!(variant.image_url.as_deref(), Some("/media/v1/"), "{key}");
        assert_eq!(variant.weight, None, "a null weight reads as None, like an absent one");
        assert_eq!(variant.unit_price.unwrap().to_f64(), 550000.4);
        assert_eq!(variant.type_.unwrap().as_str(), "Serialized2027", "an unknown enum value is kept");
    }
}

#[test]
fn invoice_detail_reads_no_date_and_null_customer_fields() {
    let body = json!({
        "Number": "20.05.00157", "Date": "2020-05-29T00:00:00", "DueDate": "0001-01-01T00:00:00",
        "Created": "2020-05-29T13:05:22.4566667", "Customer": {"Name": "Hendry", "Email": null}
    });
    let invoice: InvoiceDetail = serde_json::from_value(body.clone()).unwrap();
    assert!(invoice.due_date.as_ref().unwrap().is_unset());
    assert_eq!(invoice.created.as_ref().unwrap().naive().unwrap().to_string(), "2020-05-29 13:05:22.456666700");
    let customer = invoice.customer.as_ref().unwrap();
    assert_eq!((customer.name.as_deref(), customer.email.as_deref()), (Some("Hendry"), None));
    // A type only DealPOS sends reads `null` as absent: the null email is not written back.
    let mut expected = body;
    expected["Customer"].as_object_mut().unwrap().remove("Email");
    assert_eq!(serde_json::to_value(&invoice).unwrap(), expected);
}

#[test]
fn shift_list_items_carry_timestamps_with_two_and_three_fraction_digits() {
    // rest-shift.md's example row: Close has two fraction digits, Open three.
    let body = json!({
        "Open": "2020-05-28T15:24:45.293", "Close": "2020-05-28T15:25:27.68", "Cashier": "dealpos",
        "Number": "20.05.0001", "SalesNTax": 16062.75, "TotalInvoice": 1, "Outlet": "Outlet1", "Register": "Outlet1"
    });
    let shift: ShiftListItem = serde_json::from_value(body.clone()).unwrap();
    let (open, close) = (shift.open.as_ref().unwrap().naive().unwrap(), shift.close.as_ref().unwrap().naive().unwrap());
    assert_eq!(open.to_string(), "2020-05-28 15:24:45.293");
    assert_eq!((close - open).num_milliseconds(), 42_387);
    assert_eq!(serde_json::to_value(&shift).unwrap(), body, "the text comes back as sent");
}

/// Clients fall back when `expires_in` is absent, and one spells the expiry
/// `expiredat` (observed-usage.md, Auth).
#[test]
fn token_response_without_expires_in_and_with_lower_case_expiredat() {
    let token: dealpos::models::TokenResponse = serde_json::from_value(json!({
        "access_token": "eyJhbGciOiJIUzI1NiJ9.e30.x", "token_type": "Bearer",
        "expiredat": "2026-05-10T08:15:02.1234567+07:00"
    }))
    .unwrap();
    assert_eq!(token.expires_in, None);
    assert_eq!(token.expired_at.unwrap().offset().unwrap().local_minus_utc(), 7 * 3600);
}

/// Bill and transfer lines: the portal's examples send quantities and prices
/// as strings (and a transfer price as a number); both read into one
/// `Decimal`, compared by amount, and each is written back in the form it came.
#[test]
fn bill_and_transfer_lines_take_numbers_and_strings_as_one_decimal() {
    use dealpos::models::{BillRequestVariant, TransferOrderVariant};
    let body = json!({"Code": "2005", "Quantity": "10", "Price": 102000.5, "Discount": 2.5});
    let line: BillRequestVariant = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(line.quantity, Some(Decimal::from(10)), "the text \"10\" is the amount 10");
    assert_eq!(line.price.as_ref().unwrap().value(), "102000.5".parse().unwrap());
    assert_eq!(serde_json::to_value(&line).unwrap(), body, "a string stays a string, a number a number");
    let line: TransferOrderVariant =
        serde_json::from_value(json!({"Code": "2012", "Quantity": "6", "Price": 150000})).unwrap();
    assert!(line.quantity.as_ref().unwrap().is_quoted() && !line.price.as_ref().unwrap().is_quoted());
}

/// A request line is written with plain values: amounts are `Decimal`s (sent
/// as numbers, or as strings with `quoted()`), and the unions that remain
/// (a variant code is a number or a text) convert with `.into()`.
#[test]
fn invoice_lines_are_built_with_decimals_and_into() {
    use dealpos::models::{InvoiceCreateRequestCoupon, InvoiceVariantInput, InvoiceVariantInputCode};
    let line = InvoiceVariantInput::new("1315L", 2)
        .with_price("50000.50".parse::<Decimal>().unwrap().quoted())
        .with_discount(0);
    assert_eq!(
        serde_json::to_value(&line).unwrap(),
        json!({"Code": "1315L", "Quantity": 2, "Price": "50000.50", "Discount": 0})
    );
    assert_eq!(InvoiceVariantInputCode::from(2005), InvoiceVariantInputCode::Integer(2005));
    assert_eq!(InvoiceVariantInputCode::from(String::from("A")), InvoiceVariantInputCode::String("A".into()));
    assert_eq!(serde_json::to_value(InvoiceCreateRequestCoupon::from(123)).unwrap(), json!(123));
}

#[test]
fn list_answers_carry_due_released_customer_and_promotion_dates_as_timestamps() {
    // observed-usage.md E7 (Due sentinel) and [live] Released; rest-customer.md; rest-promotion-event.md (a space before the time).
    let invoices: Vec<InvoiceSummary> = serde_json::from_value(json!([
        {"Number": "26.03.00043", "Date": "2026-03-02T00:00:00", "Due": "2026-03-16T00:00:00"},
        {"Number": "26.03.00042", "Date": "2026-03-01T00:00:00", "Due": "0001-01-01T00:00:00"}
    ]))
    .unwrap();
    assert!(invoices[1].due.as_ref().unwrap().is_unset());
    let mut dues: Vec<&Timestamp> = invoices.iter().filter_map(|i| i.due.as_ref()).collect();
    dues.sort();
    assert!(dues[0].is_unset(), "no date sorts first");

    let body = json!({"ID": "p1", "Name": "Tupperware", "Released": "2025-09-23T00:00:00"});
    let product: ProductListItem = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(product.released.as_ref().and_then(Timestamp::date).unwrap().to_string(), "2025-09-23");
    assert_eq!(serde_json::to_value(&product).unwrap(), body);

    let body = json!({"Code": "Tk1010", "BirthDate": "1995-03-01T00:00:00", "JoinDate": "2021-01-31T00:00:00"});
    let customer: CustomerListItem = serde_json::from_value(body.clone()).unwrap();
    assert!(customer.birth_date.as_ref().unwrap() < customer.join_date.as_ref().unwrap());
    assert_eq!(serde_json::to_value(&customer).unwrap(), body);

    let body =
        json!({"Name": "New Year Sale", "StartDate": "2022-12-25 00:00:00", "ExpirationDate": "2022-01-01 23:59:59"});
    let promotion: PromotionEvent = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(promotion.start_date.as_ref().unwrap().naive().unwrap().to_string(), "2022-12-25 00:00:00");
    assert_eq!(serde_json::to_value(&promotion).unwrap(), body, "the space form is sent back as it came");
}

#[test]
fn list_filters_take_dates_and_send_them_as_written() {
    let from = chrono::NaiveDate::from_ymd_opt(2020, 5, 28).unwrap();
    let request =
        ShiftListRequest { from: Some(from.into()), to: Some("2020-05-29".parse().unwrap()), ..Default::default() };
    let sent = serde_json::to_value(&request).unwrap();
    assert_eq!((&sent["From"], &sent["To"]), (&json!("2020-05-28"), &json!("2020-05-29")));
    assert!("2020/05/29".parse::<Timestamp>().is_err(), "yyyy/mm/dd is not a DealPOS timestamp");
}

/// Yes/no flags are `bool`s: sent as the "Yes"/"No" DealPOS documents
/// (rest-outlet.md, rest-promotion-coupon.md), read from either form.
#[test]
fn yes_no_flags_are_bools_sent_as_yes_and_no() {
    use dealpos::models::{OutletCreateRequest, PromotionCouponCreateRequest};
    let outlet = OutletCreateRequest {
        name: Some("Emporium Pluit".into()),
        negative_inventory: Some(true),
        ..Default::default()
    };
    assert_eq!(serde_json::to_value(&outlet).unwrap(), json!({"Name": "Emporium Pluit", "NegativeInventory": "Yes"}));
    let coupon = PromotionCouponCreateRequest { full_price_item_only: Some(false), ..Default::default() };
    assert_eq!(serde_json::to_value(&coupon).unwrap()["FullPriceItemOnly"], json!("No"));
    let row: InvoiceSummary = serde_json::from_value(json!({"Number": "20.05.00157", "Void": "Yes"})).unwrap();
    assert_eq!(row.void, Some(true));
    let row: InvoiceSummary = serde_json::from_value(json!({"Number": "20.05.00157", "Void": false})).unwrap();
    assert_eq!(row.void, Some(false));
    assert!(serde_json::from_value::<InvoiceSummary>(json!({"Void": "N"})).is_err());
}

/// `Gender` is one type for every form DealPOS uses (spec/README.md, "Gender"):
/// a flag in the REST customer, the text "Male" on invoices and bills. Each is
/// read and sent in the form it has.
#[test]
fn gender_is_one_type_for_the_flag_and_the_text() {
    use dealpos::models::{CustomerUpdateByEmailRequest, Gender, InvoiceCustomerInput};
    let update = CustomerUpdateByEmailRequest { gender: Some(false.into()), ..Default::default() };
    assert_eq!(serde_json::to_value(&update).unwrap()["Gender"], json!(false));
    let customer = InvoiceCustomerInput { gender: Some("Male".into()), ..Default::default() };
    assert_eq!(serde_json::to_value(&customer).unwrap()["Gender"], json!("Male"));
    let read: CustomerUpdateByEmailRequest = serde_json::from_value(json!({"Gender": true})).unwrap();
    assert_eq!(read.gender, Some(Gender::Boolean(true)));
}
