//! Rewrites an OpenAPI 3.1 document into the OpenAPI 3.0 that progenitor 0.15
//! (through openapiv3) reads.
//!
//! Only schema positions are rewritten (component schemas, `schema` of
//! parameters, bodies, responses and headers, and their sub-schemas), never
//! examples, which may legitimately contain any of these keywords as data.
//!
//! | 3.1 | 3.0 |
//! |---|---|
//! | `openapi: 3.1.x` | `openapi: 3.0.3` |
//! | `type: [T, 'null']` | `type: T`, `nullable: true` |
//! | `{type: 'null'}` as a member of `anyOf`/`oneOf` | `{type: string, nullable: true, enum: [null]}` (matches null only) |
//! | `type: ['null']` alone elsewhere, or two non-null types | error (no 3.0 form) |
//! | `const: v` | `enum: [v]` |
//! | `examples: [a, ...]` in a schema | `example: a` |
//! | `exclusiveMinimum: n` (a number) | `minimum: n`, `exclusiveMinimum: true` (same for maximum) |
//! | `contentEncoding: base64` | `format: byte` |
//! | `$schema`, `$id`, `$comment`, `contentMediaType` | dropped (annotations) |
//! | `webhooks`, `jsonSchemaDialect`, `info.summary`, `license.identifier`, `components.pathItems` | dropped (a client has no use for them) |
//! | `prefixItems`, `if`/`then`/`else`, `patternProperties`, `unevaluated*`, `dependent*`, `$defs`, `$dynamicRef`, ... | error naming the pointer |

use serde_json::{Map, Value};

use crate::PrepareError;
use crate::yaml::escape_pointer;

/// Schema keywords that have no OpenAPI 3.0 equivalent and would change the
/// generated types if ignored.
const UNTRANSLATABLE: [&str; 15] = [
    "prefixItems",
    "if",
    "then",
    "else",
    "patternProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
    "dependentSchemas",
    "dependentRequired",
    "contains",
    "propertyNames",
    "$defs",
    "$dynamicRef",
    "$dynamicAnchor",
    "$anchor",
];

/// Pure annotations in a schema, dropped without loss for a client.
const DROPPED_SCHEMA_KEYWORDS: [&str; 4] = ["$schema", "$id", "$comment", "contentMediaType"];

/// Sub-schema positions holding one schema.
const SINGLE_SUBSCHEMAS: [&str; 3] = ["items", "not", "additionalProperties"];
/// Sub-schema positions holding a list of schemas.
const LIST_SUBSCHEMAS: [&str; 3] = ["allOf", "anyOf", "oneOf"];

/// Rewrites `document` (named `file` in errors) from OpenAPI 3.1 to 3.0.3.
/// A 3.0 document passes through unchanged.
pub fn to_openapi_30(document: &mut Value, file: &str) -> Result<(), PrepareError> {
    let version = document
        .get("openapi")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if version.starts_with("3.0.") {
        return Ok(());
    }
    if !version.starts_with("3.1.") {
        return Err(PrepareError::at(
            file,
            "/openapi",
            format!("expected OpenAPI 3.0 or 3.1, found {version:?}"),
        ));
    }
    let root = document
        .as_object_mut()
        .expect("yaml::parse returns an object");
    root.insert("openapi".into(), Value::String("3.0.3".into()));
    drop_document_extras(root);
    root.entry("paths")
        .or_insert_with(|| Value::Object(Map::new()));
    walk_document(document, &mut String::new(), file)
}

fn drop_document_extras(root: &mut Map<String, Value>) {
    root.shift_remove("webhooks");
    root.shift_remove("jsonSchemaDialect");
    if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
        info.shift_remove("summary");
        if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut) {
            license.shift_remove("identifier");
        }
    }
    if let Some(components) = root.get_mut("components").and_then(Value::as_object_mut) {
        components.shift_remove("pathItems");
    }
}

/// Walks the non-schema part of the document looking for schema positions.
fn walk_document(value: &mut Value, pointer: &mut String, file: &str) -> Result<(), PrepareError> {
    let in_components = pointer == "/components";
    for_each_child(value, pointer, |key, child, pointer| {
        if key == "schema" {
            rewrite_schema(child, pointer, file)
        } else if in_components && key == "schemas" {
            for_each_child(child, pointer, |_, schema, pointer| {
                rewrite_schema(schema, pointer, file)
            })
        } else if is_data(key) {
            Ok(())
        } else {
            walk_document(child, pointer, file)
        }
    })
}

