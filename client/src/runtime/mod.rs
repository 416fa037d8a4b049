//! The request path: the life of every request, from a generated request
//! builder's `send()` to the decoded response or the crate's [`Error`].
//! [`execute`] is that life, in order; this is the one place that
//! describes it.
//!
//! 1. **Check the rules** ([`Request::check`]): every value against the
//!    rule the catalog (the spec) gives it, required ones present, the body
//!    of the operation's type. A value the API would refuse is
//!    [`Error::InvalidRequest`] and nothing is sent.
//! 2. **Take a slot of the rate limiter** ([`limiter`]), for every attempt:
//!    a retry counts as a request, so no window of the documented length
//!    ever sees more than the documented number. GET waits for a slot,
//!    other methods fail fast with [`Error::RateLimited`] (see
//!    [`RateLimits`]); a retry whose slot is further off than the retry
//!    budget (the policy's longest wait) is not made.
//! 3. **Build the HTTP request** ([`Request::build`]): the path template
//!    filled with percent-encoded segments, the query, header parameters,
//!    the JSON body, and the crate's own headers (`Authorization`, marked
//!    sensitive, `Accept`, `User-Agent`, the caller's default headers).
//! 4. **Send it and retry** ([`retry`]): GET requests again on 429, 502,
//!    503, 504 and connection errors, after `Retry-After` or an
//!    exponential backoff with jitter; a 429 also holds the operation back
//!    in the limiter. POST is never retried.
//! 5. **Read the body**, never more than `max_response_bytes` (at once
//!    when `Content-Length` says so).
//! 6. **Decode or map** ([`response`]): a 2xx body into the operation's
//!    type, or [`Error::Decode`] naming the path that failed; an error
//!    status into [`Error::Http`] with the Laravel body decoded; a 429 into
//!    [`Error::RateLimited`]. Bodies and messages are redacted first
//!    ([`redact`]): no error carries the API token or an access token.
//!
//! Every request runs in a `hypersender` tracing span (operation, method,
//! path template, then attempts, HTTP status and duration; never a token or
//! a body), with an event per retry and per rate-limit wait.

pub(crate) mod limiter;
mod redact;
mod request;
mod response;
pub(crate) mod retry;

use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::error::Error;
use crate::values::REDACTED;

pub use limiter::{RateLimitMode, RateLimits};
pub(crate) use request::RequestHeaders;
pub(crate) use request::{Request, to_json};
pub use response::decode_response;
pub use retry::RetryPolicy;

/// A client of the Hypersender Enterprise API. Cheap to clone; clones share
/// one connection pool and one rate limiter.
///
/// Create one with [`Client::new`], [`Client::builder`] or
/// [`Client::from_env`]; each operation is a method returning a request
/// builder. Its Debug output never shows the API token.
#[derive(Clone)]
pub struct Client {
    runtime: Arc<Runtime>,
}

/// What every request of one client is sent with.
pub(crate) struct Runtime {
    pub(crate) http: reqwest::Client,
    /// The API root, without a trailing `/`.
    pub(crate) base_url: String,
    /// The same, parsed once.
    pub(crate) base: reqwest::Url,
    pub(crate) headers: RequestHeaders,
    /// A timeout per attempt, for a caller's own HTTP client.
    pub(crate) per_request_timeout: Option<Duration>,
    pub(crate) retry: RetryPolicy,
    pub(crate) limiter: limiter::Limiter,
    /// Largest response body accepted, in bytes.
    pub(crate) max_response_bytes: u64,
    /// The API token, only to mask it should a server echo it back.
    pub(crate) api_token: String,
}

impl Client {
    /// The client of `runtime` (see `ClientBuilder::build`).
    pub(crate) fn from_runtime(runtime: Runtime) -> Self {
        Self {
            runtime: Arc::new(runtime),
        }
    }

    /// What the generated request builders send with.
    pub(crate) fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// The base URL every path is appended to.
    pub fn base_url(&self) -> &str {
        &self.runtime.base_url
    }

    /// The retry policy of GET requests.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.runtime.retry
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("token", &REDACTED)
            .field("retry_policy", self.retry_policy())
            .finish()
    }
}

/// The life of one request, in order (see the module docs): what every
/// generated `send()` calls.
pub(crate) async fn execute<T: DeserializeOwned>(
    runtime: &Runtime,
    request: Request,
) -> Result<T, Error> {
    let operation = request.operation();
    let span = tracing::debug_span!(
        "hypersender",
        operation = operation.id,
        method = operation.method.as_str(),
        path = operation.path,
        status = tracing::field::Empty,
        attempts = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
    );
    let started = tokio::time::Instant::now();
    let life = async {
        // 1. Check the rules; nothing is sent when one is broken.
        request.check()?;
        // 2.-4. Each attempt: a limiter slot, the HTTP request, sent;
        // retried while the policy and the limiter allow.
        let response = retry::send(runtime, &request).await?;
        // 5. The body, at most `max_response_bytes`.
        let received = response::read(runtime, operation, response).await?;
        // 6. Decoded, or mapped to the crate's error (redacted).
        response::decode(runtime, operation, received)
    };
    let outcome = life.instrument(span.clone()).await;
    span.record("duration_ms", started.elapsed().as_millis() as u64);
    match &outcome {
        Ok(_) => tracing::debug!(parent: &span, "request succeeded"),
        Err(error) => tracing::debug!(parent: &span, error = %error, "request failed"),
    }
    outcome
}
