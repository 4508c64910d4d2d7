//! Numbers DealPOS sends, kept exactly as written.
//!
//! Money and quantities are documented as `integer` in places and arrive as
//! decimals (`12500.5`); elsewhere numbers arrive as strings. [`Decimal`] holds
//! the JSON number as sent, so `100000` stays `100000` and `0.5` stays `0.5`
//! when encoded again, and converts on request.

use std::fmt;
use std::str::FromStr;

/// A JSON number kept as sent.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Decimal(serde_json::Number);

/// Text that is not a number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a number")]
pub struct DecimalError(String);

impl Decimal {
    /// Parses a JSON-style number (`12`, `-0.5`, `1e3`).
    pub fn parse(text: &str) -> Result<Self, DecimalError> {
        serde_json::from_str::<serde_json::Number>(text.trim()).map(Decimal).map_err(|_| DecimalError(text.to_string()))
    }

    /// The value as an `f64` (exact for integers up to 2^53).
    pub fn to_f64(&self) -> f64 {
        self.0.as_f64().unwrap_or(f64::NAN)
    }

    /// The value as an `i64`, when it is a whole number in range.
    pub fn to_i64(&self) -> Option<i64> {
        if let Some(i) = self.0.as_i64() {
            return Some(i);
        }
        let f = self.0.as_f64()?;
        // The range check keeps the cast exact; the fract check keeps it whole.
        (f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64).then_some(f as i64)
    }

    /// The JSON number.
    pub fn as_number(&self) -> &serde_json::Number {
        &self.0
    }
}

impl From<i64> for Decimal {
    fn from(value: i64) -> Self {
        Decimal(value.into())
    }
}

impl From<i32> for Decimal {
    fn from(value: i32) -> Self {
        Decimal(value.into())
    }
}

impl From<u32> for Decimal {
    fn from(value: u32) -> Self {
        Decimal(value.into())
    }
}

impl TryFrom<f64> for Decimal {
    type Error = DecimalError;

    fn try_from(value: f64) -> Result<Self, Self::Error> {
        serde_json::Number::from_f64(value).map(Decimal).ok_or_else(|| DecimalError(value.to_string()))
    }
}

impl FromStr for Decimal {
    type Err = DecimalError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Decimal::parse(s)
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Decimal({})", self.0)
    }
}

impl serde::Serialize for Decimal {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Decimal {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl serde::de::Visitor<'_> for Visitor {
            type Value = Decimal;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number, or a string holding one")
            }

            fn visit_i64<E>(self, v: i64) -> Result<Decimal, E> {
                Ok(Decimal(v.into()))
            }

            fn visit_u64<E>(self, v: u64) -> Result<Decimal, E> {
                Ok(Decimal(v.into()))
            }

            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Decimal, E> {
                Decimal::try_from(v).map_err(E::custom)
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Decimal, E> {
                Decimal::parse(v).map_err(E::custom)
            }
        }

        deserializer.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_as_written() {
        for text in ["100000", "0", "-3", "12500.5", "0.125", "18446744073709551615"] {
            let d: Decimal = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&d).unwrap(), text);
        }
    }

    #[test]
    fn conversions() {
        let d: Decimal = serde_json::from_str("\"12.50\"").unwrap();
        assert_eq!(d.to_f64(), 12.5);
        assert_eq!(d.to_i64(), None);
        assert_eq!(Decimal::from(7).to_i64(), Some(7));
        assert_eq!(Decimal::parse("2.0").unwrap().to_i64(), Some(2));
        assert!(serde_json::from_str::<Decimal>("\"abc\"").unwrap_err().to_string().contains("`abc` is not a number"));
        assert!(serde_json::from_str::<Decimal>("true").is_err());
    }
}
