//! Every operation: the exact request on the wire and every decoded field.

use chrono::{TimeZone, Utc};
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use hypersender::types::CreateInstanceRequest;
use hypersender::{Error, InstanceStatus, USER_AGENT};
use hypersender_tests::{DOCS_ACCESS_TOKEN_SECRET, TEST_TOKEN, client_for, fixture};

const JSON: (&str, &str) = ("content-type", "application/json");

fn bearer() -> String {
    format!("Bearer {TEST_TOKEN}")
}

fn docs_time(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

#[tokio::test]
async fn list_instances_sends_the_filter_and_decodes_every_field() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/instances")
                .is_true(|req| req.uri().query() == Some("filter%5Bstatus%5D=WORKING"))
                .header("authorization", bearer())
                .header("accept", "application/json")
                .header("user-agent", USER_AGENT)
                .header_missing("api-version")
                .header_missing("content-type");
            then.status(200)
                .header(JSON.0, JSON.1)
                .body(fixture("list_instances.json"));
        })
        .await;

    let instances = client_for(&server)
        .list_instances()
        .filter_status(InstanceStatus::Working)
        .send()
        .await
        .unwrap();

    mock.assert_calls_async(1).await;
    assert_eq!(USER_AGENT, "hypersender-rust/0.1.0+api.v1.0");
    assert_eq!(instances.len(), 2);
    let first = &instances[0];
    assert_eq!(first.id, "fa3d01c4-1234-4c0d-a12f-df319b612f8c");
    assert_eq!(first.name, "MyInstanceName");
    assert_eq!(first.phone, "+201234567890");
    assert_eq!(first.service_type, "whatsapp");
    assert_eq!(first.status, InstanceStatus::Working);
    assert_eq!(
        first.access_token.as_ref().map(|t| t.expose_secret()),
        Some(format!("234|{DOCS_ACCESS_TOKEN_SECRET}").as_str())
    );
    assert_eq!(
        first.created_at.as_datetime().unwrap(),
        docs_time(2025, 5, 26, 10, 12, 45)
    );
    let second = &instances[1];
    assert_eq!(second.id, "c9a1dd76-5678-4f9d-9012-a5b78de100c3");
    assert_eq!(second.name, "SecondInstance");
    assert_eq!(second.phone, "+201234567891");
    assert_eq!(second.status, InstanceStatus::ScanQrCode);
    assert_eq!(second.access_token, None);
    assert_eq!(
        second.created_at.as_datetime().unwrap(),
        docs_time(2025, 5, 25, 15, 30, 22)
    );
}

#[tokio::test]
async fn list_instances_encodes_every_filter() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            // progenitor sends query parameters in name order.
            when.method(GET).path("/instances").is_true(|req| {
                req.uri().query()
                    == Some("filter%5Bname%5D=My+Inst%26ance&filter%5Bphone%5D=%2B201234567890&filter%5Bstatus%5D=PENDING&filter%5Buuid%5D=fa3d01c4")
            });
            then.status(200).header(JSON.0, JSON.1).body("[]");
        })
        .await;

    let instances = client_for(&server)
        .list_instances()
        .filter_uuid("fa3d01c4")
        .filter_name("My Inst&ance")
        .filter_phone("+201234567890")
        .filter_status(InstanceStatus::Pending)
        .send()
        .await
        .unwrap();

    mock.assert_calls_async(1).await;
    assert!(instances.is_empty());
}

#[tokio::test]
async fn list_instances_without_filters_sends_no_query() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/instances")
                .is_true(|req| req.uri().query().is_none());
            then.status(200)
                .header(JSON.0, JSON.1)
                .body(fixture("list_instances.json"));
        })
        .await;
    let instances = client_for(&server).list_instances().send().await.unwrap();
    mock.assert_calls_async(1).await;
    assert_eq!(instances.len(), 2);
}

