//! `instances watch`: the library's fleet watch. On a terminal, a live
//! table (status counts, every instance that is not WORKING and since when,
//! the latest changes), redrawn in place; otherwise (or with `--json`) JSON
//! Lines, one event per line.

use std::collections::{BTreeMap, VecDeque};
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use hypersender::types::InstanceResponse;
use hypersender::webhooks::receiver::Delivery;
use hypersender::{Client, FleetEvent, InstanceReport, InstanceStatus, Source, WatchOptions};
use serde_json::json;

use crate::args::{Global, WatchArgs};
use crate::failure::Failure;
use crate::interrupt::{self, EXIT_INTERRUPTED};
use crate::metrics::Metrics;
use crate::output::prepare;
use crate::terminal::{self, LiveScreen, Resizes, Style, escape};

/// Latest changes kept on the live screen.
const RECENT: usize = 8;

/// Watches until `--events` events were shown or Ctrl-C.
pub async fn run(client: &Client, global: &Global, args: &WatchArgs) -> Result<ExitCode, Failure> {
    let mut options = WatchOptions::new(args.interval);
    if let Some(status) = &args.status {
        options = options.status(status.clone());
    }
    if let Some(window) = args.debounce {
        options = options.debounce(window);
    }
    if let Some(quiet) = args.webhooks_silent_after {
        options = options.webhooks_silent_after(quiet);
    }
    let metrics = match args.metrics {
        Some(addr) => Some(serve_metrics(addr, !args.metrics_options.no_instance_metrics).await?),
        None => None,
    };
    let reports = match args.webhooks {
        Some(addr) => Some(
            webhook_reports(
                addr,
                args.webhook_secret.as_deref(),
                count_webhooks(metrics.clone()),
            )
            .await?,
        ),
        None => None,
    };
    let mut events: std::pin::Pin<Box<dyn futures_util::Stream<Item = FleetEvent> + Send + '_>> =
        match reports {
            Some(reports) => Box::pin(client.watch_instances_with(options, reports)),
            None => Box::pin(client.watch_instances(options)),
        };
    let live = terminal::stdout_is_terminal() && !global.json;
    interrupt::handled_by_command();
    crate::notices::set_live(live);
    let mut table = Table::default();
    let mut resizes = Resizes::watch();
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    let mut shown = 0;
    loop {
        let event = tokio::select! {
            event = events.next() => event,
            () = resizes.next(), if live => { table.draw(); continue; }
            _ = tick.tick(), if live && table.drawn => { table.draw(); continue; }
            () = interrupt::pressed() => {
                table.screen.close();
                crate::notices::set_live(false);
                terminal::err_line(&format!("stopped watching after {shown} event(s); nothing was changed"));
                return Ok(ExitCode::from(EXIT_INTERRUPTED));
            }
        };
        let Some(event) = event else { break };
        if let Some(metrics) = &metrics {
            metrics.observe(&event);
        }
        if live {
            table.apply(&event);
            table.draw();
        } else {
            terminal::out_json_line(&event_json(&event, global.show_secrets));
        }
        shown += 1;
        if args.events.is_some_and(|limit| shown >= limit) {
            break;
        }
    }
    table.screen.close();
    crate::notices::set_live(false);
    Ok(ExitCode::SUCCESS)
}

/// The library's webhook receiver on `addr`, each delivery shown to
/// `seen` (first deliveries and duplicates alike) and turned into a report
/// of its instance's (the status, if it says one).
pub async fn webhook_reports<Seen: FnMut(&Delivery) + Send + 'static>(
    addr: std::net::SocketAddr,
    secret: Option<&str>,
    seen: Seen,
) -> Result<impl futures_util::Stream<Item = InstanceReport> + Send + use<Seen>, Failure> {
    use hypersender::webhooks::receiver::ReceiverConfig;
    use hypersender::webhooks::{Verifier, WebhookSecret};
    let secret = secret.filter(|s| !s.is_empty()).ok_or_else(|| {
        Failure::BadInput(
            "--webhooks needs the webhook secret (--webhook-secret or HYPERSENDER_WEBHOOK_SECRET)"
                .into(),
        )
    })?;
    let config = ReceiverConfig::new(Verifier::new(WebhookSecret::new(secret)));
    let (bound, events) = super::webhook::serve_receiver(addr, config).await?;
    terminal::err_line(&format!(
        "receiving webhooks on http://{bound}/ (merged with the polls)"
    ));
    Ok(futures_util::stream::unfold(
        (events, seen),
        |(mut events, mut seen)| async move {
            loop {
                let delivery = events.recv().await?;
                seen(&delivery);
                let envelope = &delivery.event.envelope;
                if let Some(id) = &envelope.instance_id {
                    let mut report =
                        InstanceReport::new(id.clone(), delivery.event.status().cloned());
                    report.at = delivery.received_at;
                    return Some((report, (events, seen)));
                }
            }
        },
    ))
}

