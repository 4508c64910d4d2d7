//! DealPOS's timestamps, as they really arrive.
//!
//! The documentation says `date-time`, but DealPOS sends wall-clock times
//! without an offset (`2020-09-02T13:52:18.33`), with 0 to 7 fraction digits,
//! sometimes with an offset (`2025-04-16T10:11:59.608095+07:00`), sometimes a
//! bare date, and `0001-01-01` at midnight in any of these forms (or an empty
//! string) for "no date". [`Timestamp`] accepts all of them and keeps the text
//! it was given, so a value decoded and encoded again is byte-for-byte what
//! DealPOS sent; it compares by the moment the text denotes.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// A DealPOS timestamp: the text as sent, and what it means.
///
/// Equality, ordering and hashing are by the moment denoted, not the text:
/// "no date" first, then times in order, those with an offset by their
/// instant and those without (and dates, at midnight) by their fields, as if
/// they were UTC, so that sorting a mixed list is still a total order. At one
/// instant a date sorts before a time without offset, and that before a time
/// with one; times with an offset at one instant are equal whatever the offset.
#[derive(Clone)]
pub struct Timestamp {
    text: String,
    moment: Moment,
}

#[derive(Clone, Copy, PartialEq, Eq)]
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
        // `trim` decodes characters at both ends; a byte test first spares it
        // on the timestamps that have nothing to trim (nearly all).
        let edge = |b: Option<&u8>| b.is_some_and(|&b| b.is_ascii_whitespace() || !b.is_ascii());
        let bytes = text.as_bytes();
        let trimmed = if edge(bytes.first()) || edge(bytes.last()) { text.trim() } else { text };
        let moment = if trimmed.is_empty() {
            Moment::Unset
        } else if let Some(moment) = by_position(trimmed).or_else(|| by_format(trimmed)) {
            // "No date" by value: `0001-01-01`, with or without a time of
            // midnight, a zero fraction or an offset.
            // The prefix test first: this runs on every timestamp of a payload.
            let unset = || NaiveDate::from_ymd_opt(1, 1, 1).map(|d| d.and_time(NaiveTime::MIN));
            let is_unset = trimmed.starts_with("0001-01-01") && naive_of(moment).is_some_and(|t| Some(t) == unset());
            if is_unset { Moment::Unset } else { moment }
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
        naive_of(self.moment)
    }

    /// The time with its offset, when DealPOS sent one.
    pub fn with_offset(&self) -> Option<DateTime<FixedOffset>> {
        match self.moment {
            Moment::Offset(t) => Some(t),
            _ => None,
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

/// The wall-clock reading of a moment; `None` for "no date".
fn naive_of(moment: Moment) -> Option<NaiveDateTime> {
    match moment {
        Moment::Unset => None,
        Moment::Local(t) => Some(t),
        Moment::Offset(t) => Some(t.naive_local()),
        Moment::Date(d) => Some(d.and_time(NaiveTime::MIN)),
    }
}

impl Moment {
    /// What equality, ordering and hashing compare (see [`Timestamp`]):
    /// the instant (fields read as UTC when there is no offset), then the kind.
    fn key(self) -> Option<(NaiveDateTime, u8)> {
        match self {
            Moment::Unset => None,
            Moment::Date(d) => Some((d.and_time(NaiveTime::MIN), 0)),
            Moment::Local(t) => Some((t, 1)),
            Moment::Offset(t) => Some((t.naive_utc(), 2)),
        }
    }
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.moment.key() == other.moment.key()
    }
}

impl Eq for Timestamp {}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        // `None` ("no date") sorts first.
        self.moment.key().cmp(&other.moment.key())
    }
}

