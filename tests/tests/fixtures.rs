//! Every recorded response decodes into its generated type and re-encodes to
//! equal JSON (objects compared as maps, so key order does not matter;
//! timestamps re-encode with their explicit `Z`; tokens in full only when
//! secrets are exposed).

use hypersender::types::{
    CreateInstanceRequest, ErrorBody, HealthResponse, InstanceResponse, InstanceWithQrCode,
    RestartResponse,
};
use hypersender::{Timestamp, with_exposed_secrets};
use hypersender_tests::fixture_json;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn round_trips<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(name: &str) -> T {
    let original = fixture_json(name);
    let decoded: T = serde_json::from_value(original.clone())
        .unwrap_or_else(|e| panic!("{name} does not decode: {e}"));
    let encoded = with_exposed_secrets(|| serde_json::to_value(&decoded)).unwrap();
    assert_eq!(
        encoded,
        with_explicit_utc(original),
        "{name} re-encodes differently"
    );
    let again: T = serde_json::from_value(encoded).unwrap();
    assert_eq!(again, decoded, "{name} decodes the same after re-encoding");
    decoded
}

/// The documented timestamps (`2025-05-26T10:12:45`) as the crate writes
/// them back: `2025-05-26T10:12:45Z`.
fn with_explicit_utc(value: Value) -> Value {
    match value {
        Value::String(text) => match text.parse::<Timestamp>() {
            Ok(timestamp) => Value::String(timestamp.to_string()),
            Err(_) => Value::String(text),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(with_explicit_utc).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| (key, with_explicit_utc(value)))
                .collect(),
        ),
        other => other,
    }
}

#[test]
fn list_instances() {
    let instances: Vec<InstanceResponse> = round_trips("list_instances.json");
    assert_eq!(instances.len(), 2);
}

#[test]
fn create_instance_request_and_response() {
    let request: CreateInstanceRequest = round_trips("create_instance_request.json");
    assert_eq!(
        request.webhook_url.as_deref(),
        Some("https://yourdomain.com/webhooks/whatsapp")
    );
    let created: InstanceWithQrCode = round_trips("create_instance.json");
    assert_eq!(created.name, "MyInstanceName");
}

#[test]
fn check_health() {
    let health: HealthResponse = round_trips("check_health.json");
    assert!(health.connected_at.is_some());
}

#[test]
fn request_new_qr_code() {
    let fresh: InstanceWithQrCode = round_trips("request_new_qr_code.json");
    assert!(!fresh.qr_code.base64().is_empty());
}

#[test]
fn restart_instance() {
    let restarted: RestartResponse = round_trips("restart_instance.json");
    assert!(restarted.message.contains("restarted"));
}

#[test]
fn error_bodies() {
    let validation: ErrorBody = round_trips("validation_error_422.json");
    assert_eq!(
        validation.errors["name"],
        ["The name has already been taken."]
    );
    let unauthenticated: ErrorBody = round_trips("unauthenticated_401.json");
    assert_eq!(unauthenticated.message.as_deref(), Some("Unauthenticated."));
}
