//! Secret values: the client's API token and every instance `access_token`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What Debug output shows instead of a secret.
pub const REDACTED: &str = "** redacted **";

/// The access token of one instance (`<id>|<secret>`), a bearer credential
/// for that WhatsApp number.
///
/// It never appears in Debug output, and it has no Display: read it with
/// [`AccessToken::expose_secret`] where you really need it. It serializes as
/// the plain string, so a response re-encodes as it was sent.
///
/// ```
/// let token = hypersender::AccessToken::new("234|3uB2pBST2H6If8twXIeUaeNu23VJ8XassYoOVJuva48388e1");
/// assert_eq!(format!("{token:?}"), "AccessToken(** redacted **)");
/// assert!(token.expose_secret().starts_with("234|"));
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccessToken(String);

impl AccessToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token itself. Keep it out of logs.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccessToken({REDACTED})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_and_json_is_the_plain_string() {
        let token: AccessToken = serde_json::from_str("\"234|secret-value\"").unwrap();
        assert_eq!(format!("{token:?}"), "AccessToken(** redacted **)");
        assert_eq!(
            format!("{:?}", Some(&token)),
            "Some(AccessToken(** redacted **))"
        );
        assert_eq!(
            serde_json::to_string(&token).unwrap(),
            "\"234|secret-value\""
        );
    }
}
