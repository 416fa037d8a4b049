//! What progenitor's generated client calls for every request.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue, USER_AGENT};

use crate::client::RequestHeaders;
use crate::generated;
use crate::retry::{self, RetryPolicy};

/// State the generated client carries for the hooks (progenitor's "inner type").
#[derive(Clone)]
pub(crate) struct Inner {
    pub(crate) retry: RetryPolicy,
    /// Largest response body accepted, in bytes.
    pub(crate) max_response_bytes: u64,
    /// The API token, only to mask it should a server echo it back.
    pub(crate) api_token: String,
    /// Set on every request, whoever built the HTTP client.
    pub(crate) headers: RequestHeaders,
    /// A timeout per request, for a caller's own HTTP client.
    pub(crate) per_request_timeout: Option<std::time::Duration>,
    /// The documented rate limits, kept before sending; shared by clones.
    pub(crate) limiter: crate::rate_limit::Limiter,
}

// progenitor's Client derives Debug, so Inner needs one; it hides the token.
impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inner")
            .field("retry", &self.retry)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("api_token", &crate::secret::REDACTED)
            .finish()
    }
}

/// progenitor sends this header on every request; the Hypersender API never
/// asked for it, so it is removed.
const PROGENITOR_VERSION_HEADER: &str = "api-version";

impl ClientHooks<Inner> for generated::Client {
    async fn exec(
        &self,
        mut request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let inner = self.inner();
        let headers = request.headers_mut();
        headers.remove(PROGENITOR_VERSION_HEADER);
        for (name, value) in &inner.headers.extra {
            headers.append(name, value.clone());
        }
        headers.insert(AUTHORIZATION, inner.headers.authorization.clone());
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(USER_AGENT, inner.headers.user_agent.clone());
        if let Some(timeout) = inner.per_request_timeout {
            *request.timeout_mut() = Some(timeout);
        }
        let response = retry::execute(self.client(), request, &inner.retry).await?;
        tracing::Span::current().record("status", response.status().as_u16());
        Ok(limit_body(response, self.inner().max_response_bytes))
    }
}

/// A body went past the configured limit; found again in the error chain
/// by [`crate::error`], which reports `Error::ResponseTooLarge`.
#[derive(Debug)]
pub(crate) struct BodyTooLarge {
    pub(crate) limit: u64,
}

impl std::fmt::Display for BodyTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the response body is larger than the limit of {} bytes",
            self.limit
        )
    }
}

impl std::error::Error for BodyTooLarge {}

/// The same response, with a body that fails as soon as it passes `limit`
/// bytes (at once when `Content-Length` says so), so that a huge or endless
/// body never grows memory without bound. Status and headers are kept.
fn limit_body(response: reqwest::Response, limit: u64) -> reqwest::Response {
    let declared_too_large = response
        .content_length()
        .is_some_and(|length| length > limit);
    let mut builder = http::Response::builder()
        .status(response.status())
        .version(response.version());
    if let Some(headers) = builder.headers_mut() {
        headers.extend(
            response
                .headers()
                .iter()
                .map(|(name, value)| (name.clone(), value.clone())),
        );
    }
    let body = LimitedBody {
        inner: Box::pin(response.bytes_stream()),
        seen: 0,
        limit,
        failed: declared_too_large,
    };
    let rebuilt = builder
        .body(reqwest::Body::wrap_stream(body))
        .expect("status, version and headers come from a valid response");
    reqwest::Response::from(rebuilt)
}

struct LimitedBody {
    inner: Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>,
    seen: u64,
    limit: u64,
    /// Fail on the next poll (the declared length is already too large).
    failed: bool,
}

impl Stream for LimitedBody {
    type Item = Result<Bytes, Box<dyn std::error::Error + Send + Sync>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.failed {
            return Poll::Ready(Some(Err(Box::new(BodyTooLarge { limit: self.limit }))));
        }
        match self.inner.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                self.seen += chunk.len() as u64;
                if self.seen > self.limit {
                    self.failed = true;
                    return Poll::Ready(Some(Err(Box::new(BodyTooLarge { limit: self.limit }))));
                }
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(Box::new(e)))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}
