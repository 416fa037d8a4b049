//! Every type the SDK layer names is a component schema: component names
//! become Rust type names, and inline object schemas of request bodies and
//! responses become components named as progenitor would name them
//! (`<OperationId>Body`, `<OperationId>Response`). The SDK layer then maps
//! a schema to a Rust type by its reference alone (`types::<Name>`).

use std::collections::BTreeMap;

use heck::ToUpperCamelCase;
use serde_json::{Map, Value};

use super::for_each_operation;
use crate::PrepareError;

const SCHEMAS_PREFIX: &str = "#/components/schemas/";

/// Renames component schemas to Rust type names (`instance-response`
/// becomes `InstanceResponse`), rewriting every reference; two schemas that
/// would get one name are an error naming both.
pub(super) fn rust_schema_names(document: &mut Value, file: &str) -> Result<(), PrepareError> {
    let Some(schemas) = document
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return Ok(());
    };
    let mut renames = BTreeMap::new();
    let mut taken: BTreeMap<String, String> = BTreeMap::new();
    for name in schemas.keys() {
        let rust = rust_type_name(name);
        if let Some(other) = taken.insert(rust.clone(), name.clone()) {
            return Err(PrepareError::at(
                file,
                format!("/components/schemas/{name}"),
                format!("schemas `{other}` and `{name}` would both be the Rust type `{rust}`"),
            ));
        }
        if rust != *name {
            renames.insert(format!("{SCHEMAS_PREFIX}{name}"), rust);
        }
    }
    if renames.is_empty() {
        return Ok(());
    }
    let renamed: Map<String, Value> = std::mem::take(schemas)
        .into_iter()
        .map(|(name, schema)| (rust_type_name(&name), schema))
        .collect();
    *schemas = renamed;
    rewrite_references(document, &renames);
    Ok(())
}

/// A schema name as a Rust type name.
fn rust_type_name(name: &str) -> String {
    let camel = name.to_upper_camel_case();
    match camel.chars().next() {
        Some(first) if first.is_ascii_alphabetic() => camel,
        _ => format!("Schema{camel}"),
    }
}

fn rewrite_references(value: &mut Value, renames: &BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get_mut("$ref")
                && let Some(rust) = renames.get(target.as_str())
            {
                *target = format!("{SCHEMAS_PREFIX}{rust}");
            }
            for (key, child) in map.iter_mut() {
                if !is_data(key) {
                    rewrite_references(child, renames);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| rewrite_references(item, renames)),
        _ => {}
    }
}

/// Keys whose values are data, not schemas.
fn is_data(key: &str) -> bool {
    key == "example" || key == "examples" || key.starts_with("x-")
}

/// Moves the inline object schemas of request bodies and success responses
/// (and of the items of array ones) into `components.schemas`.
pub(super) fn inline_schemas_to_components(
    document: &mut Value,
    file: &str,
) -> Result<(), PrepareError> {
    let mut hoisted: Vec<(String, Value, String)> = Vec::new();
    for_each_operation(document, |path, method, operation| {
        let id = operation
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_upper_camel_case();
        let label = format!("{} {path}", method.to_uppercase());
        if let Some(schema) = operation
            .get_mut("requestBody")
            .and_then(|body| body.pointer_mut("/content/application~1json/schema"))
        {
            hoist(schema, format!("{id}Body"), &label, &mut hoisted);
        }
        if let Some(Value::Object(responses)) = operation.get_mut("responses") {
            for response in responses.values_mut() {
                if let Some(schema) = response.pointer_mut("/content/application~1json/schema") {
                    hoist(schema, format!("{id}Response"), &label, &mut hoisted);
                }
            }
        }
        Ok(())
    })?;
    if hoisted.is_empty() {
        return Ok(());
    }
    let components = document.as_object_mut().map(|root| {
        root.entry("components")
            .or_insert_with(|| Value::Object(Map::new()))
    });
    let Some(Value::Object(components)) = components else {
        return Err(PrepareError::at(file, "/components", "is not an object"));
    };
    let schemas = components
        .entry("schemas")
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(schemas) = schemas else {
        return Err(PrepareError::at(
            file,
            "/components/schemas",
            "is not an object",
        ));
    };
    for (name, schema, label) in hoisted {
        match schemas.get(&name) {
            Some(existing) if *existing != schema => {
                return Err(PrepareError::at(
                    file,
                    label,
                    format!(
                        "its inline schema would be the type `{name}`, which a component schema already is"
                    ),
                ));
            }
            _ => {
                schemas.insert(name, schema);
            }
        }
    }
    Ok(())
}

