//! The client's own rate limiter: each operation's documented limit (the
//! `x-rate-limit` of the spec, in the catalog), kept before anything is sent.
//!
//! Why not a token bucket (governor's GCRA): a bucket of 5 refilled at one
//! per 12 s lets a 6th request through 12 s after a burst of 5, which a
//! fixed-window server (Laravel's throttle: 5 per minute from the first
//! hit) answers with 429. A sliding log of the last N send times never sends
//! more than N in any window of the documented length, so it is safe
//! against fixed and sliding windows alike, and it fits in a few dozen
//! lines. It runs on tokio's clock, so tests with a paused clock see it.
//!
//! Whether the vendor counts per token, per instance or per IP is not
//! documented; the limiter counts per client (clones share it) and per
//! operation, the strictest reading that does not need the instance id.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use crate::catalog::{Method, Operation};
use crate::error::Error;
use crate::values::RateLimit;

/// What the client does when an operation's documented limit is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RateLimitMode {
    /// Wait for a free slot, then send (the default for GET: reads are
    /// cheap to delay).
    Wait,
    /// Send nothing and return [`Error::RateLimited`] with how long to wait
    /// (the default for POST: a caller should decide whether a create, a new
    /// QR code or a restart is still wanted a minute later).
    FailFast,
    /// No client-side limit (a 429 from the server still comes back as
    /// [`Error::RateLimited`]).
    Off,
}

/// The client's rate-limit settings; see [`ClientBuilder::rate_limits`](crate::ClientBuilder::rate_limits).
///
/// ```
/// use hypersender::{RateLimitMode, RateLimits};
///
/// // Wait for a slot on every operation, and allow more restarts than
/// // documented (for a mock with its limits raised, say).
/// let limits = RateLimits::default()
///     .with_mode("request_new_qr_code", RateLimitMode::Wait)
///     .with_mode("create_instance", RateLimitMode::Wait)
///     .with_limit("restart_instance", 50, std::time::Duration::from_secs(60));
/// # let _ = limits;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    get: RateLimitMode,
    other: RateLimitMode,
    modes: BTreeMap<String, RateLimitMode>,
    limits: BTreeMap<String, RateLimit>,
}

impl Default for RateLimits {
    /// The documented limits; GET waits for a slot, other methods fail fast.
    fn default() -> Self {
        Self {
            get: RateLimitMode::Wait,
            other: RateLimitMode::FailFast,
            modes: BTreeMap::new(),
            limits: BTreeMap::new(),
        }
    }
}

impl RateLimits {
    /// No client-side limits at all.
    pub fn off() -> Self {
        Self {
            get: RateLimitMode::Off,
            other: RateLimitMode::Off,
            ..Self::default()
        }
    }

    /// The mode of every GET and of every other operation.
    pub fn with_default_modes(mut self, get: RateLimitMode, other: RateLimitMode) -> Self {
        self.get = get;
        self.other = other;
        self
    }

    /// The mode of one operation (by id, `request_new_qr_code`).
    pub fn with_mode(mut self, operation: impl Into<String>, mode: RateLimitMode) -> Self {
        self.modes.insert(operation.into(), mode);
        self
    }

    /// Replaces an operation's documented limit (or sets one for an
    /// operation without): at most `requests` (at least 1) per `per`.
    pub fn with_limit(
        mut self,
        operation: impl Into<String>,
        requests: u32,
        per: Duration,
    ) -> Self {
        self.limits
            .insert(operation.into(), RateLimit::new(requests, per));
        self
    }

    /// The mode for `operation`.
    pub fn mode(&self, operation: &Operation) -> RateLimitMode {
        self.modes
            .get(operation.id)
            .copied()
            .unwrap_or(if operation.method == Method::Get {
                self.get
            } else {
                self.other
            })
    }

    /// The limit the client keeps for `operation`: a replacement, or the
    /// documented one.
    pub fn limit(&self, operation: &Operation) -> Option<RateLimit> {
        self.limits
            .get(operation.id)
            .copied()
            .or(operation.rate_limit)
    }
}

