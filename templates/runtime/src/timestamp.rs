//! DealPOS's timestamps, as they really arrive.
//!
//! The documentation says `date-time`, but DealPOS sends wall-clock times
//! without an offset (`2020-09-02T13:52:18.33`), with 0 to 7 fraction digits,
//! sometimes with an offset (`2025-04-16T10:11:59.608095+07:00`), sometimes a
//! bare date, and `0001-01-01T00:00:00` (or an empty string) for "no date".
//! [`Timestamp`] accepts all of them and keeps the text it was given, so a
//! value decoded and encoded again is byte-for-byte what DealPOS sent.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// A DealPOS timestamp: the text as sent, and what it means.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Timestamp {
    text: String,
    moment: Moment,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Moment {
    /// `0001-01-01T00:00:00` or empty: DealPOS's "no date".
    Unset,
    /// A wall-clock time in the outlet's zone, which DealPOS does not say.
    Local(NaiveDateTime),
    /// A time with its offset.
    Offset(DateTime<FixedOffset>),
    /// A date alone.
    Date(NaiveDate),
}

/// Text that is not a timestamp in any form DealPOS uses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a timestamp (expected e.g. `2020-09-02T13:52:18.33`, with or without an offset, or a date)")]
pub struct TimestampError(String);

const UNSET: &str = "0001-01-01T00:00:00";

impl Timestamp {
    /// Parses any of the forms DealPOS sends.
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        let trimmed = text.trim();
        let moment = if trimmed.is_empty() || trimmed.starts_with(UNSET) {
            Moment::Unset
        } else if let Some(moment) = by_position(trimmed).or_else(|| by_format(trimmed)) {
            moment
        } else {
            return Err(TimestampError(text.to_string()));
        };
        Ok(Timestamp { text: text.to_string(), moment })
    }

    /// DealPOS's "no date" (`0001-01-01T00:00:00`).
    pub fn unset() -> Self {
        Timestamp { text: UNSET.to_string(), moment: Moment::Unset }
    }

    /// The text exactly as received (or as it will be sent).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether this is DealPOS's "no date".
    pub fn is_unset(&self) -> bool {
        self.moment == Moment::Unset
    }

    /// The wall-clock date and time; a bare date is taken at midnight and an
    /// offset time gives its local reading. `None` when unset.
    pub fn naive(&self) -> Option<NaiveDateTime> {
        match self.moment {
            Moment::Unset => None,
            Moment::Local(t) => Some(t),
            Moment::Offset(t) => Some(t.naive_local()),
            Moment::Date(d) => Some(d.and_time(NaiveTime::MIN)),
        }
    }

    /// The date. `None` when unset.
    pub fn date(&self) -> Option<NaiveDate> {
        self.naive().map(|t| t.date())
    }

    /// The offset DealPOS sent, if it sent one.
    pub fn offset(&self) -> Option<FixedOffset> {
        match self.moment {
            Moment::Offset(t) => Some(*t.offset()),
            _ => None,
        }
    }

    /// The instant, reading times without an offset in `zone` (the outlet's
    /// offset, which DealPOS does not send). `None` when unset.
    pub fn to_utc(&self, zone: FixedOffset) -> Option<DateTime<Utc>> {
        match self.moment {
            Moment::Offset(t) => Some(t.with_timezone(&Utc)),
            _ => zone.from_local_datetime(&self.naive()?).single().map(|t| t.with_timezone(&Utc)),
        }
    }
}

impl From<NaiveDateTime> for Timestamp {
    fn from(t: NaiveDateTime) -> Self {
        Timestamp { text: t.format("%Y-%m-%dT%H:%M:%S%.f").to_string(), moment: Moment::Local(t) }
    }
}

impl From<DateTime<FixedOffset>> for Timestamp {
    fn from(t: DateTime<FixedOffset>) -> Self {
        Timestamp { text: t.to_rfc3339(), moment: Moment::Offset(t) }
    }
}

impl From<NaiveDate> for Timestamp {
    fn from(d: NaiveDate) -> Self {
        Timestamp { text: d.format("%Y-%m-%d").to_string(), moment: Moment::Date(d) }
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(s)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({:?})", self.text)
    }
}

