//! The mock's clock: the system clock, a frozen one that tests move by
//! hand, or tokio's (so a test with a paused tokio clock moves the mock and
//! the client together), so rate-limit windows, restart phases and QR
//! expiry are tested without sleeps.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, SubsecRound, Utc};

/// A point in time, monotonic and wall-clock together.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Now {
    pub(crate) instant: Instant,
    pub(crate) wall: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy)]
enum Source {
    System,
    /// Stands still at this point (plus `offset`).
    Frozen(Now),
    /// tokio's clock, which a test may pause; the wall clock starts at `wall`.
    Tokio {
        started: tokio::time::Instant,
        wall: DateTime<Utc>,
    },
}

#[derive(Debug)]
struct State {
    source: Source,
    offset: Duration,
    /// When the mock started, for the request log.
    started: Instant,
}

#[derive(Debug, Clone)]
pub(crate) struct Clock(Arc<Mutex<State>>);

impl Clock {
    /// Follows the system clock (plus whatever [`Clock::advance`] added).
    pub(crate) fn system() -> Self {
        Self::with(Source::System)
    }

    /// Stands still at `wall` until [`Clock::advance`] moves it.
    pub(crate) fn frozen(wall: DateTime<Utc>) -> Self {
        Self::with(Source::Frozen(Now {
            instant: Instant::now(),
            wall,
        }))
    }

    /// Follows tokio's clock from `wall` on.
    pub(crate) fn tokio(wall: DateTime<Utc>) -> Self {
        Self::with(Source::Tokio {
            started: tokio::time::Instant::now(),
            wall,
        })
    }

    fn with(source: Source) -> Self {
        let mut state = State {
            source,
            offset: Duration::ZERO,
            started: Instant::now(),
        };
        state.started = Self::read(&state).instant;
        Self(Arc::new(Mutex::new(state)))
    }

    fn read(state: &State) -> Now {
        let base = match state.source {
            Source::System => Now {
                instant: Instant::now(),
                wall: Utc::now(),
            },
            Source::Frozen(at) => at,
            Source::Tokio { started, wall } => {
                let now = tokio::time::Instant::now();
                Now {
                    instant: now.into_std(),
                    wall: wall + (now - started),
                }
            }
        };
        Now {
            instant: base.instant + state.offset,
            wall: (base.wall + state.offset).trunc_subsecs(0),
        }
    }

    /// The current time, wall clock cut to whole seconds as the API shows it.
    pub(crate) fn now(&self) -> Now {
        Self::read(&self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Time since the mock started.
    pub(crate) fn elapsed(&self) -> Duration {
        let state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        Self::read(&state)
            .instant
            .saturating_duration_since(state.started)
    }

    pub(crate) fn advance(&self, by: Duration) {
        let mut state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        state.offset += by;
    }
}
