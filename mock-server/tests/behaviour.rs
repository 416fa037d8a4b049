//! The mock's state transitions and error responses, checked on the wire
//! with a plain HTTP client (and once through the SDK).

use std::time::Duration;

use base64::Engine as _;
use chrono::{TimeZone, Utc};
use hypersender::types::InstanceResponse;
use hypersender::{InstanceStatus, catalog};
use hypersender_mock_server::{DEFAULT_TOKEN, MockConfig, MockServer, seed_instances};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The recorded List Instances response (`tests/fixtures`), which every
/// mock here starts with instead of the spec's example, so a vendor's new
/// example changes nothing below.
const RECORDED_LIST: &str = include_str!("../../tests/fixtures/list_instances.json");
/// The recorded WORKING instance.
const WORKING_ID: &str = "fa3d01c4-1234-4c0d-a12f-df319b612f8c";
/// The recorded SCAN_QR_CODE instance.
const WAITING_ID: &str = "c9a1dd76-5678-4f9d-9012-a5b78de100c3";
const VALID_CREATE: &str = r#"{"phone": "+201234567892", "name": "Support Line", "webhook_url": "https://example.com/hook"}"#;

/// The default configuration, starting with the recorded instances.
fn recorded() -> MockConfig {
    MockConfig::default().instances(serde_json::from_str(RECORDED_LIST).unwrap())
}

/// A mock whose clock only moves when the test moves it.
async fn frozen_mock() -> MockServer {
    let start = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
    MockServer::start(recorded().frozen_clock(start))
        .await
        .unwrap()
}

struct Reply {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

async fn call(
    mock: &MockServer,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Reply {
    let url = format!("http://{}{path}", mock.addr());
    let mut request = reqwest::Client::new()
        .request(method, url)
        .header("accept", "application/json");
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_owned());
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    // An operation without a response body answers none.
    let bytes = response.bytes().await.unwrap();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap()
    };
    Reply {
        status,
        headers,
        body,
    }
}

async fn api(mock: &MockServer, method: Method, path: &str, body: Option<&str>) -> Reply {
    let path = format!("/api/whatsapp/v1{path}");
    call(mock, method, &path, Some(DEFAULT_TOKEN), body).await
}