/// Counts each first delivery into the metrics, if they are served.
pub fn count_webhooks(metrics: Option<Arc<Metrics>>) -> impl FnMut(&Delivery) + Send + 'static {
    move |delivery| {
        if let Some(metrics) = &metrics
            && !delivery.duplicate
        {
            let envelope = &delivery.event.envelope;
            metrics.webhook(
                &envelope.event,
                envelope.instance_id.as_deref(),
                delivery.received_at,
            );
        }
    }
}

/// The fleet's metrics, served on `addr` at `/metrics`.
async fn serve_metrics(
    addr: std::net::SocketAddr,
    per_instance: bool,
) -> Result<Arc<Metrics>, Failure> {
    let metrics = crate::metrics::start(per_instance);
    let bound = crate::metrics::serve(addr, metrics.clone()).await?;
    terminal::err_line(&format!("serving metrics on http://{bound}/metrics"));
    Ok(metrics)
}

/// RFC 3339 with an explicit Z, as the library writes timestamps.
fn time(at: &DateTime<Utc>) -> String {
    hypersender::Timestamp::from(*at).to_string()
}

/// Where a change was seen first, in the output's words.
fn source_word(source: Source) -> &'static str {
    match source {
        Source::Webhook => "webhook",
        _ => "poll",
    }
}

/// One event as a JSON line.
fn event_json(event: &FleetEvent, show_secrets: bool) -> serde_json::Value {
    let instance = |i: &InstanceResponse| prepare(i, show_secrets);
    match event {
        FleetEvent::Snapshot { instances, at } => json!({
            "event": "snapshot", "at": time(at), "count": instances.len(),
            "instances": instances.iter().map(instance).collect::<Vec<_>>(),
        }),
        FleetEvent::Appeared { instance: i, at } => {
            json!({"event": "appeared", "at": time(at), "instance": instance(i)})
        }
        FleetEvent::Disappeared { instance: i, at } => {
            json!({"event": "disappeared", "at": time(at), "id": i.id, "name": i.name})
        }
        FleetEvent::StatusChanged {
            instance: i,
            from,
            at,
            source,
        } => json!({
            "event": "status_changed", "at": time(at), "id": i.id, "name": i.name, "from": from, "to": i.status,
            "source": source_word(*source),
        }),
        FleetEvent::WebhooksSilent { instance: i, since } => json!({
            "event": "webhooks_silent", "id": i.id, "name": i.name, "since": time(since),
        }),
        FleetEvent::Flapped {
            instance: i,
            via,
            at,
        } => json!({
            "event": "flapped", "at": time(at), "id": i.id, "name": i.name, "status": i.status, "via": via,
        }),
        FleetEvent::BackingOff { retry_after } => {
            json!({"event": "backing_off", "retry_after_s": retry_after.as_secs()})
        }
        FleetEvent::PollFailed { error } => {
            json!({"event": "poll_failed", "error": error.display_chain()})
        }
        FleetEvent::RepeatedRows { ids, at } => {
            json!({"event": "repeated_rows", "at": time(at), "ids": ids})
        }
        _ => json!({"event": "other"}),
    }
}

/// What the live screen shows.
#[derive(Default)]
struct Table {
    /// id -> (instance, since when its status is known).
    instances: BTreeMap<String, (InstanceResponse, DateTime<Utc>)>,
    recent: VecDeque<String>,
    note: String,
    screen: LiveScreen,
    /// Something was drawn (the seconds tick redraws only then).
    drawn: bool,
}

