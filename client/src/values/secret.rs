//! Secret values: the client's API token and every instance `access_token`.

use std::cell::Cell;
use std::fmt;

use serde::{Deserialize, Serialize, Serializer};

/// What Debug output shows instead of a secret.
pub const REDACTED: &str = "** redacted **";

/// What replaces the secret part of a masked token.
const MASK: &str = "********";

thread_local! {
    /// Set while [`with_exposed_secrets`] runs on this thread.
    static EXPOSED: Cell<bool> = const { Cell::new(false) };
}

/// The access token of one instance (`<id>|<secret>`), a bearer credential
/// for that WhatsApp number.
///
/// It never appears in Debug output, it has no Display, and it serializes
/// masked (`234|********`: the token's id, which tells tokens apart, and
/// none of its secret), so re-encoding a response for a log, a UI or a
/// file cannot leak it. Read it with [`AccessToken::expose_secret`] where
/// you really need it, or serialize inside [`with_exposed_secrets`].
///
/// ```
/// use hypersender::{AccessToken, with_exposed_secrets};
///
/// let token = AccessToken::new("234|3uB2pBST2H6If8twXIeUaeNu23VJ8XassYoOVJuva48388e1");
/// assert_eq!(format!("{token:?}"), "AccessToken(** redacted **)");
/// assert_eq!(serde_json::to_string(&token).unwrap(), "\"234|********\"");
/// let exposed = with_exposed_secrets(|| serde_json::to_string(&token).unwrap());
/// assert!(exposed.starts_with("\"234|3uB2p"));
/// assert!(token.expose_secret().starts_with("234|"));
/// ```
#[derive(Clone, PartialEq, Eq, Deserialize)]
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

    /// The token with its secret part masked (`234|********`); a token not
    /// in the `<id>|<secret>` shape is masked whole.
    pub fn masked(&self) -> String {
        match self.0.split_once('|') {
            Some((id, _)) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => {
                format!("{id}|{MASK}")
            }
            _ => MASK.to_owned(),
        }
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccessToken({REDACTED})")
    }
}

impl Serialize for AccessToken {
    /// Masked, unless inside [`with_exposed_secrets`].
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if EXPOSED.with(Cell::get) {
            serializer.serialize_str(&self.0)
        } else {
            serializer.serialize_str(&self.masked())
        }
    }
}

/// Runs `f` with every [`AccessToken`] serializing in full on this thread,
/// for the rare code that must pass tokens on (a mock server answering a
/// client, `hypersender --show-secrets`). Everywhere else they serialize
/// masked.
pub fn with_exposed_secrets<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            EXPOSED.with(|exposed| exposed.set(self.0));
        }
    }
    let _restore = Restore(EXPOSED.with(|exposed| exposed.replace(true)));
    f()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_and_json_is_masked() {
        let token: AccessToken = serde_json::from_str("\"234|secret-value\"").unwrap();
        assert_eq!(format!("{token:?}"), "AccessToken(** redacted **)");
        assert_eq!(
            format!("{:?}", Some(&token)),
            "Some(AccessToken(** redacted **))"
        );
        assert_eq!(serde_json::to_string(&token).unwrap(), "\"234|********\"");
        assert_eq!(AccessToken::new("|secret").masked(), MASK);
        assert_eq!(AccessToken::new("abc|secret").masked(), MASK);
        assert_eq!(AccessToken::new("plain").masked(), MASK);
    }

    #[test]
    fn exposure_is_scoped_and_restored_after_a_panic() {
        let token = AccessToken::new("7|abcdefgh");
        let inner = with_exposed_secrets(|| {
            let nested = with_exposed_secrets(|| serde_json::to_string(&token).unwrap());
            (nested, serde_json::to_string(&token).unwrap())
        });
        assert_eq!(inner, ("\"7|abcdefgh\"".into(), "\"7|abcdefgh\"".into()));
        assert_eq!(serde_json::to_string(&token).unwrap(), "\"7|********\"");
        let _ = std::panic::catch_unwind(|| with_exposed_secrets(|| panic!("boom")));
        assert_eq!(serde_json::to_string(&token).unwrap(), "\"7|********\"");
    }
}
