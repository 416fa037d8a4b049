//! The types of the generated [`catalog`](crate::catalog): each operation
//! of the API as data, with the rules its values must meet, and the one
//! place where those rules are checked (by the request builders before
//! sending, by the CLI, and by the mock server before answering).

use std::fmt;
use std::time::Duration;

use serde_json::Value;

/// One operation of the API, as the spec defines it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operation {
    /// The operation id, also the [`Client`](crate::Client) method's name
    /// (`check_health`).
    pub id: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path template below the base URL (`/{instance}/health`).
    pub path: &'static str,
    /// The one-line summary (`Check Health`).
    pub summary: &'static str,
    /// The longer description.
    pub description: &'static str,
    /// Path, query and header parameters, path-level ones first.
    pub parameters: &'static [Parameter],
    /// The JSON body, if the operation takes one.
    pub body: Option<Body>,
    /// The documented rate limit, if there is one.
    pub rate_limit: Option<RateLimit>,
    /// The lowest documented success status.
    pub success_status: u16,
    /// The documented success example, as JSON text.
    pub success_example: Option<&'static str>,
}

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    /// The method as sent (`GET`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Put => "PUT",
            Self::Post => "POST",
            Self::Delete => "DELETE",
            Self::Options => "OPTIONS",
            Self::Head => "HEAD",
            Self::Patch => "PATCH",
            Self::Trace => "TRACE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A path, query or header parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Parameter {
    /// The name on the wire (`filter[status]`).
    pub name: &'static str,
    /// Where it goes.
    pub location: Location,
    /// Whether it must be given (path parameters always).
    pub required: bool,
    /// What it means.
    pub description: &'static str,
    /// What its value must be.
    pub rule: Rule,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Location {
    /// In the path (`/{instance}/health`).
    Path,
    /// In the query string.
    Query,
    /// In a header.
    Header,
    /// In a cookie.
    Cookie,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Path => "path",
            Self::Query => "query",
            Self::Header => "header",
            Self::Cookie => "cookie",
        })
    }
}

/// A JSON request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Body {
    /// Whether the body must be sent.
    pub required: bool,
    /// The properties of an object body (empty for other bodies).
    pub fields: &'static [Field],
}

/// One property of an object body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Field {
    /// The JSON name.
    pub name: &'static str,
    /// Whether it must be present.
    pub required: bool,
    /// What it means.
    pub description: &'static str,
    /// What its value must be.
    pub rule: Rule,
}

/// The documented constraints on one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rule {
    /// The JSON type.
    pub kind: ValueKind,
    /// Whether null is allowed.
    pub nullable: bool,
    /// Fewest characters of a string.
    pub min_length: Option<usize>,
    /// Most characters of a string (characters, not bytes, as the server's
    /// validator counts them).
    pub max_length: Option<usize>,
    /// A regular expression a string must match (ECMAScript syntax as in the
    /// spec; checked with `regex-lite`, which covers what the spec uses).
    pub pattern: Option<&'static str>,
    /// A format; `uri` is checked (an absolute URL), others are informative.
    pub format: Option<&'static str>,
    /// The allowed values of an enumerated string (empty: any).
    pub values: &'static [&'static str],
}

/// The JSON type of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum ValueKind {
    String,
    Integer,
    Number,
    Boolean,
    Array,
    Object,
    /// The spec names no type.
    Any,
}

/// A documented rate limit: at most `requests` per `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct RateLimit {
    /// How many requests.
    pub requests: u32,
    /// In how long a window.
    pub per: Duration,
}

/// A value that breaks its documented rule.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Violation {
    /// The parameter or body field (`phone`, `filter[status]`).
    pub name: String,
    /// What is wrong.
    pub problem: Problem,
}

