#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod catalog_types;
mod checks;
mod client;
mod contract;
mod dynamic;
mod error;
mod fleet;
mod onboarding;
mod open_enum;
mod pace;
mod pipeline;
mod qr_code;
mod rate_limit;
mod redact;
mod retry;
mod secret;
mod timestamp;
mod transport;

// The generated client: regenerated from the spec by the build script with
// the `codegen` feature (this workspace), the committed golden copy
// otherwise (every consumer; see "How the spec becomes code" in the README).
#[cfg(feature = "codegen")]
include!(concat!(env!("OUT_DIR"), "/client.rs"));
#[cfg(not(feature = "codegen"))]
include!("../generated/client.rs");

pub use client::{
    BASE_URL_ENV, Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_MAX_RESPONSE_BYTES, TOKEN_ENV,
    USER_AGENT, base_url_from_env,
};
pub use dynamic::Arguments;
pub use error::{DecodeError, Error, HttpError};
pub use fleet::{
    Applied, Change, DesiredInstance, Diagnosis, Difference, Ensured, FleetEvent, PlanStep, Remedy,
    Restarted, WatchOptions, diagnose, diff_instances,
};
pub use onboarding::{ConnectEvent, ConnectOptions, ConnectRequest, GiveUpReason, WaitOptions};
pub use open_enum::{UnknownValue, UnknownValueError};
pub use operations::Response;
pub use pipeline::decode_response;
pub use qr_code::{InvalidQrCode, QR_CODE_LIFETIME, QrCode};
pub use rate_limit::{RateLimitMode, RateLimits};
pub use retry::RetryPolicy;
pub use secret::{AccessToken, with_exposed_secrets};
pub use timestamp::{InvalidTimestamp, Timestamp};

/// The HTTP client crate whose types this crate's API uses
/// ([`ClientBuilder::http_client`], [`reqwest::StatusCode`] in errors).
pub use reqwest;

/// `Result` with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

// Every request future can be spawned on a multi-threaded runtime.
#[cfg(test)]
mod send_futures {
    fn spawnable<T: Send + 'static>(_: &T) {}

    #[test]
    fn request_futures_are_send() {
        let client = crate::Client::new("1|token").unwrap();
        let client: &'static crate::Client = Box::leak(Box::new(client));
        spawnable(&client.list_instances().send());
        spawnable(&client.check_health("x").send());
        spawnable(
            &client
                .create_instance()
                .phone("+201234567890")
                .name("n")
                .send(),
        );
    }
}
