//! The one gate every byte the CLI prints goes through.
//!
//! Text from a server (names, ids, statuses, error messages) may hold
//! control characters: an ESC sequence that retitles the window or clears
//! the screen, a `\n` that forges a second `error:` line, a bidi override
//! that reorders what a reader sees. Every line printed here has them
//! escaped (`\u{1b}` in text, `\u001b` in JSON, so JSON stays valid), and a
//! line is always one line. The only exception is [`trusted_block`], for
//! what the CLI draws itself (the QR code's colours), never for server text.

use std::io::{IsTerminal, Write};

/// How a line is escaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Plain text: `\u{1b}`.
    Text,
    /// A line of JSON: `\u001b` (what a JSON string may contain).
    Json,
}

/// Whether `c` must not reach a terminal raw: C0 and C1 controls, DEL, and
/// the invisible bidi controls (trojan-source reordering).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every unsafe character escaped in `style`.
pub fn escape(text: &str, style: Style) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if !is_unsafe(c) {
            out.push(c);
        } else if style == Style::Json {
            // serde_json already escapes C0; DEL, C1 and bidi it leaves raw.
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.extend(c.escape_default());
        }
    }
    out
}

/// Writes one line to stdout (escaped as text).
pub fn out_line(line: &str) {
    write(&mut std::io::stdout().lock(), &escape(line, Style::Text));
}

/// Writes one line to stderr (escaped as text).
pub fn err_line(line: &str) {
    write(&mut std::io::stderr().lock(), &escape(line, Style::Text));
}

/// Writes lines to stdout, each escaped as text.
pub fn out_lines(text: &str) {
    let mut stdout = std::io::stdout().lock();
    for line in text.lines() {
        write(&mut stdout, &escape(line, Style::Text));
    }
}

/// Writes a JSON document to stdout, pretty, each line escaped as JSON.
pub fn out_json(value: &serde_json::Value) {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    let mut stdout = std::io::stdout().lock();
    for line in text.lines() {
        write(&mut stdout, &escape(line, Style::Json));
    }
}

/// Where tracing output goes: stderr, through [`escape`], line by line (a
/// span's fields may hold a URL with an instance id from the command line).
#[derive(Debug, Default, Clone, Copy)]
pub struct TraceWriter;

