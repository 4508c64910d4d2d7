//! Payloads shaped like DealPOS's, built in memory from a fixed seed so every
//! run measures the same bytes (no files, no network).
//!
//! The shapes follow the spec examples (`spec/dealpos-webhooks.yaml`, the
//! observed list responses of `spec/dealpos-api.yaml`); the values vary the
//! way DealPOS's do: timestamps with 0 to 7 fraction digits, some with an
//! offset, bare dates and `0001-01-01T00:00:00`; whole and fractional
//! amounts; `null` where DealPOS sends it. Numbers are always JSON numbers:
//! DealPOS sometimes sends them as strings, which the SDK accepts but a plain
//! `f64` field does not, and the benchmarks compare decoders on input all of
//! them accept.
#![allow(dead_code)] // each bench uses part of it

use serde_json::{Value, json};

/// A small deterministic generator (SplitMix64): the same seed gives the same payloads.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    /// A GUID-shaped id, as DealPOS uses for every entity.
    pub fn id(&mut self) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xffff,
            b >> 48,
            b & 0xffff_ffff_ffff
        )
    }

    /// A wall-clock time as DealPOS writes it: mostly without an offset and
    /// with 0 to 7 fraction digits, sometimes with `+07:00`.
    pub fn stamp(&mut self) -> String {
        let (month, day) = (1 + self.below(12), 1 + self.below(28));
        let (hour, minute, second) = (self.below(24), self.below(60), self.below(60));
        let base = format!("202{}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}", self.below(6));
        let digits = self.below(8) as usize;
        let fraction =
            if digits == 0 { String::new() } else { format!(".{:07}", self.below(10_000_000))[..=digits].into() };
        let offset = if self.chance(15) { "+07:00" } else { "" };
        format!("{base}{fraction}{offset}")
    }

    /// A document date: midnight, a bare date now and then, or DealPOS's "no date".
    pub fn date(&mut self) -> String {
        let date = format!("202{}-{:02}-{:02}", self.below(6), 1 + self.below(12), 1 + self.below(28));
        match self.below(10) {
            0 => "0001-01-01T00:00:00".into(),
            1 => date,
            _ => format!("{date}T00:00:00"),
        }
    }

    /// An amount in rupiah: whole thousands mostly, a fraction sometimes.
    pub fn money(&mut self) -> Value {
        let whole = (1 + self.below(2_000)) * 500;
        if self.chance(20) { json!(whole as f64 + 0.25 * (1 + self.below(3)) as f64) } else { json!(whole) }
    }

    /// A quantity: whole mostly, sometimes a fraction (weighed goods).
    pub fn quantity(&mut self) -> Value {
        if self.chance(15) { json!(0.25 * (1 + self.below(12)) as f64) } else { json!(1 + self.below(5)) }
    }

    /// A percentage discount, usually 0.
    pub fn percent(&mut self) -> Value {
        if self.chance(70) { json!(0) } else { json!(self.below(50)) }
    }

    /// `value` or `null`, `null` with probability `percent`/100.
    pub fn or_null(&mut self, percent: u64, value: impl Into<Value>) -> Value {
        if self.chance(percent) { Value::Null } else { value.into() }
    }
}

const OUTLETS: &[&str] = &["Outlet1", "Pusat", "Cabang Bandung", "Online Store", "Gudang Utama"];
const NAMES: &[&str] = &["Hendry", "Siti Aminah", "Budi Santoso", "Dewi Lestari", "Agus", "Ayu Wulandari"];
const PRODUCTS: &[&str] = &["Nasi Goreng Spesial", "Flanel", "Kemeja Batik", "Es Teh Manis", "Kopi Susu Gula Aren"];
const MODELS: &[&str] = &["S", "M", "L", "XL", "Regular", "Large", "Merah", "Biru"];
const METHODS: &[&str] = &["Cash", "Debit BCA", "QRIS", "Transfer Mandiri", "OVO"];
const TAGS: &[&str] = &["Offline", "Take Away", "Whatsapp", "Shopee", "Tokopedia"];

fn number(rng: &mut Rng, prefix: &str) -> String {
    format!("{prefix}{}.{:02}.{:05}", 20 + rng.below(6), 1 + rng.below(12), rng.below(100_000))
}

