//! A documented rate limit.

use std::time::Duration;

/// A documented rate limit: at most `requests` per `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct RateLimit {
    /// How many requests.
    pub requests: u32,
    /// In how long a window.
    pub per: Duration,
}

impl RateLimit {
    /// At most `requests` (at least 1) per `per`.
    pub const fn new(requests: u32, per: Duration) -> Self {
        let requests = if requests == 0 { 1 } else { requests };
        Self { requests, per }
    }

    /// The even spacing of requests that keeps the limit (`per / requests`:
    /// 6 s for 10 per minute).
    pub fn spacing(&self) -> Duration {
        self.per / self.requests.max(1)
    }
}
