//! Every documented example in the contract document, and every recorded
//! response in tests/fixtures, is valid against its schema with strict
//! OpenAPI 3.0.3 semantics: `nullable: true` only adds null to the `type`
//! beside it (and other constraints, an `enum` without null say, still
//! apply), as the contract tools (Spectral, Redocly) read it. The schemas
//! are turned into JSON Schema draft 4, which OpenAPI 3.0 is based on, and
//! checked with the `jsonschema` crate.

use hypersender_openapi::{Source, prepare_contract};
use serde_json::{Map, Value, json};

/// Keywords of an OpenAPI 3.0 schema that are not validation.
const ANNOTATIONS: [&str; 8] = [
    "example",
    "discriminator",
    "xml",
    "externalDocs",
    "deprecated",
    "readOnly",
    "writeOnly",
    "nullable",
];

/// An OpenAPI 3.0 schema as JSON Schema draft 4.
fn json_schema(schema: &Value) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in map {
        if ANNOTATIONS.contains(&key.as_str()) || key.starts_with("x-") {
            continue;
        }
        let converted = match key.as_str() {
            "properties" => Value::Object(
                value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, schema)| (name.clone(), json_schema(schema)))
                    .collect(),
            ),
            "items" | "not" | "additionalProperties" => json_schema(value),
            "allOf" | "anyOf" | "oneOf" => Value::Array(
                value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(json_schema)
                    .collect(),
            ),
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    // OpenAPI 3.0.3: nullable adds null to the type beside it, nothing more.
    if map.get("nullable") == Some(&Value::Bool(true))
        && let Some(Value::String(kind)) = map.get("type")
    {
        out.insert("type".into(), json!([kind, "null"]));
    }
    Value::Object(out)
}

struct Checker {
    components: Value,
}

impl Checker {
    fn new(contract: &Value) -> Self {
        let schemas: Map<String, Value> = contract["components"]["schemas"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, schema)| (name.clone(), json_schema(schema)))
            .collect();
        Self {
            components: json!({"schemas": schemas}),
        }
    }

    /// The problems of `instance` against `schema` (refs resolved against
    /// the contract's components).
    fn problems(&self, schema: &Value, instance: &Value) -> Vec<String> {
        let root = json!({"allOf": [json_schema(schema)], "components": self.components});
        let validator = jsonschema::draft4::options()
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("the contract's schema compiles: {e}"));
        validator
            .iter_errors(instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect()
    }
}

/// (where, schema, example) of every example in the document.
fn examples(contract: &Value) -> Vec<(String, Value, Value)> {
    let mut found = Vec::new();
    collect(contract, &mut String::new(), &mut found);
    found
}

fn collect(value: &Value, pointer: &mut String, found: &mut Vec<(String, Value, Value)>) {
    let Value::Object(map) = value else {
        if let Value::Array(items) = value {
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                collect(item, pointer, found);
                pointer.truncate(len);
            }
        }
        return;
    };
    // A media type or parameter: `schema` beside `example`/`examples`.
    if let Some(schema) = map.get("schema") {
        if let Some(example) = map.get("example") {
            found.push((
                format!("{pointer}/example"),
                schema.clone(),
                example.clone(),
            ));
        }
        for (name, example) in map
            .get("examples")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if let Some(value) = example.get("value") {
                found.push((
                    format!("{pointer}/examples/{name}"),
                    schema.clone(),
                    value.clone(),
                ));
            }
        }
    } else if let Some(example) = map.get("example")
        && (map.contains_key("type") || map.contains_key("$ref") || map.contains_key("anyOf"))
    {
        // A schema with its own example.
        found.push((format!("{pointer}/example"), value.clone(), example.clone()));
    }
    for (key, child) in map {
        if key == "example" || key == "examples" || key.starts_with("x-") {
            continue;
        }
        let len = pointer.len();
        pointer.push('/');
        pointer.push_str(key);
        collect(child, pointer, found);
        pointer.truncate(len);
    }
}

fn contract() -> Value {
    prepare_contract(Source::VENDORED, Source::OVERLAY).unwrap()
}

