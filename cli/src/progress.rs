//! Progress of long runs (apply, bulk restarts): an indicatif bar on a
//! terminal, with what the run waits for (the rate limit, counting down;
//! a retry) beside it; one plain line per step otherwise, and a line when
//! a wait starts and when it ends (`notices`). Step texts hold server text
//! (names, errors), so they are escaped like everything else printed.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use crate::notices;
use crate::terminal::{self, Style, escape};

/// The progress of `total` steps.
pub struct Progress {
    bar: Option<ProgressBar>,
    total: usize,
    done: usize,
}

impl Progress {
    /// A bar on stderr when it is a terminal; plain lines otherwise.
    pub fn new(total: usize, what: &str) -> Self {
        let bar = std::io::IsTerminal::is_terminal(&std::io::stderr()).then(|| {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{prefix} [{bar:30}] {pos}/{len} {elapsed} {msg} {wait}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .with_key(
                "wait",
                |_: &ProgressState, out: &mut dyn std::fmt::Write| {
                    let note = notices::current_wait().or_else(notices::last_retry);
                    if let Some(note) = note {
                        let _ = write!(out, "- {}", escape(&note, Style::Text));
                    }
                },
            )
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_prefix(escape(what, Style::Text));
            // Redrawn every second, so a wait counts down.
            bar.enable_steady_tick(Duration::from_secs(1));
            notices::set_live(true);
            bar
        });
        Self {
            bar,
            total,
            done: 0,
        }
    }

    /// One step done, described by `line`.
    pub fn step(&mut self, line: &str) {
        self.done += 1;
        match &self.bar {
            Some(bar) => {
                bar.set_message(escape(line, Style::Text));
                bar.inc(1);
            }
            None => terminal::err_line(&format!("[{}/{}] {line}", self.done, self.total)),
        }
    }

    /// Steps done so far.
    pub fn done(&self) -> usize {
        self.done
    }

    /// Removes the bar (the summary follows as plain lines).
    pub fn finish(self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
            notices::set_live(false);
        }
    }
}

/// The least time `count` calls take under `limit`: the first `requests` go
/// at once, then one window per batch.
pub fn minimum_time(limit: Option<hypersender::RateLimit>, count: usize) -> Duration {
    let Some(limit) = limit else {
        return Duration::ZERO;
    };
    let batches = count.saturating_sub(1) / limit.requests.max(1) as usize;
    limit.per * batches as u32
}

/// The one wording of how long a limit makes `count` requests take
/// (`the restart limit (5 per 60 s) makes 16 restart(s) take at least 3 min`),
/// or `None` when they fit in one window.
pub fn pace_words(
    operation: &hypersender::catalog::Operation,
    what: &str,
    count: usize,
) -> Option<String> {
    let limit = operation.rate_limit?;
    let least = minimum_time(Some(limit), count);
    (!least.is_zero()).then(|| {
        format!(
            "the {what} limit ({} per {} s) makes {count} {what}(s) take at least {}",
            limit.requests,
            limit.per.as_secs(),
            duration_words(least)
        )
    })
}

/// `3 min 20 s`, `45 s`.
pub fn duration_words(duration: Duration) -> String {
    let seconds = duration.as_secs();
    match (seconds / 60, seconds % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}
