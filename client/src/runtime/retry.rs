//! Steps 2 to 4 of the request path: each attempt takes a limiter slot,
//! is built and sent; GET requests are sent again while the retry policy
//! allows it and the limiter has a slot within the retry budget.

use std::hash::{BuildHasher, Hasher, RandomState};
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Response, StatusCode};

use super::limiter::{Limiter, RateLimitMode};
use super::{Request, Runtime};
use crate::catalog::{Method, Operation};
use crate::error::{Error, error_chain};

/// Statuses worth another try: rate limited, or a gateway/upstream hiccup.
const RETRYABLE_STATUSES: [StatusCode; 4] = [
    StatusCode::TOO_MANY_REQUESTS,
    StatusCode::BAD_GATEWAY,
    StatusCode::SERVICE_UNAVAILABLE,
    StatusCode::GATEWAY_TIMEOUT,
];

/// When and how often GET requests are retried.
///
/// GET requests are retried on 429, 502, 503 and 504 responses and on
/// connection errors, with capped exponential backoff and jitter; a
/// `Retry-After` header sets the wait instead. POST requests (create, new QR
/// code, restart) are never retried automatically: create is not idempotent
/// and every POST is rate limited.
///
/// Every retry is a request: it takes a slot of the client's rate limiter
/// like the first attempt. A retry is not made when its wait (the backoff,
/// or longer when the limiter has no free slot sooner) would pass the
/// longest wait ([`with_max_delay`](Self::with_max_delay)): the error it
/// would have retried is returned instead.
///
/// ```
/// use std::time::Duration;
/// use hypersender::RetryPolicy;
///
/// let patient = RetryPolicy::default().with_max_retries(5).with_max_delay(Duration::from_secs(60));
/// let never = RetryPolicy::disabled();
/// assert_eq!(never.max_retries(), 0);
/// # let _ = patient;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 3 retries, backoff from 500 ms, no single wait over 30 s.
    fn default() -> Self {
        Self {
            max_retries: 3,
            initial_backoff: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn disabled() -> Self {
        Self::default().with_max_retries(0)
    }

    /// Retries after the first attempt (0 turns retries off).
    pub fn with_max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// The wait before the first retry; it doubles for each further one.
    pub fn with_initial_backoff(mut self, initial_backoff: Duration) -> Self {
        self.initial_backoff = initial_backoff;
        self
    }

    /// The longest single wait (the retry budget). A `Retry-After` longer
    /// than this, or a rate-limit slot further off, is not waited out: the
    /// response is returned as an error carrying it.
    pub fn with_max_delay(mut self, max_delay: Duration) -> Self {
        self.max_delay = max_delay;
        self
    }

    /// Retries after the first attempt.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// Whether requests with `method` are retried at all.
    fn applies_to(&self, method: Method) -> bool {
        self.max_retries > 0 && method == Method::Get
    }

    /// The wait before retry number `retry` (0-based), or `None` to stop.
    fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if retry >= self.max_retries {
            return None;
        }
        if let Some(wait) = retry_after {
            return (wait <= self.max_delay).then_some(wait);
        }
        let exponential = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry));
        Some(equal_jitter(exponential.min(self.max_delay)))
    }
}

/// A random wait between half of `ceiling` and `ceiling`, so that clients
/// that failed together do not retry together.
fn equal_jitter(ceiling: Duration) -> Duration {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(ceiling.as_nanos());
    let fraction = (hasher.finish() % 1_000) as f64 / 1_000.0;
    ceiling.mul_f64(0.5 + fraction / 2.0)
}

/// Reads `Retry-After` as delay seconds or an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = date.signed_duration_since(chrono::Utc::now());
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// Steps 2 to 4 of the request path (see the module docs of `runtime`):
/// the response of the last attempt, or the error that ended them.
pub(crate) async fn send(runtime: &Runtime, request: &Request) -> Result<Response, Error> {
    let operation = request.operation();
    let span = tracing::Span::current();
    let mut attempts = 0;
    loop {
        // 2. A slot of the rate limiter: every attempt counts.
        let slot = runtime.limiter.acquire(operation).await?;
        // 3. The HTTP request.
        let http_request = request.build(runtime)?;
        // 4. Sent.
        if let Some(slot) = slot {
            slot.sent();
        }
        let outcome = runtime.http.execute(http_request).await;
        attempts += 1;
        let wait = next_wait(runtime, operation, attempts - 1, &outcome);
        hold_back_after_429(&runtime.limiter, operation, &outcome, wait.is_some());
        match wait {
            Some(wait) => {
                drop(outcome);
                tokio::time::sleep(wait).await;
            }
            None => {
                span.record("attempts", attempts);
                if let Ok(response) = &outcome {
                    span.record("status", response.status().as_u16());
                }
                return outcome.map_err(|source| transport(operation.id, source));
            }
        }
    }
}

