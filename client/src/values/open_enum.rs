//! Forward-compatible enums: the generic half of every enum the generator
//! writes from an `enum` schema of the spec (`InstanceStatus`). The
//! generator writes the variants, `VALUES`, `KNOWN` and `as_str` from the
//! spec; [`open_enum!`] adds the rest, the same for each.
//!
//! A value the server adds later decodes as `Unknown`, keeping the raw
//! text, instead of failing a whole response; `try_parse` is the strict
//! parser for user input.

use std::fmt;

/// The raw text of a value this version of the crate does not know yet.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(String);

impl UnknownValue {
    pub(crate) fn new(value: &str) -> Self {
        Self(value.to_owned())
    }

    /// The value as the server sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A strict parse met a value outside the documented set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownValueError {
    what: &'static str,
    value: String,
    known: &'static [&'static str],
}

impl UnknownValueError {
    pub(crate) fn new(what: &'static str, value: &str, known: &'static [&'static str]) -> Self {
        Self {
            what,
            value: value.to_owned(),
            known,
        }
    }

    /// The value that was refused.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The documented values.
    pub fn known(&self) -> &'static [&'static str] {
        self.known
    }
}

impl fmt::Display for UnknownValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown {} {:?}; known values: {}",
            self.what,
            self.value,
            self.known.join(", ")
        )
    }
}

impl std::error::Error for UnknownValueError {}

/// Implements parsing, Display, FromStr and serde for a generated open enum
/// `$name` (which has `VALUES`, `KNOWN`, `as_str` and an `Unknown` variant);
/// `$what` names its values in errors (`"instance status"`).
macro_rules! open_enum {
    ($name:ident, $what:literal) => {
        impl $name {
            /// Whether this is one of the documented values.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }

            /// Parses any value: an undocumented one becomes `Unknown`.
            pub fn parse(value: &str) -> Self {
                Self::try_parse(value)
                    .unwrap_or_else(|_| Self::Unknown($crate::values::UnknownValue::new(value)))
            }

            /// Parses a documented value only (exact, as on the wire); use it
            /// to validate user input.
            pub fn try_parse(
                value: &str,
            ) -> ::std::result::Result<Self, $crate::values::UnknownValueError> {
                Self::KNOWN
                    .into_iter()
                    .find(|known| known.as_str() == value)
                    .ok_or_else(|| {
                        $crate::values::UnknownValueError::new($what, value, &Self::VALUES)
                    })
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            /// Never fails: see `parse`.
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::parse(value))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let value = <::std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok(Self::parse(&value))
            }
        }
    };
}

pub(crate) use open_enum;

#[cfg(test)]
mod tests {
    use crate::InstanceStatus;

    #[test]
    fn every_known_value_round_trips_through_text_and_json() {
        assert_eq!(InstanceStatus::KNOWN.len(), InstanceStatus::VALUES.len());
        for (status, value) in InstanceStatus::KNOWN
            .into_iter()
            .zip(InstanceStatus::VALUES)
        {
            assert_eq!(status.as_str(), value);
            assert_eq!(InstanceStatus::parse(value), status);
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{value}\""));
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
        let first = InstanceStatus::VALUES[0];
        assert_eq!(
            InstanceStatus::try_parse(first),
            Ok(InstanceStatus::KNOWN[0].clone())
        );
        let err = InstanceStatus::try_parse("working").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "unknown instance status \"working\"; known values: {}",
                InstanceStatus::VALUES.join(", ")
            )
        );
    }

    #[test]
    fn non_string_json_is_a_decode_error() {
        assert!(serde_json::from_str::<InstanceStatus>("3").is_err());
    }
}
