//! What the client says while it works, for people. The library reports
//! retries and rate-limit waits as tracing events; this layer turns them
//! into short lines: `retrying in 2 s (HTTP 503), attempt 2 of 4`, and
//! `waiting for the rate limit: Request New QR Code in 41 s` when a wait
//! starts and `waited 41 s for the rate limit: Request New QR Code` when it
//! is over. While a live screen is up (connect, watch, a progress bar) the
//! screen shows the wait instead, counting down; otherwise each is one line
//! on stderr. With `-v` the tracing format shows every event instead.

use std::fmt::Write as _;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::Context;

use crate::terminal;

/// What a live screen needs to show, shared with the layer.
#[derive(Default)]
struct State {
    /// A live screen is drawing: it shows the notices, nothing is printed.
    live: bool,
    /// The wait in progress: the operation's summary, and until when.
    waiting: Option<(String, Instant)>,
    /// When the wait in progress started.
    since: Option<Instant>,
    /// The last retry, in words.
    retry: Option<String>,
}

static STATE: Mutex<State> = Mutex::new(State {
    live: false,
    waiting: None,
    since: None,
    retry: None,
});

fn state() -> std::sync::MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A live screen starts (`true`) or ends drawing the notices.
pub fn set_live(live: bool) {
    let mut state = state();
    state.live = live;
    state.retry = None;
}

/// The wait in progress, counting down (`waiting for the rate limit:
/// Request New QR Code in 41 s`), if there is one.
pub fn current_wait() -> Option<String> {
    let state = state();
    let (what, until) = state.waiting.as_ref()?;
    let left = until.saturating_duration_since(Instant::now());
    Some(waiting_words(what, left))
}

/// The last retry, in words, while a live screen is up.
pub fn last_retry() -> Option<String> {
    state().retry.clone()
}

/// The one wording of a rate-limit wait.
pub fn waiting_words(what: &str, left: Duration) -> String {
    format!(
        "waiting for the rate limit: {what} in {} s",
        seconds_up(left)
    )
}

/// The one wording of a rate limit that refused a request.
pub fn refused_words(what: &str, left: Duration) -> String {
    format!(
        "rate limit reached: {what} can be sent again in {} s",
        seconds_up(left)
    )
}

/// An operation's name for people: its summary in the spec.
pub fn operation_words(id: &str) -> String {
    hypersender::catalog::find(id).map_or_else(|| id.to_owned(), |op| op.summary.to_owned())
}

fn seconds_up(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

/// The tracing layer that turns the client's events into notices.
pub struct Layer {
    /// Print a line per notice when no live screen is up (off with `-v`,
    /// where the tracing format prints them).
    pub lines: bool,
}

impl<S: Subscriber> tracing_subscriber::Layer<S> for Layer {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        if !event.metadata().target().starts_with("hypersender") {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let line = notice(&fields);
        if let Some(line) = line
            && self.lines
            && !state().live
        {
            terminal::err_line(&line);
        }
    }
}

/// The notice of one event (updating the shared state), as a line.
fn notice(fields: &Fields) -> Option<String> {
    let operation = operation_words(&fields.text("operation"));
    match fields.message.as_str() {
        "retrying after a failed attempt" => {
            let attempt = fields.number("attempt");
            let line = format!(
                "retrying in {} s ({}), attempt {} of {}",
                seconds_up(Duration::from_millis(fields.number("wait_ms"))),
                fields.text("reason"),
                attempt + 1,
                attempt + fields.number("retries_left")
            );
            state().retry = Some(line.clone());
            Some(line)
        }
        "waiting for the documented rate limit" => {
            let wait = Duration::from_millis(fields.number("wait_ms"));
            let now = Instant::now();
            let mut state = state();
            state.waiting = Some((operation.clone(), now + wait));
            state.since = Some(now);
            Some(waiting_words(&operation, wait))
        }
        "rate-limit wait over" => {
            let mut state = state();
            let since = state.since.take();
            state.waiting = None;
            let waited = since.map_or(Duration::ZERO, |since| since.elapsed());
            Some(format!(
                "waited {} s for the rate limit: {operation}",
                waited.as_secs()
            ))
        }
        "" => None,
        other => {
            let mut line = other.to_owned();
            if !fields.rest.is_empty() {
                let _ = write!(line, " ({})", fields.rest.join(", "));
            }
            Some(line)
        }
    }
}

/// The fields of one event.
#[derive(Default)]
struct Fields {
    message: String,
    values: Vec<(String, String)>,
    /// `name=value` of fields other than the message, for unknown events.
    rest: Vec<String>,
}

impl Fields {
    fn text(&self, name: &str) -> String {
        self.values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn number(&self, name: &str) -> u64 {
        self.text(name).parse().unwrap_or(0)
    }
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.record(field, format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.record(field, value.to_owned());
    }
}

impl Fields {
    fn record(&mut self, field: &Field, value: String) {
        if field.name() == "message" {
            self.message = value;
        } else {
            self.rest.push(format!("{}={value}", field.name()));
            self.values.push((field.name().to_owned(), value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(message: &str, values: &[(&str, &str)]) -> Fields {
        Fields {
            message: message.to_owned(),
            values: values
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            rest: Vec::new(),
        }
    }

    #[test]
    fn a_retry_is_one_short_line_with_the_attempt_out_of_all() {
        let retry = fields(
            "retrying after a failed attempt",
            &[
                ("operation", "list_instances"),
                ("attempt", "1"),
                ("retries_left", "3"),
                ("wait_ms", "1500"),
                ("reason", "connection refused"),
                ("cause", "connection failed: a long chain"),
            ],
        );
        assert_eq!(
            notice(&retry).unwrap(),
            "retrying in 2 s (connection refused), attempt 2 of 4"
        );
        assert_eq!(
            last_retry().as_deref(),
            Some("retrying in 2 s (connection refused), attempt 2 of 4")
        );
    }

    #[test]
    fn a_rate_limit_wait_is_said_when_it_starts_counts_down_and_ends() {
        let what = operation_words("request_new_qr_code");
        assert_eq!(what, hypersender::catalog::REQUEST_NEW_QR_CODE.summary);
        let start = fields(
            "waiting for the documented rate limit",
            &[("operation", "request_new_qr_code"), ("wait_ms", "41000")],
        );
        assert_eq!(
            notice(&start).unwrap(),
            format!("waiting for the rate limit: {what} in 41 s")
        );
        let counting = current_wait().unwrap();
        assert!(
            counting == format!("waiting for the rate limit: {what} in 41 s")
                || counting == format!("waiting for the rate limit: {what} in 40 s"),
            "{counting}"
        );
        let over = fields(
            "rate-limit wait over",
            &[("operation", "request_new_qr_code")],
        );
        assert_eq!(
            notice(&over).unwrap(),
            format!("waited 0 s for the rate limit: {what}")
        );
        assert_eq!(current_wait(), None, "no wait in progress");
    }

    #[test]
    fn one_wording_for_a_refusal_rounded_up() {
        assert_eq!(
            refused_words("Check Health", Duration::from_millis(5_200)),
            "rate limit reached: Check Health can be sent again in 6 s"
        );
    }
}