/// A row of `POST Invoice/MultipleOutlet/WithVariant` (`Vec<InvoiceWithVariant>`), payments included.
pub fn invoice_with_variant(rng: &mut Rng) -> Value {
    let lines: Vec<Value> = (0..1 + rng.below(4))
        .map(|_| {
            json!({
                "VariantID": rng.id(), "Name": rng.pick(PRODUCTS), "Code": format!("NGS{:03}", rng.below(1000)),
                "Quantity": rng.quantity(), "UnitQuantity": rng.quantity(), "Cost": rng.money(), "Price": rng.money(),
                "PriceOriginal": rng.money(), "Discount": rng.percent(), "DiscountAmount": 0,
                "Taxable": rng.chance(50), "LoyaltyPoint": rng.chance(50), "Expense": 0, "Sales": rng.money(),
                "Tax": rng.money(), "Commission": 0, "SalesName": rng.or_null(60, "Sales 1"),
                "Note": rng.or_null(80, "Extra pedas"),
            })
        })
        .collect();
    let payments: Vec<Value> = (0..rng.below(3))
        .map(|_| {
            json!({
                "Date": rng.stamp(), "Amount": rng.money(), "Method": rng.pick(METHODS),
                "Code": rng.or_null(50, "C001"), "Note": rng.or_null(70, "Complete payment"),
            })
        })
        .collect();
    let customer_id = rng.id();
    json!({
        "ID": rng.id(), "Outlet": rng.pick(OUTLETS), "Number": number(rng, ""), "Customer": rng.pick(NAMES),
        "Date": rng.date(), "Due": "0001-01-01T00:00:00", "Amount": rng.money(), "Payment": "Paid",
        "Fulfillment": rng.pick(&["Sent", "Unsent", "Partial", "Returned"]), "Created": rng.stamp(),
        "Tag": rng.pick(TAGS), "Variants": lines, "ReferenceNumber": rng.or_null(70, "INV/20240101/XX/123"),
        "CustomerID": rng.or_null(30, customer_id), "Delivery": "Sent", "SalesOrderType": Value::Null, "Payments": payments,
    })
}

/// A row of `POST Invoice/MultipleOutlet` (`Vec<InvoiceSummary>`).
pub fn invoice_summary(rng: &mut Rng) -> Value {
    let (customer_id, customer, tag) = (rng.id(), rng.pick(NAMES), rng.pick(TAGS));
    json!({
        "ID": rng.id(), "Outlet": rng.pick(OUTLETS), "Number": number(rng, ""),
        "ReferenceNumber": rng.or_null(70, "INV/20240101/XX/123"), "CustomerID": rng.or_null(30, customer_id),
        "Customer": rng.or_null(20, customer), "Date": rng.date(), "Due": "0001-01-01T00:00:00",
        "Amount": rng.money(), "Payment": rng.pick(&["Paid", "Unpaid", "Partial"]), "Delivery": "Sent",
        "Fulfillment": "Sent", "Tag": rng.or_null(30, tag), "SalesOrderType": Value::Null,
        // Void in the text form the invoice webhook documents ("Yes"/"No"); the
        // crate reads a boolean too but writes the text, so a `false` here
        // would not come back as sent.
        "Created": rng.stamp(), "Void": rng.or_null(80, "No"),
    })
}

/// A row of `GET Product` (`ProductDataArrayPage.DataArray`).
pub fn product(rng: &mut Rng) -> Value {
    let product_id = rng.id();
    let code = format!("{}", 8000 + rng.below(2000));
    let variants: Vec<Value> = (0..1 + rng.below(3))
        .map(|index| {
            let model = rng.pick(MODELS);
            json!({
                "ID": rng.id(), "Model": model, "Code": format!("{code}{model}"), "UnitPrice": rng.money(),
                "UnitCost": rng.money(), "Inventory": rng.quantity(), "Discontinued": rng.chance(10),
                "ProductID": product_id, "Weight": rng.or_null(80, 250), "Discount": rng.percent(), "TypeID": 1,
                "ProductIndex": index,
            })
        })
        .collect();
    json!({
        "ID": product_id, "Name": rng.pick(PRODUCTS), "Code": code, "Category": "Pakaian > Atasan",
        "Released": rng.date(), "ThumbnailUrl": rng.or_null(80, format!("/media/{product_id}/thumb.jpg")),
        "ImageUrl": rng.or_null(80, format!("/media/{product_id}/")), "Discontinued": rng.chance(10),
        "Variants": variants, "Created": rng.stamp(), "CostCurrencyID": 360,
    })
}

/// A `GET Product` page of `count` products.
pub fn product_page(rng: &mut Rng, count: usize) -> Value {
    let items: Vec<Value> = (0..count).map(|_| product(rng)).collect();
    json!({ "DataArray": items, "RecordsCount": -1 })
}

/// A `shiftClose` delivery.
pub fn shift_close(rng: &mut Rng) -> Value {
    let (id, open, close, cashier) = (rng.id(), rng.stamp(), rng.stamp(), rng.pick(NAMES));
    json!({
        "ID": id, "Outlet": rng.pick(OUTLETS), "Register": "Register 1", "Open": open, "Close": close,
        "Cashier": rng.or_null(30, cashier), "SalesNTax": rng.money(), "TotalInvoice": rng.below(200),
        "Visitor": rng.below(300), "Number": number(rng, "S"),
        "Session": {
            "ID": id, "RegisterID": rng.id(), "UserID": rng.id(), "UserName": rng.pick(NAMES), "EntityID": rng.id(),
            "Start": open, "End": close, "Note": rng.or_null(70, "Closing shift"), "Number": number(rng, "S"),
            "Sales": rng.money(), "Tax": rng.money(), "Taxable": rng.money(), "TaxExempt": 0,
            "Invoice_Count": rng.below(200), "LastNumber": number(rng, ""), "InvoiceDateTypeID": 0,
            "TypeLabel": "Shift", "SalesNSurcharge": rng.money(), "Visitors": rng.below(300), "Surcharge": 0,
            "ARAmount": 0, "ARTransaction": 0, "RegisterName": "Register 1", "CreatorID": rng.id(),
            "Created": rng.stamp(), "ModifierID": rng.id(), "Modified": rng.stamp(), "CreatorName": rng.pick(NAMES),
            "ModifierName": rng.pick(NAMES), "Bin": false,
        },
    })
}