/// Waits `wait` before `operation` is sent, saying so on tracing when it
/// starts and when it is over (what the CLI shows as "waiting for the rate
/// limit"); no wait, no event.
pub(crate) async fn pause(operation: &'static str, wait: Duration) {
    if wait.is_zero() {
        return;
    }
    tracing::info!(
        operation,
        wait_ms = wait.as_millis() as u64,
        "waiting for the documented rate limit"
    );
    tokio::time::sleep(wait).await;
    tracing::info!(operation, "rate-limit wait over");
}

/// One operation's recent sends (and reserved slots) and a server's
/// "not before".
#[derive(Debug, Default)]
struct Window {
    /// Send times, oldest first; may hold reserved future slots.
    sent: VecDeque<Instant>,
    /// A 429's Retry-After: nothing is sent before this.
    blocked_until: Option<Instant>,
}

impl Window {
    /// The first instant at or after `now` when one more request keeps at
    /// most `limit.requests` in any window of `limit.per`.
    fn next_slot(&mut self, limit: RateLimit, now: Instant) -> Instant {
        while self
            .sent
            .front()
            .is_some_and(|first| *first + limit.per <= now)
        {
            self.sent.pop_front();
        }
        let requests = limit.requests as usize;
        let by_window = if self.sent.len() < requests {
            now
        } else {
            self.sent[self.sent.len() - requests] + limit.per
        };
        by_window.max(self.blocked_until.unwrap_or(now)).max(now)
    }
}

/// The limiter of one client; clones of the client share it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Limiter {
    settings: RateLimits,
    windows: Arc<Mutex<HashMap<&'static str, Window>>>,
}

/// A reserved slot; dropped before the request is sent (the caller gave
/// up while waiting for it), it gives the slot back.
pub(crate) struct Reservation {
    limiter: Limiter,
    operation: &'static str,
    at: Instant,
    used: bool,
}

impl Reservation {
    /// The slot is taken: the request goes out now.
    pub(crate) fn sent(mut self) {
        self.used = true;
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if self.used {
            return;
        }
        let mut windows = self.limiter.lock();
        if let Some(window) = windows.get_mut(self.operation)
            && let Some(index) = window.sent.iter().rposition(|at| *at == self.at)
        {
            window.sent.remove(index);
        }
    }
}

impl Limiter {
    pub(crate) fn new(settings: RateLimits) -> Self {
        Self {
            settings,
            windows: Arc::default(),
        }
    }

