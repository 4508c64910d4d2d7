//! Money and quantities, exact: the amount DealPOS sent, and the text it sent.
//!
//! Amounts are documented as `integer` in places and arrive as decimals
//! (`12500.50`), as strings (`"12.50"`), now and then in exponent form. A
//! [`Decimal`] holds the amount as a [`rust_decimal::Decimal`] (28 significant
//! digits, exact) and how it was written, so it compares numerically
//! (`100 == 100.0`) and encodes back exactly as received: `12500.50` stays
//! `12500.50`, `"12.50"` stays a string.
//!
//! The exact text comes from serde_json's `raw_value` protocol (see the
//! README, "Decisions": `arbitrary_precision` would change every serde_json
//! user in a build). Where serde_json has already turned a number into an
//! `f64` before [`Decimal`] sees it (inside a `#[serde(untagged)]` enum, or
//! from a `serde_json::Value`), the amount is accepted only when that `f64`
//! cannot stand for a longer text: at most 15 significant digits and below
//! 2^53; anything else is an error naming the value, never a rounded amount.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

/// `Serialize` and `Deserialize`: the exact text through serde_json.
mod wire;

/// Integers below this are exact in an `f64`.
const F64_EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0;
/// Significant digits every decimal text keeps through an `f64` and back.
const F64_DIGITS: usize = 15;

/// An exact amount, and the text it was written as.
///
/// Equality, ordering and hashing are by amount: `Decimal::parse("100")` equals
/// `Decimal::parse("100.0")`. Convert with [`Decimal::value`] or `From` to
/// [`rust_decimal::Decimal`] for arithmetic.
#[derive(Clone)]
pub struct Decimal {
    value: rust_decimal::Decimal,
    form: Form,
}

/// How an amount is written when encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Form {
    /// A JSON number, written as the amount's own text (`12500.50`).
    Number,
    /// A JSON string, written as the amount's own text (`"12.50"`).
    Quoted,
    /// Written some other way (`1e3`, `-0`): the text, sent back unchanged.
    /// Boxed: it is rare, and keeps every other amount small.
    Text(Box<Written>),
}

/// A text kept as written, and whether it was a JSON string.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Written {
    quoted: bool,
    text: Box<str>,
}

/// A text or number that is not an amount [`Decimal`] holds exactly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` {reason}")]
pub struct DecimalError {
    text: String,
    reason: &'static str,
}

impl DecimalError {
    fn new(text: impl Into<String>, reason: &'static str) -> Self {
        DecimalError { text: text.into(), reason }
    }

    /// The text (or number) that was refused.
    pub fn text(&self) -> &str {
        &self.text
    }
}

const NOT_A_NUMBER: &str = "is not a number";
const TOO_PRECISE: &str = "has more digits than a decimal of 28 significant digits holds exactly";
const FLOAT_AMBIGUOUS: &str = "arrived as a binary float with more than 15 significant digits or beyond 2^53, \
     so the digits sent are unknown (a number inside a union or a serde_json::Value)";

impl Decimal {
    /// Parses a JSON-style number (`12`, `-0.5`, `1e3`; surrounding spaces
    /// allowed), exactly. Encoded again, it is a JSON number with this text.
    pub fn parse(text: &str) -> Result<Self, DecimalError> {
        Self::read(text, false)
    }

    fn read(text: &str, quoted: bool) -> Result<Self, DecimalError> {
        // Nearly every amount DealPOS sends is plain notation (`12500.50`):
        // read in one pass, and its text is its own, so nothing is kept. A
        // negative zero (`-0.0`) is plain too but not canonical: it keeps its text.
        if let Some(value) = plain(text.as_bytes()).filter(|v| !(v.is_zero() && text.starts_with('-'))) {
            return Ok(Decimal { value, form: if quoted { Form::Quoted } else { Form::Number } });
        }
        let value = exact(text.trim())?;
        let form = match (canonical(text, &value), quoted) {
            (true, false) => Form::Number,
            (true, true) => Form::Quoted,
            (false, quoted) => Form::Text(Box::new(Written { quoted, text: text.into() })),
        };
        Ok(Decimal { value, form })
    }

    /// The amount, for arithmetic.
    pub fn value(&self) -> rust_decimal::Decimal {
        self.value
    }

    /// The same amount, encoded as a JSON string (`"12.50"`), as some
    /// DealPOS endpoints write amounts.
    pub fn quoted(self) -> Self {
        let form = match self.form {
            Form::Number | Form::Quoted => Form::Quoted,
            Form::Text(written) => Form::Text(Box::new(Written { quoted: true, ..*written })),
        };
        Decimal { value: self.value, form }
    }