/// Keys whose values are example data or vendor extensions, never schemas.
fn is_data(key: &str) -> bool {
    key == "example" || key == "examples" || key.starts_with("x-")
}

/// Calls `visit(key, child, pointer)` for every member of an object or
/// element of an array (key `"0"`, `"1"`, ...), with `pointer` extended by
/// that child's segment for the call.
fn for_each_child(
    value: &mut Value,
    pointer: &mut String,
    mut visit: impl FnMut(&str, &mut Value, &mut String) -> Result<(), PrepareError>,
) -> Result<(), PrepareError> {
    let children: Vec<(String, &mut Value)> = match value {
        Value::Object(map) => map
            .iter_mut()
            .map(|(key, child)| (key.clone(), child))
            .collect(),
        Value::Array(items) => items
            .iter_mut()
            .enumerate()
            .map(|(i, child)| (i.to_string(), child))
            .collect(),
        _ => return Ok(()),
    };
    for (key, child) in children {
        let len = pointer.len();
        pointer.push('/');
        pointer.push_str(&escape_pointer(&key));
        let result = visit(&key, child, pointer);
        pointer.truncate(len);
        result?;
    }
    Ok(())
}

/// Rewrites one schema and, recursively, its sub-schemas.
fn rewrite_schema(
    schema: &mut Value,
    pointer: &mut String,
    file: &str,
) -> Result<(), PrepareError> {
    let Value::Object(map) = schema else {
        return Ok(()); // `true`/`false` schemas and the like: nothing to rewrite
    };
    if let Some(keyword) = UNTRANSLATABLE.iter().find(|k| map.contains_key(**k)) {
        return Err(PrepareError::at(
            file,
            pointer.clone(),
            format!(
                "the OpenAPI 3.1 keyword `{keyword}` has no OpenAPI 3.0 equivalent; add a local fix that rewrites this schema"
            ),
        ));
    }
    rewrite_null_members(map);
    rewrite_type(map, pointer, file)?;
    rewrite_const(map);
    rewrite_examples(map);
    rewrite_exclusive_bound(map, "exclusiveMinimum", "minimum");
    rewrite_exclusive_bound(map, "exclusiveMaximum", "maximum");
    rewrite_content_encoding(map);
    for keyword in DROPPED_SCHEMA_KEYWORDS {
        map.shift_remove(keyword);
    }
    rewrite_subschemas(schema, pointer, file)
}

fn rewrite_subschemas(
    schema: &mut Value,
    pointer: &mut String,
    file: &str,
) -> Result<(), PrepareError> {
    for_each_child(schema, pointer, |key, child, pointer| {
        // `properties` maps names to schemas; allOf/anyOf/oneOf list them.
        if key == "properties" || LIST_SUBSCHEMAS.contains(&key) {
            for_each_child(child, pointer, |_, sub, pointer| {
                rewrite_schema(sub, pointer, file)
            })
        } else if SINGLE_SUBSCHEMAS.contains(&key) {
            rewrite_schema(child, pointer, file)
        } else {
            Ok(())
        }
    })
}

/// 3.1 writes "S or null" as `anyOf: [S, {type: 'null'}]`. 3.0 has no null
/// type, and `nullable` only has effect next to a `type`, so the null member
/// becomes a schema that matches null and nothing else. (progenitor's input
/// turns the pair back into the `nullable` + `allOf` form typify reads.)
fn rewrite_null_members(map: &mut Map<String, Value>) {
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(members)) = map.get_mut(key) else {
            continue;
        };
        for member in members.iter_mut() {
            if is_null_type(member) {
                *member = null_only_schema();
            }
        }
    }
}

/// `{type: 'null'}` or `{type: ['null']}`, with nothing else but annotations.
fn is_null_type(schema: &Value) -> bool {
    let Some(map) = schema.as_object() else {
        return false;
    };
    let null_type = match map.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(types)) => types.len() == 1 && types[0] == "null",
        _ => false,
    };
    null_type
        && map
            .keys()
            .all(|key| matches!(key.as_str(), "type" | "description" | "title"))
}

/// The OpenAPI 3.0 schema that matches null and nothing else.
pub fn null_only_schema() -> Value {
    serde_json::json!({"type": "string", "nullable": true, "enum": [null]})
}

