//! The fleet as the console knows it: the library's watch (one `GET
//! /instances` per interval, never a health check per row), each event
//! applied to the rows and sent to open pages as a server-sent event about
//! the rows it changed only (`row`, `gone`, `note`, `bulk`, `webhook`;
//! `reload` when a page fell too far behind).

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::extract::State;
use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use hypersender::types::InstanceResponse;
use hypersender::{FleetEvent, InstanceReport, WatchOptions};
use serde_json::json;
use tokio::sync::broadcast;

use super::{Console, shown};

/// Updates kept for a page that reads slowly before it must reload.
const BACKLOG: usize = 4096;

/// One instance's row.
#[derive(Clone)]
pub struct Row {
    /// As last listed (its access token never leaves the server).
    pub instance: InstanceResponse,
    /// When it was first seen in its status.
    pub since: DateTime<Utc>,
    /// Whether `since` is when the status began (a change was seen), or
    /// only when the console first listed it (the status is older).
    pub since_known: bool,
    /// WORKING and silent on webhooks since then.
    pub silent_since: Option<DateTime<Utc>>,
}

/// The rows, and the last problem the watch reported.
#[derive(Default)]
pub struct FleetState {
    /// By id.
    pub rows: BTreeMap<String, Row>,
    /// The first poll has come.
    pub listed: bool,
    /// The watch's latest note (backing off, a failed poll), with its time.
    pub note: Option<String>,
}

/// The fleet, shared by the watch's task and the pages.
pub struct Fleet {
    state: Mutex<FleetState>,
    updates: broadcast::Sender<Update>,
}

/// A server-sent event for every open page.
#[derive(Clone, Debug)]
pub struct Update {
    /// The event's name.
    pub event: &'static str,
    /// Its JSON.
    pub data: Arc<str>,
}

impl Default for Fleet {
    fn default() -> Self {
        Self {
            state: Mutex::default(),
            updates: broadcast::Sender::new(BACKLOG),
        }
    }
}

impl Fleet {
    /// The state, to read.
    pub fn state(&self) -> MutexGuard<'_, FleetState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sends `data` as event `event` to every open page.
    pub fn send(&self, event: &'static str, data: serde_json::Value) {
        let _ = self.updates.send(Update {
            event,
            data: data.to_string().into(),
        });
    }

    /// Applies one event of the watch, and tells the pages.
    pub fn apply(&self, event: &FleetEvent) {
        let mut state = self.state();
        match event {
            FleetEvent::Snapshot { instances, at } => {
                state.rows = instances
                    .iter()
                    .map(|i| (i.id.clone(), Row::new(i.clone(), *at, false)))
                    .collect();
                state.listed = true;
                drop(state);
                self.send("reload", json!({}));
            }
            FleetEvent::Appeared { instance, at } => {
                let row = Row::new((**instance).clone(), *at, false);
                self.send("row", row.json());
                state.rows.insert(instance.id.clone(), row);
            }
            FleetEvent::Disappeared { instance, .. } => {
                state.rows.remove(&instance.id);
                self.send("gone", json!({ "id": shown(&instance.id) }));
            }
            FleetEvent::StatusChanged { instance, at, .. } => {
                let row = Row::new((**instance).clone(), *at, true);
                self.send("row", row.json());
                state.rows.insert(instance.id.clone(), row);
            }
            FleetEvent::Flapped {
                instance, via, at, ..
            } => {
                let via: Vec<&str> = via.iter().map(|s| s.as_str()).collect();
                let note = format!("{} flapped via {}", instance.name, via.join(", "));
                state.note = Some(note_at(*at, &note));
                self.send("note", json!({ "text": state.note.as_deref().map(shown) }));
            }
            FleetEvent::WebhooksSilent { instance, since } => {
                if let Some(row) = state.rows.get_mut(&instance.id) {
                    row.silent_since = Some(*since);
                    self.send("row", row.json());
                }
            }
            FleetEvent::BackingOff { retry_after } => {
                let note = format!(
                    "the list was refused (rate limit): polling again in {} s",
                    retry_after.as_secs()
                );
                state.note = Some(note_at(Utc::now(), &note));
                self.send("note", json!({ "text": state.note.as_deref().map(shown) }));
            }
            FleetEvent::PollFailed { error } => {
                let note = format!("a poll failed: {}", error.display_chain());
                state.note = Some(note_at(Utc::now(), &note));
                self.send("note", json!({ "text": state.note.as_deref().map(shown) }));
            }
            _ => {}
        }
    }

    /// A webhook report of an instance's that says it is alive again.
    pub fn heard(&self, report: &InstanceReport) {
        let mut state = self.state();
        if let Some(row) = state.rows.get_mut(&report.instance_id)
            && row.silent_since.take().is_some()
        {
            self.send("row", row.json());
        }
    }

    /// Every update from now on.
    fn subscribe(&self) -> broadcast::Receiver<Update> {
        self.updates.subscribe()
    }
}

fn note_at(at: DateTime<Utc>, text: &str) -> String {
    format!("{} {text}", at.format("%H:%M:%S UTC"))
}

impl Row {
    fn new(instance: InstanceResponse, since: DateTime<Utc>, since_known: bool) -> Self {
        Self {
            instance,
            since,
            since_known,
            silent_since: None,
        }
    }

    /// What a page shows of the row (server text escaped; no token).
    pub fn json(&self) -> serde_json::Value {
        json!({
            "id": shown(&self.instance.id),
            "name": shown(&self.instance.name),
            "phone": shown(&self.instance.phone),
            "status": shown(self.instance.status.as_str()),
            "since_ms": self.since.timestamp_millis(),
            "since_known": self.since_known,
            "silent_since_ms": self.silent_since.map(|at| at.timestamp_millis()),
        })
    }
}

/// Follows the fleet until the console stops: every event of the watch
/// (with the webhooks' reports merged, if any) goes to the rows, the pages
/// and the metrics.
pub async fn follow(
    console: Arc<Console>,
    reports: Option<impl Stream<Item = InstanceReport> + Send + 'static>,
) {
    let options = WatchOptions::new(console.interval).webhooks_silent_after(console.silent_after);
    let client = &console.client;
    let mut events: std::pin::Pin<Box<dyn Stream<Item = FleetEvent> + Send + '_>> = match reports {
        Some(reports) => {
            let fleet = &console.fleet;
            let reports = reports.inspect(move |report| fleet.heard(report));
            Box::pin(client.watch_instances_with(options, reports))
        }
        None => Box::pin(client.watch_instances(options)),
    };
    while let Some(event) = events.next().await {
        console.metrics.observe(&event);
        console.fleet.apply(&event);
    }
}

/// `/events`: the updates as server-sent events, from now on.
pub async fn events(State(console): State<Arc<Console>>) -> impl IntoResponse {
    let updates = console.fleet.subscribe();
    let stream = futures_util::stream::unfold(updates, |mut updates| async move {
        let event = match updates.recv().await {
            Ok(update) => Event::default().event(update.event).data(&*update.data),
            // Too far behind to catch up change by change: start again.
            Err(broadcast::error::RecvError::Lagged(_)) => {
                Event::default().event("reload").data("{}")
            }
            Err(broadcast::error::RecvError::Closed) => return None,
        };
        Some((Ok::<_, Infallible>(event), updates))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
