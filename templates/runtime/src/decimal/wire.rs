//! How a [`Decimal`] is read and written: its exact text through serde_json's
//! `raw_value` protocol, and a checked `f64` where serde has no text to give.

use std::fmt;

use super::{Decimal, DecimalError, Form};

/// serde_json's private name for a raw JSON value (feature `raw_value`):
/// asking for a newtype struct of this name hands over the value's text.
const RAW_TOKEN: &str = "$serde_json::private::RawValue";
/// serde_json's private name for a number under `arbitrary_precision`, which
/// another crate of a user's build may turn on: its text arrives this way.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";
impl serde::Serialize for Decimal {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;

        if self.is_quoted() {
            return serializer.collect_str(self);
        }
        if let (Form::Number, 0, Some(whole)) = (&self.form, self.value.scale(), self.to_i64()) {
            return serializer.serialize_i64(whole);
        }
        // serde_json writes a raw value's text as is: the exact digits,
        // which no f64 would keep. Other formats see a one-field struct,
        // which `Deserialize` reads back.
        let mut raw = serializer.serialize_struct(RAW_TOKEN, 1)?;
        raw.serialize_field(RAW_TOKEN, &self.to_string())?;
        raw.end()
    }
}

impl<'de> serde::Deserialize<'de> for Decimal {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // serde_json (feature `raw_value`) answers this with the value's
        // text; any other deserializer calls `visit_newtype_struct`.
        deserializer.deserialize_newtype_struct(RAW_TOKEN, Visitor)
    }
}

struct Visitor;

impl<'de> serde::de::Visitor<'de> for Visitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, or a string holding one")
    }

    fn visit_newtype_struct<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Decimal, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Decimal, A::Error> {
        use serde::de::Error;

        match map.next_key::<Token>()? {
            // The text is read inside the map, parsed outside it, so that an
            // error's path ends at the field rather than at serde_json's token.
            Some(Token::Raw) => map.next_value_seed(Raw)?.map_err(A::Error::custom),
            Some(Token::Number) => {
                let text: std::borrow::Cow<'de, str> = map.next_value()?;
                Decimal::parse(&text).map_err(A::Error::custom)
            }
            None => Err(A::Error::invalid_type(serde::de::Unexpected::Map, &self)),
        }
    }

    fn visit_i64<E>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Decimal, E> {
        Decimal::from_lossy_f64(v).map_err(E::custom)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Decimal, E> {
        Decimal::read(v, true).map_err(E::custom)
    }
}

/// The one key of the map a raw or arbitrary-precision value arrives as.
enum Token {
    Raw,
    Number,
}

impl<'de> serde::Deserialize<'de> for Token {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl serde::de::Visitor<'_> for KeyVisitor {
            type Value = Token;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number, or a string holding one")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Token, E> {
                match v {
                    RAW_TOKEN => Ok(Token::Raw),
                    NUMBER_TOKEN => Ok(Token::Number),
                    // A JSON object where an amount belongs.
                    _ => Err(E::invalid_type(serde::de::Unexpected::Map, &self)),
                }
            }
        }

        deserializer.deserialize_identifier(KeyVisitor)
    }
}

/// The raw text of a JSON value: a number, or a string holding one.
struct Raw;

impl<'de> serde::de::DeserializeSeed<'de> for Raw {
    type Value = Result<Decimal, DecimalError>;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl serde::de::Visitor<'_> for Raw {
    type Value = Result<Decimal, DecimalError>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, or a string holding one")
    }

    fn visit_str<E: serde::de::Error>(self, raw: &str) -> Result<Self::Value, E> {
        let Some(inner) = raw.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
            if raw.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
                return Ok(Decimal::parse(raw));
            }
            // `null`, `true`, an object or an array where an amount belongs.
            return Err(E::invalid_type(serde::de::Unexpected::Other(raw), &self));
        };
        if !inner.contains('\\') {
            return Ok(Decimal::read(inner, true));
        }
        // An escaped string (`"1\u0032"`): unescaped; sent back unescaped.
        let text: String = serde_json::from_str(raw).map_err(E::custom)?;
        Ok(Decimal::read(&text, true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Decimal {
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn the_exact_text_comes_from_readers_too() {
        let d: Decimal = serde_json::from_reader(&b"12500.50"[..]).unwrap();
        assert_eq!(d.to_string(), "12500.50");
    }

    /// Inside an untagged enum serde has already read the number as an f64:
    /// exact where the f64 cannot stand for a longer text, an error otherwise.
    #[test]
    fn without_the_text_only_unambiguous_floats_are_accepted() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(untagged)]
        enum Either {
            Amount(Decimal),
        }
        let amount = |text: &str| serde_json::from_str::<Either>(text).map(|Either::Amount(d)| d);
        assert_eq!(amount("12500.50").unwrap(), json("12500.5"));
        assert_eq!(amount("0.1").unwrap(), json("0.1"));
        // A long mantissa the default f64 parser rounded one bit off (see `float_roundtrip`).
        assert_eq!(amount("400000000000.00100E2").unwrap(), json("40000000000000.1"));
        assert_eq!(amount("18446744073709551615").unwrap(), json("18446744073709551615"));
        assert_eq!(amount("\"12.50\"").unwrap().to_string(), "12.50");
        assert!(amount("0.30000000000000004").is_err());
        assert!(amount("123456789012345678901").is_err());
        assert!(amount("1e20").is_err());
        // From a serde_json::Value, which holds an f64 for a fraction.
        let value: serde_json::Value = serde_json::from_str("0.1").unwrap();
        assert_eq!(serde_json::from_value::<Decimal>(value).unwrap(), json("0.1"));
    }
}