    /// Whether it arrived (or will be sent) as a JSON string.
    pub fn is_quoted(&self) -> bool {
        match &self.form {
            Form::Number => false,
            Form::Quoted => true,
            Form::Text(written) => written.quoted,
        }
    }

    /// The nearest `f64` (exact for amounts an `f64` holds, such as integers
    /// up to 2^53; `0.1` is not one).
    pub fn to_f64(&self) -> f64 {
        // Through the text: shortest-digit parsing gives the nearest f64,
        // which rust_decimal's own conversion does not promise.
        self.value.to_string().parse().unwrap_or(f64::NAN)
    }

    /// The amount as an `i64`, when it is a whole number in range.
    pub fn to_i64(&self) -> Option<i64> {
        let whole = self.value.normalize();
        if whole.scale() != 0 {
            return None;
        }
        i64::try_from(whole.mantissa()).ok()
    }

    fn from_integer(value: impl Into<rust_decimal::Decimal>) -> Self {
        Decimal { value: value.into(), form: Form::Number }
    }

    /// From an `f64` that may have lost digits on the way (serde_json read
    /// the number without its text): only when it cannot stand for a longer text.
    fn from_lossy_f64(value: f64) -> Result<Self, DecimalError> {
        let shortest = serde_json::Number::from_f64(value).map(|n| n.to_string());
        let Some(shortest) = shortest else {
            return Err(DecimalError::new(value.to_string(), NOT_A_NUMBER));
        };
        if value.abs() >= F64_EXACT_INTEGERS || significant_digits(&shortest) > F64_DIGITS {
            return Err(DecimalError::new(shortest, FLOAT_AMBIGUOUS));
        }
        Self::parse(&shortest)
    }
}

/// The exact amount of a JSON number's text; an error when it is not one or
/// does not fit 28 significant digits (never a rounded amount).
fn exact(text: &str) -> Result<rust_decimal::Decimal, DecimalError> {
    if let Some(value) = plain(text.as_bytes()) {
        return Ok(value);
    }
    if !is_json_number(text) {
        return Err(DecimalError::new(text, NOT_A_NUMBER));
    }
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let value = rust_decimal::Decimal::from_str_exact(mantissa).map_err(|_| DecimalError::new(text, TOO_PRECISE))?;
    let Some(exponent) = exponent else {
        return Ok(value);
    };
    let exponent: i64 = exponent.parse().map_err(|_| DecimalError::new(text, TOO_PRECISE))?;
    // value × 10^exponent = mantissa ÷ 10^(scale − exponent).
    let scale = i64::from(value.scale()) - exponent;
    if scale >= 0 {
        let scale = u32::try_from(scale).map_err(|_| DecimalError::new(text, TOO_PRECISE))?;
        rust_decimal::Decimal::try_from_i128_with_scale(value.mantissa(), scale)
            .map_err(|_| DecimalError::new(text, TOO_PRECISE))
    } else {
        let power = u32::try_from(-scale).ok().and_then(|p| 10i128.checked_pow(p));
        power
            .and_then(|p| value.mantissa().checked_mul(p))
            .and_then(|m| rust_decimal::Decimal::try_from_i128_with_scale(m, 0).ok())
            .ok_or_else(|| DecimalError::new(text, TOO_PRECISE))
    }
}

/// The common case, read in one pass: `-?(0|[1-9][0-9]*)(\.[0-9]+)?` with at
/// most 19 digits, which a `u64` mantissa holds. `None` for anything else
/// (spaces, exponents, longer mantissas), left to the general reading: this
/// one runs on every amount of every payload.
fn plain(text: &[u8]) -> Option<rust_decimal::Decimal> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    // A leading zero only before the point (`0.5`, not `05`).
    if digits.len() > 1 && digits[0] == b'0' && digits[1] != b'.' {
        return None;
    }
    let mut mantissa = 0u64;
    let mut count = 0usize;
    let mut point = None;
    for (i, &c) in digits.iter().enumerate() {
        if c.is_ascii_digit() {
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
            count += 1;
        } else if c == b'.' && point.is_none() && i > 0 && i + 1 < digits.len() {
            point = Some(i);
        } else {
            return None;
        }
    }
    // 19 digits never overflow a u64 (the wrapping arithmetic above is exact then).
    if count == 0 || count > 19 {
        return None;
    }
    let scale = point.map_or(0, |at| digits.len() - at - 1);
    // scale < 19 ≤ rust_decimal's maximum of 28, so `from_parts` cannot panic.
    Some(rust_decimal::Decimal::from_parts(mantissa as u32, (mantissa >> 32) as u32, 0, negative, scale as u32))
}

/// JSON's number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn is_json_number(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = usize::from(bytes.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while bytes.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let int_start = i;
    let int = digits(&mut i);
    if int == 0 || (int > 1 && bytes[int_start] == b'0') {
        return false;
    }
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == bytes.len()
}