impl Write for TraceWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(bytes);
        let mut stderr = std::io::stderr().lock();
        for line in text.lines() {
            write(&mut stderr, &escape(line, Style::Text));
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// Writes one compact JSON line to stdout (JSON Lines), escaped as JSON.
pub fn out_json_line(value: &serde_json::Value) {
    let text = serde_json::to_string(value).unwrap_or_default();
    write(&mut std::io::stdout().lock(), &escape(&text, Style::Json));
}

/// A live screen: the terminal's alternate screen (as `top` and `less` use
/// it), redrawn whole from its top-left corner at each [`draw`](Self::draw),
/// so nothing of an earlier drawing is ever left over, whatever wrapped or
/// resized; left when dropped (or [`close`](Self::close)d), which gives back
/// the screen as it was before, for the command's last lines. Every line is
/// cut to the window's width and the drawing to its height.
#[derive(Debug, Default)]
pub struct LiveScreen {
    open: bool,
}

impl LiveScreen {
    /// The window's size, columns and rows (80x24 when it cannot be read).
    pub fn size() -> (usize, usize) {
        console::Term::stdout()
            .size_checked()
            .map_or((80, 24), |(rows, columns)| {
                (columns as usize, rows as usize)
            })
    }

    /// Replaces what the screen shows with `lines` (already escaped, or the
    /// CLI's own drawing with its colours).
    pub fn draw(&mut self, lines: &[String]) {
        let (columns, rows) = Self::size();
        let mut text = String::new();
        if !self.open {
            // The alternate screen, the cursor hidden.
            text.push_str("\x1b[?1049h\x1b[?25l");
            self.open = true;
        }
        text.push_str("\x1b[H");
        for (index, line) in fit(lines, columns, rows).iter().enumerate() {
            if index > 0 {
                text.push_str("\r\n");
            }
            text.push_str(line);
            text.push_str("\x1b[K");
        }
        text.push_str("\x1b[J");
        trusted_block(&text);
    }

    /// Leaves the live screen (the terminal shows what it showed before).
    pub fn close(&mut self) {
        if self.open {
            trusted_block("\x1b[?25h\x1b[?1049l");
            self.open = false;
        }
    }
}

impl Drop for LiveScreen {
    fn drop(&mut self) {
        self.close();
    }
}

/// A table's id column on a narrow window: an id's first 8 characters and
/// `...` ([`short_id`]).
pub const SHORT_ID_COLUMN: usize = 11;

/// The width of a table's id column in a window of `columns`: a whole
/// instance id (36 characters) when the rest of the row (`rest` columns)
/// still fits beside it, else [`SHORT_ID_COLUMN`].
pub fn id_column(columns: usize, rest: usize) -> usize {
    const WHOLE_ID: usize = 36;
    if columns >= WHOLE_ID + rest {
        WHOLE_ID
    } else {
        SHORT_ID_COLUMN
    }
}

/// `id` whole if it has at most `room` characters, else its start and
/// `...` in `room` (a table's narrow column; `--json` has it whole).
pub fn short_id(id: &str, room: usize) -> String {
    if id.chars().count() <= room {
        return id.to_owned();
    }
    id.chars()
        .take(room.saturating_sub(3))
        .chain("...".chars())
        .collect()
}

/// `lines` (plain text, already escaped) wrapped at spaces to `columns`
/// (by displayed width); a word wider than the window is cut.
pub fn wrap(lines: &[String], columns: usize) -> Vec<String> {
    let columns = columns.max(1);
    let cut = |line: &str| console::truncate_str(line, columns, "").into_owned();
    let mut wrapped = Vec::new();
    for line in lines {
        let mut current = String::new();
        for word in line.split(' ') {
            let joined = if current.is_empty() {
                word.to_owned()
            } else {
                format!("{current} {word}")
            };
            if console::measure_text_width(&joined) <= columns || current.is_empty() {
                current = joined;
            } else {
                wrapped.push(cut(&current));
                current = word.to_owned();
            }
        }
        wrapped.push(cut(&current));
    }
    wrapped
}

/// `lines` cut to `columns` (by displayed width; colours kept) and to
/// `rows`, the last row then saying how many lines did not fit.
pub fn fit(lines: &[String], columns: usize, rows: usize) -> Vec<String> {
    let rows = rows.max(1);
    let cut = |line: &str| console::truncate_str(line, columns, "").into_owned();
    if lines.len() <= rows {
        return lines.iter().map(|line| cut(line)).collect();
    }
    let mut kept: Vec<String> = lines[..rows - 1].iter().map(|line| cut(line)).collect();
    kept.push(cut(&format!(
        "... {} more line(s): the window is too small",
        lines.len() - (rows - 1)
    )));
    kept
}

/// Resolves at each resize of the terminal (SIGWINCH); never where it
/// cannot be watched.
pub struct Resizes(Option<tokio::signal::unix::Signal>);

impl Resizes {
    /// Starts watching.
    pub fn watch() -> Self {
        use tokio::signal::unix::{SignalKind, signal};
        Self(signal(SignalKind::window_change()).ok())
    }

    /// The next resize.
    pub async fn next(&mut self) {
        match &mut self.0 {
            Some(signal) => {
                signal.recv().await;
            }
            None => std::future::pending().await,
        }
    }
}

/// Writes text the CLI made itself (the QR drawing with its colours) as
/// it is. Never pass server text here.
pub fn trusted_block(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

/// A confirmation that could not be asked (no terminal), in words: the
/// command ends as bad input.
#[derive(Debug)]
pub struct NotAsked(pub String);

/// Asks the person at the terminal to confirm a fleet-wide action: `yes`
/// (`--yes`) confirms at once; on a terminal the plan is followed by a
/// question; elsewhere, without `--yes`, nothing is done: bad input (exit
/// 2), saying `refusal`. Ctrl-C while asking is a no.
pub async fn confirm(yes: bool, question: &str, refusal: &str) -> Result<bool, NotAsked> {
    if yes {
        return Ok(true);
    }
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(NotAsked(format!(
            "{refusal}: add --yes to go ahead (not asked: no terminal)"
        )));
    }
    {
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "{} [y/N] ", escape(question, Style::Text));
        let _ = stderr.flush();
    }
    let answer = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map(|_| line)
    });
    tokio::select! {
        answer = answer => {
            let answer = answer.ok().and_then(Result::ok).unwrap_or_default();
            let confirmed = matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes");
            if !confirmed {
                err_line(refusal);
            }
            Ok(confirmed)
        }
        () = crate::interrupt::pressed() => {
            err_line("");
            err_line(refusal);
            Ok(false)
        }
    }
}