/// What is wrong with a value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// A required value is missing (or null where null is not allowed).
    Missing,
    /// The value is not of the documented JSON type.
    WrongType(ValueKind),
    /// A string has fewer characters than allowed.
    TooShort(usize),
    /// A string has more characters than allowed.
    TooLong(usize),
    /// A string does not match the documented pattern.
    Pattern(&'static str),
    /// A string is not in the documented format (`uri`).
    Format(&'static str),
    /// A string is not one of the documented values.
    NotOneOf(&'static [&'static str]),
    /// A path parameter that is empty, `.` or `..`: sent as a path segment,
    /// it would address a different URL than the operation's.
    UnsafePathSegment,
    /// The name is not a parameter or body field of the operation.
    Unknown,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = &self.name;
        match &self.problem {
            Problem::Missing => write!(f, "`{name}` is required"),
            Problem::WrongType(kind) => write!(f, "`{name}` must be {}", kind_words(*kind)),
            Problem::TooShort(min) => write!(f, "`{name}` must have at least {min} characters"),
            Problem::TooLong(max) => write!(f, "`{name}` must have at most {max} characters"),
            Problem::Pattern(pattern) => write!(f, "`{name}` must match `{pattern}`"),
            Problem::Format(format) => write!(f, "`{name}` must be a valid `{format}`"),
            Problem::NotOneOf(values) => {
                write!(f, "`{name}` must be one of {}", values.join(", "))
            }
            Problem::UnsafePathSegment => write!(
                f,
                "`{name}` must not be empty, `.` or `..` (it is a path segment)"
            ),
            Problem::Unknown => write!(f, "`{name}` is not a parameter of this operation"),
        }
    }
}

impl std::error::Error for Violation {}

fn kind_words(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::String => "a string",
        ValueKind::Integer => "an integer",
        ValueKind::Number => "a number",
        ValueKind::Boolean => "true or false",
        ValueKind::Array => "an array",
        ValueKind::Object => "an object",
        ValueKind::Any => "a JSON value",
    }
}

impl Rule {
    /// Checks a present value (null included); `Ok` if it meets the rule.
    pub fn check(&self, value: &Value) -> Result<(), Problem> {
        if value.is_null() {
            return if self.nullable {
                Ok(())
            } else {
                Err(Problem::Missing)
            };
        }
        self.check_kind(value)?;
        match value {
            Value::String(text) => self.check_string(text),
            _ => Ok(()),
        }
    }

    fn check_kind(&self, value: &Value) -> Result<(), Problem> {
        let fits = match self.kind {
            ValueKind::String => value.is_string(),
            ValueKind::Integer => value.is_i64() || value.is_u64(),
            ValueKind::Number => value.is_number(),
            ValueKind::Boolean => value.is_boolean(),
            ValueKind::Array => value.is_array(),
            ValueKind::Object => value.is_object(),
            ValueKind::Any => true,
        };
        if fits {
            Ok(())
        } else {
            Err(Problem::WrongType(self.kind))
        }
    }

    fn check_string(&self, text: &str) -> Result<(), Problem> {
        let characters = text.chars().count();
        if let Some(min) = self.min_length.filter(|min| characters < *min) {
            return Err(Problem::TooShort(min));
        }
        if let Some(max) = self.max_length.filter(|max| characters > *max) {
            return Err(Problem::TooLong(max));
        }
        if !self.values.is_empty() && !self.values.contains(&text) {
            return Err(Problem::NotOneOf(self.values));
        }
        if self.format == Some("uri") && !is_absolute_url(text) {
            return Err(Problem::Format("uri"));
        }
        if let Some(pattern) = self.pattern {
            // The generator refuses a pattern regex-lite cannot compile, so
            // a failure here can only mean "does not match".
            let matches = regex_lite::Regex::new(pattern).is_ok_and(|re| re.is_match(text));
            if !matches {
                return Err(Problem::Pattern(pattern));
            }
        }
        Ok(())
    }
}

fn is_absolute_url(text: &str) -> bool {
    reqwest::Url::parse(text).is_ok_and(|url| url.has_host() || url.scheme() == "urn")
}

impl Operation {
    /// The parameter called `name`, if the operation has one.
    pub fn parameter(&self, name: &str) -> Option<&'static Parameter> {
        self.parameters.iter().find(|p| p.name == name)
    }

    /// The body field called `name`, if the operation takes one.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.body
            .and_then(|body| body.fields.iter().find(|f| f.name == name))
    }

    /// Every way `body` breaks the documented rules of this operation's
    /// body: missing required fields, and each present field checked
    /// against its rule. Fields the spec does not list are let through.
    pub fn check_body(&self, body: &Value) -> Vec<Violation> {
        let Some(spec) = self.body else {
            return Vec::new();
        };
        let empty = serde_json::Map::new();
        let fields = body.as_object().unwrap_or(&empty);
        spec.fields
            .iter()
            .filter_map(|field| {
                let problem = match fields.get(field.name) {
                    None if field.required => Some(Problem::Missing),
                    None => None,
                    Some(value) => field.rule.check(value).err(),
                };
                problem.map(|problem| Violation {
                    name: field.name.to_owned(),
                    problem,
                })
            })
            .collect()
    }

    /// Checks the value of the parameter `name` (a path parameter must also
    /// be a usable path segment).
    pub fn check_parameter(&self, name: &str, value: &Value) -> Result<(), Violation> {
        let violation = |problem| Violation {
            name: name.to_owned(),
            problem,
        };
        let parameter = self.parameter(name).ok_or(violation(Problem::Unknown))?;
        if parameter.location == Location::Path && is_unsafe_segment(value) {
            return Err(violation(Problem::UnsafePathSegment));
        }
        parameter.rule.check(value).map_err(violation)
    }
}

