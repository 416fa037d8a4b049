//! The docs of the generated types, written into progenitor's input as
//! `description`s (which typify turns into doc comments), so the types come
//! out documented and nothing rewrites them afterwards:
//!
//! - a component schema: its description (or what it is), which operations
//!   return it or take it, and its example;
//! - a property: its description (or that of the schema it refers to) and
//!   its example. A `$ref` property is written `allOf: [$ref]` so that it
//!   can carry a description at all (OpenAPI 3.0 ignores `$ref` siblings).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

const SCHEMAS_PREFIX: &str = "#/components/schemas/";

/// Documents every component schema and property of `document`.
pub(super) fn describe_types(document: &mut Value) {
    let uses = schema_uses(document);
    let original = document.clone();
    let Some(schemas) = document
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (name, schema) in schemas.iter_mut() {
        let Value::Object(schema) = schema else {
            continue;
        };
        let text = type_doc(name, schema, uses.get(name));
        schema.insert("description".into(), Value::String(text));
        if let Some(Value::Object(properties)) = schema.get_mut("properties") {
            for (field, property) in properties.iter_mut() {
                describe_property(&original, field, property);
            }
        }
    }
}

/// The type's doc: the schema's description or what it is, then which
/// operations use it, then its example.
fn type_doc(name: &str, schema: &Map<String, Value>, uses: Option<&Vec<String>>) -> String {
    let mut text = schema
        .get("description")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map_or_else(|| format!("The `{name}` schema of the API."), str::to_owned);
    if let Some(uses) = uses {
        text.push_str("\n\n");
        text.push_str(&uses.join("\n"));
    }
    if let Some(example) = schema.get("example") {
        text.push_str(&example_line(example));
    }
    text
}

fn describe_property(document: &Value, field: &str, property: &mut Value) {
    let referred = referred_schema(document, property);
    let pick = |key: &str| {
        property
            .get(key)
            .or_else(|| referred.and_then(|r| r.get(key)))
            .cloned()
    };
    let mut text = pick("description")
        .as_ref()
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map_or_else(|| format!("The `{field}` field."), str::to_owned);
    if let Some(example) = pick("example") {
        text.push_str(&example_line(&example));
    }
    if let Some(reference) = property.get("$ref").cloned() {
        *property = serde_json::json!({"allOf": [{"$ref": reference}]});
    }
    if let Value::Object(property) = property {
        property.insert("description".into(), Value::String(text));
    }
}

/// `Example: `WORKING``: a string as itself, anything else as JSON.
fn example_line(example: &Value) -> String {
    match example {
        Value::String(text) => format!("\n\nExample: `{text}`"),
        other => format!("\n\nExample: `{other}`"),
    }
}

/// The component a property refers to, directly or through `allOf`,
/// `oneOf` or `anyOf` with one non-null member.
fn referred_schema<'a>(document: &'a Value, property: &Value) -> Option<&'a Value> {
    let reference = property.get("$ref").and_then(Value::as_str).or_else(|| {
        ["allOf", "oneOf", "anyOf"].iter().find_map(|key| {
            property
                .get(*key)?
                .as_array()?
                .iter()
                .find_map(|member| member.get("$ref").and_then(Value::as_str))
        })
    })?;
    document.pointer(reference.strip_prefix('#')?)
}

/// Schema name -> doc lines saying which operations return it or take it.
fn schema_uses(document: &Value) -> BTreeMap<String, Vec<String>> {
    let mut uses: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let operations = document
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .flat_map(|(_, item)| item.as_object().into_iter().flatten())
        .filter_map(|(_, operation)| {
            let id = operation.get("operationId")?.as_str()?;
            Some((id, operation))
        });
    for (id, operation) in operations {
        let link = format!("[`Client::{id}`](crate::Client::{id})");
        let success = operation
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter(|(status, _)| status.starts_with('2'))
            .filter_map(|(_, response)| response.pointer("/content/application~1json/schema"));
        for schema in success {
            if let Some(name) = schema_name(schema) {
                push_unique(&mut uses, name, format!("Returned by {link}."));
            }
        }
        if let Some(name) = operation
            .pointer("/requestBody/content/application~1json/schema")
            .and_then(schema_name)
        {
            push_unique(&mut uses, name, format!("The request body of {link}."));
        }
    }
    uses
}

fn push_unique(uses: &mut BTreeMap<String, Vec<String>>, name: String, line: String) {
    let lines = uses.entry(name).or_default();
    if !lines.contains(&line) {
        lines.push(line);
    }
}

/// `{$ref: .../Name}` or `{type: array, items: {$ref: .../Name}}` gives `Name`.
fn schema_name(schema: &Value) -> Option<String> {
    let reference = schema
        .get("$ref")
        .or_else(|| schema.get("items").and_then(|items| items.get("$ref")))?
        .as_str()?;
    reference.strip_prefix(SCHEMAS_PREFIX).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn types_and_fields_are_documented_from_the_spec() {
        let mut document = json!({
            "paths": {"/t": {"get": {"operationId": "get_thing", "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}}}},
            "components": {"schemas": {
                "Status": {"type": "string", "description": "Lifecycle state.", "example": "WORKING"},
                "Thing": {"type": "object", "properties": {
                    "status": {"$ref": "#/components/schemas/Status"},
                    "name": {"type": "string", "description": "Own words"},
                    "bare": {"type": "integer", "example": 3}
                }}
            }}
        });
        describe_types(&mut document);
        let thing = &document["components"]["schemas"]["Thing"];
        assert_eq!(
            thing["description"],
            "The `Thing` schema of the API.\n\nReturned by [`Client::get_thing`](crate::Client::get_thing)."
        );
        assert_eq!(
            thing["properties"]["status"],
            json!({"allOf": [{"$ref": "#/components/schemas/Status"}], "description": "Lifecycle state.\n\nExample: `WORKING`"})
        );
        assert_eq!(thing["properties"]["name"]["description"], "Own words");
        assert_eq!(
            thing["properties"]["bare"]["description"],
            "The `bare` field.\n\nExample: `3`"
        );
        assert_eq!(
            document["components"]["schemas"]["Status"]["description"],
            "Lifecycle state.\n\nExample: `WORKING`"
        );
    }
}
