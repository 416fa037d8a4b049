//! What the mock posts with `webhook_to`: a `session.status` event when an
//! instance's status changes (its shape **inferred** from WAHA: the service
//! documents none), and message events on request, built from the vendor's
//! recorded examples. One delivery at a time, in order; a receiver that
//! fails or times out is retried with backoff, the event id kept.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use hypersender::webhooks::{INFERRED_SESSION_STATUS, recorded};
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// Where the mock posts, and with which `Authorization`.
#[derive(Clone)]
pub(crate) struct WebhookTarget {
    pub(crate) url: String,
    pub(crate) secret: Option<String>,
}

/// How often statuses are compared (the mock's statuses move with its
/// clock, not only on requests).
const STATUS_CHECK: Duration = Duration::from_millis(200);
/// Attempts per delivery, and the first backoff (doubling).
const ATTEMPTS: u32 = 5;
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// How long one attempt may take.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);

/// The queue of deliveries and the numbering of event ids.
#[derive(Debug)]
pub(crate) struct Outbox {
    sender: mpsc::UnboundedSender<String>,
    next_id: std::sync::atomic::AtomicU64,
}

impl Outbox {
    /// Starts posting to `target` what is queued (the task ends with the
    /// runtime).
    pub(crate) fn start(target: WebhookTarget) -> Arc<Self> {
        let (sender, queue) = mpsc::unbounded_channel();
        tokio::spawn(deliver(target, queue));
        Arc::new(Self {
            sender,
            next_id: std::sync::atomic::AtomicU64::new(1),
        })
    }

    fn event_id(&self) -> String {
        let n = self
            .next_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("evt_mock{n:020}")
    }

    /// Queues a status change of `instance`.
    pub(crate) fn status_changed(&self, instance: &str, phone: &str, status: &str) {
        let body = envelope(
            INFERRED_SESSION_STATUS,
            &self.event_id(),
            instance,
            phone,
            json!({"status": status}),
        );
        let _ = self.sender.send(body.to_string());
    }

    /// Queues a message event shaped as `event`'s recorded example, about
    /// `instance`, with `text` as its body if given. `None` when `event` has
    /// no recorded example.
    pub(crate) fn message(
        &self,
        event: &str,
        instance: &str,
        phone: &str,
        text: Option<&str>,
    ) -> Option<String> {
        let example: Value = serde_json::from_str(recorded::example(event)?).ok()?;
        let mut payload = example["data"]["payload"].clone();
        if let (Some(text), Some(fields)) = (text, payload.as_object_mut()) {
            fields.insert("body".into(), json!(text));
        }
        let id = self.event_id();
        let body = envelope(event, &id, instance, phone, payload);
        let _ = self.sender.send(body.to_string());
        Some(id)
    }
}

/// The recorded envelope's shape, about one mock instance.
fn envelope(event: &str, id: &str, instance: &str, phone: &str, payload: Value) -> Value {
    json!({
        "event": event,
        "data": {
            "id": id,
            "event": event,
            "metadata": [],
            "me": {"id": format!("{}@c.us", phone.trim_start_matches('+')), "pushName": "Mock"},
            "payload": payload,
            "instanceId": instance,
            "userId": "mock-user",
        }
    })
}

/// Posts each queued body in order, retrying one that fails.
async fn deliver(target: WebhookTarget, mut queue: mpsc::UnboundedReceiver<String>) {
    let client = hypersender::reqwest::Client::builder()
        .timeout(ATTEMPT_TIMEOUT)
        .build()
        .unwrap_or_default();
    while let Some(body) = queue.recv().await {
        let mut backoff = FIRST_BACKOFF;
        for attempt in 1..=ATTEMPTS {
            let mut request = client
                .post(&target.url)
                .header("content-type", "application/json")
                .body(body.clone());
            if let Some(secret) = &target.secret {
                request = request.header("authorization", secret);
            }
            let delivered =
                matches!(request.send().await, Ok(answer) if answer.status().is_success());
            if delivered || attempt == ATTEMPTS {
                break;
            }
            tokio::time::sleep(backoff).await;
            backoff *= 2;
        }
    }
}

/// Compares every instance's status (`statuses` lists id, phone and
/// status) with the last seen, and queues an event for each change, until
/// the mock stops.
pub(crate) async fn watch_statuses(
    statuses: impl Fn() -> Vec<(String, String, String)>,
    outbox: Arc<Outbox>,
) {
    let mut last: HashMap<String, String> = HashMap::new();
    let mut first = true;
    loop {
        for (id, phone, status) in statuses() {
            let changed = last.get(&id).is_none_or(|before| *before != status);
            if changed && !first {
                outbox.status_changed(&id, &phone, &status);
            }
            last.insert(id, status);
        }
        first = false;
        tokio::time::sleep(STATUS_CHECK).await;
    }
}
