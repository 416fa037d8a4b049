//! Progress of long runs (apply, bulk restarts): an indicatif bar on a
//! terminal, one plain line per step otherwise. Step texts hold server text
//! (names, errors), so they are escaped like everything else printed.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

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
            let style =
                ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg} ({eta} left)")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> ");
            bar.set_style(style);
            bar.set_prefix(escape(what, Style::Text));
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

    /// Removes the bar (the summary follows as plain lines).
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}
