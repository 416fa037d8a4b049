//! Server timestamps, tolerant of the forms the API is seen to send, and of
//! the ones it should not send.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A timestamp from the API (`created_at`, `connected_at`).
///
/// The docs show `2025-05-26T10:12:45`: no offset and no fraction. Such a
/// value is read as UTC, the default time zone of the Laravel platform behind
/// the API (the docs do not name one). Also read as an instant: fractional
/// seconds, a `Z` or a `±HH:MM`/`±HHMM` offset (converted to UTC), and a
/// space instead of the `T` (the spec's `Timestamp` pattern lists the same
/// layouts).
///
/// A text in any other shape still decodes: it is kept as it was sent and
/// [`as_datetime`](Self::as_datetime) is `None`, like an unknown
/// [`InstanceStatus`](crate::InstanceStatus). So one odd `created_at` never
/// fails a list of hundreds of instances; code that needs the instant
/// decides what to do without it. [`Timestamp::parse`] (and `FromStr`) is
/// the strict parser, for input you check yourself.
///
/// It displays and serializes as RFC 3339 in UTC with an explicit `Z`
/// (`2025-05-26T10:12:45Z`, with a fraction only when there is one), so a
/// consumer of re-encoded JSON never reads it as local time; an unparsed
/// text displays and serializes as it was received.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use hypersender::Timestamp;
///
/// let t: Timestamp = "2025-05-26T10:12:45".parse().unwrap();
/// assert_eq!(t.as_datetime(), Some(Utc.with_ymd_and_hms(2025, 5, 26, 10, 12, 45).unwrap()));
/// assert_eq!(t.to_string(), "2025-05-26T10:12:45Z");
/// let offset: Timestamp = "2025-05-26 12:12:45+02:00".parse().unwrap();
/// assert_eq!(t, offset);
///
/// let odd: Timestamp = serde_json::from_str("\"yesterday\"").unwrap();
/// assert_eq!(odd.as_datetime(), None);
/// assert_eq!(odd.unparsed(), Some("yesterday"));
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(Repr);

#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Repr {
    Instant(DateTime<Utc>),
    /// A text in none of the accepted layouts, as received.
    Unparsed(Box<str>),
}

/// A text that is not one of the accepted timestamp forms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidTimestamp(String);

impl fmt::Display for InvalidTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid timestamp {:?}: expected YYYY-MM-DDTHH:MM:SS, optionally with fractional seconds and a Z or ±HH:MM offset",
            self.0
        )
    }
}

impl std::error::Error for InvalidTimestamp {}

/// Longest text worth trying (`2025-05-26T10:12:45.123456789+02:00` is 35).
const MAX_LEN: usize = 64;

impl Timestamp {
    /// The instant, in UTC; `None` for a text in an unexpected shape.
    pub fn as_datetime(&self) -> Option<DateTime<Utc>> {
        match &self.0 {
            Repr::Instant(instant) => Some(*instant),
            Repr::Unparsed(_) => None,
        }
    }

    /// The text as received, when it was in none of the accepted layouts.
    pub fn unparsed(&self) -> Option<&str> {
        match &self.0 {
            Repr::Instant(_) => None,
            Repr::Unparsed(text) => Some(text),
        }
    }

    /// Parses one of the accepted forms (see the type's docs), strictly.
    pub fn parse(text: &str) -> Result<Self, InvalidTimestamp> {
        parse_layout(text.as_bytes())
            .map(|instant| Self(Repr::Instant(instant)))
            .ok_or_else(|| InvalidTimestamp(text.chars().take(MAX_LEN).collect()))
    }

    /// Parses an accepted form, or keeps the text as it is (what decoding a
    /// response does).
    pub fn parse_lenient(text: &str) -> Self {
        Self::parse(text).unwrap_or_else(|_| Self(Repr::Unparsed(text.into())))
    }
}

// A fixed-layout parser rather than chrono's format strings: one pass, no
// allocation, and it runs for every instance of every list (see the decode
// benchmark in BENCHMARKS.md).
//
//   YYYY-MM-DD(T|t| )HH:MM:SS[.fraction][Z|z|+HH:MM|-HH:MM|+HHMM|-HHMM]

fn parse_layout(text: &[u8]) -> Option<DateTime<Utc>> {
    if text.len() < 19 || text.len() > MAX_LEN {
        return None;
    }
    let (head, rest) = text.split_at(19);
    let fixed = |at: usize, byte: u8| head[at] == byte;
    let separators = fixed(4, b'-') && fixed(7, b'-') && fixed(13, b':') && fixed(16, b':');
    if !separators || !matches!(head[10], b'T' | b't' | b' ') {
        return None;
    }
    let year = i32::try_from(digits(&head[0..4])?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, digits(&head[5..7])?, digits(&head[8..10])?)?;
    let (nanos, rest) = fraction(rest)?;
    let (hour, minute, second) = (
        digits(&head[11..13])?,
        digits(&head[14..16])?,
        digits(&head[17..19])?,
    );
    if second > 59 {
        return None; // no leap seconds in API timestamps
    }
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    let offset_seconds = offset(rest)?;
    let local = NaiveDateTime::new(date, time);
    Some((local - chrono::Duration::seconds(offset_seconds.into())).and_utc())
}

/// The value of a run of ASCII digits.
fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |value, byte| {
        byte.is_ascii_digit()
            .then(|| value * 10 + u32::from(byte - b'0'))
    })
}

