//! Sending when the documented rate limit allows, whatever the client's
//! mode: what the long-running flows (connect, apply, bulk restarts) do, so
//! they never meet a 429 of their own making. A caller with a deadline wraps
//! it in `tokio::time::timeout_at`.

use std::future::Future;
use std::time::Duration;

use crate::error::Error;
use crate::runtime::Client;

/// Sends with `send` once the client's limiter allows `operation`, and again
/// after a 429 (once the limiter lets it through again).
pub(crate) async fn when_allowed<T, F, Fut>(
    client: &Client,
    operation: &str,
    mut send: F,
) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    loop {
        client.rate_limit_wait(operation).await;
        match send().await {
            Err(Error::RateLimited { retry_after, .. }) => {
                // A 429 holds the operation back in the limiter, so the next
                // wait covers it; should nothing hold it, wait as told.
                let held = client.rate_limit_delay(operation).unwrap_or_default();
                if held.is_zero() {
                    tokio::time::sleep(retry_after.unwrap_or(Duration::from_secs(1))).await;
                }
            }
            outcome => return outcome,
        }
    }
}
