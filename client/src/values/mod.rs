//! The API's values with a type of their own: what the generated types are
//! made of where a plain `String` would lose or leak something.
//!
//! - [`Timestamp`]: the server's timestamps, tolerant of odd shapes;
//! - [`QrCode`]: the base64 PNG to scan, with its expiry;
//! - [`AccessToken`]: an instance's secret, never shown;
//! - open enums (`InstanceStatus`): a value the server adds later decodes;
//! - [`ErrorBody`]: the platform's error body, carried by errors;
//! - [`RateLimit`]: a documented rate limit.
//!
//! Nothing here depends on the rest of the crate.

mod error_body;
mod open_enum;
mod qr_code;
mod rate_limit;
mod secret;
mod timestamp;

pub use error_body::ErrorBody;
pub(crate) use open_enum::open_enum;
pub use open_enum::{UnknownValue, UnknownValueError};
pub use qr_code::{InvalidQrCode, QR_CODE_LIFETIME, QrCode};
pub use rate_limit::RateLimit;
pub use secret::{AccessToken, REDACTED, with_exposed_secrets};
pub use timestamp::{InvalidTimestamp, Timestamp};
