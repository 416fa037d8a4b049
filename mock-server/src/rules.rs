//! The documented rules for a create-instance request, in one place: the
//! mock enforces them with 422 responses, and the `hypersender` CLI checks
//! them before sending, so a request the server would refuse is never sent.
//!
//! From the Create Instance page: `phone` is required and in E.164 format,
//! `name` is required and at most 50 characters, `webhook_url` is optional
//! and must be an https URL.

use std::fmt;

/// The longest instance name the service accepts, in characters.
pub const MAX_NAME_CHARS: usize = 50;

/// Fewest digits accepted after the `+` (the shortest national numbers
/// plus country code; E.164 itself only sets the maximum).
const MIN_PHONE_DIGITS: usize = 7;
/// E.164: at most 15 digits, country code included.
const MAX_PHONE_DIGITS: usize = 15;

/// One broken rule, naming its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// `phone` is missing or empty.
    PhoneMissing,
    /// `phone` is not E.164 (a `+`, then 7 to 15 digits, the first not 0).
    PhoneNotE164,
    /// `name` is missing or empty.
    NameMissing,
    /// `name` has more than [`MAX_NAME_CHARS`] characters.
    NameTooLong {
        /// How many characters it has.
        chars: usize,
    },
    /// `webhook_url` is not an absolute URL.
    WebhookNotUrl,
    /// `webhook_url` is a URL, but not https.
    WebhookNotHttps,
}

impl Violation {
    /// The request field the rule is about.
    pub fn field(&self) -> &'static str {
        match self {
            Self::PhoneMissing | Self::PhoneNotE164 => "phone",
            Self::NameMissing | Self::NameTooLong { .. } => "name",
            Self::WebhookNotUrl | Self::WebhookNotHttps => "webhook_url",
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PhoneMissing => f.write_str("phone is required"),
            Self::PhoneNotE164 => f.write_str(
                "phone must be in E.164 format: a + and 7 to 15 digits, such as +201234567890",
            ),
            Self::NameMissing => f.write_str("name is required"),
            Self::NameTooLong { chars } => write!(
                f,
                "name must be at most {MAX_NAME_CHARS} characters (it has {chars})"
            ),
            Self::WebhookNotUrl => f.write_str("webhook_url must be an absolute https URL"),
            Self::WebhookNotHttps => f.write_str("webhook_url must use https"),
        }
    }
}

impl std::error::Error for Violation {}

/// Checks a phone number: required, E.164.
pub fn check_phone(phone: &str) -> Result<(), Violation> {
    let Some(digits) = phone.strip_prefix('+') else {
        return Err(if phone.is_empty() {
            Violation::PhoneMissing
        } else {
            Violation::PhoneNotE164
        });
    };
    let all_digits = digits.bytes().all(|b| b.is_ascii_digit());
    let length_ok = (MIN_PHONE_DIGITS..=MAX_PHONE_DIGITS).contains(&digits.len());
    if all_digits && length_ok && !digits.starts_with('0') {
        Ok(())
    } else {
        Err(Violation::PhoneNotE164)
    }
}

/// Checks an instance name: required, at most [`MAX_NAME_CHARS`] characters
/// (characters, not bytes, as Laravel's `max` rule counts them).
pub fn check_name(name: &str) -> Result<(), Violation> {
    let chars = name.chars().count();
    if name.trim().is_empty() {
        Err(Violation::NameMissing)
    } else if chars > MAX_NAME_CHARS {
        Err(Violation::NameTooLong { chars })
    } else {
        Ok(())
    }
}

/// Checks a webhook URL: absolute, https, with a host.
pub fn check_webhook_url(webhook_url: &str) -> Result<(), Violation> {
    let url = url::Url::parse(webhook_url).map_err(|_| Violation::WebhookNotUrl)?;
    if url.scheme() != "https" {
        return Err(Violation::WebhookNotHttps);
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Violation::WebhookNotUrl);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        assert_eq!(check_phone("+201234567890"), Ok(()));
        assert_eq!(check_phone("+1234567"), Ok(()));
        assert_eq!(check_phone("+123456789012345"), Ok(()));
        assert_eq!(check_phone(""), Err(Violation::PhoneMissing));
        for bad in [
            "201234567890",
            "+",
            "+123456",
            "+1234567890123456",
            "+0201234567",
            "+20 123 456 7890",
            "+20-1234567890",
            "+２０１２３４５６７８９",
        ] {
            assert_eq!(check_phone(bad), Err(Violation::PhoneNotE164), "{bad}");
        }
    }

    #[test]
    fn names_count_characters_not_bytes() {
        assert_eq!(check_name(&"é".repeat(50)), Ok(()));
        assert_eq!(
            check_name(&"é".repeat(51)),
            Err(Violation::NameTooLong { chars: 51 })
        );
        assert_eq!(check_name(""), Err(Violation::NameMissing));
        assert_eq!(check_name("   "), Err(Violation::NameMissing));
    }

    #[test]
    fn webhooks() {
        assert_eq!(check_webhook_url("https://example.com/hook"), Ok(()));
        assert_eq!(
            check_webhook_url("http://example.com/hook"),
            Err(Violation::WebhookNotHttps)
        );
        assert_eq!(
            check_webhook_url("example.com/hook"),
            Err(Violation::WebhookNotUrl)
        );
        assert_eq!(check_webhook_url("https://"), Err(Violation::WebhookNotUrl));
        assert_eq!(
            Violation::WebhookNotHttps.field(),
            "webhook_url",
            "the field name is the request's"
        );
    }
}
