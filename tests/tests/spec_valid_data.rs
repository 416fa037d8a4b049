//! The spec and the decoder agree: random data that is valid per the
//! contract document (what `prism mock -d` serves: every string, pattern,
//! enum, nullable and optional field exercised, unknown extra fields added)
//! decodes, for every operation of the spec, through the same path a real
//! response takes (`Client::call` against a local server). The strategies
//! are built from the committed contract document at run time, so an
//! operation or field the vendor adds is covered with no edit here.

use std::sync::OnceLock;

use httpmock::MockServer;
use hypersender::Arguments;
use hypersender::catalog::{self, Location};
use hypersender_tests::client_for;
use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Union};
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value};

fn contract() -> &'static Value {
    static CONTRACT: OnceLock<Value> = OnceLock::new();
    CONTRACT.get_or_init(|| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../openapi/generated/openapi.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    })
}

fn resolve(schema: &Value) -> &Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => resolve(
            contract()
                .pointer(reference.trim_start_matches('#'))
                .expect("refs resolve"),
        ),
        None => schema,
    }
}

/// Values valid against `schema` under OpenAPI 3.0 semantics.
fn valid(schema: &Value) -> BoxedStrategy<Value> {
    let schema = resolve(schema).clone();
    for union in ["anyOf", "oneOf"] {
        if let Some(members) = schema.get(union).and_then(Value::as_array) {
            return Union::new(members.iter().map(valid).collect::<Vec<_>>()).boxed();
        }
    }
    if let Some([single]) = schema
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        return valid(single);
    }
    let plain = match schema.get("enum").and_then(Value::as_array) {
        Some(values) => prop::sample::select(values.clone()).boxed(),
        None => typed(&schema),
    };
    if schema.get("nullable") == Some(&Value::Bool(true)) {
        prop_oneof![Just(Value::Null), plain].boxed()
    } else {
        plain
    }
}

fn typed(schema: &Value) -> BoxedStrategy<Value> {
    match schema
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
    {
        "string" => string(schema),
        "integer" => any::<i64>().prop_map(Value::from).boxed(),
        "number" => any::<f64>()
            .prop_filter("finite", |n| n.is_finite())
            .prop_map(Value::from)
            .boxed(),
        "boolean" => any::<bool>().prop_map(Value::Bool).boxed(),
        "array" => {
            let items = schema
                .get("items")
                .map_or_else(|| Just(Value::Null).boxed(), valid);
            prop::collection::vec(items, 0..4)
                .prop_map(Value::Array)
                .boxed()
        }
        _ => object(schema),
    }
}

fn string(schema: &Value) -> BoxedStrategy<Value> {
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
        let unanchored = pattern.trim_start_matches('^').trim_end_matches('$');
        let suffix = if pattern.ends_with('$') {
            ""
        } else {
            ".{0,12}"
        };
        return proptest::string::string_regex(&format!("{unanchored}{suffix}"))
            .expect("the spec's patterns are regex-syntax")
            .prop_map(Value::String)
            .boxed();
    }
    let number = |key: &str| schema.get(key).and_then(Value::as_u64).map(|n| n as usize);
    let min = number("minLength").unwrap_or(0);
    let max = number("maxLength").unwrap_or(min + 40);
    prop::collection::vec(any::<char>(), min..=max)
        .prop_map(|chars| Value::String(chars.into_iter().collect()))
        .boxed()
}

/// Required properties always, optional ones sometimes, and unknown extra
/// properties (as Prism adds them).
fn object(schema: &Value) -> BoxedStrategy<Value> {
    let required: Vec<String> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| {
            names
                .iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let properties: Vec<(String, BoxedStrategy<Option<Value>>)> = schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, property)| {
            let value = valid(property);
            let field = if required.contains(name) {
                value.prop_map(Some).boxed()
            } else {
                prop::option::of(value).boxed()
            };
            (name.clone(), field)
        })
        .collect();
    let names: Vec<String> = properties.iter().map(|(name, _)| name.clone()).collect();
    let values: Vec<BoxedStrategy<Option<Value>>> =
        properties.into_iter().map(|(_, value)| value).collect();
    let extras = prop::collection::btree_map("x_[a-z]{1,8}", any::<String>(), 0..3);
    (values, extras)
        .prop_map(move |(values, extras)| {
            let mut object = Map::new();
            for (name, value) in names.iter().zip(values) {
                if let Some(value) = value {
                    object.insert(name.clone(), value);
                }
            }
            for (name, value) in extras {
                object.insert(name, Value::String(value));
            }
            Value::Object(object)
        })
        .boxed()
}

/// The success schema and an example request body of an operation.
fn operation_schemas(operation: &catalog::Operation) -> (Value, Option<Value>) {
    let item = &contract()["paths"][operation.path];
    let spec = &item[operation.method.as_str().to_ascii_lowercase()];
    let success = resolve(&spec["responses"][operation.success_status.to_string()]);
    let schema = success
        .pointer("/content/application~1json/schema")
        .cloned()
        .unwrap_or(Value::Null);
    let body = spec
        .pointer("/requestBody/content/application~1json/schema")
        .cloned();
    (schema, body)
}

