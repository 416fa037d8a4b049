//! How results are printed: pretty JSON (`--json`) or aligned text. Both
//! start from the same JSON value, serialized by the library's types, whose
//! access tokens serialize masked unless `--show-secrets` exposes them, so
//! no format can leak one.

use serde::Serialize;
use serde_json::Value;

use crate::args::Global;
use crate::terminal;

/// The columns of `instances list`.
pub const LIST_COLUMNS: &[&str] = &[
    "id",
    "name",
    "phone",
    "status",
    "access_token",
    "created_at",
];
/// The fields shown for one instance (the QR code is drawn instead).
pub const INSTANCE_FIELDS: &[&str] = &[
    "id",
    "name",
    "phone",
    "service_type",
    "status",
    "access_token",
    "created_at",
];
/// The fields of a health check.
pub const HEALTH_FIELDS: &[&str] = &["instance_id", "status", "connected_at"];

/// Prints one response object: JSON, or one line per field.
pub fn print_object<T: Serialize>(global: &Global, value: &T, fields: &[&str]) {
    let value = prepare(value, global.show_secrets);
    if global.json {
        terminal::out_json(&value);
    } else {
        terminal::out_lines(&details(&value, fields));
    }
}

/// The value to print: `value` as JSON, secrets masked unless shown.
pub fn prepare<T: Serialize>(value: &T, show_secrets: bool) -> Value {
    // Our own response types always serialize.
    let serialize = || serde_json::to_value(value).unwrap_or(Value::Null);
    if show_secrets {
        hypersender::with_exposed_secrets(serialize)
    } else {
        serialize()
    }
}

/// One row per object, one column per field, aligned; an empty list says so.
pub fn table(rows: &[Value], fields: &[&str]) -> String {
    if rows.is_empty() {
        return "No instances.\n".to_owned();
    }
    let header: Vec<String> = fields.iter().map(|f| heading(f)).collect();
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|row| fields.iter().map(|f| cell(&row[*f])).collect())
        .collect();
    aligned(std::iter::once(header).chain(body).collect())
}

/// One line per field: name, then value.
pub fn details(object: &Value, fields: &[&str]) -> String {
    aligned(
        fields
            .iter()
            .map(|f| vec![(*f).to_owned(), cell(&object[*f])])
            .collect(),
    )
}

fn heading(field: &str) -> String {
    field.replace('_', " ").to_uppercase()
}

/// A value as a table cell: null is `-`. Escaped here already, so that
/// columns align on what is shown (printing escapes again, a no-op).
fn cell(value: &Value) -> String {
    let text = match value {
        Value::Null => "-".to_owned(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    crate::terminal::escape(&text, crate::terminal::Style::Text)
}

/// Columns padded to their widest cell (in characters), two spaces apart,
/// no trailing spaces.
fn aligned(rows: Vec<Vec<String>>) -> String {
    let columns = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut text = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, value) in row.iter().enumerate() {
            if c > 0 {
                line.push_str("  ");
            }
            line.push_str(value);
            line.extend(std::iter::repeat_n(' ', widths[c] - value.chars().count()));
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

/// Refuses, before anything is sent, a file that could not be written
/// later (a folder that does not exist, or one this user cannot write to),
/// so the API's answer (a QR code a new one would replace) is never lost to
/// it. A probe file is created next to it and removed.
pub fn check_writable(path: &std::path::Path) -> Result<(), crate::failure::Failure> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => std::path::Path::new("."),
    };
    if path.is_dir() {
        return Err(crate::failure::Failure::Local(format!(
            "cannot write {}: it is a folder; nothing was sent",
            path.display()
        )));
    }
    let probe = folder.join(format!(".hypersender-write-check-{}", std::process::id()));
    let written = std::fs::write(&probe, b"").and_then(|()| std::fs::remove_file(&probe));
    written.map_err(|e| {
        crate::failure::Failure::Local(format!(
            "cannot write {} ({e}); nothing was sent",
            path.display()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tokens_serialize_masked_unless_shown() {
        let token = hypersender::AccessToken::new("234|abcdefgh");
        assert_eq!(prepare(&token, false), json!("234|********"));
        assert_eq!(prepare(&token, true), json!("234|abcdefgh"));
    }

    #[test]
    fn tables_align_by_characters_and_escape_control_characters() {
        let rows = [
            json!({"name": "é\u{1b}[31m", "n": 1}),
            json!({"name": "ab", "n": null}),
        ];
        assert_eq!(
            table(&rows, &["name", "n"]),
            "NAME         N\né\\u{1b}[31m  1\nab           -\n"
        );
        assert_eq!(table(&[], &["name"]), "No instances.\n");
    }
}
