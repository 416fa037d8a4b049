//! Keeps secrets out of error messages: response bodies and decoder messages
//! pass through here before they are stored in an [`Error`](crate::Error).

use serde_json::Value;

use crate::values::REDACTED;

/// Bytes of a (redacted) response body kept in an error for debugging.
pub const MAX_KEPT_BODY: usize = 16 * 1024;

/// Shortest secret part of a `<id>|<secret>` token that is masked; shorter
/// runs (`a|b` in prose) are left alone.
const MIN_TOKEN_SECRET: usize = 8;

/// Masks secrets in text the server sent.
#[derive(Clone, Copy)]
pub(crate) struct Redactor<'a> {
    /// The client's own API token, masked wherever it is echoed.
    pub api_token: &'a str,
}

impl Redactor<'_> {
    /// A response body, redacted and cut to [`MAX_KEPT_BODY`] bytes.
    /// JSON bodies keep their structure with secret fields masked; anything
    /// else (HTML, truncated JSON) is masked textually.
    pub fn body(&self, body: &[u8]) -> String {
        let text = String::from_utf8_lossy(body);
        let redacted = match serde_json::from_str::<Value>(&text) {
            Ok(mut value) => {
                self.value(&mut value);
                value.to_string()
            }
            Err(_) => self.text(&text),
        };
        truncate(redacted, MAX_KEPT_BODY)
    }

    /// Masks secrets in free text: values of secret-named JSON fields,
    /// `<id>|<secret>` tokens, and the client's own token.
    pub fn text(&self, text: &str) -> String {
        let masked = mask_secret_fields(text);
        let masked = mask_tokens(&masked);
        self.mask_api_token(masked)
    }

    fn value(&self, value: &mut Value) {
        match value {
            Value::Object(map) => {
                for (key, child) in map.iter_mut() {
                    if is_secret_key(key) && !child.is_null() {
                        *child = Value::String(REDACTED.into());
                    } else {
                        self.value(child);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|item| self.value(item)),
            Value::String(s) => *s = self.text(s),
            _ => {}
        }
    }

    fn mask_api_token(&self, text: String) -> String {
        let token = self.api_token.trim();
        let secret_part = token.split_once('|').map_or(token, |(_, secret)| secret);
        [token, secret_part]
            .into_iter()
            .filter(|needle| needle.len() >= MIN_TOKEN_SECRET)
            .fold(text, |text, needle| text.replace(needle, REDACTED))
    }
}

/// Field names whose values are credentials.
pub(crate) fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.ends_with("token")
        || ["authorization", "password", "secret", "api_key", "apikey"].contains(&key.as_str())
}

/// Masks the string value after every secret-named key in JSON-like text,
/// including text that is not valid JSON (a truncated body).
fn mask_secret_fields(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(offset) = text[i..].find('"') {
        let open = i + offset;
        let close = string_end(bytes, open + 1);
        out.push_str(&text[i..(close + 1).min(text.len())]);
        i = (close + 1).min(text.len());
        if !is_secret_key(&text[open + 1..close.min(text.len())]) {
            continue;
        }
        let mut j = skip_spaces(bytes, i);
        if bytes.get(j) != Some(&b':') {
            continue;
        }
        j = skip_spaces(bytes, j + 1);
        if bytes.get(j) != Some(&b'"') {
            continue;
        }
        let value_end = string_end(bytes, j + 1);
        out.push_str(&text[i..=j]);
        out.push_str(REDACTED);
        if value_end < bytes.len() {
            out.push('"');
        }
        i = (value_end + 1).min(text.len());
    }
    out.push_str(&text[i..]);
    out
}

/// Index of the closing quote of a JSON string starting at `start`, or the
/// text's length when it is never closed.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn skip_spaces(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// Masks `<digits>|<secret>` tokens (the Laravel Sanctum shape of both the
/// API token and instance access tokens).
fn mask_tokens(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (bar, _) in text.match_indices('|') {
        let id_start = (0..bar)
            .rev()
            .take_while(|&k| bytes[k].is_ascii_digit())
            .last();
        let secret_end = (bar + 1..bytes.len())
            .take_while(|&k| bytes[k].is_ascii_alphanumeric())
            .last()
            .map(|k| k + 1);
        let (Some(id_start), Some(secret_end)) = (id_start, secret_end) else {
            continue;
        };
        let starts_word = id_start == 0 || !bytes[id_start - 1].is_ascii_alphanumeric();
        if !starts_word || secret_end - bar - 1 < MIN_TOKEN_SECRET || id_start < copied {
            continue;
        }
        out.push_str(&text[copied..id_start]);
        out.push_str(REDACTED);
        copied = secret_end;
    }
    out.push_str(&text[copied..]);
    out
}

