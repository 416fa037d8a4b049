//! The documented rate limits (the `x-rate-limit` of each operation in the
//! spec, read from the client's catalog), counted the way Laravel's throttle
//! middleware counts them: a fixed window opened by the first request, per
//! API token and operation. (Whether the real service also keys by instance
//! is not documented; per operation is the stricter reading.)

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// A refused request: when to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limited {
    pub(crate) limit: u32,
    pub(crate) retry_after_secs: u64,
}

#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    windows: HashMap<&'static str, (Instant, u32)>,
}

impl RateLimiter {
    /// Counts one request to `operation`, or refuses it once `limit`
    /// requests were made in the current window.
    pub(crate) fn hit(
        &mut self,
        operation: &'static str,
        limit: u32,
        window: Duration,
        now: Instant,
    ) -> Result<u32, Limited> {
        let (opened, count) = self.windows.entry(operation).or_insert((now, 0));
        if now.duration_since(*opened) >= window {
            *opened = now;
            *count = 0;
        }
        if *count >= limit {
            let left = window - now.duration_since(*opened);
            // Whole seconds, rounded up, as Retry-After carries them.
            let retry_after_secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
            return Err(Limited {
                limit,
                retry_after_secs,
            });
        }
        *count += 1;
        Ok(limit - *count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_admits_the_limit_then_refuses_until_it_closes() {
        const WINDOW: Duration = Duration::from_secs(60);
        let mut limiter = RateLimiter::default();
        let start = Instant::now();
        assert_eq!(limiter.hit("health", 2, WINDOW, start), Ok(1));
        assert_eq!(limiter.hit("health", 2, WINDOW, start), Ok(0));
        let later = start + Duration::from_millis(20_500);
        assert_eq!(
            limiter.hit("health", 2, WINDOW, later),
            Err(Limited {
                limit: 2,
                retry_after_secs: 40
            })
        );
        // Other operations have their own window.
        assert_eq!(limiter.hit("restart", 2, WINDOW, later), Ok(1));
        assert_eq!(limiter.hit("health", 2, WINDOW, start + WINDOW), Ok(1));
    }
}