    pub(crate) fn settings(&self) -> &RateLimits {
        &self.settings
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<&'static str, Window>> {
        // Windows are updated in one step each; a panic elsewhere cannot
        // leave one half-written.
        self.windows.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How long until `operation` may be sent (zero: now).
    pub(crate) fn delay(&self, operation: &Operation) -> Duration {
        let Some(limit) = self.settings.limit(operation) else {
            return self.blocked_for(operation);
        };
        let now = Instant::now();
        let slot = self
            .lock()
            .entry(operation.id)
            .or_default()
            .next_slot(limit, now);
        slot - now
    }

    fn blocked_for(&self, operation: &Operation) -> Duration {
        let now = Instant::now();
        self.lock()
            .get(operation.id)
            .and_then(|window| window.blocked_until)
            .map_or(Duration::ZERO, |until| until.saturating_duration_since(now))
    }

    /// Takes a slot for one attempt of `operation` as its mode says: now,
    /// after a wait, or an [`Error::RateLimited`] saying how long to wait
    /// (nothing is sent). `None`: the operation is not limited.
    pub(crate) async fn acquire(
        &self,
        operation: &'static Operation,
    ) -> Result<Option<Reservation>, Error> {
        let mode = self.settings.mode(operation);
        let limit = self.settings.limit(operation);
        if mode == RateLimitMode::Off {
            return Ok(None);
        }
        let now = Instant::now();
        let (slot, wait) = {
            let mut windows = self.lock();
            let window = windows.entry(operation.id).or_default();
            let slot = match limit {
                Some(limit) => window.next_slot(limit, now),
                None => window.blocked_until.unwrap_or(now).max(now),
            };
            // Never before now: both slots above are at least now.
            let wait = slot - now;
            if mode == RateLimitMode::FailFast && !wait.is_zero() {
                return Err(Error::RateLimited {
                    operation: operation.id,
                    retry_after: Some(wait),
                    limit,
                    server: None,
                });
            }
            if limit.is_some() {
                window.sent.push_back(slot);
            }
            (slot, wait)
        };
        let reservation = limit.map(|_| Reservation {
            limiter: self.clone(),
            operation: operation.id,
            at: slot,
            used: false,
        });
        pause(operation.id, wait).await;
        Ok(reservation)
    }

    /// A 429 from the server: nothing more is sent for `operation` until
    /// `retry_after` (or, without one, a whole documented window) passed.
    pub(crate) fn server_refused(&self, operation: &Operation, retry_after: Option<Duration>) {
        let wait = retry_after
            .or_else(|| self.settings.limit(operation).map(|limit| limit.per))
            .unwrap_or(Duration::from_secs(60));
        let until = Instant::now() + wait;
        let mut windows = self.lock();
        let window = windows.entry(operation.id).or_default();
        window.blocked_until = Some(window.blocked_until.map_or(until, |b| b.max(until)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Method;

    const QR: Operation = Operation {
        id: "request_new_qr_code",
        method: Method::Post,
        path: "/{instance}/request-new-qr-code",
        summary: "Request New QR Code",
        description: "",
        parameters: &[],
        body: None,
        rate_limit: Some(RateLimit::new(1, Duration::from_secs(60))),
        success_status: 200,
        success_example: None,
    };
    const HEALTH: Operation = Operation {
        id: "check_health",
        method: Method::Get,
        rate_limit: Some(RateLimit::new(10, Duration::from_secs(60))),
        ..QR
    };

    #[tokio::test(start_paused = true)]
    async fn post_fails_fast_with_the_wait_and_get_waits_for_its_slot() {
        let limiter = Limiter::new(RateLimits::default());
        limiter.acquire(&QR).await.unwrap().unwrap().sent();
        tokio::time::advance(Duration::from_secs(23)).await;
        let refused = limiter.acquire(&QR).await.err().unwrap();
        assert!(
            matches!(refused, Error::RateLimited { retry_after: Some(wait), .. } if wait == Duration::from_secs(37)),
            "{refused:?}"
        );
        let start = Instant::now();
        for _ in 0..11 {
            limiter.acquire(&HEALTH).await.unwrap().unwrap().sent();
        }
        assert_eq!(
            start.elapsed(),
            Duration::from_secs(60),
            "the 11th waited a window"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn no_window_ever_holds_more_than_the_limit() {
        let limiter = Limiter::new(
            RateLimits::default().with_mode("request_new_qr_code", RateLimitMode::Wait),
        );
        let five = Operation {
            rate_limit: Some(RateLimit::new(5, Duration::from_secs(60))),
            ..QR
        };
        let five: &'static Operation = Box::leak(Box::new(five));
        let start = Instant::now();
        let mut sent = Vec::new();
        for _ in 0..20 {
            limiter.acquire(five).await.unwrap().unwrap().sent();
            sent.push(start.elapsed());
        }
        for (i, at) in sent.iter().enumerate() {
            let in_window = sent
                .iter()
                .filter(|t| **t <= *at && *at - **t < Duration::from_secs(60))
                .count();
            assert!(
                in_window <= 5,
                "request {i} at {at:?}: {in_window} in a minute"
            );
        }
        assert_eq!(
            sent[19],
            Duration::from_secs(180),
            "20 requests: the minimum is 3 windows"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_dropped_wait_gives_its_slot_back_and_a_429_blocks() {
        let limiter = Limiter::new(
            RateLimits::default().with_mode("request_new_qr_code", RateLimitMode::Wait),
        );
        limiter.acquire(&QR).await.unwrap().unwrap().sent();
        let waiting = limiter.acquire(&QR);
        drop(tokio::time::timeout(Duration::from_secs(1), waiting).await);
        assert_eq!(
            limiter.delay(&QR),
            Duration::from_secs(59),
            "the abandoned slot is free again"
        );
        limiter.server_refused(&HEALTH, Some(Duration::from_secs(31)));
        assert_eq!(limiter.delay(&HEALTH), Duration::from_secs(31));
        let off = Limiter::new(RateLimits::off());
        assert!(off.acquire(&QR).await.unwrap().is_none());
    }
}
