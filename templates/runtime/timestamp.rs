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
        } else if let Ok(t) = DateTime::parse_from_rfc3339(trimmed) {
            Moment::Offset(t)
        } else if let Ok(t) = NaiveDateTime::parse_from_str(trimmed, "%Y-%m-%dT%H:%M:%S%.f") {
            Moment::Local(t)
        } else if let Ok(t) = NaiveDateTime::parse_from_str(trimmed, "%Y-%m-%d %H:%M:%S%.f") {
            Moment::Local(t)
        } else if let Ok(t) = DateTime::parse_from_str(trimmed, "%Y-%m-%dT%H:%M:%S%.f%z") {
            Moment::Offset(t)
        } else if let Ok(d) = NaiveDate::parse_from_str(trimmed, "%Y-%m-%d") {
            Moment::Date(d)
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
