//! The QR code of an instance: a base64 PNG that expires.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tokio::time::Instant;

/// How long a QR code can be scanned after it was issued: "about 60
/// seconds", as documented.
pub const QR_CODE_LIFETIME: Duration = Duration::from_secs(60);

/// The eight bytes every PNG file starts with.
const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
/// What a data URI of a PNG starts with; the API sends none, but a value
/// with one is read all the same.
const DATA_URI_PREFIX: &str = "data:image/png;base64,";

/// A QR code to scan in WhatsApp (Settings > Linked Devices), as the API
/// sends it: a base64-encoded PNG, valid for about a minute.
///
/// Decoding a response never fails because of it (the text is kept as
/// received); [`png`](Self::png) checks that it is base64 of a PNG when you
/// read it. Debug shows its size, not kilobytes of base64. When it was
/// received is measured on tokio's clock, so tests with a paused clock see
/// it expire.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use hypersender::QrCode;
///
/// let code = QrCode::new("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGP4DwABAQEAsTj2FAAAAABJRU5ErkJggg==");
/// assert!(code.png().unwrap().starts_with(b"\x89PNG"));
/// assert!(code.data_uri().starts_with("data:image/png;base64,iVBOR"));
/// assert!(!code.is_expired());
/// assert!(QrCode::new("iVBORw0KGgoAAAANSUhEUgAAA...").png().is_err());
/// # }
/// ```
#[derive(Clone)]
pub struct QrCode {
    base64: String,
    received_at: Instant,
    lifetime: Duration,
}

/// A QR code that is not base64 of a PNG image.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InvalidQrCode {
    /// The field it came from.
    pub field: &'static str,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for InvalidQrCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

impl std::error::Error for InvalidQrCode {}

impl QrCode {
    /// A QR code received now.
    pub fn new(base64: impl Into<String>) -> Self {
        Self {
            base64: base64.into(),
            received_at: Instant::now(),
            lifetime: QR_CODE_LIFETIME,
        }
    }

    /// The same code, expected to last `lifetime` from when it was received
    /// instead of the documented [`QR_CODE_LIFETIME`] (what
    /// [`ConnectOptions::qr_lifetime`](crate::ConnectOptions::qr_lifetime)
    /// sets for the codes of a connect flow).
    pub fn with_lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// The base64 text as received.
    pub fn base64(&self) -> &str {
        &self.base64
    }

    /// The PNG image: the base64 decoded (a `data:image/png;base64,` prefix
    /// and line breaks are tolerated) and checked to be a PNG.
    pub fn png(&self) -> Result<Vec<u8>, InvalidQrCode> {
        let invalid = |reason: String| InvalidQrCode {
            field: "qr_code",
            reason,
        };
        let text = self.base64.trim();
        let text = text.strip_prefix(DATA_URI_PREFIX).unwrap_or(text);
        let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let bytes = STANDARD
            .decode(compact.as_bytes())
            .map_err(|e| invalid(format!("not valid base64 ({e})")))?;
        if !bytes.starts_with(PNG_SIGNATURE) {
            return Err(invalid(format!(
                "not a PNG image ({} bytes without the PNG signature)",
                bytes.len()
            )));
        }
        Ok(bytes)
    }

    /// A `data:image/png;base64,...` URI, for an HTML `<img src>`.
    pub fn data_uri(&self) -> String {
        let text = self.base64.trim();
        if text.starts_with(DATA_URI_PREFIX) {
            text.to_owned()
        } else {
            format!("{DATA_URI_PREFIX}{text}")
        }
    }

    /// When the response carrying it was decoded (tokio's clock).
    pub fn received_at(&self) -> Instant {
        self.received_at
    }

    /// When it is expected to expire: its lifetime ([`QR_CODE_LIFETIME`]
    /// unless [`QrCode::with_lifetime`] said otherwise) after it was
    /// received.
    pub fn expires_at(&self) -> Instant {
        self.received_at + self.lifetime
    }

    /// How long it can still be scanned (zero once expired).
    pub fn time_left(&self) -> Duration {
        self.expires_at().saturating_duration_since(Instant::now())
    }

    /// Whether its expected lifetime has passed.
    pub fn is_expired(&self) -> bool {
        self.time_left().is_zero()
    }
}

impl fmt::Debug for QrCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "QrCode({} base64 characters)", self.base64.len())
    }
}

/// Two codes are equal when their images are; when each was received
/// does not matter.
impl PartialEq for QrCode {
    fn eq(&self, other: &Self) -> bool {
        self.base64 == other.base64
    }
}

impl Eq for QrCode {}

impl Serialize for QrCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.base64)
    }
}

impl<'de> Deserialize<'de> for QrCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE_PIXEL: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGP4DwABAQEAsTj2FAAAAABJRU5ErkJggg==";

    #[tokio::test(start_paused = true)]
    async fn another_lifetime_moves_the_expiry_and_nothing_else() {
        let code = QrCode::new(ONE_PIXEL).with_lifetime(Duration::from_secs(4));
        assert_eq!(
            code.expires_at() - code.received_at(),
            Duration::from_secs(4)
        );
        tokio::time::advance(Duration::from_secs(4)).await;
        assert!(code.is_expired());
        assert_eq!(code, QrCode::new(ONE_PIXEL));
    }

    #[tokio::test(start_paused = true)]
    async fn expiry_follows_tokios_clock() {
        let code = QrCode::new(ONE_PIXEL);
        assert_eq!(code.time_left(), QR_CODE_LIFETIME);
        tokio::time::advance(Duration::from_secs(59)).await;
        assert!(!code.is_expired());
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(code.is_expired());
        assert_eq!(code.expires_at() - code.received_at(), QR_CODE_LIFETIME);
    }

    #[test]
    fn png_is_checked_when_read() {
        assert_eq!(QrCode::new(ONE_PIXEL).png().unwrap().len(), 67);
        let prefixed = QrCode::new(format!("{DATA_URI_PREFIX}{}\n", ONE_PIXEL));
        assert_eq!(prefixed.png(), QrCode::new(ONE_PIXEL).png());
        let truncated = QrCode::new("iVBORw0KGgoAAAANSUhEUgAAA...")
            .png()
            .unwrap_err();
        assert_eq!(truncated.field, "qr_code");
        assert!(
            truncated
                .to_string()
                .starts_with("qr_code: not valid base64"),
            "{truncated}"
        );
        let not_png = QrCode::new("aGVsbG8=").png().unwrap_err();
        assert_eq!(
            not_png.to_string(),
            "qr_code: not a PNG image (5 bytes without the PNG signature)"
        );
    }

    #[test]
    fn debug_is_short_and_json_is_the_text() {
        let code: QrCode = serde_json::from_str(&format!("\"{ONE_PIXEL}\"")).unwrap();
        assert_eq!(format!("{code:?}"), "QrCode(92 base64 characters)");
        assert_eq!(
            serde_json::to_string(&code).unwrap(),
            format!("\"{ONE_PIXEL}\"")
        );
        assert_eq!(code.data_uri(), format!("{DATA_URI_PREFIX}{ONE_PIXEL}"));
    }
}