#[test]
fn random_spec_valid_responses_decode_for_every_operation() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = runtime.block_on(MockServer::start_async());
    let client = client_for(&server);
    let mut decoded = 0;
    for operation in catalog::OPERATIONS {
        let (schema, body) = operation_schemas(operation);
        // A valid request: every required parameter (the catalog's example
        // where there is one), a valid body.
        let mut arguments = operation.parameters.iter().filter(|p| p.required).fold(
            Arguments::new(),
            |arguments, p| {
                let value = match (p.location, p.example) {
                    (Location::Path, _) | (_, None) => "fa3d01c4".to_owned(),
                    (_, Some(example)) => match serde_json::from_str(example).unwrap() {
                        Value::String(text) => text,
                        other => other.to_string(),
                    },
                };
                arguments.value(p.name, value)
            },
        );
        // The catalog's example body (documented, or built from the
        // properties' examples), else one generated from the schema.
        let example = operation.body.and_then(|b| b.example);
        if let Some(example) = example {
            arguments = arguments.body(serde_json::from_str(example).unwrap());
        } else if let Some(body) = &body {
            let mut runner = TestRunner::deterministic();
            let value = valid(body).new_tree(&mut runner).unwrap().current();
            arguments = arguments.body(value);
        }
        if schema.is_null() {
            // No response body: an empty one decodes.
            let mut mock = server.mock(|_, then| {
                then.status(operation.success_status);
            });
            let result = runtime.block_on(client.call(operation.id, &arguments));
            mock.delete();
            assert!(result.is_ok(), "{}: {result:?}", operation.id);
            decoded += 1;
            continue;
        }
        let mut runner = TestRunner::new(Config {
            cases: 40,
            failure_persistence: None,
            ..Config::default()
        });
        runner
            .run(&valid(&schema), |response| {
                let mut mock = server.mock(|_, then| {
                    then.status(operation.success_status)
                        .header("content-type", "application/json")
                        .body(response.to_string());
                });
                let result = runtime.block_on(client.call(operation.id, &arguments));
                mock.delete();
                prop_assert!(
                    result.is_ok(),
                    "{}: {:?}\n{}",
                    operation.id,
                    result.err(),
                    response
                );
                Ok(())
            })
            .unwrap();
        decoded += 1;
    }
    assert_eq!(
        decoded,
        catalog::OPERATIONS.len(),
        "every operation answers what the spec says"
    );
}

/// The catalog is the spec's: each operation under its id, shown with the
/// method and path the spec declares it at (as `hypersender api --list`
/// shows them), and each parameter where the spec puts it. Only header
/// parameters may be left out (the client sets `Accept` and the like
/// itself, as the preparation for progenitor decides).
#[test]
fn the_catalog_shows_each_operation_and_parameter_as_the_spec_declares_it() {
    let mut declared = Vec::new();
    for (path, item) in contract()["paths"].as_object().unwrap() {
        let shared = item.get("parameters").and_then(Value::as_array);
        for (method, spec) in item.as_object().unwrap() {
            let Some(id) = spec.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let own = spec.get("parameters").and_then(Value::as_array);
            let parameters: Vec<(String, String)> = shared
                .into_iter()
                .chain(own)
                .flatten()
                .map(resolve)
                .map(|p| (text(&p["name"]), text(&p["in"])))
                .collect();
            declared.push((
                id.to_owned(),
                method.to_ascii_uppercase(),
                path.clone(),
                parameters,
            ));
        }
    }
    declared.sort();
    let shown: Vec<_> = catalog::OPERATIONS
        .iter()
        .map(|op| (op.id.to_owned(), op.method.to_string(), op.path.to_owned()))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let operations: Vec<_> = declared
        .iter()
        .map(|(id, method, path, _)| (id.clone(), method.clone(), path.clone()))
        .collect();
    assert_eq!(shown, operations);
    for (id, _, _, parameters) in &declared {
        let operation = catalog::OPERATIONS.iter().find(|op| op.id == id).unwrap();
        let kept: Vec<(String, String)> = operation
            .parameters
            .iter()
            .map(|p| (p.name.to_owned(), p.location.to_string()))
            .collect();
        for parameter in &kept {
            assert!(
                parameters.contains(parameter),
                "{id}: {parameter:?} in {parameters:?}"
            );
        }
        for (name, location) in parameters {
            let is_kept = kept.iter().any(|(kept, _)| kept == name);
            assert!(
                is_kept || location == "header",
                "{id}: {name} ({location}) left out"
            );
        }
    }
}

fn text(value: &Value) -> String {
    value.as_str().unwrap().to_owned()
}