/// The forms DealPOS nearly always sends (`2020-09-02T13:52:18.33`, maybe
/// with `Z` or `+07:00`), read by position: chrono's format strings are
/// interpreted on every call and cost about ten times as much. Anything else
/// (a leap second, a bare date, a 4-digit offset) is left to [`by_format`].
fn by_position(text: &str) -> Option<Moment> {
    let b = text.as_bytes();
    let separators = b.len() >= 19
        && b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b'T' || b[10] == b' ')
        && b[13] == b':'
        && b[16] == b':';
    if !separators {
        return None;
    }
    let number = |from: usize, to: usize| {
        b[from..to].iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    let year = i32::try_from(number(0, 4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, number(5, 7)?, number(8, 10)?)?;
    let mut at = 19;
    let mut nanos = 0u32;
    if b.get(at) == Some(&b'.') {
        let start = at + 1;
        at = start;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            if at - start < 9 {
                nanos = nanos * 10 + u32::from(b[at] - b'0');
            }
            at += 1;
        }
        let digits = at - start;
        if digits == 0 {
            return None;
        }
        nanos *= 10u32.pow(9 - digits.min(9) as u32);
    }
    let time = NaiveTime::from_hms_nano_opt(number(11, 13)?, number(14, 16)?, number(17, 19)?, nanos)?;
    let local = NaiveDateTime::new(date, time);
    let offset = match &b[at..] {
        [] => return Some(Moment::Local(local)),
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), ..] if b.len() == at + 6 && b[at + 3] == b':' => {
            let seconds = i32::try_from(number(at + 1, at + 3)? * 3600 + number(at + 4, at + 6)? * 60).ok()?;
            if *sign == b'-' { -seconds } else { seconds }
        }
        _ => return None,
    };
    FixedOffset::east_opt(offset)?.from_local_datetime(&local).single().map(Moment::Offset)
}

/// Every form DealPOS has been seen to send, by chrono's parsers.
fn by_format(text: &str) -> Option<Moment> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        Some(Moment::Offset(t))
    } else if let Ok(t) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        Some(Moment::Local(t))
    } else if let Ok(t) = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f") {
        Some(Moment::Local(t))
    } else if let Ok(t) = DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z") {
        Some(Moment::Offset(t))
    } else {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().map(Moment::Date)
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Timestamp::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_dealpos_sends_round_trips() {
        for text in [
            "2020-09-02T00:00:00",
            "2020-09-02T13:52:18.3",
            "2020-09-02T13:52:18.33",
            "2025-04-08T14:37:01.283",
            "2025-04-16T10:11:59.6080951",
            "2025-04-16T10:11:59.608095+07:00",
            "2025-04-16T03:11:59Z",
            "2020-09-02",
            "0001-01-01T00:00:00",
            "",
        ] {
            let t = Timestamp::parse(text).unwrap();
            assert_eq!(t.as_str(), text);
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
        }
    }

    #[test]
    fn reading_by_position_agrees_with_chrono() {
        for text in [
            "2020-09-02T00:00:00",
            "2020-09-02 13:52:18",
            "2020-09-02T13:52:18.3",
            "2025-04-16T10:11:59.6080951",
            "2025-04-16T10:11:59.123456789",
            "2025-04-16T10:11:59.608095+07:00",
            "2025-04-16T10:11:59-03:30",
            "2025-04-16T03:11:59Z",
            "2024-02-29T23:59:59.9999999",
        ] {
            let fast = by_position(text);
            assert!(fast.is_some(), "{text}: not read by position");
            assert!(fast == by_format(text), "{text}: the two readings differ");
        }
        // Not by position (left to chrono, or not a timestamp at all).
        for text in [
            "2023-02-29T00:00:00",
            "2020-13-02T00:00:00",
            "2020-09-02T13:52:18.",
            "2020-09-02T25:00:00",
            "2020-09-02T13:52:18+0700",
            "2020-09-02",
            "2020-09-02T13:52:18 junk",
            "２０２０-09-02T00:00:00",
        ] {
            assert!(by_position(text).is_none(), "{text}: read by position");
        }
    }

    #[test]
    fn meanings() {
        let local = Timestamp::parse("2020-09-02T13:52:18.3300000").unwrap();
        assert_eq!(local.naive().unwrap().to_string(), "2020-09-02 13:52:18.330");
        let seven = FixedOffset::east_opt(7 * 3600).unwrap();
        assert_eq!(local.to_utc(seven).unwrap().to_rfc3339(), "2020-09-02T06:52:18.330+00:00");
        let offset = Timestamp::parse("2025-04-16T10:11:59+07:00").unwrap();
        assert_eq!(offset.offset(), Some(seven));
        assert!(Timestamp::parse("0001-01-01T00:00:00").unwrap().is_unset());
        assert_eq!(Timestamp::parse("2020-09-02").unwrap().date().unwrap().to_string(), "2020-09-02");
    }

    #[test]
    fn garbage_is_an_error_that_quotes_it() {
        let err = serde_json::from_str::<Timestamp>("\"next tuesday\"").unwrap_err();
        assert!(err.to_string().contains("`next tuesday` is not a timestamp"), "{err}");
    }
}
