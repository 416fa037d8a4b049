//! The mock's clock: the system clock, or a frozen one that tests move by
//! hand, so rate-limit windows and restart phases are tested without sleeps.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, SubsecRound, Utc};

/// A point in time, monotonic and wall-clock together.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Now {
    pub(crate) instant: Instant,
    pub(crate) wall: DateTime<Utc>,
}

#[derive(Debug)]
struct State {
    frozen_at: Option<Now>,
    offset: Duration,
}

#[derive(Debug, Clone)]
pub(crate) struct Clock(Arc<Mutex<State>>);

impl Clock {
    /// Follows the system clock (plus whatever [`Clock::advance`] added).
    pub(crate) fn system() -> Self {
        Self::with(None)
    }

    /// Stands still at `wall` until [`Clock::advance`] moves it.
    pub(crate) fn frozen(wall: DateTime<Utc>) -> Self {
        Self::with(Some(Now {
            instant: Instant::now(),
            wall,
        }))
    }

    fn with(frozen_at: Option<Now>) -> Self {
        Self(Arc::new(Mutex::new(State {
            frozen_at,
            offset: Duration::ZERO,
        })))
    }

    /// The current time, wall clock cut to whole seconds as the API shows it.
    pub(crate) fn now(&self) -> Now {
        let state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let base = state.frozen_at.unwrap_or_else(|| Now {
            instant: Instant::now(),
            wall: Utc::now(),
        });
        Now {
            instant: base.instant + state.offset,
            wall: (base.wall + state.offset).trunc_subsecs(0),
        }
    }

    pub(crate) fn advance(&self, by: Duration) {
        let mut state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        state.offset += by;
    }
}
