//! Rust SDK for the [Hypersender](https://hypersender.com) Enterprise API:
//! create and manage WhatsApp instances.
//!
//! ```no_run
//! use hypersender::{Client, InstanceStatus};
//!
//! # async fn run() -> Result<(), hypersender::Error> {
//! let client = Client::from_env()?; // HYPERSENDER_TOKEN, optional HYPERSENDER_BASE_URL
//! let working = client.list_instances().filter_status(InstanceStatus::Working).send().await?;
//! for instance in &working {
//!     println!("{} {} {}", instance.name, instance.phone, instance.status);
//! }
//! # Ok(()) }
//! ```
//!
//! The five operations are methods of [`Client`], each returning a request
//! builder from [`operations`]: [`Client::list_instances`],
//! [`Client::create_instance`], [`Client::check_health`],
//! [`Client::request_new_qr_code`] and [`Client::restart_instance`]. Their
//! request and response types are in [`types`].
//!
//! The code behind them is generated at build time by progenitor from the
//! vendor's OpenAPI document (see the `hypersender-openapi` crate). The
//! hand-written parts are the configuration ([`ClientBuilder`]), the error
//! type ([`Error`]), retries ([`RetryPolicy`]) and the types that replace
//! generated ones: [`InstanceStatus`] (forward compatible), [`Timestamp`]
//! (tolerant) and [`AccessToken`] (never printed).

mod client;
mod error;
mod redact;
mod retry;
mod secret;
mod status;
mod timestamp;
mod transport;

include!(concat!(env!("OUT_DIR"), "/codegen.rs"));

pub use client::{BASE_URL_ENV, Client, ClientBuilder, DEFAULT_BASE_URL, TOKEN_ENV, USER_AGENT};
pub use error::{DecodeError, Error, HttpError};
pub use generated::types;
pub use retry::RetryPolicy;
pub use secret::AccessToken;
pub use status::{InstanceStatus, UnknownStatus, UnknownStatusError};
pub use timestamp::{InvalidTimestamp, Timestamp};

/// `Result` with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