#[tokio::test]
async fn create_instance_posts_the_json_body_and_decodes_the_qr_code() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/create-instance")
                .header("authorization", bearer())
                .header(JSON.0, JSON.1)
                .header_missing("api-version")
                .json_body(
                    serde_json::from_str::<serde_json::Value>(&fixture(
                        "create_instance_request.json",
                    ))
                    .unwrap(),
                );
            then.status(201)
                .header(JSON.0, JSON.1)
                .body(fixture("create_instance.json"));
        })
        .await;

    let created = client_for(&server)
        .create_instance()
        .body(CreateInstanceRequest {
            phone: "+201234567890".into(),
            name: "MyInstanceName".parse().unwrap(),
            webhook_url: Some("https://yourdomain.com/webhooks/whatsapp".into()),
        })
        .send()
        .await
        .unwrap();

    mock.assert_calls_async(1).await;
    assert_eq!(created.id, "c9a1dd76-5678-4f9d-9012-a5b78de100c3");
    assert_eq!(created.name, "MyInstanceName");
    assert_eq!(created.phone, "+201234567890");
    assert_eq!(created.service_type, "whatsapp");
    assert_eq!(created.status, InstanceStatus::ScanQrCode);
    assert_eq!(created.qr_code.base64(), "iVBORw0KGgoAAAANSUhEUgAAA...");
    assert_eq!(
        created.access_token.as_ref().map(|t| t.expose_secret()),
        Some(format!("234|{DOCS_ACCESS_TOKEN_SECRET}").as_str())
    );
    assert_eq!(
        created.created_at.as_datetime().unwrap(),
        docs_time(2025, 5, 26, 10, 12, 45)
    );
}

#[tokio::test]
async fn create_instance_accepts_200_and_omits_an_unset_webhook() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/create-instance")
                .json_body(serde_json::json!({"phone": "+201234567890", "name": "MyInstanceName"}));
            then.status(200)
                .header(JSON.0, JSON.1)
                .body(fixture("create_instance.json"));
        })
        .await;

    let created = client_for(&server)
        .create_instance()
        .phone("+201234567890")
        .name("MyInstanceName")
        .send()
        .await
        .unwrap();

    mock.assert_calls_async(1).await;
    assert_eq!(created.name, "MyInstanceName");
}

#[tokio::test]
async fn check_health_gets_the_instance_path() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/fa3d01c4-1234-4c0d-a12f-df319b612f8c/health")
                .header("authorization", bearer())
                .header_missing("api-version");
            then.status(200)
                .header(JSON.0, JSON.1)
                .body(fixture("check_health.json"));
        })
        .await;

    let health = client_for(&server)
        .check_health("fa3d01c4-1234-4c0d-a12f-df319b612f8c")
        .send()
        .await
        .unwrap();

    mock.assert_calls_async(1).await;
    assert_eq!(health.instance_id, "fa3d01c4-1234-4c0d-a12f-df319b612f8c");
    assert_eq!(
        health.connected_at.and_then(|t| t.as_datetime()),
        Some(docs_time(2025, 5, 26, 10, 12, 45))
    );
    assert_eq!(health.status, InstanceStatus::Working);
}

#[tokio::test]
async fn request_new_qr_code_posts_without_a_body() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/c9a1dd76-5678-4f9d-9012-a5b78de100c3/request-new-qr-code")
                .header("authorization", bearer())
                .header_missing("content-type")
                .is_true(|req| req.body_ref().is_empty());
            then.status(200)
                .header(JSON.0, JSON.1)
                .body(fixture("request_new_qr_code.json"));
        })
        .await;

    let fresh = client_for(&server)
        .request_new_qr_code("c9a1dd76-5678-4f9d-9012-a5b78de100c3")
        .send()
        .await
        .unwrap();

    mock.assert_calls_async(1).await;
    assert_eq!(fresh.id, "c9a1dd76-5678-4f9d-9012-a5b78de100c3");
    assert_eq!(fresh.status, InstanceStatus::ScanQrCode);
    assert_eq!(fresh.qr_code.base64(), "iVBORw0KGgoAAAANSUhEUgAAA...");
    assert!(fresh.access_token.is_some());
}

#[tokio::test]
async fn restart_instance_posts_and_decodes_the_message() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/fa3d01c4-1234-4c0d-a12f-df319b612f8c/restart")
                .header("authorization", bearer())
                .is_true(|req| req.body_ref().is_empty());
            then.status(200)
                .header(JSON.0, JSON.1)
                .body(fixture("restart_instance.json"));
        })
        .await;

    let restarted = client_for(&server)
        .restart_instance("fa3d01c4-1234-4c0d-a12f-df319b612f8c")
        .send()
        .await
        .unwrap();

    mock.assert_calls_async(1).await;
    assert_eq!(
        restarted.message,
        "WhatsApp instance restarted successfully."
    );
}

#[tokio::test]
async fn path_parameters_are_percent_encoded() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .is_true(|req| req.uri().path() == "/a%2Fb%20c%3F/restart");
            then.status(200)
                .header(JSON.0, JSON.1)
                .body(fixture("restart_instance.json"));
        })
        .await;
    client_for(&server)
        .restart_instance("a/b c?")
        .send()
        .await
        .unwrap();
    mock.assert_calls_async(1).await;
}