async fn status_of(mock: &MockServer, id: &str) -> Value {
    let reply = api(mock, Method::GET, &format!("/{id}/health"), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body["status"].clone()
}

#[tokio::test]
async fn starts_with_the_documented_list_example() {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    let reply = api(&mock, Method::GET, "/instances", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers["content-type"], "application/json");
    // The spec's example, as the client's types read it (the mock writes
    // timestamps with their explicit Z).
    let documented = seed_instances().unwrap();
    assert!(
        !documented.is_empty(),
        "the spec has a List Instances example"
    );
    let served: Vec<InstanceResponse> = serde_json::from_value(reply.body.clone()).unwrap();
    assert_eq!(served, documented);
    for (index, instance) in documented.iter().enumerate() {
        let sent = &reply.body[index]["access_token"];
        match &instance.access_token {
            Some(token) => assert_eq!(
                sent,
                token.expose_secret(),
                "the mock sends tokens in full, as the service does"
            ),
            None => assert!(sent.is_null()),
        }
    }
}

#[tokio::test]
async fn starts_with_the_given_instances_instead() {
    // Unlike any example: one instance, renamed.
    let mut given: Vec<InstanceResponse> = serde_json::from_str(RECORDED_LIST).unwrap();
    given.truncate(1);
    given[0].name = "Given Instance".into();
    let mock = MockServer::start(MockConfig::default().instances(given.clone()))
        .await
        .unwrap();
    let listed = api(&mock, Method::GET, "/instances", None).await.body;
    let served: Vec<InstanceResponse> = serde_json::from_value(listed).unwrap();
    assert_eq!(served, given);
}

#[tokio::test]
async fn the_sdk_reads_every_operation_of_the_mock() {
    let mock = MockServer::start(recorded()).await.unwrap();
    let client = hypersender::Client::builder(mock.token())
        .base_url(mock.base_url())
        .build()
        .unwrap();
    let listed = client.list_instances().send().await.unwrap();
    assert_eq!(listed[0].id, WORKING_ID);
    let health = client.check_health(WORKING_ID).send().await.unwrap();
    assert_eq!(health.status, InstanceStatus::Working);
    assert_eq!(
        health.connected_at.unwrap().to_string(),
        "2025-05-26T10:12:45Z"
    );
    let qr = client.request_new_qr_code(WAITING_ID).send().await.unwrap();
    assert_eq!(qr.status, InstanceStatus::ScanQrCode);
    let restarted = client.restart_instance(WORKING_ID).send().await.unwrap();
    assert_eq!(
        restarted.message,
        "WhatsApp instance restarted successfully."
    );
    let created = client
        .create_instance()
        .body(
            serde_json::from_str::<hypersender::types::CreateInstanceRequest>(VALID_CREATE)
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.name, "Support Line");
    assert_eq!(
        mock.webhook_url(&created.id),
        Some(Some("https://example.com/hook".to_owned()))
    );
}

#[tokio::test]
async fn a_created_instance_is_listed_waiting_for_a_scan_with_a_scannable_qr_code() {
    let mock = frozen_mock().await;
    let created = api(&mock, Method::POST, "/create-instance", Some(VALID_CREATE)).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(created.body["status"], "SCAN_QR_CODE");
    assert_eq!(created.body["created_at"], "2026-01-02T03:04:05Z");
    assert_eq!(created.body["service_type"], "whatsapp");
    assert!(created.body["access_token"].as_str().unwrap().contains('|'));
    let qr = created.body["qr_code"].as_str().unwrap();
    assert!(!qr.starts_with("data:"), "no data: prefix, as documented");
    assert_eq!(decode_qr(qr), mock.qr_payload(&id).unwrap());

    let listed = api(&mock, Method::GET, "/instances", None).await.body;
    assert_eq!(listed.as_array().unwrap().len(), 3);
    assert_eq!(listed[0]["id"], id.as_str(), "newest first");
    assert_eq!(listed[0]["status"], "SCAN_QR_CODE");
    assert_eq!(
        listed[0]["access_token"],
        Value::Null,
        "null until connected"
    );

    assert!(mock.scan(&id));
    assert!(
        !mock.scan(&id),
        "a linked instance is not waiting for a scan"
    );
    let listed = api(&mock, Method::GET, "/instances", None).await.body;
    assert_eq!(listed[0]["status"], "WORKING");
    assert_eq!(listed[0]["access_token"], created.body["access_token"]);
    let health = api(&mock, Method::GET, &format!("/{id}/health"), None)
        .await
        .body;
    assert_eq!(
        health,
        json!({"instance_id": id, "connected_at": "2026-01-02T03:04:05Z", "status": "WORKING"})
    );
}

#[tokio::test]
async fn the_scan_control_is_served_over_http_too() {
    let mock = frozen_mock().await;
    let path = format!("/__mock/instances/{WAITING_ID}/scan");
    let reply = call(&mock, Method::POST, &path, Some(DEFAULT_TOKEN), None).await;
    assert_eq!(
        (reply.status, reply.body),
        (StatusCode::OK, json!({"linked": true}))
    );
    assert_eq!(mock.status(WAITING_ID), Some(InstanceStatus::Working));
    let reply = call(
        &mock,
        Method::POST,
        "/__mock/instances/nope/scan",
        Some(DEFAULT_TOKEN),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_failing_instance_answers_the_injected_error_until_it_recovers() {
    let mock = frozen_mock().await;
    let control = |action: &str| format!("/__mock/instances/{WORKING_ID}/{action}");
    let reply = call(
        &mock,
        Method::POST,
        &control("fail"),
        Some(DEFAULT_TOKEN),
        Some(r#"{"status": 500}"#),
    )
    .await;
    assert_eq!(
        (reply.status, reply.body),
        (StatusCode::OK, json!({"failing": 500}))
    );
    // Every operation naming it fails with that status; the list does not,
    // and the other instances answer as before.
    for operation in instance_operations() {
        let body = operation.body.and_then(|body| body.example);
        let reply = api(
            &mock,
            method_of(operation),
            &path_of(operation, WORKING_ID),
            body,
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{}",
            operation.id
        );
        assert_eq!(
            reply.body,
            json!({"message": "Internal Server Error (a failure injected by the mock)."}),
            "{}",
            operation.id
        );
    }
    let list = catalog::OPERATIONS
        .iter()
        .find(|op| !op.path.contains('{') && op.method.as_str() == "GET")
        .unwrap();
    assert_eq!(
        api(&mock, Method::GET, list.path, None).await.status,
        StatusCode::OK
    );
    assert_eq!(status_of(&mock, WAITING_ID).await, "SCAN_QR_CODE");
    // 503 when no status is given; what is not an error status is refused.
    let reply = call(
        &mock,
        Method::POST,
        &control("fail"),
        Some(DEFAULT_TOKEN),
        None,
    )
    .await;
    assert_eq!(reply.body, json!({"failing": 503}));
    let health = format!("/{WORKING_ID}/health");
    assert_eq!(
        api(&mock, Method::GET, &health, None).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    for refused in [
        r#"{"status": 200}"#,
        r#"{"status": "500"}"#,
        r#"{"status": 70000}"#,
    ] {
        let reply = call(
            &mock,
            Method::POST,
            &control("fail"),
            Some(DEFAULT_TOKEN),
            Some(refused),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(
            reply.body["errors"]["status"][0],
            "The status field must be between 400 and 599."
        );
    }
    assert_eq!(
        api(&mock, Method::GET, &health, None).await.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "a refused change changes nothing"
    );
    let reply = call(
        &mock,
        Method::POST,
        &control("recover"),
        Some(DEFAULT_TOKEN),
        None,
    )
    .await;
    assert_eq!(
        (reply.status, reply.body),
        (StatusCode::OK, json!({"failing": null}))
    );
    assert_eq!(status_of(&mock, WORKING_ID).await, "WORKING");
    // The same through the Rust API; an unknown instance is refused.
    assert!(mock.fail(WORKING_ID, 502));
    assert_eq!(
        api(&mock, Method::GET, &health, None).await.status,
        StatusCode::BAD_GATEWAY
    );
    assert!(mock.recover(WORKING_ID));
    assert_eq!(status_of(&mock, WORKING_ID).await, "WORKING");
    assert!(!mock.fail("nope", 503));
    assert!(!mock.fail(WORKING_ID, 302));
    let reply = call(
        &mock,
        Method::POST,
        "/__mock/instances/nope/fail",
        Some(DEFAULT_TOKEN),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = call(
        &mock,
        Method::GET,
        &control("recover"),
        Some(DEFAULT_TOKEN),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    let reply = call(&mock, Method::POST, &control("fail"), None, None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_new_qr_code_replaces_the_old_one_and_unlinks() {
    let mock = frozen_mock().await;
    let old_payload = mock.qr_payload(WORKING_ID).unwrap();
    let reply = api(
        &mock,
        Method::POST,
        &format!("/{WORKING_ID}/request-new-qr-code"),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["status"], "SCAN_QR_CODE");
    assert_eq!(reply.body["id"], WORKING_ID);
    assert_eq!(
        reply.body["access_token"],
        "234|3uB2pBST2H6If8twXIeUaeNu23VJ8XassYoOVJuva48388e1"
    );
    let new_payload = decode_qr(reply.body["qr_code"].as_str().unwrap());
    assert_ne!(new_payload, old_payload);
    assert_eq!(mock.qr_payload(WORKING_ID).unwrap(), new_payload);
    let health = api(&mock, Method::GET, &format!("/{WORKING_ID}/health"), None)
        .await
        .body;
    assert_eq!(health["status"], "SCAN_QR_CODE");
    assert_eq!(health["connected_at"], Value::Null);
}

#[tokio::test]
async fn a_restart_goes_stopped_starting_working() {
    let mock = frozen_mock().await;
    let reply = api(&mock, Method::POST, &format!("/{WORKING_ID}/restart"), None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.body,
        json!({"message": "WhatsApp instance restarted successfully."})
    );
    assert_eq!(status_of(&mock, WORKING_ID).await, "STOPPED");
    mock.advance_clock(Duration::from_millis(999));
    assert_eq!(status_of(&mock, WORKING_ID).await, "STOPPED");
    mock.advance_clock(Duration::from_millis(1));
    assert_eq!(status_of(&mock, WORKING_ID).await, "STARTING");
    mock.advance_clock(Duration::from_secs(4));
    assert_eq!(status_of(&mock, WORKING_ID).await, "WORKING");
}

#[tokio::test]
async fn an_unlinked_instance_restarts_back_to_waiting_for_a_scan() {
    let mock = frozen_mock().await;
    api(&mock, Method::POST, &format!("/{WAITING_ID}/restart"), None).await;
    assert_eq!(mock.status(WAITING_ID), Some(InstanceStatus::Stopped));
    mock.advance_clock(Duration::from_secs(5));
    assert_eq!(mock.status(WAITING_ID), Some(InstanceStatus::ScanQrCode));
}

#[tokio::test]
async fn list_filters_name_partially_and_the_others_exactly() {
    let mock = frozen_mock().await;
    let ids = |body: Value| -> Vec<String> {
        body.as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let cases = [
        ("filter[name]=instance", vec![WORKING_ID, WAITING_ID]),
        ("filter[name]=myinstance", vec![WORKING_ID]),
        ("filter[name]=second", vec![WAITING_ID]),
        ("filter[name]=Name", vec![WORKING_ID]),
        ("filter[phone]=%2B201234567891", vec![WAITING_ID]),
        ("filter[phone]=%2B20123456789", vec![]),
        (
            "filter[uuid]=fa3d01c4-1234-4c0d-a12f-df319b612f8c",
            vec![WORKING_ID],
        ),
        ("filter[uuid]=fa3d01c4", vec![]),
        ("filter[status]=SCAN_QR_CODE", vec![WAITING_ID]),
        ("filter[status]=scan_qr_code", vec![]),
        ("filter[status]=WORKING&filter[name]=Second", vec![]),
        ("page=2", vec![WORKING_ID, WAITING_ID]),
    ];
    for (query, expected) in cases {
        let reply = api(&mock, Method::GET, &format!("/instances?{query}"), None).await;
        assert_eq!(ids(reply.body), expected, "{query}");
    }
}

#[tokio::test]
async fn a_missing_or_wrong_bearer_token_is_401() {
    let mock = frozen_mock().await;
    for token in [None, Some("wrong"), Some("")] {
        let reply = call(
            &mock,
            Method::GET,
            "/api/whatsapp/v1/instances",
            token,
            None,
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(reply.body, json!({"message": "Unauthenticated."}));
    }
    let basic = reqwest::Client::new()
        .get(format!("{}/instances", mock.base_url()))
        .header("authorization", format!("Basic {DEFAULT_TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);
    let custom = MockServer::start(recorded().token("9|mine")).await.unwrap();
    let reply = call(
        &custom,
        Method::GET,
        "/api/whatsapp/v1/instances",
        Some("9|mine"),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
}

/// The operation's method as reqwest's.
fn method_of(operation: &catalog::Operation) -> Method {
    operation.method.as_str().parse().unwrap()
}

/// The operation's path below the base path, each `{parameter}` `value`.
fn path_of(operation: &catalog::Operation, value: &str) -> String {
    operation
        .path
        .split('/')
        .map(|part| {
            if part.starts_with('{') && part.ends_with('}') {
                value
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Every operation of the spec that addresses one instance.
fn instance_operations() -> impl Iterator<Item = &'static catalog::Operation> {
    catalog::OPERATIONS
        .iter()
        .filter(|op| op.path.contains("{instance}"))
}

#[tokio::test]
async fn an_unknown_instance_is_404_for_every_instance_operation() {
    let mock = frozen_mock().await;
    let mut checked = 0;
    for operation in instance_operations() {
        let path = path_of(operation, "00000000-0000-4000-8000-000000000000");
        let body = operation.body.and_then(|body| body.example);
        let reply = api(&mock, method_of(operation), &path, body).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", operation.id);
        assert_eq!(
            reply.body,
            json!({"message": "Instance not found."}),
            "{}",
            operation.id
        );
        checked += 1;
    }
    assert!(checked > 0, "the spec has instance operations");
}

#[tokio::test]
async fn unknown_routes_are_404_and_wrong_methods_405_before_authentication() {
    let mock = frozen_mock().await;
    // More segments than any operation's path, so no route of the spec.
    let deepest = catalog::OPERATIONS
        .iter()
        .map(|op| op.path.split('/').count())
        .max()
        .unwrap_or(1);
    let nowhere = format!("/api/whatsapp/v1{}", "/nothing-here".repeat(deepest));
    let reply = call(&mock, Method::GET, &nowhere, None, None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(
        reply.body["message"],
        format!(
            "The route {} could not be found.",
            nowhere.trim_start_matches('/')
        )
    );
    // A method no operation of that path has.
    let operation = &catalog::OPERATIONS[0];
    let allowed: Vec<&str> = catalog::OPERATIONS
        .iter()
        .filter(|op| op.path == operation.path)
        .map(|op| op.method.as_str())
        .collect();
    let other = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        .into_iter()
        .find(|method| !allowed.contains(method))
        .unwrap();
    let route = format!("api/whatsapp/v1{}", path_of(operation, WORKING_ID));
    let reply = call(
        &mock,
        other.parse().unwrap(),
        &format!("/{route}"),
        None,
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.headers["allow"], allowed.join(", ").as_str());
    assert_eq!(
        reply.body["message"],
        format!(
            "The {other} method is not supported for route {route}. Supported methods: {}.",
            allowed.join(", ")
        )
    );
}

#[tokio::test]
async fn invalid_creates_are_422_with_the_laravel_body_and_change_nothing() {
    let mock = MockServer::start(recorded().without_rate_limits())
        .await
        .unwrap();
    let cases = [
        (
            "{}",
            json!({
                "message": "The phone field is required. (and 1 more error)",
                "errors": {"name": ["The name field is required."], "phone": ["The phone field is required."]}
            }),
        ),
        (
            "not json",
            json!({
                "message": "The phone field is required. (and 1 more error)",
                "errors": {"name": ["The name field is required."], "phone": ["The phone field is required."]}
            }),
        ),
        (
            r#"{"phone": "01234567890", "name": "x"}"#,
            json!({
                "message": "The phone field format is invalid.",
                "errors": {"phone": ["The phone field format is invalid."]}
            }),
        ),
        (
            &format!(
                r#"{{"phone": "+201234567899", "name": "{}"}}"#,
                "n".repeat(51)
            ),
            json!({
                "message": "The name field must not be greater than 50 characters.",
                "errors": {"name": ["The name field must not be greater than 50 characters."]}
            }),
        ),
        (
            r#"{"phone": "+201234567899", "name": "MyInstanceName"}"#,
            json!({
                "message": "The name has already been taken.",
                "errors": {"name": ["The name has already been taken."]}
            }),
        ),
        (
            r#"{"phone": "+201234567899", "name": "x", "webhook_url": "http://example.com"}"#,
            json!({
                "message": "The webhook url field format is invalid.",
                "errors": {"webhook_url": ["The webhook url field format is invalid."]}
            }),
        ),
        (
            r#"{"phone": 201234567899, "name": ["x"], "webhook_url": "nope"}"#,
            json!({
                "message": "The phone field must be a string. (and 2 more errors)",
                "errors": {
                    "name": ["The name field must be a string."],
                    "phone": ["The phone field must be a string."],
                    "webhook_url": ["The webhook url field must be a valid URL."]
                }
            }),
        ),
    ];
    for (body, expected) in cases {
        let reply = api(&mock, Method::POST, "/create-instance", Some(body)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(reply.body, expected, "{body}");
    }
    let listed = api(&mock, Method::GET, "/instances", None).await.body;
    assert_eq!(listed.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn documented_rate_limits_give_429_with_retry_after_until_the_minute_passes() {
    let mut checked = 0;
    for operation in catalog::OPERATIONS {
        let Some(limit) = operation.rate_limit else {
            continue;
        };
        let (path, body) = (path_of(operation, WAITING_ID), operation.body.map(|_| "{}"));
        let method = method_of(operation);
        let mock = frozen_mock().await;
        for attempt in 0..limit.requests {
            let reply = api(&mock, method.clone(), &path, body).await;
            assert_ne!(
                reply.status,
                StatusCode::TOO_MANY_REQUESTS,
                "{path} attempt {attempt}"
            );
        }
        // A quarter of the window later, the rest of it is to wait.
        let quarter = limit.per / 4;
        mock.advance_clock(quarter);
        let refused = api(&mock, method.clone(), &path, body).await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{path}");
        assert_eq!(refused.body, json!({"message": "Too Many Attempts."}));
        let left = (limit.per - quarter).as_secs();
        assert_eq!(
            refused.headers["retry-after"],
            left.to_string().as_str(),
            "{path}"
        );
        assert_eq!(
            refused.headers["x-ratelimit-limit"],
            limit.requests.to_string().as_str()
        );
        assert_eq!(refused.headers["x-ratelimit-remaining"], "0");
        mock.advance_clock(limit.per - quarter);
        let again = api(&mock, method.clone(), &path, body).await;
        assert_ne!(
            again.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{path} after the window"
        );
        checked += 1;
    }
    assert!(checked > 0, "the spec documents rate limits");
    // An operation without a documented limit is never refused.
    for operation in catalog::OPERATIONS
        .iter()
        .filter(|op| op.rate_limit.is_none())
    {
        let mock = frozen_mock().await;
        let (path, body) = (
            path_of(operation, WORKING_ID),
            operation.body.and_then(|b| b.example),
        );
        for _ in 0..30 {
            let reply = api(&mock, method_of(operation), &path, body).await;
            assert_ne!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{path}");
        }
    }
}

#[tokio::test]
async fn rate_limits_can_be_turned_off() {
    let mock = MockServer::start(recorded().without_rate_limits())
        .await
        .unwrap();
    for _ in 0..3 {
        let reply = api(
            &mock,
            Method::POST,
            &format!("/{WAITING_ID}/request-new-qr-code"),
            None,
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn debug_output_never_shows_the_token() {
    let config = recorded().token("5|very-secret-value");
    assert!(!format!("{config:?}").contains("very-secret"));
    let mock = MockServer::start(config).await.unwrap();
    assert!(!format!("{mock:?}").contains("very-secret"));
    mock.shutdown().await;
}

#[tokio::test]
async fn shutdown_stops_accepting_connections() {
    let mock = frozen_mock().await;
    let addr = mock.addr();
    mock.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

/// Decodes a base64 PNG QR code with an independent decoder (rqrr).
fn decode_qr(png_base64: &str) -> String {
    let png = base64::engine::general_purpose::STANDARD
        .decode(png_base64)
        .unwrap();
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png))
        .read_info()
        .unwrap();
    let mut pixels = vec![0; decoder.output_buffer_size().unwrap()];
    let info = decoder.next_frame(&mut pixels).unwrap();
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    let width = info.width as usize;
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width, info.height as usize, |x, y| {
            pixels[y * width + x]
        });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1);
    grids[0].decode().unwrap().1
}