impl Hash for Timestamp {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.moment.key().hash(state);
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(t: DateTime<Utc>) -> Self {
        Timestamp::from(t.fixed_offset())
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
/// (a leap second, a 4-digit offset, a 1-digit month) is left to [`by_format`].
fn by_position(text: &str) -> Option<Moment> {
    let b = text.as_bytes();
    let number = |from: usize, to: usize| {
        b[from..to].iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    // A bare date (`2021-03-01`), as document dates sometimes come.
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let year = i32::try_from(number(0, 4)?).ok()?;
        return NaiveDate::from_ymd_opt(year, number(5, 7)?, number(8, 10)?).map(Moment::Date);
    }
    let separators = b.len() >= 19
        && b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b'T' || b[10] == b' ')
        && b[13] == b':'
        && b[16] == b':';
    if !separators {
        return None;
    }
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
            "2020-09-02",
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
            "2023-02-29",
            "2020-9-02",
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
    fn every_no_date_form_is_recognised_by_value() {
        for text in [
            "",
            "0001-01-01",
            "0001-01-01 00:00:00",
            "0001-01-01T00:00:00",
            "0001-01-01T00:00:00.0000000",
            "0001-01-01T00:00:00Z",
            "0001-01-01T00:00:00+07:00",
            "0001-01-01T00:00:00.000-05:00",
        ] {
            let t = Timestamp::parse(text).unwrap_or_else(|e| panic!("{e}"));
            assert!(t.is_unset(), "{text}");
            assert_eq!(t.as_str(), text);
            assert_eq!(t, Timestamp::unset());
        }
        for text in ["0001-01-01T00:00:01", "0001-01-02", "0001-01-01T00:00:00.1"] {
            assert!(!Timestamp::parse(text).unwrap().is_unset(), "{text}");
        }
        assert!(Timestamp::parse("0001-01-01T00:00:00junk").is_err());
    }

    #[test]
    fn timestamps_order_by_the_moment_they_denote() {
        let t = |text: &str| Timestamp::parse(text).unwrap();
        assert_eq!(t("2020-09-02T13:52:18.3"), t("2020-09-02T13:52:18.3000000"));
        assert_eq!(t("2025-04-16T10:11:59+07:00"), t("2025-04-16T03:11:59Z"));
        assert!(t("2025-04-16T10:11:59+07:00") < t("2025-04-16T05:00:00+00:00"));
        assert!(t("2020-09-02T09:00:00") < t("2020-09-02T10:00:00"));
        assert!(t("2020-09-02") < t("2020-09-02T00:00:00"));
        assert!(t("2020-09-02T00:00:00") < t("2020-09-02T00:00:00Z"));
        assert!(t("0001-01-01") < t("0002-01-01"));
        let mut mixed = [t("2021-01-01"), t(""), t("2020-01-01T10:00:00+07:00"), t("2020-01-01T05:00:00")];
        mixed.sort();
        let texts: Vec<&str> = mixed.iter().map(Timestamp::as_str).collect();
        assert_eq!(texts, ["", "2020-01-01T10:00:00+07:00", "2020-01-01T05:00:00", "2021-01-01"]);
        let mut set = std::collections::HashSet::new();
        set.insert(t("2025-04-16T03:11:59Z"));
        assert!(set.contains(&t("2025-04-16T10:11:59+07:00")));
    }

    #[test]
    fn conversions_to_and_from_chrono() {
        let utc = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap();
        let t = Timestamp::from(utc);
        assert_eq!(t.to_utc(FixedOffset::east_opt(0).unwrap()), Some(utc));
        assert_eq!(t.with_offset().map(|o| o.with_timezone(&Utc)), Some(utc));
        let naive = NaiveDate::from_ymd_opt(2020, 9, 2).unwrap().and_hms_milli_opt(13, 52, 18, 330).unwrap();
        assert_eq!(Timestamp::from(naive).naive(), Some(naive));
        assert_eq!(Timestamp::from(naive).as_str(), "2020-09-02T13:52:18.330");
        assert_eq!(Timestamp::from(naive.date()).date(), Some(naive.date()));
        assert_eq!(Timestamp::parse("2020-09-02T13:52:18.33").unwrap().with_offset(), None);
    }

    #[test]
    fn garbage_is_an_error_that_quotes_it() {
        let err = serde_json::from_str::<Timestamp>("\"next tuesday\"").unwrap_err();
        assert!(err.to_string().contains("`next tuesday` is not a timestamp"), "{err}");
    }
}
