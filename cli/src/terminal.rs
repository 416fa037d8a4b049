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

/// A region of the terminal redrawn in place: each [`draw`](Self::draw)
/// moves back over the last drawing, clears it and writes the new lines
/// (already escaped, or the CLI's own drawing).
#[derive(Debug, Default)]
pub struct LiveScreen {
    drawn: usize,
}

impl LiveScreen {
    /// Replaces the last drawing with `lines`.
    pub fn draw(&mut self, lines: &[String]) {
        let mut text = String::new();
        if self.drawn > 0 {
            text.push_str(&format!("\x1b[{}F\x1b[J", self.drawn));
        }
        for line in lines {
            text.push_str(line);
            text.push('\n');
        }
        self.drawn = lines.len();
        trusted_block(&text);
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
    fn ordinary_text_is_untouched() {
        for text in ["Support Line", "é ü 漢字 🕴", "+201234567890", "a\tb"] {
            let expected = text.replace('\t', "\\t");
            assert_eq!(escape(text, Style::Text), expected);
        }
    }
}
