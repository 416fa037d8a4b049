//! Deduplication: has this event id been delivered before? Deliveries are
//! not documented to be exactly-once, and users of the servers the service
//! resembles report repeats; remembering ids is also the only defence
//! against a replayed request (nothing in a delivery is signed or dated).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Remembers event ids. Implement it over your own store (a database, a
/// cache shared by several receivers) to deduplicate across processes; it
/// is called once per delivery that has an id, on the request's task, so
/// keep it quick (answering slowly makes the sender retry).
pub trait SeenEvents: Send + Sync {
    /// Records `id` and says whether this is its first delivery (`true`)
    /// or a repeat (`false`). Atomic: of two concurrent calls with one id,
    /// one is first.
    fn first_delivery(&self, id: &str) -> bool;

    /// Forgets `id`, so its next delivery counts as the first (the receiver
    /// calls it when it could not hand the event over and asks the sender
    /// to retry).
    fn forget(&self, id: &str);
}

/// Event ids in memory, at most `capacity` of them, each for at most
/// `time_to_live`: the oldest go first. The default keeps 100,000 ids for
/// 24 hours (BENCHMARKS.md has what that weighs).
#[derive(Debug)]
pub struct MemorySeen {
    capacity: usize,
    time_to_live: Duration,
    state: Mutex<Remembered>,
}

#[derive(Debug, Default)]
struct Remembered {
    /// Each id and when it was first seen (one allocation per id, shared
    /// with `order`).
    ids: HashMap<Arc<str>, Instant>,
    /// Ids by age, oldest first (an id forgotten early stays until its
    /// turn, then is skipped).
    order: VecDeque<(Instant, Arc<str>)>,
}

impl MemorySeen {
    /// The default capacity.
    pub const DEFAULT_CAPACITY: usize = 100_000;
    /// The default time to live.
    pub const DEFAULT_TIME_TO_LIVE: Duration = Duration::from_secs(24 * 60 * 60);

    /// Remembers up to `capacity` ids (at least 1) for `time_to_live` each.
    pub fn new(capacity: usize, time_to_live: Duration) -> Self {
        Self {
            capacity: capacity.max(1),
            time_to_live,
            state: Mutex::default(),
        }
    }

    /// How many ids are remembered now.
    pub fn len(&self) -> usize {
        self.lock().ids.len()
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Remembered> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn first_delivery_at(&self, id: &str, now: Instant) -> bool {
        let mut state = self.lock();
        state.expire(now, self.time_to_live);
        if state.ids.contains_key(id) {
            return false;
        }
        while state.ids.len() >= self.capacity {
            state.drop_oldest();
        }
        let id: Arc<str> = Arc::from(id);
        state.ids.insert(Arc::clone(&id), now);
        state.order.push_back((now, id));
        true
    }
}

impl Default for MemorySeen {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CAPACITY, Self::DEFAULT_TIME_TO_LIVE)
    }
}

impl Remembered {
    fn expire(&mut self, now: Instant, time_to_live: Duration) {
        while let Some((seen, _)) = self.order.front() {
            if now.duration_since(*seen) < time_to_live {
                break;
            }
            self.drop_oldest();
        }
    }

    fn drop_oldest(&mut self) {
        if let Some((seen, id)) = self.order.pop_front() {
            // Only if it is that entry: the id may have been forgotten and
            // seen again since.
            if self.ids.get(&id) == Some(&seen) {
                self.ids.remove(&id);
            }
        }
    }
}

impl SeenEvents for MemorySeen {
    fn first_delivery(&self, id: &str) -> bool {
        self.first_delivery_at(id, Instant::now())
    }

    fn forget(&self, id: &str) {
        self.lock().ids.remove(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeat_is_seen_as_one_and_forgetting_lets_it_through() {
        let seen = MemorySeen::default();
        assert!(seen.first_delivery("evt_1"));
        assert!(!seen.first_delivery("evt_1"));
        assert!(seen.first_delivery("evt_2"));
        seen.forget("evt_1");
        assert!(seen.first_delivery("evt_1"));
        assert_eq!(seen.len(), 2);
    }

    #[test]
    fn the_default_remembers_a_day_and_says_how_many() {
        let seen = MemorySeen::default();
        assert!(seen.is_empty());
        let now = Instant::now();
        assert!(seen.first_delivery_at("a", now));
        assert!(!seen.is_empty());
        let day = Duration::from_secs(24 * 60 * 60);
        assert!(!seen.first_delivery_at("a", now + day - Duration::from_secs(1)));
        assert!(
            seen.first_delivery_at("a", now + day),
            "forgotten after 24 h"
        );
        assert_eq!(seen.len(), 1);
    }

    #[test]
    fn capacity_drops_the_oldest_first() {
        let seen = MemorySeen::new(2, Duration::from_secs(60));
        let now = Instant::now();
        assert!(seen.first_delivery_at("a", now));
        assert!(seen.first_delivery_at("b", now));
        assert!(seen.first_delivery_at("c", now));
        assert_eq!(seen.len(), 2);
        assert!(!seen.first_delivery_at("b", now), "b is still remembered");
        assert!(seen.first_delivery_at("a", now), "a was dropped");
    }

    #[test]
    fn ids_expire_after_their_time_to_live() {
        let seen = MemorySeen::new(10, Duration::from_secs(60));
        let now = Instant::now();
        assert!(seen.first_delivery_at("a", now));
        assert!(!seen.first_delivery_at("a", now + Duration::from_secs(59)));
        assert!(seen.first_delivery_at("a", now + Duration::from_secs(60)));
    }

    #[test]
    fn an_id_forgotten_and_seen_again_outlives_its_old_entry() {
        let seen = MemorySeen::new(2, Duration::from_secs(60));
        let now = Instant::now();
        assert!(seen.first_delivery_at("a", now));
        seen.forget("a");
        let later = now + Duration::from_secs(30);
        assert!(seen.first_delivery_at("a", later));
        // The old entry of "a" expires at now + 60 s; the new one lives on.
        assert!(!seen.first_delivery_at("a", now + Duration::from_secs(61)));
        assert!(seen.first_delivery_at("a", later + Duration::from_secs(60)));
    }
}