/// `type: [T, 'null']` becomes `type: T` plus `nullable: true`.
fn rewrite_type(
    map: &mut Map<String, Value>,
    pointer: &str,
    file: &str,
) -> Result<(), PrepareError> {
    if map.get("type").and_then(Value::as_str) == Some("null") {
        return Err(PrepareError::at(
            file,
            format!("{pointer}/type"),
            "`type: 'null'` outside an anyOf/oneOf has no OpenAPI 3.0 equivalent",
        ));
    }
    let Some(Value::Array(types)) = map.get("type") else {
        return Ok(());
    };
    let nullable = types.iter().any(|t| t == "null");
    let others: Vec<&Value> = types.iter().filter(|t| *t != "null").collect();
    let single = match others.as_slice() {
        [single] => (*single).clone(),
        [] => {
            return Err(PrepareError::at(
                file,
                format!("{pointer}/type"),
                "`type: ['null']` alone has no OpenAPI 3.0 equivalent",
            ));
        }
        several => {
            return Err(PrepareError::at(
                file,
                format!("{pointer}/type"),
                format!(
                    "`type` lists {} non-null types ({}); OpenAPI 3.0 allows one, add a local fix using oneOf",
                    several.len(),
                    several
                        .iter()
                        .map(|t| t.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    };
    map.insert("type".into(), single);
    if nullable {
        map.insert("nullable".into(), Value::Bool(true));
    }
    Ok(())
}

fn rewrite_const(map: &mut Map<String, Value>) {
    if let Some(value) = map.shift_remove("const") {
        map.entry("enum")
            .or_insert_with(|| Value::Array(vec![value]));
    }
}

fn rewrite_examples(map: &mut Map<String, Value>) {
    if let Some(Value::Array(examples)) = map.get("examples") {
        let first = examples.first().cloned();
        map.shift_remove("examples");
        if let Some(first) = first {
            map.entry("example").or_insert(first);
        }
    }
}

fn rewrite_exclusive_bound(map: &mut Map<String, Value>, exclusive: &str, inclusive: &str) {
    if let Some(bound @ Value::Number(_)) = map.get(exclusive).cloned() {
        map.insert(inclusive.into(), bound);
        map.insert(exclusive.into(), Value::Bool(true));
    }
}

fn rewrite_content_encoding(map: &mut Map<String, Value>) {
    if map
        .shift_remove("contentEncoding")
        .is_some_and(|encoding| encoding == "base64")
    {
        map.entry("format")
            .or_insert_with(|| Value::String("byte".into()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn downgrade(schema: Value) -> Result<Value, PrepareError> {
        let mut doc = json!({"openapi": "3.1.0", "components": {"schemas": {"S": schema}}});
        to_openapi_30(&mut doc, "spec.yaml")?;
        Ok(doc["components"]["schemas"]["S"].take())
    }

    #[test]
    fn a_null_member_of_a_union_becomes_a_null_only_schema() {
        let union = json!({"anyOf": [{"$ref": "#/components/schemas/T"}, {"type": "null"}], "description": "d"});
        assert_eq!(
            downgrade(union).unwrap(),
            json!({"anyOf": [{"$ref": "#/components/schemas/T"}, {"type": "string", "nullable": true, "enum": [null]}], "description": "d"})
        );
        let one_of = json!({"oneOf": [{"type": "integer"}, {"type": ["null"]}]});
        assert_eq!(
            downgrade(one_of).unwrap()["oneOf"][1],
            json!({"type": "string", "nullable": true, "enum": [null]})
        );
        assert!(
            downgrade(json!({"type": "null"})).is_err(),
            "alone it still has no 3.0 form"
        );
    }

    #[test]
    fn version_becomes_3_0_3_and_paths_exist() {
        let mut doc =
            json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1", "summary": "s"}});
        to_openapi_30(&mut doc, "f").unwrap();
        assert_eq!(
            doc,
            json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}})
        );
    }

    #[test]
    fn a_3_0_document_is_left_alone() {
        let mut doc = json!({"openapi": "3.0.1", "components": {"schemas": {"S": {"type": ["string", "null"]}}}});
        let before = doc.clone();
        to_openapi_30(&mut doc, "f").unwrap();
        assert_eq!(doc, before);
    }

    #[test]
    fn other_versions_are_rejected() {
        let mut doc = json!({"swagger": "2.0"});
        let err = to_openapi_30(&mut doc, "f.yaml").unwrap_err();
        assert_eq!(
            err.to_string(),
            "f.yaml: at /openapi: expected OpenAPI 3.0 or 3.1, found \"\""
        );
    }

    #[test]
    fn type_null_pairs_become_nullable() {
        assert_eq!(
            downgrade(json!({"type": ["string", "null"], "description": "d"})).unwrap(),
            json!({"type": "string", "description": "d", "nullable": true})
        );
        assert_eq!(
            downgrade(json!({"type": ["integer"]})).unwrap(),
            json!({"type": "integer"})
        );
    }

    #[test]
    fn nested_schemas_are_rewritten() {
        let out = downgrade(json!({"type": "object", "properties": {
            "a": {"type": ["string", "null"]},
            "b": {"type": "array", "items": {"type": ["integer", "null"]}},
            "c": {"allOf": [{"type": ["boolean", "null"]}]},
            "d": {"type": "object", "additionalProperties": {"type": ["number", "null"]}}
        }}))
        .unwrap();
        assert_eq!(out["properties"]["a"]["nullable"], true);
        assert_eq!(out["properties"]["b"]["items"]["nullable"], true);
        assert_eq!(out["properties"]["c"]["allOf"][0]["type"], "boolean");
        assert_eq!(
            out["properties"]["d"]["additionalProperties"]["type"],
            "number"
        );
    }

    #[test]
    fn parameter_and_response_schemas_are_rewritten_but_examples_are_not() {
        let mut doc = json!({"openapi": "3.1.0", "paths": {"/x": {"get": {
            "parameters": [{"name": "p", "in": "query", "schema": {"type": ["string", "null"]}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"const": "A"},
                "example": {"type": ["string", "null"]}}}}}}}}});
        to_openapi_30(&mut doc, "f").unwrap();
        let op = &doc["paths"]["/x"]["get"];
        assert_eq!(
            op["parameters"][0]["schema"],
            json!({"type": "string", "nullable": true})
        );
        let content = &op["responses"]["200"]["content"]["application/json"];
        assert_eq!(content["schema"], json!({"enum": ["A"]}));
        assert_eq!(content["example"], json!({"type": ["string", "null"]}));
    }

    #[test]
    fn property_named_type_is_not_mistaken_for_the_keyword() {
        let out = downgrade(json!({"type": "object", "properties": {"type": {"type": "string"}}}))
            .unwrap();
        assert_eq!(out["properties"]["type"], json!({"type": "string"}));
    }

    #[test]
    fn examples_const_bounds_and_encoding() {
        assert_eq!(
            downgrade(json!({"type": "integer", "examples": [3, 4], "exclusiveMinimum": 0, "exclusiveMaximum": 10})).unwrap(),
            json!({"type": "integer", "exclusiveMinimum": true, "exclusiveMaximum": true, "example": 3, "minimum": 0, "maximum": 10})
        );
        assert_eq!(
            downgrade(json!({"type": "string", "contentEncoding": "base64", "$comment": "c"}))
                .unwrap(),
            json!({"type": "string", "format": "byte"})
        );
    }

    #[test]
    fn untranslatable_constructs_name_their_pointer() {
        let err = downgrade(
            json!({"type": "object", "properties": {"a~b": {"type": "array", "prefixItems": []}}}),
        )
        .unwrap_err();
        assert_eq!(
            err.location.as_deref(),
            Some("/components/schemas/S/properties/a~0b")
        );
        assert!(err.message.contains("`prefixItems`"), "{err}");

        let only_null = downgrade(json!({"type": ["null"]})).unwrap_err();
        assert_eq!(
            only_null.location.as_deref(),
            Some("/components/schemas/S/type")
        );

        let two = downgrade(json!({"type": ["string", "integer", "null"]})).unwrap_err();
        assert!(
            two.message
                .contains("2 non-null types (\"string\", \"integer\")"),
            "{two}"
        );
    }

    #[test]
    fn document_level_3_1_extras_are_dropped() {
        let mut doc = json!({"openapi": "3.1.1", "webhooks": {}, "jsonSchemaDialect": "x",
            "info": {"title": "t", "version": "1", "license": {"name": "MIT", "identifier": "MIT"}},
            "components": {"pathItems": {}}, "paths": {}});
        to_openapi_30(&mut doc, "f").unwrap();
        assert_eq!(
            doc,
            json!({"openapi": "3.0.3",
            "info": {"title": "t", "version": "1", "license": {"name": "MIT"}},
            "components": {}, "paths": {}})
        );
    }
}