/// `.123` (1 to 9 digits) as nanoseconds, and what follows.
fn fraction(rest: &[u8]) -> Option<(u32, &[u8])> {
    let Some(after_dot) = rest.strip_prefix(b".") else {
        return Some((0, rest));
    };
    let count = after_dot.iter().take_while(|b| b.is_ascii_digit()).count();
    if count == 0 || count > 9 {
        return None;
    }
    let nanos = digits(&after_dot[..count])? * 10u32.pow(9 - count as u32);
    Some((nanos, &after_dot[count..]))
}

/// Seconds east of UTC: none (read as UTC), `Z`, `+HH:MM` or `+HHMM` (or `-`).
fn offset(rest: &[u8]) -> Option<i32> {
    let (sign, hours, minutes) = match rest {
        [] | [b'Z' | b'z'] => return Some(0),
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            (*sign, digits(&[*h1, *h2])?, digits(&[*m1, *m2])?)
        }
        _ => return None,
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    let seconds = i32::try_from(hours * 3600 + minutes * 60).ok()?;
    Some(if sign == b'-' { -seconds } else { seconds })
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(value: DateTime<Utc>) -> Self {
        Self(Repr::Instant(value))
    }
}

impl PartialEq<DateTime<Utc>> for Timestamp {
    fn eq(&self, other: &DateTime<Utc>) -> bool {
        self.as_datetime() == Some(*other)
    }
}

impl FromStr for Timestamp {
    type Err = InvalidTimestamp;

    /// Strict: see [`Timestamp::parse`].
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC (`2025-05-26T10:12:45Z`), or the unparsed text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Instant(instant) => {
                f.write_str(&instant.to_rfc3339_opts(SecondsFormat::AutoSi, true))
            }
            Repr::Unparsed(text) => f.write_str(text),
        }
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Instant(_) => write!(f, "Timestamp({self})"),
            Repr::Unparsed(text) => write!(f, "Timestamp(unparsed {text:?})"),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    /// Lenient: see the type's docs. Only a non-string is an error.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(Self::parse_lenient(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(h: u32, m: u32, s: u32, nanos: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 5, 26, h, m, s).unwrap()
            + chrono::Duration::nanoseconds(nanos.into())
    }

    #[test]
    fn accepted_forms() {
        let cases = [
            ("2025-05-26T10:12:45", utc(10, 12, 45, 0)),
            ("2025-05-26 10:12:45", utc(10, 12, 45, 0)),
            ("2025-05-26T10:12:45.5", utc(10, 12, 45, 500_000_000)),
            ("2025-05-26T10:12:45.123456", utc(10, 12, 45, 123_456_000)),
            ("2025-05-26T10:12:45Z", utc(10, 12, 45, 0)),
            ("2025-05-26T10:12:45.000000Z", utc(10, 12, 45, 0)),
            ("2025-05-26T12:12:45+02:00", utc(10, 12, 45, 0)),
            ("2025-05-26 08:12:45-0200", utc(10, 12, 45, 0)),
            ("2025-05-26T10:12:45+0000", utc(10, 12, 45, 0)),
        ];
        for (text, expected) in cases {
            assert_eq!(
                Timestamp::parse(text).map(|t| t.as_datetime()),
                Ok(Some(expected)),
                "{text}"
            );
        }
    }

    #[test]
    fn rejected_forms() {
        for text in [
            "",
            "yesterday",
            "2025-05-26",
            "2025-13-26T10:12:45",
            "26/05/2025 10:12:45",
            "2025-05-26T10:12",
            "2025-05-26T10:12:45 UTC",
            "2025-05-2é:12:45",
        ] {
            let err = Timestamp::parse(text).unwrap_err();
            assert!(
                err.to_string()
                    .starts_with(&format!("invalid timestamp {text:?}")),
                "{err}"
            );
        }
        assert!(Timestamp::parse(&"9".repeat(10_000)).is_err());
    }

    #[test]
    fn display_and_json_say_utc_explicitly() {
        let t = Timestamp::parse("2025-05-26T10:12:45").unwrap();
        assert_eq!(t.to_string(), "2025-05-26T10:12:45Z");
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2025-05-26T10:12:45Z\""
        );
        let fractional = Timestamp::parse("2025-05-26T12:12:45.250+02:00").unwrap();
        assert_eq!(fractional.to_string(), "2025-05-26T10:12:45.250Z");
        assert_eq!(format!("{t:?}"), "Timestamp(2025-05-26T10:12:45Z)");
    }

    #[test]
    fn other_text_is_kept_when_decoding_and_refused_when_parsing() {
        for text in [
            "later",
            "2025-02-30T10:00:00",
            "",
            "2025-05-26T10:12:45 UTC",
        ] {
            let json = serde_json::to_string(text).unwrap();
            let decoded: Timestamp = serde_json::from_str(&json).unwrap();
            assert_eq!(decoded.as_datetime(), None, "{text}");
            assert_eq!(decoded.unparsed(), Some(text));
            assert_eq!(decoded.to_string(), text);
            assert_eq!(
                serde_json::to_string(&decoded).unwrap(),
                json,
                "re-encoded as received"
            );
            assert!(text.parse::<Timestamp>().is_err(), "{text}");
        }
        assert!(
            serde_json::from_str::<Timestamp>("17").is_err(),
            "not a string"
        );
        let odd = Timestamp::parse_lenient("\u{1b}[2J");
        assert_eq!(format!("{odd:?}"), "Timestamp(unparsed \"\\u{1b}[2J\")");
    }
}