impl Table {
    fn apply(&mut self, event: &FleetEvent) {
        match event {
            FleetEvent::Snapshot { instances, at } => {
                for i in instances {
                    self.instances.insert(i.id.clone(), (i.clone(), *at));
                }
                self.note = format!("watching since {}", at.format("%H:%M:%S"));
            }
            FleetEvent::Appeared { instance, at } => {
                self.instances
                    .insert(instance.id.clone(), ((**instance).clone(), *at));
                self.log(
                    *at,
                    &format!("{} appeared ({})", instance.name, instance.status),
                );
            }
            FleetEvent::Disappeared { instance, at } => {
                self.instances.remove(&instance.id);
                self.log(*at, &format!("{} disappeared", instance.name));
            }
            FleetEvent::StatusChanged {
                instance,
                from,
                at,
                source,
            } => {
                self.instances
                    .insert(instance.id.clone(), ((**instance).clone(), *at));
                self.log(
                    *at,
                    &format!(
                        "{}: {from} -> {} ({})",
                        instance.name,
                        instance.status,
                        source_word(*source)
                    ),
                );
            }
            FleetEvent::WebhooksSilent { instance, since } => {
                self.log(
                    Utc::now(),
                    &format!(
                        "{}: WORKING, but no webhook since {}",
                        instance.name,
                        since.format("%H:%M:%S")
                    ),
                );
            }
            FleetEvent::Flapped { instance, via, at } => {
                let via: Vec<&str> = via.iter().map(InstanceStatus::as_str).collect();
                self.log(
                    *at,
                    &format!(
                        "{} flapped via {} (back to {})",
                        instance.name,
                        via.join(", "),
                        instance.status
                    ),
                );
            }
            FleetEvent::BackingOff { retry_after } => {
                self.note = format!("rate limited: backing off for {} s", retry_after.as_secs());
            }
            FleetEvent::PollFailed { error } => {
                self.note = format!("poll failed: {}", error.display_chain())
            }
            FleetEvent::RepeatedRows { ids, at } => {
                self.log(
                    *at,
                    &format!("the list repeated {} (counted once)", ids.join(", ")),
                );
            }
            _ => {}
        }
    }

    fn log(&mut self, at: DateTime<Utc>, text: &str) {
        self.recent
            .push_front(format!("{}  {text}", at.format("%H:%M:%S")));
        self.recent.truncate(RECENT);
    }

    /// Redraws the live screen, fitted to the window: the summary line
    /// first (it always shows), the instances that are not WORKING as many
    /// as fit, then the latest changes; lines are cut to the width.
    fn draw(&mut self) {
        self.drawn = true;
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for (instance, _) in self.instances.values() {
            *counts.entry(instance.status.as_str()).or_default() += 1;
        }
        let counts: Vec<String> = counts
            .iter()
            .map(|(status, n)| format!("{n} {status}"))
            .collect();
        let note = crate::notices::current_wait().unwrap_or_else(|| self.note.clone());
        let (columns, rows) = LiveScreen::size();
        let layout = RowLayout::for_width(columns);
        // The summary and the note wrap (they always show whole); rows and
        // changes are one line each, cut to the width.
        let mut lines = terminal::wrap(
            &[
                escape(
                    &format!("{} instances: {}", self.instances.len(), counts.join(", ")),
                    Style::Text,
                ),
                escape(&note, Style::Text),
            ],
            columns,
        );
        lines.push(String::new());
        lines.push(layout.row("NOT WORKING", "NAME", "STATUS", "SINCE"));
        let mut not_working: Vec<&(InstanceResponse, DateTime<Utc>)> = self
            .instances
            .values()
            .filter(|(i, _)| i.status != InstanceStatus::Working)
            .collect();
        not_working.sort_by_key(|(_, since)| *since);
        // The changes below (a blank line, their header, each one) and a
        // "more" line.
        let below = 2 + self.recent.len();
        let room = rows.saturating_sub(lines.len() + below + 1).max(1);
        let hidden = not_working.len().saturating_sub(room);
        let shown = if hidden > 0 { room } else { not_working.len() };
        for (instance, since) in not_working.into_iter().take(shown) {
            lines.push(escape(
                &layout.row(
                    &instance.id,
                    &instance.name,
                    instance.status.as_str(),
                    &since.format("%H:%M:%S").to_string(),
                ),
                Style::Text,
            ));
        }
        if hidden > 0 {
            lines.push(format!("... and {hidden} more (--json lists every one)"));
        }
        lines.push(String::new());
        lines.push("LATEST CHANGES".to_owned());
        lines.extend(self.recent.iter().map(|line| escape(line, Style::Text)));
        self.screen.draw(&lines);
    }
}

/// The columns of the table's rows for a window's width: whole ids where
/// they fit, else their first 8 characters (the status always shows;
/// `--json` has every id whole).
struct RowLayout {
    id: usize,
}

impl RowLayout {
    const REST: usize = 2 + 24 + 2 + 12 + 2 + 8;

    fn for_width(columns: usize) -> Self {
        Self {
            id: terminal::id_column(columns, Self::REST),
        }
    }

    fn row(&self, id: &str, name: &str, status: &str, since: &str) -> String {
        let id = terminal::short_id(id, self.id);
        format!("{id:<w$}  {name:<24}  {status:<12}  {since}", w = self.id)
    }
}