/// Whether stdout is a terminal (live drawing, colours) or a pipe/file
/// (plain lines).
pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// A closed pipe (`| head`) is not an error worth a panic.
fn write(stream: &mut dyn Write, line: &str) {
    let _ = stream
        .write_all(line.as_bytes())
        .and_then(|()| stream.write_all(b"\n"))
        .and_then(|()| stream.flush());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_control_and_bidi_character_is_escaped() {
        let hostile = "a\u{1b}]0;title\u{7}b\nerror: forged\r\u{7f}\u{9b}31m\u{202e}x\u{0}";
        let text = escape(hostile, Style::Text);
        assert!(!text.chars().any(is_unsafe), "{text}");
        assert_eq!(
            text,
            "a\\u{1b}]0;title\\u{7}b\\nerror: forged\\r\\u{7f}\\u{9b}31m\\u{202e}x\\u{0}"
        );
        let json = escape(
            &serde_json::to_string(&serde_json::json!({ "m": hostile })).unwrap(),
            Style::Json,
        );
        assert!(!json.chars().any(is_unsafe), "{json}");
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back["m"], hostile, "JSON escaping keeps the value");
    }

    #[test]
    fn a_drawing_is_cut_to_the_window() {
        let lines: Vec<String> = ["12345678", "\x1b[97;40m██████\x1b[0m", "short", "four"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        let fitted = fit(&lines, 4, 10);
        assert_eq!(fitted[0], "1234");
        assert_eq!(
            console::measure_text_width(&fitted[1]),
            4,
            "colours do not count"
        );
        assert!(fitted[1].starts_with("\x1b[97;40m"));
        assert_eq!(fitted.len(), 4);
        let short = fit(&lines, 80, 3);
        assert_eq!(short[..2], lines[..2]);
        assert_eq!(short[2], "... 2 more line(s): the window is too small");
    }

    #[test]
    fn text_wraps_at_spaces_to_the_width() {
        let lines = vec![
            "warning: the phone is +201 not +202".to_owned(),
            String::new(),
        ];
        assert_eq!(
            wrap(&lines, 14),
            ["warning: the", "phone is +201", "not +202", ""]
        );
        let long = vec!["x 0123456789abcdef y".to_owned()];
        assert_eq!(wrap(&long, 8), ["x", "01234567", "y"], "a long word is cut");
        assert_eq!(
            wrap(&["漢字 漢字".to_owned()], 5),
            ["漢字", "漢字"],
            "by displayed width"
        );
    }

    #[test]
    fn ordinary_text_is_untouched() {
        for text in ["Support Line", "é ü 漢字 🕴", "+201234567890", "a\tb"] {
            let expected = text.replace('\t', "\\t");
            assert_eq!(escape(text, Style::Text), expected);
        }
    }
}