#[test]
fn every_documented_example_is_valid_against_its_schema() {
    let contract = contract();
    let checker = Checker::new(&contract);
    let examples = examples(&contract);
    assert!(examples.len() >= contract["paths"].as_object().unwrap().len());
    for (place, schema, example) in examples {
        let problems = checker.problems(&schema, &example);
        assert!(problems.is_empty(), "{place}: {problems:?}");
    }
}

/// The success, request-body or error-status schema a recorded file shows:
/// `<operation>.json`, `<operation>_request.json`, `<anything>_<status>.json`.
fn schema_for(contract: &Value, name: &str) -> Option<Value> {
    let stem = name.strip_suffix(".json")?;
    let operations: Vec<&Value> = contract["paths"]
        .as_object()?
        .values()
        .flat_map(|item| item.as_object().into_iter().flatten().map(|(_, op)| op))
        .collect();
    let by_id = |id: &str| {
        operations
            .iter()
            .find(|op| op["operationId"] == id)
            .copied()
    };
    let json_schema_of = |container: &Value| {
        container
            .pointer("/content/application~1json/schema")
            .cloned()
    };
    if let Some(op) = by_id(stem) {
        let success = op["responses"]
            .as_object()?
            .iter()
            .filter(|(status, _)| status.starts_with('2'))
            .min_by_key(|(status, _)| status.to_string())?
            .1;
        return json_schema_of(resolve(contract, success));
    }
    if let Some(op) = stem.strip_suffix("_request").and_then(by_id) {
        return json_schema_of(&op["requestBody"]);
    }
    let status = stem.rsplit('_').next()?;
    operations
        .iter()
        .filter_map(|op| op["responses"].get(status))
        .find_map(|response| json_schema_of(resolve(contract, response)))
}

fn resolve<'a>(contract: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => contract
            .pointer(reference.trim_start_matches('#'))
            .unwrap_or(value),
        None => value,
    }
}

#[test]
fn every_recorded_response_is_valid_against_its_schema() {
    let contract = contract();
    let checker = Checker::new(&contract);
    let dir = hypersender_openapi::golden::workspace_root().join("tests/fixtures");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".json") {
            continue;
        }
        let schema = schema_for(&contract, &name)
            .unwrap_or_else(|| panic!("tests/fixtures/{name}: no operation, request or status of the spec matches its name"));
        let recorded: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let problems = checker.problems(&schema, &recorded);
        assert!(problems.is_empty(), "tests/fixtures/{name}: {problems:?}");
        checked += 1;
    }
    assert!(checked > 0);
}

#[test]
fn the_strict_reading_refuses_null_where_only_a_sibling_allows_it() {
    // The 3.0 form the contract must not use: nullable beside allOf, no type.
    let loose = json!({"nullable": true, "allOf": [{"type": "string"}]});
    let checker = Checker {
        components: json!({"schemas": {}}),
    };
    assert!(!checker.problems(&loose, &Value::Null).is_empty());
    let null_only = hypersender_openapi_null_union();
    assert!(checker.problems(&null_only, &Value::Null).is_empty());
    assert!(checker.problems(&null_only, &json!("234|x")).is_empty());
    assert!(!checker.problems(&null_only, &json!(5)).is_empty());
}

/// What the preparation writes for 3.1's `anyOf: [{type: string}, {type: 'null'}]`.
fn hypersender_openapi_null_union() -> Value {
    let spec = "openapi: 3.1.0\ninfo: {title: t, version: v}\npaths: {}\ncomponents:\n  schemas:\n    S:\n      anyOf:\n        - type: string\n        - type: 'null'\n";
    let overlay = "overlay: 1.0.0\ninfo: {title: t, version: v}\nactions:\n  - target: $.info\n    update: {description: d}\n";
    let contract = prepare_contract(
        Source {
            name: "s.yaml",
            text: spec,
        },
        Source {
            name: "o.yaml",
            text: overlay,
        },
    )
    .unwrap();
    contract["components"]["schemas"]["S"].clone()
}
