#![doc = include_str!("../README.md")]

mod client;
mod error;
mod redact;
mod retry;
mod secret;
mod status;
mod timestamp;
mod transport;

include!(concat!(env!("OUT_DIR"), "/codegen.rs"));

pub use client::{
    BASE_URL_ENV, Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_MAX_RESPONSE_BYTES, TOKEN_ENV,
    USER_AGENT,
};
pub use error::{DecodeError, Error, HttpError, decode_response};
pub use generated::types;
pub use retry::RetryPolicy;
pub use secret::AccessToken;
pub use status::{InstanceStatus, UnknownStatus, UnknownStatusError};
pub use timestamp::{InvalidTimestamp, Timestamp};

/// `Result` with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