/// Sends a request that the client must refuse, against a server that
/// answers anything, and returns the error message after checking that it is
/// an `InvalidRequest` of `operation` and that nothing reached the server.
async fn refused_before_sending<T, F, Fut>(operation: &str, send: F) -> String
where
    T: std::fmt::Debug,
    F: FnOnce(hypersender::Client) -> Fut,
    Fut: std::future::Future<Output = Result<T, Error>>,
{
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200);
        })
        .await;
    let err = send(client_for(&server)).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest { operation: op, .. } if *op == operation),
        "{err:?}"
    );
    any.assert_calls_async(0).await;
    err.to_string()
}

#[tokio::test]
async fn path_parameters_that_would_escape_the_path_are_refused_before_sending() {
    for id in ["..", ".", "", "%2e%2e", " "] {
        for (operation, result) in [
            ("check_health", refused("check_health", id).await),
            (
                "request_new_qr_code",
                refused("request_new_qr_code", id).await,
            ),
            ("restart_instance", refused("restart_instance", id).await),
        ] {
            assert_eq!(
                result,
                format!(
                    "{operation}: invalid request: `instance` must not be empty, `.` or `..` (it is a path segment)"
                ),
                "{id:?}"
            );
        }
    }
}

async fn refused(operation: &'static str, id: &'static str) -> String {
    refused_before_sending(operation, move |client| async move {
        match operation {
            "check_health" => client.check_health(id).send().await.map(drop),
            "request_new_qr_code" => client.request_new_qr_code(id).send().await.map(drop),
            _ => client.restart_instance(id).send().await.map(drop),
        }
    })
    .await
}

/// Every operation of the spec with a path parameter, called by name, so an
/// operation the vendor adds is covered with no change here.
#[tokio::test]
async fn every_path_parameter_of_the_spec_is_guarded() {
    let with_path_parameters = hypersender::catalog::OPERATIONS.iter().filter(|op| {
        op.parameters
            .iter()
            .any(|p| p.location == hypersender::catalog::Location::Path)
    });
    let mut checked = 0;
    for operation in with_path_parameters {
        for parameter in operation
            .parameters
            .iter()
            .filter(|p| p.location == hypersender::catalog::Location::Path)
        {
            let arguments = operation.parameters.iter().filter(|p| p.required).fold(
                hypersender::Arguments::new(),
                |arguments, p| {
                    let value = if p.name == parameter.name {
                        ".."
                    } else {
                        "fa3d01c4"
                    };
                    arguments.value(p.name, value)
                },
            );
            let message = refused_before_sending(operation.id, |client| async move {
                client.call(operation.id, &arguments).await.map(drop)
            })
            .await;
            assert!(
                message.contains(&format!(
                    "`{}` must not be empty, `.` or `..`",
                    parameter.name
                )),
                "{message}"
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "the spec has path parameters");
}

#[tokio::test]
async fn a_missing_body_field_fails_before_sending() {
    let message = refused_before_sending("create_instance", |client| async move {
        client.create_instance().name("only a name").send().await
    })
    .await;
    assert!(message.contains("phone"), "{message}");
}

#[tokio::test]
async fn a_name_over_50_characters_fails_before_sending() {
    let message = refused_before_sending("create_instance", |client| async move {
        client
            .create_instance()
            .phone("+201234567890")
            .name("n".repeat(51))
            .send()
            .await
    })
    .await;
    assert!(message.contains("name"), "{message}");
}

#[tokio::test]
async fn the_base_url_path_is_kept() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path("/api/whatsapp/v1/instances");
            then.status(200).header(JSON.0, JSON.1).body("[]");
        })
        .await;
    let client = hypersender::Client::builder(TEST_TOKEN)
        .base_url(format!("{}/api/whatsapp/v1/", server.base_url()))
        .build()
        .unwrap();
    client.list_instances().send().await.unwrap();
    mock.assert_calls_async(1).await;
}

/// Arguments for `operation` that meet its documented rules: each required
/// parameter (its example, its first documented value, or an id) but
/// `left_out`, and the catalog's example body where it takes one.
fn arguments_but(
    operation: &hypersender::catalog::Operation,
    left_out: Option<&str>,
) -> hypersender::Arguments {
    let given = operation
        .parameters
        .iter()
        .filter(|p| p.required && Some(p.name) != left_out);
    let arguments = given.fold(hypersender::Arguments::new(), |arguments, p| {
        let value = match (p.location, p.example, p.rule.values.first()) {
            (hypersender::catalog::Location::Path, _, _) => "fa3d01c4".to_owned(),
            (_, Some(example), _) => match serde_json::from_str(example).unwrap() {
                serde_json::Value::String(text) => text,
                other => other.to_string(),
            },
            (_, None, Some(value)) => (*value).to_owned(),
            (_, None, None) => "x".to_owned(),
        };
        arguments.value(p.name, value)
    });
    match operation.body.and_then(|body| body.example) {
        Some(example) => arguments.body(serde_json::from_str(example).unwrap()),
        None => arguments,
    }
}

