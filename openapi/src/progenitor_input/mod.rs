//! Operation ids for every operation, and the adaptations of the contract
//! document to what progenitor (and typify under it) reads well:
//!
//! - [`assign_operation_ids`] (part of the contract document): every
//!   operation gets an `operationId`, the snake case of its summary
//!   (`Request New QR Code` becomes `request_new_qr_code`), or of its method
//!   and path when it has no summary; an id the vendor sets is kept; two
//!   operations with the same id are an error naming both;
//! - [`adapt`] (progenitor's input only):
//!   - `Accept`, `Content-Type` and `Authorization` header parameters are
//!     dropped: the client sets them itself, so they would only become
//!     redundant builder arguments;
//!   - only success (2xx) responses are kept: the hand-written response
//!     pipeline reads every other status itself, so that a 500 HTML page
//!     keeps its status and body instead of becoming a payload error (the
//!     contract document keeps the documented errors for other tools);
//!   - `pattern`, `minLength` and `maxLength` are removed: typify would turn
//!     each constrained string into a newtype with its own error type (and a
//!     regex engine for every consumer), while the catalog generated from the
//!     contract document checks the same rules once, for the client, the CLI
//!     and the mock alike;
//!   - "S or null" (`anyOf: [S, <null only>]`, valid OpenAPI 3.0) becomes
//!     `{nullable: true, allOf: [S]}`, which typify reads as `Option<S>`;
//!   - a component schema that is then a plain string (the shared `Phone`)
//!     is written in place of each reference to it, so its fields are
//!     `String`s rather than a newtype per rule holder;
//!   - an inline parameter schema loses its `enum` (the catalog checks the
//!     values), so that no operation needs a type of its own for one;
//!   - so does any other enum of strings that is not a component schema
//!     (a property's): it becomes a `String` whose doc lists the values, so
//!     that a value the server adds never fails a response (component
//!     enums become open enums, see the SDK layer);
//!   - component schemas get Rust type names and inline body and response
//!     objects become components ([`hoist`]), so every type the SDK layer
//!     names is `types::<Schema>`;
//!   - every type and field is documented from the spec ([`docs`]).

mod docs;
mod hoist;

use std::collections::BTreeMap;

use heck::ToSnakeCase;
use serde_json::{Map, Value};

use crate::PrepareError;
use crate::overlay::HTTP_METHODS;

/// Header parameters the client always supplies itself.
const CLIENT_HEADERS: [&str; 3] = ["accept", "content-type", "authorization"];

/// Gives every operation of `document` (named `file` in errors) an
/// operationId, refusing duplicates.
pub fn assign_operation_ids(document: &mut Value, file: &str) -> Result<(), PrepareError> {
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    for_each_operation(document, |path, method, operation| {
        let label = format!("{} {path}", method.to_uppercase());
        let id = assign_operation_id(operation, method, path);
        match ids.insert(id.clone(), label.clone()) {
            Some(previous) => Err(PrepareError::at(
                file,
                label,
                format!(
                    "operationId `{id}` is also the id of `{previous}`; operationIds must be unique"
                ),
            )),
            None => Ok(()),
        }
    })
}

/// Adapts a contract document (operation ids assigned; named `file` in
/// errors) into progenitor's input.
pub fn adapt(document: &mut Value, file: &str) -> Result<(), PrepareError> {
    if let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            drop_client_headers(item);
            plain_parameter_values(item);
        }
    }
    for_each_operation(document, |_, _, operation| {
        drop_client_headers(operation);
        plain_parameter_values(operation);
        keep_success_responses(operation);
        Ok(())
    })?;
    rewrite_schemas_for_typify(document);
    plain_inline_enums(document);
    inline_plain_strings(document);
    hoist::rust_schema_names(document, file)?;
    hoist::inline_schemas_to_components(document, file)?;
    docs::describe_types(document);
    Ok(())
}

/// Inline enums of parameters become plain values (see the module docs).
fn plain_parameter_values(holder: &mut Map<String, Value>) {
    if let Some(Value::Array(parameters)) = holder.get_mut("parameters") {
        for parameter in parameters {
            if let Some(Value::Object(schema)) = parameter.get_mut("schema") {
                schema.shift_remove("enum");
            }
        }
    }
}

