//! `webhook listen`'s live table on a terminal: what has arrived (counts by
//! event name), each instance heard from (its event count, last event,
//! last reported status and when), and the latest deliveries, duplicates
//! marked; redrawn in place and fitted to the window. Everything a sender
//! wrote goes through the terminal's gate.

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Utc};
use hypersender::webhooks::receiver::Delivery;

use crate::terminal::{self, LiveScreen, Style, escape};

/// Latest deliveries kept.
const RECENT: usize = 8;

/// What the screen shows, and the screen.
pub struct ListenScreen {
    /// Where it listens and how (always the first line).
    banner: String,
    accepted: usize,
    duplicates: usize,
    by_event: BTreeMap<String, usize>,
    instances: BTreeMap<String, Heard>,
    /// Newest first, as plain text (escaped when drawn).
    recent: VecDeque<String>,
    /// The last thing that went wrong (forwarding), if any.
    note: Option<String>,
    screen: LiveScreen,
}

/// One instance, as its deliveries tell it.
struct Heard {
    events: usize,
    last_event: String,
    status: Option<String>,
    at: DateTime<Utc>,
}

impl ListenScreen {
    /// A screen whose first line is `banner`.
    pub fn new(banner: String) -> Self {
        Self {
            banner,
            accepted: 0,
            duplicates: 0,
            by_event: BTreeMap::new(),
            instances: BTreeMap::new(),
            recent: VecDeque::new(),
            note: None,
            screen: LiveScreen::default(),
        }
    }

    /// Counts `delivery` in (a duplicate only in the duplicates' count and
    /// the latest deliveries).
    pub fn record(&mut self, delivery: &Delivery) {
        let envelope = &delivery.event.envelope;
        let status = delivery.event.status().map(|s| s.as_str().to_owned());
        let instance = envelope.instance_id.as_deref().unwrap_or("-");
        self.recent.push_front(format!(
            "{}  {:<18}  {:<w$}  {}{}{}",
            delivery.received_at.format("%H:%M:%S"),
            envelope.event,
            terminal::short_id(instance, terminal::SHORT_ID_COLUMN),
            envelope.id.as_deref().unwrap_or("(no id)"),
            status
                .as_deref()
                .map_or_else(String::new, |s| format!("  {s}")),
            if delivery.duplicate {
                "  (duplicate)"
            } else {
                ""
            },
            w = terminal::SHORT_ID_COLUMN,
        ));
        self.recent.truncate(RECENT);
        if delivery.duplicate {
            self.duplicates += 1;
            return;
        }
        self.accepted += 1;
        *self.by_event.entry(envelope.event.clone()).or_default() += 1;
        let heard = self
            .instances
            .entry(instance.to_owned())
            .or_insert_with(|| Heard {
                events: 0,
                last_event: String::new(),
                status: None,
                at: delivery.received_at,
            });
        heard.events += 1;
        heard.last_event.clone_from(&envelope.event);
        heard.at = delivery.received_at;
        if status.is_some() {
            heard.status = status;
        }
    }

    /// Shows `text` under the counts until the next note.
    pub fn note(&mut self, text: String) {
        self.note = Some(text);
    }

    /// Redraws the screen: the banner, the counts and the note wrap (they
    /// always show whole); then the instances, most recently heard first,
    /// as many as leave room for the latest deliveries.
    pub fn draw(&mut self) {
        let (columns, rows) = LiveScreen::size();
        let by_event: Vec<String> = self
            .by_event
            .iter()
            .map(|(event, n)| format!("{n} {event}"))
            .collect();
        let mut top = vec![
            escape(&self.banner, Style::Text),
            escape(
                &format!(
                    "{} event(s), {} duplicate(s){}{}",
                    self.accepted,
                    self.duplicates,
                    if by_event.is_empty() { "" } else { ": " },
                    by_event.join(", ")
                ),
                Style::Text,
            ),
        ];
        if let Some(note) = &self.note {
            top.push(escape(note, Style::Text));
        }
        let mut lines = terminal::wrap(&top, columns);
        let layout = Columns::for_width(columns);
        lines.push(String::new());
        lines.push(layout.row("INSTANCE", "EVENTS", "LAST EVENT", "STATUS", "AT"));
        // Below the rows: a "more" line, a blank line, the header of the
        // latest deliveries and each of them.
        let below = 1 + 2 + self.recent.len();
        let room = rows.saturating_sub(lines.len() + below).max(1);
        let mut heard: Vec<(&String, &Heard)> = self.instances.iter().collect();
        heard.sort_by(|a, b| b.1.at.cmp(&a.1.at).then_with(|| a.0.cmp(b.0)));
        let hidden = heard.len().saturating_sub(room);
        for (instance, seen) in heard.iter().take(heard.len() - hidden) {
            lines.push(escape(
                &layout.row(
                    instance,
                    &seen.events.to_string(),
                    &seen.last_event,
                    seen.status.as_deref().unwrap_or("-"),
                    &seen.at.format("%H:%M:%S").to_string(),
                ),
                Style::Text,
            ));
        }
        if hidden > 0 {
            lines.push(format!(
                "... and {hidden} more instance(s) (--json prints every delivery)"
            ));
        }
        if heard.is_empty() {
            lines.push("(none yet)".to_owned());
        }
        lines.push(String::new());
        lines.push("LATEST DELIVERIES".to_owned());
        lines.extend(self.recent.iter().map(|line| escape(line, Style::Text)));
        self.screen.draw(&lines);
    }

    /// Leaves the live screen.
    pub fn close(&mut self) {
        self.screen.close();
    }
}

/// The instance table's columns: whole instance ids where they fit, else
/// their start (`--json` has every id whole).
struct Columns {
    id: usize,
}

impl Columns {
    const REST: usize = 2 + 6 + 2 + 18 + 2 + 12 + 2 + 8;

    fn for_width(columns: usize) -> Self {
        Self {
            id: terminal::id_column(columns, Self::REST),
        }
    }

    fn row(&self, id: &str, events: &str, last: &str, status: &str, at: &str) -> String {
        let id = terminal::short_id(id, self.id);
        format!(
            "{id:<w$}  {events:<6}  {last:<18}  {status:<12}  {at}",
            w = self.id
        )
    }
}
