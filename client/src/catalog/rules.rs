//! The one place where the documented rules are checked: by the request
//! path before anything is sent, by [`Client::call`](crate::Client::call)'s
//! arguments, by the CLI, and by the mock server before it answers.

use serde_json::Value;

use super::model::{Field, Location, Operation, Parameter, Problem, Rule, ValueKind, Violation};
use crate::error::Error;

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

/// One error naming every violation, each with what the value is (from the
/// spec's description) where a pattern alone would not say.
pub(crate) fn invalid(operation: &Operation, violations: &[Violation]) -> Error {
    let message = violations
        .iter()
        .map(|violation| explain(operation, violation))
        .collect::<Vec<_>>()
        .join("; ");
    Error::InvalidRequest {
        operation: operation.id,
        message,
    }
}

/// One violation in words: the rule's own words where the spec gives them
/// (`x-rule-words`), else the violation and, for a pattern or a format,
/// what the value is.
fn explain(operation: &Operation, violation: &Violation) -> String {
    let rule = operation
        .parameter(&violation.name)
        .map(|p| (p.rule, p.description))
        .or_else(|| {
            operation
                .field(&violation.name)
                .map(|f| (f.rule, f.description))
        });
    let described = matches!(
        violation.problem,
        Problem::Pattern(_) | Problem::Format(_) | Problem::TooShort(1)
    );
    match rule {
        Some((rule, _)) if described && rule.words.is_some() => {
            let words = rule.words.unwrap_or_default();
            format!("`{}` must be {words}", violation.name)
        }
        Some((_, description)) if described && !description.is_empty() => {
            format!("{violation} ({})", description.trim_end_matches('.'))
        }
        _ => violation.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::model::{Body, Method};
    use serde_json::json;

    const TEXT: Rule = Rule {
        kind: ValueKind::String,
        nullable: false,
        min_length: Some(1),
        max_length: Some(3),
        pattern: None,
        format: None,
        values: &[],
        words: None,
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
        let uri = Rule {
            format: Some("uri"),
            max_length: None,
            ..TEXT
        };
        // An absolute URL has a host; a URN is the one kind without one.
        assert_eq!(uri.check(&json!("urn:isbn:0451450523")), Ok(()));
        assert_eq!(
            uri.check(&json!("hooks:relative")),
            Err(Problem::Format("uri"))
        );
        assert_eq!(uri.check(&json!("/hooks")), Err(Problem::Format("uri")));
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
    fn each_kind_takes_its_json_values_and_says_what_it_wanted() {
        let rule = |kind| Rule { kind, ..TEXT };
        let integer = rule(ValueKind::Integer);
        // Negative numbers are only i64, the largest only u64: both integers.
        for value in [json!(-1), json!(0), json!(u64::MAX)] {
            assert_eq!(integer.check(&value), Ok(()), "{value}");
        }
        let cases = [
            (ValueKind::Integer, json!(1.5), "an integer"),
            (ValueKind::Number, json!("1"), "a number"),
            (ValueKind::Boolean, json!(1), "true or false"),
            (ValueKind::Array, json!({}), "an array"),
            (ValueKind::Object, json!([]), "an object"),
            (ValueKind::String, json!(true), "a string"),
        ];
        for (kind, wrong, words) in cases {
            let problem = rule(kind).check(&wrong).unwrap_err();
            assert_eq!(problem, Problem::WrongType(kind));
            let violation = Violation {
                name: "x".into(),
                problem,
            };
            assert_eq!(violation.to_string(), format!("`x` must be {words}"));
        }
        assert_eq!(rule(ValueKind::Number).check(&json!(1.5)), Ok(()));
        assert_eq!(rule(ValueKind::Any).check(&json!({"a": [1]})), Ok(()));
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

    const PATTERN: Rule = Rule {
        pattern: Some("^[0-9]+$"),
        min_length: None,
        max_length: None,
        ..TEXT
    };

    const fn field(name: &'static str, description: &'static str, rule: Rule) -> Field {
        Field {
            name,
            required: true,
            description,
            rule,
        }
    }

    /// Fields with a rule in words, with only a description, with neither.
    const EXPLAINED: Operation = Operation {
        id: "pair",
        method: Method::Post,
        path: "/pair",
        summary: "",
        description: "",
        parameters: &[Parameter {
            name: "instance",
            location: Location::Path,
            required: true,
            description: "The instance.",
            rule: Rule {
                words: Some("an instance id"),
                ..PATTERN
            },
            example: None,
        }],
        body: Some(Body {
            required: true,
            fields: &[
                field(
                    "phone",
                    "The phone.",
                    Rule {
                        words: Some("digits only"),
                        ..PATTERN
                    },
                ),
                field("code", "The pairing code.", PATTERN),
                field("note", "", PATTERN),
            ],
            example: None,
        }),
        rate_limit: None,
        success_status: 200,
        success_example: None,
    };

    fn message(violations: &[(&str, Problem)]) -> String {
        let violations: Vec<Violation> = violations
            .iter()
            .map(|(name, problem)| Violation {
                name: (*name).into(),
                problem: problem.clone(),
            })
            .collect();
        match invalid(&EXPLAINED, &violations) {
            Error::InvalidRequest { operation, message } => {
                assert_eq!(operation, "pair");
                message
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_broken_pattern_is_explained_in_the_rule_words_else_the_description() {
        let pattern = Problem::Pattern("^[0-9]+$");
        assert_eq!(
            message(&[("instance", pattern.clone()), ("phone", pattern.clone())]),
            "`instance` must be an instance id; `phone` must be digits only"
        );
        assert_eq!(
            message(&[("code", pattern.clone())]),
            "`code` must match `^[0-9]+$` (The pairing code)"
        );
        assert_eq!(
            message(&[("note", pattern)]),
            "`note` must match `^[0-9]+$`"
        );
        // Words and descriptions say what a value is, not its type.
        assert_eq!(
            message(&[("phone", Problem::WrongType(ValueKind::String))]),
            "`phone` must be a string"
        );
        assert_eq!(
            message(&[("code", Problem::TooLong(3))]),
            "`code` must have at most 3 characters"
        );
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
