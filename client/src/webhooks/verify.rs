//! Is this request from Hypersender? The `Authorization` header against the
//! configured secret, compared in constant time.

use std::fmt;

use http::HeaderMap;
use http::header::AUTHORIZATION;
use subtle::ConstantTimeEq;

use crate::values::REDACTED;

/// The secret Hypersender sends in every delivery's `Authorization` header.
/// Never shown: Debug prints it redacted and it has no Display.
#[derive(Clone)]
pub struct WebhookSecret(Vec<u8>);

impl WebhookSecret {
    /// The secret, as configured (compared with the whole header value).
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into().into_bytes())
    }

    fn matches(&self, given: &[u8]) -> bool {
        // `ct_eq` on slices of different lengths is false without looking at
        // the bytes; the length of a secret is not what it protects.
        bool::from(self.0.as_slice().ct_eq(given))
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebhookSecret({REDACTED})")
    }
}

/// Why a request was refused (answered 401). Neither the configured secret
/// nor what the request sent appears in it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// No `Authorization` header.
    Missing,
    /// More than one `Authorization` header: which one counts is ambiguous.
    Repeated,
    /// The header is not the secret.
    Wrong,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Missing => "the request has no Authorization header",
            Self::Repeated => "the request has more than one Authorization header",
            Self::Wrong => "the Authorization header is not the webhook secret",
        })
    }
}

impl std::error::Error for VerifyError {}

/// Checks deliveries against a secret, or (an explicit opt-in) accepts them
/// all.
#[derive(Debug, Clone)]
pub struct Verifier {
    secret: Option<WebhookSecret>,
}

impl Verifier {
    /// Accepts a request only when its one `Authorization` header is
    /// `secret`, byte for byte.
    pub fn new(secret: WebhookSecret) -> Self {
        Self {
            secret: Some(secret),
        }
    }

    /// Accepts every request, authenticated or not. Anyone who finds the
    /// URL can then post events: use it only behind something that
    /// authenticates (a private network, a proxy), or in tests.
    pub fn accept_unauthenticated() -> Self {
        Self { secret: None }
    }

    /// Whether requests are accepted without a secret.
    pub fn is_unauthenticated(&self) -> bool {
        self.secret.is_none()
    }

    /// Checks one request's headers. The body is not needed (no signature
    /// is documented), but is not read before this passes either.
    pub fn verify(&self, headers: &HeaderMap) -> Result<(), VerifyError> {
        let Some(secret) = &self.secret else {
            return Ok(());
        };
        let mut values = headers.get_all(AUTHORIZATION).iter();
        let value = values.next().ok_or(VerifyError::Missing)?;
        if values.next().is_some() {
            return Err(VerifyError::Repeated);
        }
        if secret.matches(value.as_bytes()) {
            Ok(())
        } else {
            Err(VerifyError::Wrong)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    #[test]
    fn only_the_exact_secret_passes() {
        let verifier = Verifier::new(WebhookSecret::new("s3cret-value"));
        assert_eq!(verifier.verify(&headers(&["s3cret-value"])), Ok(()));
        for wrong in [
            "s3cret-valuf",
            "s3cret-valu",
            "s3cret-value ",
            "Bearer s3cret-value",
            "",
        ] {
            assert_eq!(
                verifier.verify(&headers(&[wrong])),
                Err(VerifyError::Wrong),
                "{wrong:?}"
            );
        }
        assert_eq!(verifier.verify(&headers(&[])), Err(VerifyError::Missing));
        assert_eq!(
            verifier.verify(&headers(&["s3cret-value", "s3cret-value"])),
            Err(VerifyError::Repeated)
        );
    }

    #[test]
    fn accepting_everything_is_its_own_constructor() {
        let open = Verifier::accept_unauthenticated();
        assert!(open.is_unauthenticated());
        assert_eq!(open.verify(&headers(&[])), Ok(()));
        assert!(!Verifier::new(WebhookSecret::new("x")).is_unauthenticated());
    }

    #[test]
    fn the_secret_is_never_shown() {
        let verifier = Verifier::new(WebhookSecret::new("s3cret-value"));
        let shown = format!("{verifier:?} {:?}", VerifyError::Wrong);
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains(REDACTED), "{shown}");
    }
}
