//! A stand-in for the generated `webhooks` module: two kinds and their
//! payloads, with the signatures `generator/src/emit/webhooks.rs` emits, so
//! the receiver compiles and is tested here. Never copied into the generated
//! crate, which has the real module in its place.
//!
//! Keep the signatures identical to the emitted ones: the receiver is only
//! checked against this file until a regen.

use crate::{Decimal, Timestamp};

/// A shift closed (stand-in payload: a few of the real fields).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct ShiftClosePayload {
    /// The shift's ID.
    #[serde(rename = "ID", default)]
    pub id: Option<String>,
    /// The shift's number.
    #[serde(rename = "Number", default)]
    pub number: Option<String>,
    /// When it closed.
    #[serde(rename = "Close", default)]
    pub close: Option<Timestamp>,
    /// Sales and tax in the shift.
    #[serde(rename = "SalesNTax", default)]
    pub sales_n_tax: Option<Decimal>,
}

/// A product was created (stand-in payload).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct ProductCreatedPayload {
    /// The product's ID.
    #[serde(rename = "ID", default)]
    pub id: Option<String>,
    /// Its name.
    #[serde(rename = "Name", default)]
    pub name: Option<String>,
}

/// The events DealPOS can deliver to a webhook endpoint (stand-in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum WebhookKind {
    /// Wire name: `shiftClose`.
    ShiftClose,
    /// Wire name: `productCreated`.
    ProductCreated,
}

impl WebhookKind {
    /// Every kind, in the order of the description.
    pub const ALL: &'static [WebhookKind] = &[Self::ShiftClose, Self::ProductCreated];

    /// The webhook's name in the description (e.g. `shiftClose`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::ShiftClose => "shiftClose",
            Self::ProductCreated => "productCreated",
        }
    }

    /// A default URL path for the endpoint (e.g. `/shift-close`).
    pub const fn default_path(self) -> &'static str {
        match self {
            Self::ShiftClose => "/shift-close",
            Self::ProductCreated => "/product-created",
        }
    }

    /// The description's tag for this webhook.
    pub const fn tag(self) -> &'static str {
        match self {
            Self::ShiftClose => "Shift",
            Self::ProductCreated => "Product",
        }
    }

    /// One line on what triggers it.
    pub const fn summary(self) -> &'static str {
        match self {
            Self::ShiftClose => "Close Shift",
            Self::ProductCreated => "Product Created",
        }
    }

    /// The kind named `name`: its description name (`shiftClose`), or that
    /// name in any case style (`shift-close`, `SHIFT_CLOSE`).
    pub fn from_name(name: &str) -> Option<Self> {
        let wanted = fold(name);
        Self::ALL.iter().copied().find(|kind| fold(kind.name()) == wanted)
    }
}

fn fold(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

impl std::fmt::Display for WebhookKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for WebhookKind {
    type Err = UnknownWebhookKind;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::from_name(name).ok_or_else(|| UnknownWebhookKind(name.to_string()))
    }
}

/// A webhook name that is not in the description.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown webhook kind `{0}`")]
pub struct UnknownWebhookKind(pub String);

/// A decoded webhook delivery (stand-in).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WebhookEvent {
    /// Wire name: `shiftClose`.
    ShiftClose(ShiftClosePayload),
    /// Wire name: `productCreated`.
    ProductCreated(ProductCreatedPayload),
    /// A delivery for an endpoint this version does not know; the body
    /// is kept as JSON so nothing is lost.
    Unknown {
        /// The kind it was delivered as.
        kind: String,
        /// The body.
        body: serde_json::Value,
    },
}

impl WebhookEvent {
    /// Decodes `body` as a delivery of `kind`. The error names the field
    /// path that failed and quotes the start of the body.
    pub fn parse(kind: WebhookKind, body: &[u8]) -> Result<Self, crate::DecodeError> {
        Ok(match kind {
            WebhookKind::ShiftClose => Self::ShiftClose(crate::decode::from_slice(kind.name(), body)?),
            WebhookKind::ProductCreated => Self::ProductCreated(crate::decode::from_slice(kind.name(), body)?),
        })
    }

    /// Like [`WebhookEvent::parse`], for a kind given by name: an unknown name
    /// gives [`WebhookEvent::Unknown`] holding the body as JSON.
    pub fn parse_named(kind: &str, body: &[u8]) -> Result<Self, crate::DecodeError> {
        match WebhookKind::from_name(kind) {
            Some(known) => Self::parse(known, body),
            None => Ok(Self::Unknown { kind: kind.to_string(), body: crate::decode::from_slice(kind, body)? }),
        }
    }

    /// The kind, unless unknown.
    pub fn kind(&self) -> Option<WebhookKind> {
        match self {
            Self::ShiftClose(_) => Some(WebhookKind::ShiftClose),
            Self::ProductCreated(_) => Some(WebhookKind::ProductCreated),
            Self::Unknown { .. } => None,
        }
    }

    /// The payload as JSON, as DealPOS sent it (modulo field order).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Self::ShiftClose(payload) => serde_json::to_value(payload).unwrap_or_default(),
            Self::ProductCreated(payload) => serde_json::to_value(payload).unwrap_or_default(),
            Self::Unknown { body, .. } => body.clone(),
        }
    }
}