/// `Client::call` checks its arguments against the catalog before anything
/// is sent: a name the operation does not have, a required parameter or
/// body field left out, a value outside the documented ones, a body given
/// to an operation that takes none; several mistakes in one message. Every
/// case comes from the catalog, so an operation the vendor adds is covered
/// with no change here.
#[tokio::test]
async fn call_by_name_refuses_arguments_the_catalog_does_not_allow() {
    let mut cases = 0;
    for operation in hypersender::catalog::OPERATIONS {
        let mut refusals = vec![(
            arguments_but(operation, None).value("no_such_name", "1"),
            "`no_such_name` is not a parameter of this operation".to_owned(),
        )];
        for parameter in operation.parameters {
            if parameter.required {
                // With another mistake: one message names both.
                refusals.push((
                    arguments_but(operation, Some(parameter.name)).value("no_such_name", "1"),
                    format!(
                        "`no_such_name` is not a parameter of this operation; `{}` is required",
                        parameter.name
                    ),
                ));
            }
            if !parameter.rule.values.is_empty() {
                refusals.push((
                    arguments_but(operation, None).value(parameter.name, "NOT_DOCUMENTED"),
                    format!(
                        "`{}` must be one of {}",
                        parameter.name,
                        parameter.rule.values.join(", ")
                    ),
                ));
            }
        }
        let example = operation.body.and_then(|body| body.example);
        let required_fields = operation.body.iter().flat_map(|body| body.fields);
        for field in required_fields.filter(|field| field.required) {
            let mut body: serde_json::Value =
                example.map_or(serde_json::json!({}), |e| serde_json::from_str(e).unwrap());
            body.as_object_mut().unwrap().remove(field.name);
            refusals.push((
                arguments_but(operation, None).body(body),
                format!("`{}` is required", field.name),
            ));
        }
        if operation.body.is_none() {
            refusals.push((
                arguments_but(operation, None).body(serde_json::json!({})),
                "`body` is not a parameter of this operation".to_owned(),
            ));
        }
        for (arguments, expected) in refusals {
            let message = refused_before_sending(operation.id, |client| async move {
                client.call(operation.id, &arguments).await.map(drop)
            })
            .await;
            assert!(message.contains(&expected), "{}: {message}", operation.id);
            cases += 1;
        }
    }
    assert!(cases > hypersender::catalog::OPERATIONS.len(), "{cases}");
}

/// What `Arguments` holds is what was given, by name.
#[test]
fn arguments_give_back_each_value_by_name() {
    let arguments = hypersender::Arguments::new()
        .value("filter[status]", "WORKING")
        .value("instance", "fa3d01c4")
        .value("instance", "b2");
    assert_eq!(arguments.get("filter[status]"), Some("WORKING"));
    assert_eq!(
        arguments.get("instance"),
        Some("b2"),
        "the last value given"
    );
    assert_eq!(arguments.get("phone"), None);
}

/// A body field given by name with `Arguments::value` is sent as the JSON
/// type its rule documents: text that looks like a number stays a string in
/// a string field. Every string field of every body whose rule takes `2024`
/// is tried, so a field the vendor adds is covered with no change here.
#[tokio::test]
async fn call_by_name_sends_a_string_field_as_a_string_even_when_it_reads_as_a_number() {
    let server = MockServer::start_async().await;
    let client = client_for(&server);
    let mut tried = 0;
    for operation in hypersender::catalog::OPERATIONS {
        let Some(body) = operation.body else { continue };
        let text_fields = body.fields.iter().filter(|field| {
            field.rule.kind == hypersender::catalog::ValueKind::String
                && field.rule.check(&serde_json::json!("2024")).is_ok()
        });
        for field in text_fields {
            let name = field.name;
            let mock = server
                .mock_async(|when, then| {
                    when.is_true(move |req| {
                        serde_json::from_slice::<serde_json::Value>(req.body_ref())
                            .is_ok_and(|body| body[name] == "2024")
                    });
                    then.status(operation.success_status);
                })
                .await;
            let arguments = arguments_but(operation, None).value(name, "2024");
            // Only the request matters: the empty answer may not decode.
            let _ = client.call(operation.id, &arguments).await;
            mock.assert_calls_async(1).await;
            mock.delete_async().await;
            tried += 1;
        }
    }
    assert!(tried > 0, "a body has a string field that takes 2024");
}