impl Operation {
    /// Like [`Operation::check_parameter`], but a typed value outside the
    /// documented values is let through: the crate's enums keep values the
    /// server added after this crate was generated (`Unknown`), and a caller
    /// who sends one knows it.
    pub(crate) fn check_typed_parameter(&self, name: &str, value: &Value) -> Result<(), Violation> {
        match self.check_parameter(name, value) {
            Err(Violation {
                problem: Problem::NotOneOf(_),
                ..
            }) => Ok(()),
            other => other,
        }
    }
}

/// Empty, `.` and `..` are resolved away by every URL parser (percent-encoded
/// or not), so they cannot be sent as a path segment.
fn is_unsafe_segment(value: &Value) -> bool {
    let text = match value {
        Value::String(text) => text.as_str(),
        _ => return false,
    };
    let decoded = text.replace("%2e", ".").replace("%2E", ".");
    matches!(decoded.trim(), "" | "." | "..")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const TEXT: Rule = Rule {
        kind: ValueKind::String,
        nullable: false,
        min_length: Some(1),
        max_length: Some(3),
        pattern: None,
        format: None,
        values: &[],
    };

    #[test]
    fn lengths_count_characters_and_null_needs_nullable() {
        assert_eq!(TEXT.check(&json!("ééé")), Ok(()));
        assert_eq!(TEXT.check(&json!("éééé")), Err(Problem::TooLong(3)));
        assert_eq!(TEXT.check(&json!("")), Err(Problem::TooShort(1)));
        assert_eq!(TEXT.check(&json!(null)), Err(Problem::Missing));
        assert_eq!(
            Rule {
                nullable: true,
                ..TEXT
            }
            .check(&json!(null)),
            Ok(())
        );
        assert_eq!(
            TEXT.check(&json!(5)),
            Err(Problem::WrongType(ValueKind::String))
        );
    }

    #[test]
    fn patterns_formats_and_values() {
        let phone = Rule {
            pattern: Some(r"^\+[1-9][0-9]{6,14}$"),
            max_length: None,
            ..TEXT
        };
        assert_eq!(phone.check(&json!("+201234567890")), Ok(()));
        assert_eq!(
            phone.check(&json!("12345")),
            Err(Problem::Pattern(r"^\+[1-9][0-9]{6,14}$"))
        );
        let url = Rule {
            format: Some("uri"),
            pattern: Some("^https://"),
            max_length: None,
            ..TEXT
        };
        assert_eq!(url.check(&json!("https://example.com/x")), Ok(()));
        assert_eq!(
            url.check(&json!("http://example.com")),
            Err(Problem::Pattern("^https://"))
        );
        assert_eq!(url.check(&json!("https://")), Err(Problem::Format("uri")));
        let status = Rule {
            values: &["A", "B"],
            max_length: None,
            ..TEXT
        };
        assert_eq!(
            status.check(&json!("C")),
            Err(Problem::NotOneOf(&["A", "B"]))
        );
    }

    #[test]
    fn unsafe_path_segments() {
        for bad in ["", " ", ".", "..", "%2e%2E", "%2E"] {
            assert!(is_unsafe_segment(&json!(bad)), "{bad:?}");
        }
        for fine in ["...", "a..b", "fa3d01c4", ".a"] {
            assert!(!is_unsafe_segment(&json!(fine)), "{fine:?}");
        }
    }

    #[test]
    fn violations_name_the_value() {
        let violation = Violation {
            name: "phone".into(),
            problem: Problem::Pattern("^x$"),
        };
        assert_eq!(violation.to_string(), "`phone` must match `^x$`");
    }
}