/// Replaces `schema` by a reference to a component called `name` when it is
/// an inline object (or an array of them), recording it in `hoisted`.
fn hoist(
    schema: &mut Value,
    name: String,
    label: &str,
    hoisted: &mut Vec<(String, Value, String)>,
) {
    if schema.get("type").and_then(Value::as_str) == Some("array") {
        if let Some(items) = schema.get_mut("items") {
            hoist(items, format!("{name}Item"), label, hoisted);
        }
        return;
    }
    if !is_inline_object(schema) {
        return;
    }
    let reference = serde_json::json!({"$ref": format!("{SCHEMAS_PREFIX}{name}")});
    let inline = std::mem::replace(schema, reference);
    hoisted.push((name, inline, label.to_owned()));
}

/// An object schema with properties written in place (not a reference).
/// (A free-form object stays as it is: the SDK layer decodes it as JSON.)
fn is_inline_object(schema: &Value) -> bool {
    schema.get("$ref").is_none() && schema.get("properties").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn schema_names_become_type_names_and_references_follow() {
        let mut doc = json!({"components": {"schemas": {
            "instance-response": {"type": "object", "properties": {"owner": {"$ref": "#/components/schemas/owner_info"}}},
            "owner_info": {"type": "object", "example": {"$ref": "#/components/schemas/owner_info"}},
            "Kept": {"type": "string"}
        }}, "paths": {"/a": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/instance-response"}}}}}}}}});
        rust_schema_names(&mut doc, "spec.yaml").unwrap();
        let names: Vec<&String> = doc["components"]["schemas"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(names, ["InstanceResponse", "OwnerInfo", "Kept"]);
        assert_eq!(
            doc["components"]["schemas"]["InstanceResponse"]["properties"]["owner"]["$ref"],
            "#/components/schemas/OwnerInfo"
        );
        assert_eq!(
            doc["components"]["schemas"]["OwnerInfo"]["example"]["$ref"],
            "#/components/schemas/owner_info",
            "examples are data"
        );
        assert_eq!(
            doc["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
                ["$ref"],
            "#/components/schemas/InstanceResponse"
        );
    }

    #[test]
    fn two_schemas_with_one_type_name_are_an_error_naming_both() {
        let mut doc = json!({"components": {"schemas": {"a_b": {}, "A_B": {}}}});
        let err = rust_schema_names(&mut doc, "spec.yaml").unwrap_err();
        assert_eq!(
            err.message,
            "schemas `a_b` and `A_B` would both be the Rust type `AB`"
        );
    }

    #[test]
    fn inline_bodies_and_responses_become_components() {
        let mut doc = json!({"paths": {"/{instance}/logout": {"post": {
            "operationId": "logout_instance",
            "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"why": {"type": "string"}}}}}},
            "responses": {
                "200": {"content": {"application/json": {"schema": {"type": "object", "properties": {"message": {"type": "string", "example": "bye"}}}}}},
                "202": {"content": {"application/json": {"schema": {"type": "array", "items": {"properties": {"id": {"type": "string"}}}}}}},
                "204": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Kept"}}}}
            }
        }}}});
        inline_schemas_to_components(&mut doc, "spec.yaml").unwrap();
        let op = &doc["paths"]["/{instance}/logout"]["post"];
        assert_eq!(
            op["requestBody"]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/schemas/LogoutInstanceBody"})
        );
        assert_eq!(
            op["responses"]["200"]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/schemas/LogoutInstanceResponse"})
        );
        assert_eq!(
            op["responses"]["202"]["content"]["application/json"]["schema"]["items"],
            json!({"$ref": "#/components/schemas/LogoutInstanceResponseItem"})
        );
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["LogoutInstanceResponse"]["properties"]["message"]["example"],
            "bye"
        );
        assert!(schemas["LogoutInstanceBody"].is_object());
        assert!(schemas.get("Kept").is_none(), "references stay references");
    }

    #[test]
    fn a_hoisted_name_taken_by_another_schema_is_an_error() {
        let mut doc = json!({
            "paths": {"/a": {"get": {"operationId": "get_a", "responses": {"200": {"content": {"application/json": {"schema": {"properties": {}}}}}}}}},
            "components": {"schemas": {"GetAResponse": {"type": "string"}}}
        });
        let err = inline_schemas_to_components(&mut doc, "spec.yaml").unwrap_err();
        assert_eq!(err.location.as_deref(), Some("GET /a"));
        assert!(err.message.contains("`GetAResponse`"), "{err}");
    }
}
