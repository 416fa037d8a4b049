//! The documented rules (the library's catalog, so the spec) applied to
//! what was typed, before anything is sent, with messages for the person
//! who typed it: the flag, the value given, and the rule in words
//! (`--phone "+20 123": must be a + and 7 to 15 digits, the first not 0`).

use hypersender::catalog::{self, Operation, Problem, Rule, ValueKind, Violation};
use serde_json::{Value, json};

use crate::args::NewInstanceArgs;
use crate::failure::Failure;

/// The flag each spec name is typed as, per command.
type Flags<'a> = &'a [(&'a str, &'a str)];

/// The flags of `create` and `connect`.
const NEW_INSTANCE: Flags<'static> = &[
    ("phone", "--phone"),
    ("name", "--name"),
    ("webhook_url", "--webhook-url"),
];

/// The flags of `instances list`.
const LIST_FILTERS: Flags<'static> = &[
    ("filter[phone]", "--phone"),
    ("filter[name]", "--name"),
    ("filter[uuid]", "--uuid"),
    ("filter[status]", "--status"),
];

/// The instance `create` and `connect` would make, against the create rules.
pub fn new_instance(args: &NewInstanceArgs) -> Result<(), Failure> {
    let mut body = json!({"phone": args.phone, "name": args.name});
    if let Some(url) = &args.webhook_url {
        body["webhook_url"] = json!(url);
    }
    let operation = &catalog::CREATE_INSTANCE;
    refuse(operation, NEW_INSTANCE, &body, &operation.check_body(&body))
}

/// The filters of `instances list`, against the list's rules.
pub fn list_filters(values: &[(&'static str, &str)]) -> Result<(), Failure> {
    let operation = &catalog::LIST_INSTANCES;
    let mut given = serde_json::Map::new();
    let mut violations = Vec::new();
    for (name, value) in values {
        let value = Value::String((*value).to_owned());
        if let Err(violation) = operation.check_parameter(name, &value) {
            violations.push(violation);
        }
        given.insert((*name).to_owned(), value);
    }
    refuse(operation, LIST_FILTERS, &Value::Object(given), &violations)
}

/// An instance id typed as the `ID` argument.
pub fn instance_id(id: &str) -> Result<(), Failure> {
    let operation = &catalog::CHECK_HEALTH;
    let value = json!(id);
    match operation.check_parameter("instance", &value) {
        Ok(()) => Ok(()),
        Err(violation) => refuse(
            operation,
            &[("instance", "ID")],
            &json!({"instance": id}),
            &[violation],
        ),
    }
}

fn refuse(
    operation: &Operation,
    flags: Flags<'_>,
    given: &Value,
    violations: &[Violation],
) -> Result<(), Failure> {
    if violations.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = violations
        .iter()
        .map(|violation| {
            let flag = flags
                .iter()
                .find(|(name, _)| *name == violation.name)
                .map_or(violation.name.as_str(), |(_, flag)| flag);
            let value = match &given[violation.name.as_str()] {
                Value::String(text) => format!("{text:?}"),
                Value::Null => "(not given)".to_owned(),
                other => other.to_string(),
            };
            let rule = operation
                .field(&violation.name)
                .map(|f| f.rule)
                .or_else(|| operation.parameter(&violation.name).map(|p| p.rule));
            format!(
                "{flag} {value}: {}",
                in_words(&violation.problem, rule.as_ref())
            )
        })
        .collect();
    Err(Failure::BadInput(format!(
        "{}; nothing was sent",
        lines.join("; ")
    )))
}

/// What a value must be, in words.
pub fn in_words(problem: &Problem, rule: Option<&Rule>) -> String {
    let words = rule.and_then(|rule| rule.words);
    match problem {
        Problem::Missing => "is required".to_owned(),
        Problem::WrongType(kind) => format!("must be {}", kind_words(*kind)),
        Problem::TooShort(1) => words.map_or_else(
            || "must not be empty".to_owned(),
            |w| format!("must be {w}"),
        ),
        Problem::TooShort(min) => format!("must have at least {min} characters"),
        Problem::TooLong(max) => format!("must have at most {max} characters"),
        Problem::Pattern(pattern) => words.map_or_else(
            || format!("must match {pattern}"),
            |w| format!("must be {w}"),
        ),
        Problem::Format("uri") => words.map_or_else(
            || "must be a whole URL (https://...)".to_owned(),
            |w| format!("must be {w}"),
        ),
        Problem::Format(format) => format!("must be a valid {format}"),
        Problem::NotOneOf(values) => format!("must be one of {}", values.join(", ")),
        Problem::UnsafePathSegment => "must not be empty, `.` or `..`".to_owned(),
        _ => format!("is not accepted ({problem:?})"),
    }
}

fn kind_words(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::String => "text",
        ValueKind::Integer => "a whole number",
        ValueKind::Number => "a number",
        ValueKind::Boolean => "true or false",
        ValueKind::Array => "a list",
        ValueKind::Object => "an object",
        _ => "a JSON value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(phone: &str, name: &str, url: Option<&str>) -> NewInstanceArgs {
        NewInstanceArgs {
            phone: phone.into(),
            name: name.into(),
            webhook_url: url.map(str::to_owned),
        }
    }

    fn message(result: Result<(), Failure>) -> String {
        match result {
            Err(Failure::BadInput(message)) => message,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_broken_value_is_named_by_its_flag_with_the_rule_in_words() {
        let phone = catalog::CREATE_INSTANCE.field("phone").unwrap().rule;
        let words = phone
            .words
            .expect("the overlay says the phone rule in words");
        assert_eq!(
            message(new_instance(&args("+20 123", "Shop", None))),
            format!("--phone \"+20 123\": must be {words}; nothing was sent")
        );
        let blank = message(new_instance(&args("+201234567890", "   ", None)));
        assert!(blank.starts_with("--name \"   \": must be "), "{blank}");
        let long = message(new_instance(&args("+201234567890", &"x".repeat(51), None)));
        assert!(long.contains("must have at most 50 characters"), "{long}");
        let url = message(new_instance(&args(
            "+201234567890",
            "Shop",
            Some("http://x.example"),
        )));
        assert!(
            url.starts_with("--webhook-url \"http://x.example\": must be "),
            "{url}"
        );
        assert!(new_instance(&args("+201234567890", "Shop", Some("https://x.example/h"))).is_ok());
    }

    #[test]
    fn ids_and_filters_too() {
        assert_eq!(
            message(instance_id("..")),
            "ID \"..\": must not be empty, `.` or `..`; nothing was sent"
        );
        assert!(
            message(list_filters(&[("filter[phone]", "0123")]))
                .starts_with("--phone \"0123\": must be ")
        );
        assert!(list_filters(&[("filter[name]", "Sh")]).is_ok());
    }
}
