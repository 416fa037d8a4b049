//! How results are printed: pretty JSON (`--json`) or aligned text. Both
//! start from the same JSON value, where instance access tokens are masked
//! unless `--show-secrets` was given, so no format can leak one.

use serde::Serialize;
use serde_json::Value;

/// The fields whose values are secrets.
const SECRET_FIELDS: &[&str] = &["access_token"];
/// What a masked secret's secret part shows.
const MASK: &str = "********";

/// The value to print: `value` as JSON, secrets masked unless shown.
pub fn prepare<T: Serialize>(value: &T, show_secrets: bool) -> Value {
    // Our own response types always serialize.
    let mut value = serde_json::to_value(value).unwrap_or(Value::Null);
    if !show_secrets {
        mask_secrets(&mut value);
    }
    value
}

/// Pretty JSON, one trailing newline.
pub fn json(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
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

fn mask_secrets(value: &mut Value) {
    match value {
        Value::Object(fields) => {
            for (name, field) in fields.iter_mut() {
                match field {
                    Value::String(secret) if SECRET_FIELDS.contains(&name.as_str()) => {
                        *secret = masked(secret);
                    }
                    _ => mask_secrets(field),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_secrets),
        _ => {}
    }
}

/// A Sanctum token `<id>|<secret>` keeps its id, which is not secret and
/// tells tokens apart; anything else is masked whole.
fn masked(token: &str) -> String {
    match token.split_once('|') {
        Some((id, _)) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => {
            format!("{id}|{MASK}")
        }
        _ => MASK.to_owned(),
    }
}

fn heading(field: &str) -> String {
    field.replace('_', " ").to_uppercase()
}

/// A value as a table cell: null is `-`; text from the server is shown
/// with control characters escaped, so a hostile response cannot send
/// escape sequences to the terminal.
fn cell(value: &Value) -> String {
    match value {
        Value::Null => "-".to_owned(),
        Value::String(text) => printable(text),
        other => printable(&other.to_string()),
    }
}

/// `text` with control characters escaped.
pub fn printable(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_masked_at_any_depth_unless_shown() {
        let value = json!([{"access_token": "234|abcdef", "nested": {"access_token": "plain"}}, {"access_token": null}]);
        assert_eq!(
            prepare(&value, false),
            json!([{"access_token": "234|********", "nested": {"access_token": "********"}}, {"access_token": null}])
        );
        assert_eq!(prepare(&value, true), value);
        assert_eq!(masked("|secret"), MASK);
        assert_eq!(masked("abc|secret"), MASK);
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
