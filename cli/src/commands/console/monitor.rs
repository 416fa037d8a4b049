//! The live monitor of received webhooks (`/webhooks`, with
//! `--webhooks`): the latest deliveries kept for the page's first draw,
//! each new one sent to open pages as a `webhook` event (the page filters
//! and pauses; the metrics count it).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use hypersender::webhooks::receiver::Delivery;
use serde_json::json;

use super::{Console, shown};

/// Deliveries kept for the page's first draw.
const KEPT: usize = 200;

/// The latest deliveries, newest last, as the page shows them.
#[derive(Default)]
pub struct Monitor {
    recent: Mutex<VecDeque<serde_json::Value>>,
}

impl Monitor {
    /// The latest deliveries, newest last.
    pub fn recent(&self) -> MutexGuard<'_, VecDeque<serde_json::Value>> {
        self.recent.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What the page shows of a delivery (server text escaped).
fn entry(delivery: &Delivery) -> serde_json::Value {
    let envelope = &delivery.event.envelope;
    json!({
        "at_ms": delivery.received_at.timestamp_millis(),
        "event": shown(&envelope.event),
        "id": envelope.id.as_deref().map(shown),
        "instance_id": envelope.instance_id.as_deref().map(shown),
        "status": delivery.event.status().map(|s| shown(s.as_str())),
        "duplicate": delivery.duplicate,
    })
}

/// What the receiver calls with each delivery: kept, sent to the pages,
/// counted.
pub fn hook(console: Arc<Console>) -> impl FnMut(&Delivery) + Send + 'static {
    let mut count = crate::commands::watch::count_webhooks(Some(console.metrics.clone()));
    move |delivery| {
        count(delivery);
        let entry = entry(delivery);
        if let Some(monitor) = &console.monitor {
            let mut recent = monitor.recent();
            if recent.len() == KEPT {
                recent.pop_front();
            }
            recent.push_back(entry.clone());
        }
        console.fleet.send("webhook", entry);
    }
}
