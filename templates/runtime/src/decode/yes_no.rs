//! Yes/no flags that DealPOS writes as text: `"Yes"`/`"No"` (an invoice's
//! `Void`, an outlet's `NegativeInventory`, a coupon's `FullPriceItemOnly`).
//! Generated fields marked `x-dealpos-format: yes-no` are `bool`s that use
//! these functions through `#[serde(with = "crate::decode::yes_no")]` (or
//! its `option`/`nullable` modules for optional fields).
//!
//! Reading takes `"Yes"`/`"No"` in any case, and JSON `true`/`false` (and
//! their text), since DealPOS's other flags are booleans and a future answer
//! may switch; anything else is an error that quotes the value, rather than
//! a guess. Writing always gives `"Yes"` or `"No"`, the form DealPOS documents
//! for these fields and expects in requests.
//!
//! ```
//! #[derive(Debug, serde::Serialize, serde::Deserialize)]
//! struct Invoice {
//!     #[serde(rename = "Void", with = "dealpos_runtime::decode::yes_no")]
//!     void: bool,
//! }
//! let invoice: Invoice = serde_json::from_str(r#"{"Void": "no"}"#).unwrap();
//! assert!(!invoice.void);
//! assert_eq!(serde_json::to_string(&invoice).unwrap(), r#"{"Void":"No"}"#);
//! assert!(serde_json::from_str::<Invoice>(r#"{"Void": "Maybe"}"#).unwrap_err().to_string().contains("Maybe"));
//! ```

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};

use crate::Nullable;

/// What the error says was expected.
const EXPECTED: &str = "\"Yes\" or \"No\" (or true/false)";

/// The text DealPOS uses for `flag`.
fn text(flag: bool) -> &'static str {
    if flag { "Yes" } else { "No" }
}

/// The flag a text means, if it is one of the accepted spellings.
fn flag(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("yes") || text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("no") || text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Writes `"Yes"` or `"No"`.
pub fn serialize<S: Serializer>(value: &bool, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(text(*value))
}

/// Reads `"Yes"`/`"No"` (any case) or a JSON boolean; `null` is an error.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    deserializer.deserialize_any(Flag)
}

/// Reads one flag without buffering the value: a string or a boolean.
struct Flag;

impl<'de> Visitor<'de> for Flag {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTED)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<bool, E> {
        Ok(value)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<bool, E> {
        flag(value).ok_or_else(|| E::invalid_value(de::Unexpected::Str(value), &EXPECTED))
    }
}

/// Reads a flag or `null`.
struct MaybeFlag;

impl<'de> Visitor<'de> for MaybeFlag {
    type Value = Option<bool>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{EXPECTED} or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<bool>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<bool>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<bool>, D::Error> {
        deserialize(deserializer).map(Some)
    }
}

/// `Option<bool>` fields: `null` (or an absent field, with `#[serde(default)]`) is `None`.
pub mod option {
    use super::*;

    /// Writes `"Yes"`, `"No"` or `null`.
    pub fn serialize<S: Serializer>(value: &Option<bool>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(flag) => super::serialize(flag, serializer),
            None => serializer.serialize_none(),
        }
    }

    /// Reads `"Yes"`/`"No"`, a JSON boolean, or `null`.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
        deserializer.deserialize_option(MaybeFlag)
    }
}

/// `Nullable<bool>` fields: `null` is `Null`, absence comes from `#[serde(default)]`.
pub mod nullable {
    use super::*;

    /// Writes `"Yes"`, `"No"` or `null` (an absent field is skipped by the struct).
    pub fn serialize<S: Serializer>(value: &Nullable<bool>, serializer: S) -> Result<S::Ok, S::Error> {
        option::serialize(&value.as_ref().copied(), serializer)
    }

    /// Reads `"Yes"`/`"No"`, a JSON boolean, or `null` (as `Null`).
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Nullable<bool>, D::Error> {
        Ok(match option::deserialize(deserializer)? {
            Some(flag) => Nullable::Value(flag),
            None => Nullable::Null,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::Nullable;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Flags {
        #[serde(rename = "Void", with = "super")]
        void: bool,
        #[serde(rename = "Negative", default, skip_serializing_if = "Option::is_none", with = "super::option")]
        negative: Option<bool>,
        #[serde(rename = "Full", default, skip_serializing_if = "Nullable::is_absent", with = "super::nullable")]
        full: Nullable<bool>,
    }

    fn read(value: serde_json::Value) -> Result<Flags, String> {
        serde_json::from_value(value).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_yes_no_in_any_case_and_booleans() {
        for (text, flag) in
            [("Yes", true), ("No", false), ("yes", true), ("NO", false), ("true", true), ("False", false)]
        {
            assert_eq!(read(json!({"Void": text})).unwrap().void, flag, "{text}");
        }
        assert!(read(json!({"Void": true})).unwrap().void);
        let flags = read(json!({"Void": false, "Negative": "Yes", "Full": null})).unwrap();
        assert_eq!((flags.negative, flags.full), (Some(true), Nullable::Null));
        let flags = read(json!({"Void": "No", "Negative": null})).unwrap();
        assert_eq!((flags.negative, flags.full), (None, Nullable::Absent));
    }

    #[test]
    fn writes_what_dealpos_expects() {
        let flags = Flags { void: true, negative: Some(false), full: Nullable::Value(true) };
        assert_eq!(serde_json::to_value(&flags).unwrap(), json!({"Void": "Yes", "Negative": "No", "Full": "Yes"}));
        let flags = Flags { void: false, negative: None, full: Nullable::Null };
        assert_eq!(serde_json::to_value(&flags).unwrap(), json!({"Void": "No", "Full": null}));
    }

    #[test]
    fn refuses_anything_else_naming_the_value() {
        let err = read(json!({"Void": "Maybe"})).unwrap_err();
        assert!(err.contains("\"Maybe\"") && err.contains("\"Yes\" or \"No\""), "{err}");
        assert!(read(json!({"Void": 1})).unwrap_err().contains("integer `1`"));
        assert!(read(json!({"Void": ""})).is_err(), "an empty text is not \"No\"");
        assert!(read(json!({"Void": null})).is_err(), "a required flag is not null");
        assert!(read(json!({"Void": "No", "Negative": "Y"})).unwrap_err().contains("\"Y\""));
    }
}