/// Whether `value`'s own text is `text`, so the text need not be kept: plain
/// notation, no exponent, no spaces, and not a negative zero.
fn canonical(text: &str, value: &rust_decimal::Decimal) -> bool {
    let negative_zero = text.starts_with('-') && value.is_zero();
    !(negative_zero || text.contains(['e', 'E', ' ', '\t', '\n', '\r']))
}

/// Significant digits of a plain or exponent text (`0.0120` → 3, `1e20` → 1).
fn significant_digits(text: &str) -> usize {
    let mantissa = text.split(['e', 'E']).next().unwrap_or(text);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    digits.trim_start_matches('0').trim_end_matches('0').len().max(1)
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl Eq for Decimal {}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        self.value.cmp(&other.value)
    }
}

impl Hash for Decimal {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // rust_decimal hashes the normalised amount, as equality compares it.
        self.value.hash(state);
    }
}

impl From<rust_decimal::Decimal> for Decimal {
    fn from(value: rust_decimal::Decimal) -> Self {
        Decimal { value, form: Form::Number }
    }
}

impl From<Decimal> for rust_decimal::Decimal {
    fn from(value: Decimal) -> Self {
        value.value
    }
}

macro_rules! from_integer {
    ($($t:ty),*) => {$(
        impl From<$t> for Decimal {
            fn from(value: $t) -> Self {
                Decimal::from_integer(value)
            }
        }
    )*};
}

from_integer!(i8, i16, i32, i64, u8, u16, u32, u64);

impl TryFrom<f64> for Decimal {
    type Error = DecimalError;

    /// The amount the `f64` is written as (its shortest text: `0.1_f64` gives
    /// exactly `0.1`); an error for NaN, infinities and what 28 digits do not hold.
    fn try_from(value: f64) -> Result<Self, Self::Error> {
        match serde_json::Number::from_f64(value) {
            Some(number) => Decimal::parse(&number.to_string()),
            None => Err(DecimalError::new(value.to_string(), NOT_A_NUMBER)),
        }
    }
}

impl FromStr for Decimal {
    type Err = DecimalError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Decimal::parse(s)
    }
}

