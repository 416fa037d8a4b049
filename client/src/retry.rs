//! Automatic retries of idempotent requests.

use std::hash::{BuildHasher, Hasher, RandomState};
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, Request, Response, StatusCode};

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

    /// The longest single wait. A `Retry-After` longer than this is not
    /// waited out: the response is returned as an error carrying it.
    pub fn with_max_delay(mut self, max_delay: Duration) -> Self {
        self.max_delay = max_delay;
        self
    }

    /// Retries after the first attempt.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// Whether requests with `method` are retried at all.
    fn applies_to(&self, method: &Method) -> bool {
        self.max_retries > 0 && *method == Method::GET
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

/// Executes `request`, retrying as `policy` allows.
pub(crate) async fn execute(
    client: &reqwest::Client,
    request: Request,
    policy: &RetryPolicy,
) -> reqwest::Result<Response> {
    let span = tracing::Span::current();
    if !policy.applies_to(request.method()) {
        span.record("attempts", 1);
        return client.execute(request).await;
    }
    let mut retry = 0;
    loop {
        // A streaming body cannot be cloned, and so cannot be retried.
        let Some(attempt) = request.try_clone() else {
            span.record("attempts", retry + 1);
            return client.execute(request).await;
        };
        let outcome = client.execute(attempt).await;
        let (wait, cause) = match &outcome {
            Ok(response) if RETRYABLE_STATUSES.contains(&response.status()) => (
                policy.delay(retry, retry_after(response.headers())),
                format!("HTTP {}", response.status()),
            ),
            Err(error) if error.is_connect() => (
                policy.delay(retry, None),
                format!("connection failed: {}", crate::redact::error_chain(error)),
            ),
            _ => (None, String::new()),
        };
        match wait {
            Some(wait) => {
                tracing::info!(
                    attempt = retry + 1,
                    retries_left = policy.max_retries - retry,
                    wait_ms = wait.as_millis() as u64,
                    cause = %cause,
                    "retrying after a failed attempt"
                );
                drop(outcome);
                tokio::time::sleep(wait).await;
                retry += 1;
            }
            None => {
                span.record("attempts", retry + 1);
                return outcome;
            }
        }
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
        assert!(policy().applies_to(&Method::GET));
        assert!(!policy().applies_to(&Method::POST));
        assert!(!RetryPolicy::disabled().applies_to(&Method::GET));
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
