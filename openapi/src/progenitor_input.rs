//! Adapts an OpenAPI 3.0 document to what progenitor needs and to how the
//! `hypersender` crate works:
//!
//! - every operation gets an `operationId`, the snake case of its summary
//!   (`Request New QR Code` becomes `request_new_qr_code`), or of its method
//!   and path when it has no summary; an id the vendor sets is kept; two
//!   operations with the same id are an error naming both;
//! - `Accept`, `Content-Type` and `Authorization` header parameters are
//!   dropped: the client sets the first two itself and authenticates every
//!   call, so they would only become redundant builder arguments;
//! - only success (2xx) responses are kept: the hand-written error layer reads
//!   every other status itself, so that a 500 HTML page keeps its status and
//!   body instead of becoming a payload error (the documented error schema
//!   stays in the overlay for readers and other tools).

use std::collections::BTreeMap;

use heck::ToSnakeCase;
use serde_json::{Map, Value};

use crate::PrepareError;
use crate::overlay::HTTP_METHODS;

/// Header parameters the client always supplies itself.
const CLIENT_HEADERS: [&str; 3] = ["accept", "content-type", "authorization"];

/// Applies every adaptation to `document` (named `file` in errors).
pub fn adapt(document: &mut Value, file: &str) -> Result<(), PrepareError> {
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        drop_client_headers(item);
        for method in HTTP_METHODS {
            let Some(operation) = item.get_mut(method).and_then(Value::as_object_mut) else {
                continue;
            };
            let label = format!("{} {path}", method.to_uppercase());
            let id = assign_operation_id(operation, method, path);
            if let Some(previous) = ids.insert(id.clone(), label.clone()) {
                return Err(PrepareError::at(
                    file,
                    label,
                    format!(
                        "operationId `{id}` is also the id of `{previous}`; operationIds must be unique"
                    ),
                ));
            }
            drop_client_headers(operation);
            keep_success_responses(operation);
        }
    }
    Ok(())
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
    let in_header = parameter.get("in").and_then(Value::as_str) == Some("header");
    let name = parameter
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    in_header && CLIENT_HEADERS.contains(&name.to_ascii_lowercase().as_str())
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
        adapt(&mut doc, "spec.yaml")?;
        Ok(doc["paths"].take())
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