impl fmt::Display for Decimal {
    /// The text as received (without quotes), or the amount's own text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.form {
            Form::Text(written) => f.write_str(&written.text),
            Form::Number | Form::Quoted => fmt::Display::fmt(&self.value, f),
        }
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_quoted() { write!(f, "Decimal(\"{self}\")") } else { write!(f, "Decimal({self})") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn json(text: &str) -> Decimal {
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn encoded(d: &Decimal) -> String {
        serde_json::to_string(d).unwrap()
    }

    #[test]
    fn amounts_round_trip_exactly_as_sent() {
        let texts = [
            "12500.50",
            "\"12.50\"",
            "0.1",
            "100000",
            "0",
            "-3",
            "0.125",
            "18446744073709551615",
            "18446744073709551616",
            "1234567890123456789012345678",
            "0.1234567890123456789012345678",
            "1e3",
            "1.5E-2",
            "-0",
            "-0.00",
            "\" 12 \"",
        ];
        for text in texts {
            assert_eq!(encoded(&json(text)), text, "{text}");
        }
        assert_eq!(json("1e3"), Decimal::from(1000));
        // The rare written-out text is boxed: an amount stays two words past its 16 bytes.
        assert!(std::mem::size_of::<Decimal>() <= 32);
        assert_eq!(json("1.5E-2").value(), rust_decimal::Decimal::new(15, 3));
        assert_eq!(encoded(&json("\"1\\u0032\"")), "\"12\"");
        // The one-pass reading and the general one agree, and refuse alike.
        for text in ["0", "-0", "0.0", "12500.50", "9999999999999999999", "1.999999999999999999", "-0.000001"] {
            assert_eq!(
                plain(text.as_bytes()).map(|d| d.to_string()),
                rust_decimal::Decimal::from_str_exact(text).ok().map(|d| d.to_string())
            );
        }
        for text in ["", "-", ".5", "5.", "01", "1..2", "1.2.3", "+1", "99999999999999999999", "1e3", "1 "] {
            assert!(plain(text.as_bytes()).is_none(), "{text}");
        }
    }

    #[test]
    fn equality_and_ordering_are_by_amount() {
        assert_eq!(json("100"), json("100.0"));
        assert_eq!(json("\"12.50\""), json("12.5"));
        assert!(json("0.1") < json("0.10000000000000000001"));
        assert!(json("-1") < json("0"));
        let mut set = std::collections::HashSet::new();
        set.insert(json("2.50"));
        assert!(set.contains(&json("2.5")));
    }

    #[test]
    fn what_cannot_be_held_exactly_is_an_error_naming_it() {
        for text in ["12345678901234567890123456789012", "1e400", "0.00000000000000000000000000001", "1e-99999999999"] {
            let err = serde_json::from_str::<Decimal>(text).unwrap_err().to_string();
            assert!(err.contains("28 significant digits"), "{text}: {err}");
        }
        for text in ["\"abc\"", "\"1,5\"", "\"\"", "true", "null", "{}", "[1]", "{\"a\": 1}"] {
            assert!(serde_json::from_str::<Decimal>(text).is_err(), "{text}");
        }
        assert!(serde_json::from_str::<Decimal>("\"abc\"").unwrap_err().to_string().contains("`abc` is not a number"));

        #[derive(Debug, serde::Deserialize)]
        struct Line {
            #[serde(rename = "Price")]
            _price: Decimal,
        }
        let err = crate::decode::from_slice::<Vec<Line>>("lines", br#"[{"Price": 1}, {"Price": 1e400}]"#).unwrap_err();
        assert_eq!(err.path, "[1].Price");
    }

    #[test]
    fn conversions() {
        let d = json("\"12.50\"");
        assert_eq!(d.to_f64(), 12.5);
        assert_eq!(d.to_i64(), None);
        assert!(d.is_quoted());
        assert_eq!(Decimal::from(7).to_i64(), Some(7));
        assert_eq!(Decimal::parse("2.0").unwrap().to_i64(), Some(2));
        assert_eq!(Decimal::parse("1e27").unwrap().to_i64(), None);
        assert_eq!(Decimal::from(u64::MAX).to_string(), "18446744073709551615");
        assert_eq!(Decimal::try_from(0.1).unwrap(), json("0.1"));
        assert_eq!(Decimal::try_from(0.1).unwrap().to_string(), "0.1");
        assert!(Decimal::try_from(f64::NAN).is_err());
        assert!(Decimal::try_from(1e300).is_err());
        let exact: rust_decimal::Decimal = json("12500.50").into();
        assert_eq!(exact, rust_decimal::Decimal::new(1_250_050, 2));
        assert_eq!(encoded(&Decimal::from(exact)), "12500.50");
        assert_eq!(encoded(&Decimal::from(5).quoted()), "\"5\"");
        assert_eq!(format!("{:?}", json("\"1.0\"")), "Decimal(\"1.0\")");
        assert_eq!("1.25".parse::<Decimal>().unwrap().to_f64(), 1.25);
    }

    /// A decimal text as DealPOS could send it: a sign, up to 15 integer and
    /// 13 fraction digits (28 in all, what .NET's `decimal` holds), an exponent now and then.
    fn amount_text() -> impl Strategy<Value = String> {
        ("-?", "0|[1-9][0-9]{0,14}", proptest::option::of("[0-9]{1,13}"), proptest::option::of("[eE][+-]?[0-9]"))
            .prop_map(|(sign, int, frac, exp)| {
                let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
                format!("{sign}{int}{frac}{}", exp.unwrap_or_default())
            })
    }

    proptest! {
        #[test]
        fn any_amount_round_trips_exactly(text in amount_text()) {
            prop_assert_eq!(encoded(&json(&text)), text.clone());
            let quoted = format!("\"{text}\"");
            prop_assert_eq!(encoded(&json(&quoted)), quoted);
            let padded = if text.contains(['.', 'e', 'E']) { text.clone() } else { format!("{text}.000") };
            prop_assert_eq!(json(&text), json(&padded));
        }

        #[test]
        fn amounts_compare_numerically(a in amount_text(), b in amount_text()) {
            let (da, db) = (json(&a), json(&b));
            let (fa, fb) = (da.to_f64(), db.to_f64());
            // f64 conversion is monotonic: where it tells two amounts apart, so must Decimal.
            if fa < fb {
                prop_assert!(da < db, "{a} < {b}");
            } else if fa > fb {
                prop_assert!(da > db, "{a} > {b}");
            }
            prop_assert_eq!(da == db, da.cmp(&db) == Ordering::Equal);
        }

        /// (`400000000000.00100E2` failed here before serde_json's
        /// `float_roundtrip`: its fast parser was one bit off.)
        #[test]
        fn without_the_text_a_short_amount_is_still_exact(text in amount_text()) {
            #[derive(serde::Deserialize)]
            #[serde(untagged)]
            enum Either {
                Amount(Decimal),
            }
            let sent = json(&text);
            if significant_digits(&text) <= F64_DIGITS && sent.to_f64().abs() < F64_EXACT_INTEGERS {
                let read = serde_json::from_str::<Either>(&text).map(|Either::Amount(d)| d);
                prop_assert_eq!(read.map_err(|e| e.to_string()), Ok(sent));
            }
        }
    }
}