/// A 429 holds the operation back in the limiter, for every caller of the
/// client: until its `Retry-After`, or, when it gives none and no retry
/// follows, for a whole documented window. (A retry without `Retry-After`
/// waits its own backoff.)
fn hold_back_after_429(
    limiter: &Limiter,
    operation: &Operation,
    outcome: &reqwest::Result<Response>,
    retrying: bool,
) {
    let Ok(response) = outcome else { return };
    if response.status() != StatusCode::TOO_MANY_REQUESTS {
        return;
    }
    match retry_after(response.headers()) {
        Some(wait) => limiter.server_refused(operation, Some(wait)),
        None if !retrying => limiter.server_refused(operation, None),
        None => {}
    }
}

/// How long to wait before retrying after attempt number `retry` (0-based)
/// ended in `outcome`, or `None` to stop there.
fn next_wait(
    runtime: &Runtime,
    operation: &Operation,
    retry: u32,
    outcome: &reqwest::Result<Response>,
) -> Option<Duration> {
    let policy = &runtime.retry;
    if !policy.applies_to(operation.method) {
        return None;
    }
    let (server_wait, cause, reason) = match outcome {
        Ok(response) if RETRYABLE_STATUSES.contains(&response.status()) => {
            let status = format!("HTTP {}", response.status());
            (retry_after(response.headers()), status.clone(), status)
        }
        Err(error) if error.is_connect() => (
            None,
            format!("connection failed: {}", error_chain(error)),
            root_cause(error),
        ),
        _ => return None,
    };
    let backoff = policy.delay(retry, server_wait)?;
    let wait = within_budget(&runtime.limiter, operation, policy, backoff)?;
    tracing::info!(
        attempt = retry + 1,
        retries_left = policy.max_retries - retry,
        wait_ms = wait.as_millis() as u64,
        cause = %cause,
        reason = %reason,
        "retrying after a failed attempt"
    );
    Some(backoff)
}

/// The innermost cause of a failed connection, in a few words for a
/// person (`connection refused`), without the OS's error number.
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut innermost = error;
    while let Some(source) = innermost.source() {
        innermost = source;
    }
    let text = innermost.to_string();
    let text = match text.find(" (os error ") {
        Some(at) => &text[..at],
        None => &text,
    };
    text.to_lowercase()
}

/// The whole wait of a retry after `backoff`: longer when the limiter has
/// no slot sooner. `None` when that passes the retry budget, or when the
/// operation fails fast and its slot is not free by then.
fn within_budget(
    limiter: &Limiter,
    operation: &Operation,
    policy: &RetryPolicy,
    backoff: Duration,
) -> Option<Duration> {
    let slot = limiter.delay(operation);
    let mode = limiter.settings().mode(operation);
    if mode == RateLimitMode::FailFast && slot > backoff {
        return None;
    }
    let wait = backoff.max(slot);
    (wait <= policy.max_delay).then_some(wait)
}

/// A failed exchange as the crate's error: a timeout, or a transport error.
pub(crate) fn transport(operation: &'static str, source: reqwest::Error) -> Error {
    if source.is_timeout() {
        Error::Timeout { operation, source }
    } else {
        Error::Transport { operation, source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn policy() -> RetryPolicy {
        RetryPolicy::default()
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_delay(Duration::from_millis(350))
    }

    #[test]
    fn only_get_is_retried() {
        assert!(policy().applies_to(Method::Get));
        assert!(!policy().applies_to(Method::Post));
        assert!(!RetryPolicy::disabled().applies_to(Method::Get));
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let ranges = [(50, 100), (100, 200), (175, 350)];
        for (retry, (low, high)) in ranges.into_iter().enumerate() {
            let wait = policy().delay(retry as u32, None).unwrap();
            assert!(
                wait >= Duration::from_millis(low) && wait <= Duration::from_millis(high),
                "retry {retry}: {wait:?}"
            );
        }
        assert_eq!(policy().delay(3, None), None, "the budget is 3 retries");
    }

    #[test]
    fn retry_after_sets_the_wait_unless_over_the_cap() {
        assert_eq!(
            policy().delay(0, Some(Duration::from_millis(300))),
            Some(Duration::from_millis(300))
        );
        assert_eq!(policy().delay(0, Some(Duration::from_secs(60))), None);
    }

    #[test]
    fn retry_after_parses_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(
            retry_after(&headers),
            Some(Duration::ZERO),
            "a past date means now"
        );
        let future = (chrono::Utc::now() + chrono::Duration::seconds(120)).to_rfc2822();
        headers.insert(RETRY_AFTER, HeaderValue::from_str(&future).unwrap());
        let wait = retry_after(&headers).unwrap();
        assert!(
            wait > Duration::from_secs(115) && wait <= Duration::from_secs(120),
            "{wait:?}"
        );
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
    }
}
