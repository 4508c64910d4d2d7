//! Our requests against our spec: a Prism mock server built from
//! `spec/dealpos-api.yaml`, started here on 127.0.0.1, validates every request
//! it receives (`--errors`: a request that violates the spec gets a 4xx that
//! names the violation). Each tag's operations are called at least once, with
//! the request bodies of the spec's own examples.
//!
//! Prism is installed by `cargo xtask tools` (which `cargo xtask test` and
//! `.ci/run` run) into `target/tools`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use dealpos::client::{Client, Error};
use dealpos::models;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// A Prism process, killed when dropped.
struct Prism(Child);

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_prism() -> (Prism, u16) {
    let bin = std::env::var_os("PRISM")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/tools/node_modules/.bin/prism"));
    assert!(bin.exists(), "{} not found: run `cargo xtask tools` (or set PRISM)", bin.display());
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(&bin)
        .args(["mock", "--host", "127.0.0.1", "--port", &port.to_string(), "--errors", "--dynamic", "false"])
        .arg(root().join("spec/dealpos-api.yaml"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", bin.display()));
    let prism = Prism(child);
    let deadline = Instant::now() + Duration::from_secs(90);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "Prism did not start listening on port {port}");
        std::thread::sleep(Duration::from_millis(200));
    }
    (prism, port)
}