/// A `salesOrderCreated` delivery.
pub fn sales_order_created(rng: &mut Rng) -> Value {
    let variants: Vec<Value> = (0..1 + rng.below(5))
        .map(|_| {
            json!({
                "VariantID": rng.id(), "Name": rng.pick(PRODUCTS), "Code": format!("NGS{:03}", rng.below(1000)),
                "Quantity": rng.quantity(), "UnitQuantity": rng.quantity(), "Cost": rng.money(), "Price": rng.money(),
                "PriceOriginal": rng.money(), "Discount": rng.percent(), "DiscountAmount": 0, "Taxable": false,
                "LoyaltyPoint": true, "Expense": 0, "NettPrice": rng.money(), "Commission": 0,
                "SalesName": rng.or_null(50, "Sales 1"), "PriceTypeID": 0, "Note": rng.or_null(70, "Extra pedas"),
            })
        })
        .collect();
    let outlet = rng.pick(OUTLETS);
    json!({
        "ID": rng.id(), "Outlet": outlet, "Number": number(rng, ""), "Date": rng.date(), "DueDate": rng.date(),
        "Tag": rng.pick(TAGS),
        "Customer": {
            "Name": rng.pick(NAMES), "Email": "henz2194w@gmail.com", "Phone": rng.or_null(40, "0215851412"),
            "Mobile": "0815161688", "Code": format!("HW{:04}", rng.below(10_000)),
        },
        "CreatorID": rng.id(), "Created": rng.stamp(), "Discount1": rng.percent(), "Discount2": 0,
        "DiscountAmount": 0, "Gross": rng.money(), "DiscountTotal": 0, "TaxType": "No Tax", "TaxCalculation": "Add",
        "Tax": 0, "TaxRate": 0, "Sales": rng.money(), "Surcharge": 0, "SalesNTax": rng.money(),
        "Coupon": rng.or_null(70, "KUPON123"), "Note": rng.or_null(50, "CONTOH NOTE"), "PointUsed": 0,
        "PointsEarned": rng.below(20), "Delivery": "Sent", "Void": "No", "Variants": variants,
        "OutboundLogistics": [{ "Outlet": outlet, "Number": number(rng, "OL."), "Date": rng.date() }],
        "Payments": [{
            "Date": rng.date(), "Amount": rng.money(), "Method": rng.pick(METHODS), "Code": "C001",
            "Note": rng.or_null(50, "Complete payment"),
        }],
    })
}

/// A `productUpdated` delivery.
pub fn product_updated(rng: &mut Rng) -> Value {
    let id = rng.id();
    let code = format!("{}", 8000 + rng.below(2000));
    let variants: Vec<Value> = (0..1 + rng.below(4))
        .map(|_| {
            let model = rng.pick(MODELS);
            json!({
                "ID": rng.id(), "Model": model, "Code": format!("{code}{model}"), "UnitCost": rng.money(),
                "UnitPrice": rng.money(), "Discount": rng.percent(), "Discontinued": false,
                "Description": "New Arrival",
            })
        })
        .collect();
    json!({
        "ID": id, "Category": "Top", "Name": rng.pick(PRODUCTS), "SupplierName": "PT SENANG SEKALI",
        "BrandName": "TEGUH Clothing", "Code": code, "Discontinued": false, "Description": "New Arrival",
        "Storage": rng.or_null(30, "Rack1"), "Tags": ["Cloth", rng.pick(TAGS)], "ImageURL": format!("/media/{id}/"),
        "Variants": variants,
    })
}

/// A `customerCreated` delivery.
pub fn customer_created(rng: &mut Rng) -> Value {
    let name = rng.pick(NAMES);
    json!({
        "FirstName": name, "LastName": rng.or_null(40, "Wijaya"), "Title": rng.pick(&["Mr", "Mrs", "Ms"]),
        "Birthdate": rng.date(), "Phone": rng.or_null(50, "0215851412"), "Email": "customer@example.com",
        "Gender": rng.below(2), "Outlet": rng.pick(OUTLETS), "Name": name,
        "Code": format!("HW{:04}", rng.below(10_000)), "Address": rng.or_null(40, "Jl. Sudirman No. 1"),
        "City": rng.or_null(40, "Jakarta"), "Mobile": "0815161688", "MemberIdentification": rng.or_null(60, "M-0001"),
    })
}

/// A `paymentCreated` delivery.
pub fn payment_created(rng: &mut Rng) -> Value {
    json!({
        "ID": rng.id(), "InvoiceID": rng.id(), "Outlet": rng.pick(OUTLETS), "Number": number(rng, ""),
        "Amount": rng.money(), "Method": rng.pick(METHODS), "Date": rng.date(), "Created": rng.stamp(),
        "Creator": rng.pick(NAMES), "CreatorID": rng.id(),
    })
}
