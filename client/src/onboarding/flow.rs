//! One running onboarding flow: the connect flow's events as numbered
//! steps (JSON, what the browser is sent), the current QR code, and a
//! signal for subscribers when a step is added.

use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use futures_core::Stream;
use futures_util::StreamExt;
use serde_json::json;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::flows::{ConnectEvent, ConnectOptions, ConnectRequest};
use crate::runtime::Client;

/// A step: its event name and its JSON.
type Step = (&'static str, String);

/// What a flow has done so far.
#[derive(Default)]
struct Log {
    steps: Vec<Step>,
    qr_png: Option<bytes::Bytes>,
    finished: Option<Instant>,
}

/// A flow's log, shared by its task and its subscribers.
pub(super) struct Flow {
    log: Mutex<Log>,
    /// The number of steps, for subscribers to wait on.
    changed: watch::Sender<usize>,
}

impl Default for Flow {
    fn default() -> Self {
        Self {
            log: Mutex::default(),
            changed: watch::Sender::new(0),
        }
    }
}

impl Flow {
    fn log(&self) -> MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn is_finished(&self) -> bool {
        self.log().finished.is_some()
    }

    /// Finished longer than `keep` before `now`.
    pub(super) fn finished_before(&self, now: Instant, keep: Duration) -> bool {
        self.log()
            .finished
            .is_some_and(|at| now.saturating_duration_since(at) > keep)
    }

    pub(super) fn qr_png(&self) -> Option<bytes::Bytes> {
        self.log().qr_png.clone()
    }

    /// Step `index`, or whether the flow is over when there is none yet.
    fn step(&self, index: usize) -> Result<Step, bool> {
        let log = self.log();
        log.steps.get(index).cloned().ok_or(log.finished.is_some())
    }

    fn record(&self, event: &ConnectEvent) {
        let mut log = self.log();
        if let ConnectEvent::QrCode { qr_code, .. } = event {
            log.qr_png = qr_code.png().ok().map(bytes::Bytes::from);
        }
        let (name, data) = step_of(event);
        if matches!(
            event,
            ConnectEvent::Connected(_) | ConnectEvent::GaveUp { .. }
        ) {
            log.finished = Some(Instant::now());
        }
        log.steps.push((name, data.to_string()));
        let count = log.steps.len();
        drop(log);
        self.changed.send_replace(count);
    }

    /// The stream ended without a last event (it always has one; this keeps
    /// subscribers from waiting forever if it ever does not).
    fn end(&self) {
        let mut log = self.log();
        if log.finished.is_none() {
            log.finished = Some(Instant::now());
            let count = log.steps.len();
            drop(log);
            self.changed.send_replace(count);
        }
    }
}

/// 128 random bits in hex, or `None` if the system has no randomness to
/// give (then no flow starts: a guessable id would give its QR code away).
pub(super) fn random_id() -> Option<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Runs the connect flow in a task of its own, so it goes on while the
/// browser reconnects (or is closed: it then ends at its timeout).
pub(super) fn spawn(
    client: Client,
    request: ConnectRequest,
    options: ConnectOptions,
    flow: Arc<Flow>,
) {
    tokio::spawn(async move {
        let events = client.connect(request, options);
        let mut events = std::pin::pin!(events);
        while let Some(event) = events.next().await {
            flow.record(&event);
        }
        flow.end();
    });
}

/// The flow's steps from number `from`, as server-sent events; the stream
/// ends after the last.
pub(super) fn events(
    flow: Arc<Flow>,
    from: usize,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let changed = flow.changed.subscribe();
    let stream = futures_util::stream::unfold(
        (flow, from, changed),
        |(flow, next, mut changed)| async move {
            loop {
                match flow.step(next) {
                    Ok((name, data)) => {
                        let event = Event::default().event(name).id(next.to_string()).data(data);
                        return Some((Ok(event), (flow, next + 1, changed)));
                    }
                    Err(true) => return None,
                    Err(false) => changed.changed().await.ok()?,
                }
            }
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// A connect event as the browser gets it: no token, no QR code bytes
/// (the image has its own URL), durations in milliseconds.
fn step_of(event: &ConnectEvent) -> (&'static str, serde_json::Value) {
    let millis = |d: &Duration| d.as_millis() as u64;
    match event {
        ConnectEvent::Created(created) => (
            "instance",
            json!({ "instance_id": created.id, "name": created.name, "created": true, "differences": [] }),
        ),
        ConnectEvent::Reused {
            instance,
            differences,
        } => (
            "instance",
            json!({ "instance_id": instance.id, "name": instance.name, "created": false, "differences": differences }),
        ),
        ConnectEvent::QrCode {
            qr_code, number, ..
        } => (
            "qr_code",
            json!({ "number": number, "image": format!("qr.png?n={number}"), "expires_in_ms": millis(&qr_code.time_left()) }),
        ),
        ConnectEvent::QrCodeExpired {
            number, fresh_in, ..
        } => (
            "qr_code_expired",
            json!({ "number": number, "fresh_in_ms": millis(fresh_in) }),
        ),
        ConnectEvent::Status { status, .. } => ("status", json!({ "status": status.to_string() })),
        ConnectEvent::Restarted { .. } => ("restarted", json!({})),
        ConnectEvent::Connected(health) => (
            "connected",
            json!({ "instance_id": health.instance_id, "status": health.status.to_string() }),
        ),
        ConnectEvent::GaveUp { reason, .. } => ("gave_up", json!({ "reason": reason.to_string() })),
    }
}
