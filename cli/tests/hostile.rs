//! A hostile server puts control characters in every string of every
//! answer (the documented examples of the spec, every string made hostile),
//! and in its error messages. Every command, in table and JSON output,
//! must print no raw control byte on stdout or stderr, and an error stays
//! one line. The operations come from the catalog, so one the vendor adds
//! is covered (through `hypersender api`).

mod support;

use httpmock::MockServer;
use hypersender::catalog;
use serde_json::Value;
use support::*;

/// Retitles the window, clears the screen, forges a line, reorders text.
const HOSTILE: &str =
    "\u{1b}]0;pwned\u{7}\u{1b}[2J\nerror: forged\r\u{7f}\u{9b}31m\u{202e}evil\u{0}";

fn hostile(value: &Value) -> Value {
    match value {
        Value::String(text) => Value::String(format!("{text}{HOSTILE}")),
        Value::Array(items) => Value::Array(items.iter().map(hostile).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| (key.clone(), hostile(value)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// `/{instance}/health` as a regex matching any value of the parameter.
fn path_regex(template: &str) -> String {
    let mut regex = String::from("^");
    for segment in template.split('/').filter(|s| !s.is_empty()) {
        regex.push('/');
        if segment.starts_with('{') {
            regex.push_str("[^/]+");
        } else {
            regex.push_str(&regex_escape(segment));
        }
    }
    regex.push('$');
    regex
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                vec![c]
            } else {
                vec!['\\', c]
            };
            escaped
        })
        .collect()
}

/// Every byte that must not reach a terminal, other than line breaks.
fn raw_control(text: &str) -> Option<char> {
    text.chars().find(|&c| {
        c != '\n'
            && (c.is_control()
                || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
    })
}

fn assert_clean(what: &str, run: &Run) {
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        if let Some(c) = raw_control(text) {
            panic!("{what}: raw {c:?} on {stream}: {run:?}");
        }
        assert!(
            !text.contains("\nerror: forged"),
            "{what}: a forged line on {stream}"
        );
    }
}

/// A server answering every operation of the catalog with its example
/// (documented, or built from its properties' examples), every string made
/// hostile; an operation without a response body with none.
fn hostile_server() -> MockServer {
    let server = MockServer::start();
    for operation in catalog::OPERATIONS {
        let body = operation
            .success_example
            .map_or_else(String::new, |example| {
                hostile(&serde_json::from_str(example).unwrap()).to_string()
            });
        let method: httpmock::Method = operation.method.as_str().parse().unwrap();
        server.mock(|when, then| {
            when.method(method)
                .path_matches(path_regex(operation.path).as_str());
            then.status(operation.success_status)
                .header("content-type", "application/json")
                .body(body);
        });
    }
    server
}

/// `hypersender api` arguments for `operation`: each required parameter
/// (a path parameter: the instance; others: the catalog's example) and the
/// catalog's example body.
fn api_arguments(operation: &catalog::Operation) -> Vec<String> {
    let mut args = vec!["api".to_owned(), operation.id.to_owned()];
    for parameter in operation.parameters.iter().filter(|p| p.required) {
        let value = match (parameter.location, parameter.example) {
            (catalog::Location::Path, _) | (_, None) => WORKING_ID.to_owned(),
            (_, Some(example)) => match serde_json::from_str(example).unwrap() {
                serde_json::Value::String(text) => text,
                other => other.to_string(),
            },
        };
        args.extend(["--param".to_owned(), format!("{}={value}", parameter.name)]);
    }
    if let Some(body) = operation.body {
        let example = body.example.unwrap_or("{}");
        args.extend(["--body".to_owned(), example.to_owned()]);
    }
    args
}

#[test]
fn no_command_prints_a_raw_control_byte_from_a_hostile_answer() {
    let server = hostile_server();
    let url = server.base_url();
    let mut commands: Vec<Vec<String>> = [
        vec!["instances", "list"],
        vec!["instances", "health", WORKING_ID],
        vec!["instances", "qr", WORKING_ID],
        vec!["instances", "restart", WORKING_ID],
        vec![
            "instances",
            "create",
            "--phone",
            "+201234567890",
            "--name",
            "Shop",
        ],
        vec!["instances", "wait", WORKING_ID, "--timeout", "1"],
    ]
    .into_iter()
    .map(|args| args.into_iter().map(str::to_owned).collect())
    .collect();
    // Every command shows the server's text, escaped; an operation that
    // answers no body shows none, and nothing raw either.
    let mut answers_text = vec![true; commands.len()];
    for operation in catalog::OPERATIONS {
        commands.push(api_arguments(operation));
        answers_text.push(operation.success_example.is_some());
    }
    for (args, shows_text) in commands.iter().zip(answers_text) {
        for json in [false, true] {
            let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
            if json {
                all.insert(0, "--json");
            }
            let run = against(&url, &all);
            assert_clean(&all.join(" "), &run);
            assert!(
                !shows_text
                    || run.stdout.contains("\\u{1b}")
                    || run.stdout.contains("\\u001b")
                    || run.stderr.contains("\\u{1b}"),
                "{all:?} shows the hostile text escaped: {run:?}"
            );
        }
    }
}

#[test]
fn a_hostile_error_message_is_one_escaped_line() {
    let server = MockServer::start();
    server.mock(|_, then| {
        then.status(422)
            .header("content-type", "application/json")
            .body(
                serde_json::json!({
                    "message": format!("The name is taken.{HOSTILE}"),
                    "errors": {format!("name{HOSTILE}"): [format!("bad{HOSTILE}")]}
                })
                .to_string(),
            );
    });
    for args in [
        vec!["instances", "list"],
        vec!["instances", "health", WORKING_ID],
        vec!["--json", "instances", "restart", WORKING_ID],
    ] {
        let run = against(&server.base_url(), &args);
        assert_eq!(run.code, 1, "{run:?}");
        assert_clean(&args.join(" "), &run);
        assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
        assert!(run.stderr.starts_with("error: "), "{run:?}");
        assert!(run.stdout.is_empty());
    }
}
