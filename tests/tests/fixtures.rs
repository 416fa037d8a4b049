//! Every recorded response decodes into its generated type and re-encodes to
//! equal JSON (objects compared as maps, so key order does not matter).

use hypersender::types::{
    CreateInstanceRequest, ErrorBody, HealthResponse, InstanceResponse, InstanceWithQrCode,
    RestartResponse,
};
use hypersender_tests::fixture_json;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn round_trips<T: DeserializeOwned + Serialize>(name: &str) -> T {
    let original = fixture_json(name);
    let decoded: T = serde_json::from_value(original.clone())
        .unwrap_or_else(|e| panic!("{name} does not decode: {e}"));
    let encoded = serde_json::to_value(&decoded).unwrap();
    assert_eq!(encoded, original, "{name} re-encodes differently");
    decoded
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
    assert!(!fresh.qr_code.is_empty());
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
