//! The forward-compatible instance status.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Lifecycle state of a WhatsApp instance, used both in responses and in the
/// `filter[status]` query.
///
/// Forward compatible: a value the server adds later (say `DELETING`)
/// decodes as [`InstanceStatus::Unknown`], keeping the raw string, instead of
/// failing the whole response. Match with a wildcard arm; new known variants
/// may be added in minor releases.
///
/// ```
/// use hypersender::InstanceStatus;
///
/// assert_eq!("WORKING".parse::<InstanceStatus>().unwrap(), InstanceStatus::Working);
/// let future: InstanceStatus = "DELETING".parse().unwrap();
/// assert!(!future.is_known());
/// assert_eq!(future.as_str(), "DELETING");
/// assert!(InstanceStatus::try_parse("DELETING").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum InstanceStatus {
    /// `STOPPED`: the instance is stopped.
    Stopped,
    /// `STARTING`: the instance is starting up.
    Starting,
    /// `WORKING`: the instance is running and ready.
    Working,
    /// `SCAN_QR_CODE`: waiting for the QR code to be scanned.
    ScanQrCode,
    /// `FAILED`: the instance failed to start.
    Failed,
    /// `PENDING`: awaiting server assignment.
    Pending,
    /// A value this version of the crate does not know.
    Unknown(UnknownStatus),
}

/// The raw text of a status value this crate does not know yet.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownStatus(String);

impl UnknownStatus {
    /// The value as the server sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// [`InstanceStatus::try_parse`] met a value outside the documented set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownStatusError(pub String);

impl fmt::Display for UnknownStatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let known: Vec<&str> = InstanceStatus::KNOWN
            .iter()
            .map(InstanceStatus::as_str)
            .collect();
        write!(
            f,
            "unknown instance status {:?}; known values: {}",
            self.0,
            known.join(", ")
        )
    }
}

impl std::error::Error for UnknownStatusError {}

impl InstanceStatus {
    /// Every status the vendor documents, in the documented order.
    pub const KNOWN: [InstanceStatus; 6] = [
        Self::Stopped,
        Self::Starting,
        Self::Working,
        Self::ScanQrCode,
        Self::Failed,
        Self::Pending,
    ];

    /// The value on the wire (`WORKING`, or the raw unknown value).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Stopped => "STOPPED",
            Self::Starting => "STARTING",
            Self::Working => "WORKING",
            Self::ScanQrCode => "SCAN_QR_CODE",
            Self::Failed => "FAILED",
            Self::Pending => "PENDING",
            Self::Unknown(raw) => raw.as_str(),
        }
    }

    /// Whether this is one of the documented values.
    pub fn is_known(&self) -> bool {
        !matches!(self, Self::Unknown(_))
    }

    /// Parses any value: unknown ones become [`InstanceStatus::Unknown`].
    pub fn parse(value: &str) -> Self {
        Self::try_parse(value).unwrap_or_else(|_| Self::Unknown(UnknownStatus(value.to_owned())))
    }

    /// Parses a documented value only (exact, upper case); use it to
    /// validate user input.
    pub fn try_parse(value: &str) -> Result<Self, UnknownStatusError> {
        Self::KNOWN
            .into_iter()
            .find(|known| known.as_str() == value)
            .ok_or_else(|| UnknownStatusError(value.to_owned()))
    }
}

impl fmt::Display for InstanceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for InstanceStatus {
    type Err = std::convert::Infallible;

    /// Never fails; see [`InstanceStatus::parse`].
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Ok(Self::parse(value))
    }
}

impl Serialize for InstanceStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for InstanceStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(Self::parse(&value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_value_round_trips_through_text_and_json() {
        for status in InstanceStatus::KNOWN {
            assert_eq!(InstanceStatus::parse(status.as_str()), status);
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
            assert_eq!(
                serde_json::from_str::<InstanceStatus>(&json).unwrap(),
                status
            );
        }
    }

    #[test]
    fn unknown_values_are_kept_through_from_str_and_serde() {
        let parsed: InstanceStatus = "DELETING".parse().unwrap();
        assert_eq!(parsed.as_str(), "DELETING");
        let decoded: InstanceStatus = serde_json::from_str("\"DELETING\"").unwrap();
        assert_eq!(decoded, parsed);
        assert!(!decoded.is_known());
        assert_eq!(serde_json::to_string(&decoded).unwrap(), "\"DELETING\"");
    }

    #[test]
    fn strict_parse_rejects_unknown_and_lower_case() {
        assert_eq!(
            InstanceStatus::try_parse("SCAN_QR_CODE"),
            Ok(InstanceStatus::ScanQrCode)
        );
        let err = InstanceStatus::try_parse("working").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown instance status \"working\"; known values: STOPPED, STARTING, WORKING, SCAN_QR_CODE, FAILED, PENDING"
        );
    }

    #[test]
    fn non_string_json_is_a_decode_error() {
        assert!(serde_json::from_str::<InstanceStatus>("3").is_err());
    }
}
