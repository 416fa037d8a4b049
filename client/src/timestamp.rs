//! Server timestamps, tolerant of the forms the API is seen to send.

use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A timestamp from the API (`created_at`, `connected_at`) as a
/// [`chrono::DateTime<Utc>`].
///
/// The docs show `2025-05-26T10:12:45`: no offset and no fraction. Such a
/// value is read as UTC, the default time zone of the Laravel platform behind
/// the API (the docs do not name one). Also accepted: fractional seconds, a
/// `Z` or a `±HH:MM`/`±HHMM` offset (converted to UTC), and a space instead
/// of the `T`. Anything else is a decode error naming the field.
///
/// Serializes back in the documented form (`2025-05-26T10:12:45`, with a
/// fraction only when there is one), so a decoded response re-encodes as sent.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use hypersender::Timestamp;
///
/// let t: Timestamp = "2025-05-26T10:12:45".parse().unwrap();
/// assert_eq!(*t, Utc.with_ymd_and_hms(2025, 5, 26, 10, 12, 45).unwrap());
/// let offset: Timestamp = "2025-05-26 12:12:45+02:00".parse().unwrap();
/// assert_eq!(t, offset);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

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
    /// The instant, in UTC.
    pub fn as_datetime(&self) -> DateTime<Utc> {
        self.0
    }

    /// Parses one of the accepted forms (see the type's docs).
    pub fn parse(text: &str) -> Result<Self, InvalidTimestamp> {
        parse_layout(text.as_bytes())
            .map(Self)
            .ok_or_else(|| InvalidTimestamp(text.chars().take(MAX_LEN).collect()))
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

impl Deref for Timestamp {
    type Target = DateTime<Utc>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(value: DateTime<Utc>) -> Self {
        Self(value)
    }
}

impl From<Timestamp> for DateTime<Utc> {
    fn from(value: Timestamp) -> Self {
        value.0
    }
}

impl PartialEq<DateTime<Utc>> for Timestamp {
    fn eq(&self, other: &DateTime<Utc>) -> bool {
        self.0 == *other
    }
}

impl FromStr for Timestamp {
    type Err = InvalidTimestamp;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl fmt::Display for Timestamp {
    /// The documented form, `2025-05-26T10:12:45`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true);
        f.write_str(text.trim_end_matches('Z'))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self}Z)")
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
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
            assert_eq!(Timestamp::parse(text).map(|t| t.0), Ok(expected), "{text}");
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
    fn display_and_json_use_the_documented_form() {
        let t = Timestamp::parse("2025-05-26T10:12:45").unwrap();
        assert_eq!(t.to_string(), "2025-05-26T10:12:45");
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2025-05-26T10:12:45\""
        );
        let fractional = Timestamp::parse("2025-05-26T10:12:45.250Z").unwrap();
        assert_eq!(fractional.to_string(), "2025-05-26T10:12:45.250");
        assert_eq!(format!("{t:?}"), "Timestamp(2025-05-26T10:12:45Z)");
    }

    #[test]
    fn json_errors_explain_the_expected_form() {
        let err = serde_json::from_str::<Timestamp>("\"later\"").unwrap_err();
        assert!(
            err.to_string()
                .contains("invalid timestamp \"later\": expected YYYY-MM-DDTHH:MM:SS"),
            "{err}"
        );
    }
}