/// Every enum of strings below a component schema's root, and in the
/// operations, becomes a plain string documented with its values.
fn plain_inline_enums(document: &mut Value) {
    if let Some(schemas) = document
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for schema in schemas.values_mut().filter_map(Value::as_object_mut) {
            for (key, child) in schema.iter_mut() {
                if !is_data_key(key) {
                    plain_enums_in(child);
                }
            }
        }
    }
    if let Some(paths) = document.get_mut("paths") {
        plain_enums_in(paths);
    }
}

fn plain_enums_in(value: &mut Value) {
    match value {
        Value::Object(map) => {
            plain_enum(map);
            for (key, child) in map.iter_mut() {
                if !is_data_key(key) {
                    plain_enums_in(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(plain_enums_in),
        _ => {}
    }
}

/// A string enum schema (null allowed) as a string documented with its values.
fn plain_enum(map: &mut Map<String, Value>) {
    let Some(Value::Array(values)) = map.get("enum") else {
        return;
    };
    let strings: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
    let only_strings = values.iter().all(|v| v.is_string() || v.is_null());
    if strings.is_empty() || !only_strings {
        return;
    }
    let listed = format!("One of `{}`.", strings.join("`, `"));
    let description = match map
        .get("description")
        .and_then(Value::as_str)
        .map(str::trim)
    {
        Some(own) if !own.is_empty() => format!("{own} {listed}"),
        _ => listed,
    };
    map.shift_remove("enum");
    map.insert("description".into(), Value::String(description));
}

fn is_data_key(key: &str) -> bool {
    key == "example" || key == "examples" || key.starts_with("x-")
}

/// See the module docs; hand-written replacement types are never inlined.
fn inline_plain_strings(document: &mut Value) {
    let Some(schemas) = document
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let plain: Vec<(String, Value)> = schemas
        .iter()
        .filter(|(name, schema)| {
            !crate::crate_paths::ROOT_TYPES.contains(&name.as_str())
                && schema.get("type").and_then(Value::as_str) == Some("string")
                && schema.get("enum").is_none()
        })
        .map(|(name, schema)| (format!("#/components/schemas/{name}"), schema.clone()))
        .collect();
    for (reference, _) in &plain {
        let name = reference.rsplit('/').next().unwrap_or_default();
        schemas.shift_remove(name);
    }
    if !plain.is_empty() {
        replace_references(document, &plain);
    }
}

fn replace_references(value: &mut Value, plain: &[(String, Value)]) {
    match value {
        Value::Object(map) => {
            let target = map.get("$ref").and_then(Value::as_str);
            if let Some((_, schema)) = plain.iter().find(|(r, _)| Some(r.as_str()) == target) {
                *value = schema.clone();
                return;
            }
            for (key, child) in map.iter_mut() {
                if !(key == "example" || key == "examples" || key.starts_with("x-")) {
                    replace_references(child, plain);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| replace_references(item, plain)),
        _ => {}
    }
}

fn for_each_operation(
    document: &mut Value,
    mut visit: impl FnMut(&str, &str, &mut Map<String, Value>) -> Result<(), PrepareError>,
) -> Result<(), PrepareError> {
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for method in HTTP_METHODS {
            if let Some(operation) = item.get_mut(method).and_then(Value::as_object_mut) {
                visit(path, method, operation)?;
            }
        }
    }
    Ok(())
}

/// Keywords typify would turn into constrained newtypes (see the module docs).
const CONSTRAINTS: [&str; 3] = ["pattern", "minLength", "maxLength"];

/// Walks every object outside examples and extensions, removing
/// [`CONSTRAINTS`] from string schemas and rewriting nullable unions.
fn rewrite_schemas_for_typify(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("type").and_then(Value::as_str) == Some("string") {
                for keyword in CONSTRAINTS {
                    map.shift_remove(keyword);
                }
            }
            nullable_union_to_all_of(map);
            for (key, child) in map.iter_mut() {
                let is_data = key == "example" || key == "examples" || key.starts_with("x-");
                if !is_data {
                    rewrite_schemas_for_typify(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_schemas_for_typify),
        _ => {}
    }
}

/// `anyOf`/`oneOf: [S, <null only>]` becomes `nullable: true, allOf: [S]`.
fn nullable_union_to_all_of(map: &mut Map<String, Value>) {
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(members)) = map.get(key) else {
            continue;
        };
        let [first, second] = members.as_slice() else {
            continue;
        };
        let other = match (is_null_only(first), is_null_only(second)) {
            (false, true) => first.clone(),
            (true, false) => second.clone(),
            _ => continue,
        };
        map.shift_remove(key);
        map.insert("nullable".into(), Value::Bool(true));
        map.insert("allOf".into(), Value::Array(vec![other]));
        return;
    }
}

/// What [`crate::downgrade`] writes for a null member: matches null only.
fn is_null_only(schema: &Value) -> bool {
    schema.get("enum").and_then(Value::as_array) == Some(&vec![Value::Null])
}

/// The operationId an operation gets: its own, or one derived from its summary.
pub fn operation_id(operation: &Map<String, Value>, method: &str, path: &str) -> String {
    if let Some(id) = operation.get("operationId").and_then(Value::as_str) {
        return id.to_owned();
    }
    match operation
        .get("summary")
        .and_then(Value::as_str)
        .map(str::trim)
    {
        Some(summary) if summary.chars().any(char::is_alphanumeric) => summary.to_snake_case(),
        _ => format!("{method} {path}").to_snake_case(),
    }
}

fn assign_operation_id(operation: &mut Map<String, Value>, method: &str, path: &str) -> String {
    let id = operation_id(operation, method, path);
    operation.insert("operationId".into(), Value::String(id.clone()));
    id
}

fn drop_client_headers(holder: &mut Map<String, Value>) {
    if let Some(Value::Array(parameters)) = holder.get_mut("parameters") {
        parameters.retain(|parameter| !is_client_header(parameter));
    }
}

fn is_client_header(parameter: &Value) -> bool {
    let text = |key: &str| {
        parameter
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    is_client_supplied(text("name"), text("in"))
}

/// Whether the client supplies this parameter itself on every request
/// (`Accept`, `Content-Type`, `Authorization` headers).
pub(crate) fn is_client_supplied(name: &str, location: &str) -> bool {
    location == "header" && CLIENT_HEADERS.contains(&name.to_ascii_lowercase().as_str())
}

fn keep_success_responses(operation: &mut Map<String, Value>) {
    if let Some(Value::Object(responses)) = operation.get_mut("responses") {
        responses.retain(|status, _| status.starts_with('2'));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn adapted(paths: Value) -> Result<Value, PrepareError> {
        let mut doc = json!({"openapi": "3.0.3", "paths": paths});
        assign_operation_ids(&mut doc, "spec.yaml")?;
        adapt(&mut doc, "spec.yaml")?;
        Ok(doc["paths"].take())
    }

    #[test]
    fn constraints_are_left_to_the_catalog_and_nullable_unions_become_all_of() {
        let mut doc = json!({"components": {"schemas": {
            "Owner": {"type": "object", "properties": {
                "phone": {"type": "string", "pattern": "^\\+[0-9]+$", "maxLength": 16, "example": {"pattern": "kept"}}
            }},
            "Thing": {"type": "object", "properties": {
                "owner": {"anyOf": [{"$ref": "#/components/schemas/Owner"}, {"type": "string", "nullable": true, "enum": [null]}], "description": "d"},
                "count": {"type": "integer", "maxLength": 3}
            }}
        }}});
        rewrite_schemas_for_typify(&mut doc);
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["Owner"]["properties"]["phone"],
            json!({"type": "string", "example": {"pattern": "kept"}})
        );
        assert_eq!(
            schemas["Thing"]["properties"]["owner"],
            json!({"description": "d", "nullable": true, "allOf": [{"$ref": "#/components/schemas/Owner"}]})
        );
        assert_eq!(
            schemas["Thing"]["properties"]["count"]["maxLength"], 3,
            "only strings lose them"
        );
    }

    #[test]
    fn inline_enums_become_documented_strings_and_component_enums_stay() {
        let mut doc = json!({"components": {"schemas": {
            "Kind": {"type": "string", "enum": ["a", "b"]},
            "Thing": {"type": "object", "properties": {
                "state": {"type": "string", "enum": ["ON", "OFF", null], "description": "The state."},
                "level": {"type": "integer", "enum": [1, 2]},
                "kind": {"$ref": "#/components/schemas/Kind"}
            }}
        }}});
        plain_inline_enums(&mut doc);
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["Kind"]["enum"], json!(["a", "b"]));
        assert_eq!(
            schemas["Thing"]["properties"]["state"],
            json!({"type": "string", "description": "The state. One of `ON`, `OFF`."})
        );
        assert_eq!(
            schemas["Thing"]["properties"]["level"]["enum"],
            json!([1, 2])
        );
    }

    #[test]
    fn plain_string_components_are_inlined_but_replacements_are_not() {
        let mut doc = json!({"components": {"schemas": {
            "Phone": {"type": "string", "pattern": "^x$", "description": "A phone"},
            "AccessToken": {"type": "string"},
            "Thing": {"type": "object", "properties": {
                "phone": {"$ref": "#/components/schemas/Phone"},
                "token": {"$ref": "#/components/schemas/AccessToken"}
            }}
        }}, "paths": {"/a": {"get": {"parameters": [{"name": "p", "in": "query", "schema": {"$ref": "#/components/schemas/Phone"}}]}}}});
        rewrite_schemas_for_typify(&mut doc);
        inline_plain_strings(&mut doc);
        let schemas = &doc["components"]["schemas"];
        assert!(schemas.get("Phone").is_none());
        assert_eq!(
            schemas["Thing"]["properties"]["phone"],
            json!({"type": "string", "description": "A phone"})
        );
        assert_eq!(
            schemas["Thing"]["properties"]["token"],
            json!({"$ref": "#/components/schemas/AccessToken"})
        );
        assert_eq!(
            doc["paths"]["/a"]["get"]["parameters"][0]["schema"],
            json!({"type": "string", "description": "A phone"})
        );
    }

    #[test]
    fn operation_ids_come_from_summaries() {
        let paths = adapted(json!({
            "/instances": {"get": {"summary": "List Instances"}},
            "/create-instance": {"post": {"summary": "Create Instance"}},
            "/{instance}/health": {"get": {"summary": "Check Health"}},
            "/{instance}/request-new-qr-code": {"post": {"summary": "Request New QR Code"}},
            "/{instance}/restart": {"post": {"summary": "  Restart Instance "}}
        }))
        .unwrap();
        let ids: Vec<_> = paths
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .map(|op| op["operationId"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            ids,
            [
                "list_instances",
                "create_instance",
                "check_health",
                "request_new_qr_code",
                "restart_instance"
            ]
        );
    }

    #[test]
    fn vendor_ids_are_kept_and_missing_summaries_use_the_path() {
        let paths = adapted(json!({
            "/a": {"get": {"operationId": "vendorChoice", "summary": "Ignored"}},
            "/{instance}/health": {"get": {}}
        }))
        .unwrap();
        assert_eq!(paths["/a"]["get"]["operationId"], "vendorChoice");
        assert_eq!(
            paths["/{instance}/health"]["get"]["operationId"],
            "get_instance_health"
        );
    }

    #[test]
    fn duplicate_ids_name_both_operations() {
        let err = adapted(json!({
            "/a": {"get": {"summary": "List Instances"}},
            "/b": {"get": {"summary": "List  instances"}}
        }))
        .unwrap_err();
        assert_eq!(err.location.as_deref(), Some("GET /b"));
        assert_eq!(
            err.message,
            "operationId `list_instances` is also the id of `GET /a`; operationIds must be unique"
        );
    }

    #[test]
    fn client_headers_are_dropped_and_others_kept() {
        let paths = adapted(json!({"/a": {
        "parameters": [{"name": "Authorization", "in": "header"}],
        "get": {"summary": "A", "parameters": [
            {"name": "Accept", "in": "header"},
            {"name": "content-type", "in": "header"},
            {"name": "X-Trace", "in": "header"},
            {"name": "accept", "in": "query"}
        ]}}}))
        .unwrap();
        assert_eq!(paths["/a"]["parameters"], json!([]));
        assert_eq!(
            paths["/a"]["get"]["parameters"],
            json!([{"name": "X-Trace", "in": "header"}, {"name": "accept", "in": "query"}])
        );
    }

    #[test]
    fn only_success_responses_are_kept() {
        let paths = adapted(json!({"/a": {"post": {"summary": "A", "responses": {
            "200": {"description": "ok"}, "201": {"description": "created"}, "2XX": {"description": "any"},
            "404": {"description": "nf"}, "422": {"description": "v"}, "default": {"description": "d"}}}}}))
        .unwrap();
        let kept: Vec<_> = paths["/a"]["post"]["responses"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(kept, ["200", "201", "2XX"]);
    }
}