fn truncate(mut text: String, limit: usize) -> String {
    if text.len() <= limit {
        return text;
    }
    let cut = (0..=limit)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let dropped = text.len() - cut;
    text.truncate(cut);
    text.push_str(&format!("… ({dropped} more bytes)"));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "234|3uB2pBST2H6If8twXIeUaeNu23VJ8XassYoOVJuva48388e1";
    const MINE: Redactor<'static> = Redactor {
        api_token: "99|myOwnSecretApiToken",
    };

    #[test]
    fn json_bodies_keep_structure_and_lose_secrets() {
        let body = format!(
            r#"[{{"id":"a","access_token":"{TOKEN}","name":"n"}},{{"access_token":null}}]"#
        );
        let redacted = MINE.body(body.as_bytes());
        assert!(!redacted.contains("3uB2p"), "{redacted}");
        let value: Value = serde_json::from_str(&redacted).unwrap();
        assert_eq!(value[0]["access_token"], REDACTED);
        assert_eq!(value[0]["name"], "n");
        assert_eq!(value[1]["access_token"], Value::Null);
    }

    #[test]
    fn truncated_json_is_masked_textually() {
        let body = format!(r#"[{{"id":"a", "access_token" : "{TOKEN}"}},{{"refresh_token":"abc"#);
        let redacted = MINE.body(body.as_bytes());
        assert_eq!(
            redacted,
            format!(
                r#"[{{"id":"a", "access_token" : "{REDACTED}"}},{{"refresh_token":"{REDACTED}"#
            )
        );
    }

    #[test]
    fn truncated_json_masks_secret_fields_whatever_their_spacing_or_escapes() {
        // None of these values is an `<id>|<secret>` token: only the field
        // rule can mask them. An escaped quote earlier in the text must not
        // make a key look like a value.
        let body = concat!(
            r#"[{"note":"say \"hi", "password" :	"hunter2-pass", "#,
            r#""secret":"s3cr3t-value","Authorization": "Bearer opaque-value"},"#,
            r#"{"api_key" : "k3y-valu"#,
        );
        let redacted = MINE.body(body.as_bytes());
        assert_eq!(
            redacted,
            format!(
                concat!(
                    r#"[{{"note":"say \"hi", "password" :	"{r}", "#,
                    r#""secret":"{r}","Authorization": "{r}"}},"#,
                    r#"{{"api_key" : "{r}"#,
                ),
                r = REDACTED
            )
        );
    }

    #[test]
    fn bodies_are_kept_whole_up_to_16_kib() {
        // The documented limit (README, `Error::Http`): at most 16 KiB kept.
        let whole = "a".repeat(16 * 1024);
        assert_eq!(MINE.body(whole.as_bytes()), whole);
        let over = "a".repeat(16 * 1024 + 3);
        assert_eq!(
            MINE.body(over.as_bytes()),
            format!("{whole}… (3 more bytes)")
        );
    }

    #[test]
    fn bare_tokens_and_the_api_token_are_masked_in_text() {
        let text = format!(
            "token {TOKEN} and 99|myOwnSecretApiToken and myOwnSecretApiToken; keep a|b and 1|short"
        );
        assert_eq!(
            MINE.text(&text),
            format!("token {REDACTED} and {REDACTED} and {REDACTED}; keep a|b and 1|short")
        );
    }

    #[test]
    fn a_token_is_masked_where_a_word_begins_only() {
        // A body that is nothing but a token (a plain-text echo) starts with it.
        assert_eq!(MINE.body(TOKEN.as_bytes()), REDACTED);
        assert_eq!(MINE.text(&format!("({TOKEN})")), format!("({REDACTED})"));
        // Digits inside a longer word are not a token's id: `build42|...`
        // is a version string, not a Sanctum token.
        let version = "build42|abcdefghijkl";
        assert_eq!(MINE.text(version), version);
    }

    #[test]
    fn a_token_secret_of_eight_characters_is_masked_and_a_shorter_one_kept() {
        assert_eq!(MINE.text("7|abcdefgh"), REDACTED);
        assert_eq!(MINE.text("7|abcdefg"), "7|abcdefg");
    }

    #[test]
    fn tokens_that_share_characters_do_not_panic() {
        // The second `|` has a digit run before it that lies inside the
        // first token's secret, which is masked already.
        assert_eq!(
            MINE.text("1|12345678|abcdefgh"),
            format!("{REDACTED}|abcdefgh")
        );
    }

    #[test]
    fn secret_keys() {
        for key in [
            "access_token",
            "ACCESS_TOKEN",
            "token",
            "refresh_token",
            "Authorization",
            "password",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in ["id", "name", "tokens_left_count", "phone"] {
            assert!(!is_secret_key(key), "{key}");
        }
    }

    #[test]
    fn long_bodies_are_cut_on_a_char_boundary() {
        let body = "é".repeat(MAX_KEPT_BODY);
        let kept = MINE.body(body.as_bytes());
        assert!(
            kept.ends_with(&format!("… ({} more bytes)", MAX_KEPT_BODY)),
            "{}",
            &kept[kept.len() - 40..]
        );
        assert!(kept.len() < MAX_KEPT_BODY + 40);
    }

    #[test]
    fn non_utf8_bodies_do_not_panic() {
        let kept = MINE.body(&[0xff, 0xfe, b'"', b'a']);
        assert!(kept.contains('\u{fffd}'));
    }
}
