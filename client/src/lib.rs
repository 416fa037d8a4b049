#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

// The layers, from the bottom: values and the error (no other module), the
// catalog's model and rules, the request path, the generated code (types,
// builders, catalog entries), the client's configuration, and the flows,
// which use the public `Client` only; beside them, `webhooks` (feature
// `webhooks`), which receives what the service posts and uses values and
// generated types only, and `onboarding` (feature `onboarding`), the
// connect flow served to a browser, which uses the flows. This file only names them.
pub mod catalog;
mod client;
mod error;
mod flows;
mod generated;
#[cfg(feature = "onboarding")]
pub mod onboarding;
mod runtime;
mod values;
#[cfg(feature = "webhooks")]
pub mod webhooks;

pub use catalog::Arguments;
pub use client::{
    BASE_URL_ENV, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_MAX_RESPONSE_BYTES, TOKEN_ENV,
    USER_AGENT, base_url_from_env,
};
pub use error::{DecodeError, Error, HttpError};
pub use flows::{
    Applied, Change, ConnectEvent, ConnectOptions, ConnectRequest, DesiredInstance, Diagnosis,
    Difference, Ensured, FleetEvent, GiveUpReason, InstanceReport, PlanStep, Remedy, Restarted,
    Source, WaitError, WaitOptions, WatchOptions, diagnose, diff_instances,
};
pub use generated::operations::Response;
pub use generated::types::InstanceStatus;
pub use generated::{API_VERSION, operations, types};
pub use runtime::{Client, RateLimitMode, RateLimits, RetryPolicy, decode_response};
pub use values::{
    AccessToken, ErrorBody, InvalidQrCode, InvalidTimestamp, QR_CODE_LIFETIME, QrCode, RateLimit,
    Timestamp, UnknownValue, UnknownValueError, with_exposed_secrets,
};

/// The HTTP client crate whose types this crate's API uses
/// ([`ClientBuilder::http_client`], [`reqwest::StatusCode`] in errors).
pub use reqwest;

/// `Result` with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