/// The request body example of `operation` in the (overlaid) description, or
/// an empty object where it has none.
fn example<T: DeserializeOwned>(operation: &str) -> T {
    thread_local! {
        static DOC: (Value, dealpos_generator::ir::Api) = {
            let mut doc = dealpos_generator::load::load(&root().join("spec/dealpos-api.yaml")).unwrap();
            let overlay = dealpos_generator::load::load(&root().join("spec/overlays/dealpos-api.yaml")).unwrap();
            dealpos_generator::overlay::apply(&mut doc, &overlay).unwrap();
            let api = dealpos_generator::ir::build(&doc).unwrap();
            (doc.value, api)
        };
    }
    DOC.with(|(doc, api)| {
        let op =
            api.operations.iter().find(|o| o.id == operation).unwrap_or_else(|| panic!("no operation {operation}"));
        let pointer = format!("{}/requestBody/content/application~1json/example", op.origin.pointer);
        let value = doc.pointer(&pointer).cloned().unwrap_or_else(|| serde_json::json!({}));
        serde_json::from_value(value).unwrap_or_else(|e| panic!("{operation}'s example: {e}"))
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn every_tag_against_prism_with_request_validation() {
    let (_prism, port) = start_prism();
    let client = Client::builder()
        .base_url(&format!("http://127.0.0.1:{port}"))
        .credentials("019a0000-0000-7000-8000-00000000c001", "019a0000-0000-7000-8000-00000000c002")
        .rate_limit(None)
        .build()
        .unwrap();
    let mut failures = Vec::new();
    let mut calls = 0;
    macro_rules! call {
        ($name:literal, $request:expr) => {{
            calls += 1;
            if let Err(e) = $request.send().await {
                failures.push(format!("{}: {}", $name, describe(&e)));
            }
        }};
    }
    call!("token.create", client.token().create(example::<models::TokenRequest>("createToken")));
    call!("category.list", client.category().list(example::<models::CategoryListRequest>("listCategories")));
    call!("category.create", client.category().create(example::<models::CategoryCreateRequest>("createCategory")));
    call!("product.list", client.product().list());
    call!(
        "product.update_by_code",
        client.product().update_by_code(example::<models::ProductUpdateRequest>("updateProductByCode"))
    );
    call!("variant.get_count", client.variant().get_count());
    call!("variant.list", client.variant().list(example::<models::VariantListRequest>("listVariants")));
    call!("estimate.list", client.estimate().list(example::<models::EstimateListRequest>("listEstimates")));
    call!(
        "sales_order.create",
        client.sales_order().create(example::<models::SalesOrderCreateRequest>("createSalesOrder"))
    );
    call!("invoice.void", client.invoice().void(example::<models::InvoiceVoidRequest>("voidInvoice")));
    call!("invoice.restore", client.invoice().restore(example::<models::InvoiceRestoreRequest>("restoreInvoice")));
    call!("invoice.erase", client.invoice().erase(example::<models::InvoiceEraseRequest>("eraseInvoice")));
    call!("invoice.create", client.invoice().create(example::<models::InvoiceCreateRequest>("createInvoice")));
    call!(
        "invoice.list_with_total_count",
        client
            .invoice()
            .list_with_total_count(example::<models::InvoiceWithTotalCountQuery>("listInvoicesWithTotalCount"))
    );
    call!(
        "invoice.list",
        client
            .invoice()
            .list(example::<models::InvoiceMultipleOutletQueryByOutlet>("listInvoicesMultipleOutletWithTotalCount"))
    );
    call!("invoice.get_by_number", client.invoice().get_by_number("2020.06.00005").outlet("Outlet1"));
    call!("shift.list_with_total_count", client.shift().list_with_total_count());
    call!("shift.open", client.shift().open(example::<models::ShiftOpenRequest>("openShift")));
    call!(
        "report.list_sales_invoices",
        client
            .report()
            .list_sales_invoices(example::<models::ReportSalesInvoiceQueryByOutlet>("listReportSalesInvoices"))
    );
    call!("customer.list", client.customer().list().name("Ann").outlet("Outlet1"));
    call!("customer.suspend", client.customer().suspend(example::<models::CustomerSuspendRequest>("suspendCustomer")));
    call!("supplier.list", client.supplier().list());
    call!(
        "invoice_payment.create",
        client.invoice_payment().create(example::<models::InvoicePaymentAddByOutletNumber>("createInvoicePayment"))
    );
    call!("invoice_write_off.list", client.invoice_write_off().list());
    call!(
        "inventory.get_by_list",
        client.inventory().get_by_list(example::<models::InventoryListByOutletRequest>("getInventoryByList"))
    );
    call!(
        "inventory_adjustment.create",
        client.inventory_adjustment().create(example::<models::AdjustmentSetCreateRequest>("createAdjustment"))
    );
    call!("bill.list_with_total_count", client.bill().list_with_total_count());
    call!("bill.create", client.bill().create(example::<models::BillRequest>("createBill")));
    call!(
        "outbound_logistic.list",
        client.outbound_logistic().list(example::<models::OutboundLogisticListRequest>("listOutboundLogistics"))
    );
    call!(
        "transfer_order.create",
        client.transfer_order().create(example::<models::TransferOrderByOutlet>("createTransferOrder"))
    );
    call!(
        "prepaid_package.check_in",
        client.prepaid_package().check_in(example::<models::PrepaidPackageCheckInRequest>("checkInPrepaidPackage"))
    );
    call!(
        "promotion_coupon.list",
        client.promotion_coupon().list(example::<models::PromotionCouponListRequest>("listPromotionCoupons"))
    );
    call!("promotion_event.list", client.promotion_event().list().type_("Discount".to_string()));
    call!("outlet.list", client.outlet().list());
    call!("user.list", client.user().list());
    call!(
        "outlet_price.create",
        client.outlet_price().create(example::<models::OutletPriceRequest>("createOutletPrice"))
    );
    call!(
        "loyalty_point.list_by_email_or_phone",
        client
            .loyalty_point()
            .list_by_email_or_phone(example::<models::LoyaltyPointHistoryRequest>("listLoyaltyPointsByEmailOrPhone"))
    );
    call!("payment_method.list", client.payment_method().list());
    call!("tax.list", client.tax().list());
    call!("park_order_display.list", client.park_order_display().list());
    #[allow(deprecated)]
    {
        call!(
            "deprecated.get_customer_by_email",
            client.deprecated().get_customer_by_email(example::<models::CustomerByEmailRequest>("getCustomerByEmail"))
        );
    }
    assert!(failures.is_empty(), "{} of {calls} calls failed against Prism:\n{}", failures.len(), failures.join("\n"));
}

fn describe(error: &Error) -> String {
    match error {
        Error::Api { error, .. } => format!("{} {}", error.status, error.body),
        other => other.to_string(),
    }
}
