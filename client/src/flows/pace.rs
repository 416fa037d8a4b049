//! Sending when the documented rate limit allows, whatever the client's
//! mode: what the long-running flows (connect, apply, bulk restarts) do, so
//! they never meet a 429 of their own making. A caller with a deadline wraps
//! it in `tokio::time::timeout_at`.

use std::future::Future;
use std::time::Duration;

use crate::error::Error;
use crate::runtime::Client;

/// Sends with `send` once the client's limiter allows `operation`, and again
/// after a 429 (its `Retry-After`, or a second).
pub(crate) async fn when_allowed<T, F, Fut>(
    client: &Client,
    operation: &str,
    mut send: F,
) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let mut wait = client.rate_limit_delay(operation).unwrap_or_default();
    loop {
        tokio::time::sleep(wait).await;
        match send().await {
            Err(Error::RateLimited { retry_after, .. }) => {
                wait = retry_after.unwrap_or(Duration::from_secs(1));
            }
            outcome => return outcome,
        }
    }
}
