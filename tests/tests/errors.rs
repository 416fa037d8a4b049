//! Error paths: each asserts the error kind, what it carries, and that no
//! secret reaches its Debug or Display.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use hypersender::types::InstanceResponse;
use hypersender::{Client, Error, InstanceStatus, RetryPolicy};
use hypersender_tests::{
    DOCS_ACCESS_TOKEN_SECRET, TEST_TOKEN, TEST_TOKEN_SECRET, client_for, fast_retries, fixture,
};

const JSON: (&str, &str) = ("content-type", "application/json");

/// Asserts that neither the API token nor a docs access token shows up.
fn assert_no_secrets(err: &Error) {
    for text in [err.to_string(), format!("{err:?}"), format!("{err:#?}")] {
        assert!(
            !text.contains(TEST_TOKEN_SECRET),
            "API token leaked: {text}"
        );
        assert!(
            !text.contains(DOCS_ACCESS_TOKEN_SECRET),
            "access token leaked: {text}"
        );
    }
}

/// Lists instances from a server answering `GET /instances` with `status`,
/// `content_type` and `body`.
async fn list_from(
    status: u16,
    content_type: &'static str,
    body: String,
) -> Result<Vec<InstanceResponse>, Error> {
    let server = MockServer::start_async().await;
    server
        .mock_async(move |when, then| {
            when.method(GET).path("/instances");
            then.status(status)
                .header("content-type", content_type)
                .body(body);
        })
        .await;
    client_for(&server).list_instances().send().await
}

/// The docs' list example, to be changed by a test.
fn list_fixture() -> serde_json::Value {
    serde_json::from_str(&fixture("list_instances.json")).unwrap()
}

fn http_error(err: Error) -> Box<hypersender::HttpError> {
    match err {
        Error::Http(e) => e,
        other => panic!("expected Error::Http, got {other:?}"),
    }
}

fn decode_error(err: Error) -> Box<hypersender::DecodeError> {
    match err {
        Error::Decode(e) => e,
        other => panic!("expected Error::Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn unauthorized_is_an_http_error_with_the_message() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path("/instances");
            then.status(401)
                .header(JSON.0, JSON.1)
                .body(fixture("unauthenticated_401.json"));
        })
        .await;
    let err = client_for(&server)
        .list_instances()
        .send()
        .await
        .unwrap_err();
    mock.assert_calls_async(1).await;
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(err.operation(), Some("list_instances"));
    assert_eq!(
        err.to_string(),
        "list_instances: HTTP 401 Unauthorized: Unauthenticated."
    );
    let http = http_error(err);
    assert_eq!(http.message(), Some("Unauthenticated."));
    assert_eq!(http.retry_after, None);
}

#[tokio::test]
async fn not_found_without_a_body() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path("/missing/health");
            then.status(404);
        })
        .await;
    let err = client_for(&server)
        .check_health("missing")
        .send()
        .await
        .unwrap_err();
    mock.assert_calls_async(1).await; // a 404 is not retried
    assert_eq!(err.to_string(), "check_health: HTTP 404 Not Found");
    let http = http_error(err);
    assert_eq!(http.body, None);
    assert_eq!(http.raw_body, "");
}

#[tokio::test]
async fn a_message_that_is_not_a_summary_of_the_fields_is_kept() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/create-instance");
            then.status(422).header(JSON.0, JSON.1).body(
                r#"{"message": "Your plan allows 3 instances.", "errors": {"name": ["The name is taken."]}}"#,
            );
        })
        .await;
    let err = client_for(&server)
        .create_instance()
        .phone("+201234567890")
        .name("Shop")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "create_instance: HTTP 422 Unprocessable Entity: Your plan allows 3 instances.; name: The name is taken."
    );
}

#[tokio::test]
async fn validation_errors_are_decoded_and_not_retried() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/create-instance");
            then.status(422)
                .header(JSON.0, JSON.1)
                .body(fixture("validation_error_422.json"));
        })
        .await;
    let err = client_for(&server)
        .create_instance()
        .phone("+201234567890")
        .name("MyInstanceName")
        .webhook_url("https://x.example")
        .send()
        .await
        .unwrap_err();
    mock.assert_calls_async(1).await;
    assert_eq!(
        err.to_string(),
        "create_instance: HTTP 422 Unprocessable Entity: name: The name has already been taken.; \
         webhook_url: The webhook url must start with https://.",
        "Laravel's summary repeats the first field's message: said once"
    );
    let http = http_error(err);
    let fields = http.validation_errors().unwrap();
    assert_eq!(fields.keys().collect::<Vec<_>>(), ["name", "webhook_url"]);
    assert_eq!(
        fields["webhook_url"],
        ["The webhook url must start with https://."]
    );
}

#[tokio::test]
async fn a_rate_limited_get_is_retried_after_retry_after_then_succeeds() {
    let server = MockServer::start_async().await;
    // The first request is refused; the counter lets this mock match once.
    let seen = Arc::new(AtomicUsize::new(0));
    let first = Arc::clone(&seen);
    let limited = server
        .mock_async(move |when, then| {
            when.method(GET)
                .path("/instances")
                .is_true(move |_| first.fetch_add(1, Ordering::SeqCst) == 0);
            then.status(429).header("retry-after", "1");
        })
        .await;
    let ok = server
        .mock_async(|when, then| {
            when.method(GET).path("/instances");
            then.status(200)
                .header(JSON.0, JSON.1)
                .body(fixture("list_instances.json"));
        })
        .await;

    let started = std::time::Instant::now();
    let instances = client_for(&server).list_instances().send().await.unwrap();

    assert_eq!(instances.len(), 2);
    limited.assert_calls_async(1).await;
    ok.assert_calls_async(1).await;
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was honoured"
    );
}

#[tokio::test]
async fn a_rate_limited_post_is_never_retried() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/abc/request-new-qr-code");
            then.status(429)
                .header("retry-after", "60")
                .header(JSON.0, JSON.1)
                .body(r#"{"message":"Too Many Attempts."}"#);
        })
        .await;
    let err = client_for(&server)
        .request_new_qr_code("abc")
        .send()
        .await
        .unwrap_err();
    mock.assert_calls_async(1).await;
    assert_eq!(err.retry_after(), Some(Duration::from_secs(60)));
    assert_eq!(
        err.to_string(),
        "request_new_qr_code: HTTP 429 Too Many Requests: Too Many Attempts. (retry after 60 s)"
    );
}

#[tokio::test]
async fn a_get_gives_up_after_its_retry_budget() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path("/instances");
            then.status(503);
        })
        .await;
    let client = Client::builder(TEST_TOKEN)
        .base_url(server.base_url())
        .retry_policy(fast_retries().with_max_retries(2))
        .build()
        .unwrap();
    let err = client.list_instances().send().await.unwrap_err();
    mock.assert_calls_async(3).await; // the first try and two retries
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
}

#[tokio::test]
async fn every_retryable_status_is_retried_and_others_are_not() {
    for (status, expected_calls) in [
        (429, 2),
        (502, 2),
        (503, 2),
        (504, 2),
        (500, 1),
        (400, 1),
        (404, 1),
    ] {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(move |when, then| {
                when.method(GET).path("/instances");
                then.status(status);
            })
            .await;
        let client = Client::builder(TEST_TOKEN)
            .base_url(server.base_url())
            .retry_policy(fast_retries().with_max_retries(1))
            .build()
            .unwrap();
        client.list_instances().send().await.unwrap_err();
        assert_eq!(mock.calls_async().await, expected_calls, "status {status}");
    }
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_is_returned_not_waited() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path("/instances");
            then.status(429).header("retry-after", "3600");
        })
        .await;
    let err = client_for(&server)
        .list_instances()
        .send()
        .await
        .unwrap_err();
    mock.assert_calls_async(1).await;
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
}

#[tokio::test]
async fn retries_can_be_switched_off() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path("/instances");
            then.status(503);
        })
        .await;
    let client = Client::builder(TEST_TOKEN)
        .base_url(server.base_url())
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    client.list_instances().send().await.unwrap_err();
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_server_error_with_an_html_page_keeps_status_and_body() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/abc/restart");
            then.status(500)
                .header("content-type", "text/html")
                .body(fixture("html_error_page.html"));
        })
        .await;
    let err = client_for(&server)
        .restart_instance("abc")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "restart_instance: HTTP 500 Internal Server Error"
    );
    let http = http_error(err);
    assert_eq!(http.body, None);
    assert!(
        http.raw_body
            .contains("<div class=\"message\">Server Error</div>"),
        "{}",
        http.raw_body
    );
}

#[tokio::test]
async fn an_html_page_with_status_200_is_a_decode_error_keeping_the_body() {
    let err = list_from(200, "text/html", fixture("html_error_page.html"))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("list_instances: unexpected response body at `.`: expected value"),
        "{err}"
    );
    let decode = decode_error(err);
    assert!(
        decode.raw_body.starts_with("<!DOCTYPE html>"),
        "{}",
        decode.raw_body
    );
}

#[tokio::test]
async fn truncated_json_is_a_decode_error_without_the_tokens_it_carried() {
    let full = fixture("list_instances.json");
    let truncated = full[..full.find("\"created_at\"").unwrap()].to_owned();
    let err = list_from(200, JSON.1, truncated).await.unwrap_err();
    assert_no_secrets(&err);
    let decode = decode_error(err);
    assert!(
        decode.message.contains("EOF while parsing"),
        "{}",
        decode.message
    );
    assert!(
        decode.raw_body.contains("\"name\": \"MyInstanceName\""),
        "the rest of the body is kept: {}",
        decode.raw_body
    );
    assert!(
        decode.raw_body.contains("** redacted **"),
        "{}",
        decode.raw_body
    );
}

#[tokio::test]
async fn unknown_fields_and_an_unknown_status_are_accepted() {
    let mut body = list_fixture();
    body[0]["status"] = "DELETING".into();
    body[0]["region"] = "eu-west".into();
    body[1]["webhook"] = serde_json::json!({"url": "https://x", "events": ["message"]});
    let instances = list_from(200, JSON.1, body.to_string()).await.unwrap();
    assert_eq!(instances[0].status.as_str(), "DELETING");
    assert!(!instances[0].status.is_known());
    assert_eq!(instances[1].status, InstanceStatus::ScanQrCode);
}

#[tokio::test]
async fn an_odd_timestamp_never_fails_the_whole_list() {
    let mut body = list_fixture();
    body[1]["created_at"] = "yesterday".into();
    body[0]["created_at"] = "2025-02-30T10:00:00".into();
    let instances = list_from(200, JSON.1, body.to_string()).await.unwrap();
    assert_eq!(instances.len(), 2);
    assert_eq!(instances[0].created_at.as_datetime(), None);
    assert_eq!(
        instances[0].created_at.unparsed(),
        Some("2025-02-30T10:00:00")
    );
    assert_eq!(instances[1].created_at.unparsed(), Some("yesterday"));
    assert_eq!(instances[1].status, InstanceStatus::ScanQrCode);
}

#[tokio::test]
async fn a_timestamp_that_is_not_a_string_names_the_field() {
    let mut body = list_fixture();
    body[1]["created_at"] = 1_748_254_365.into();
    let err = list_from(200, JSON.1, body.to_string()).await.unwrap_err();
    assert_no_secrets(&err);
    let decode = decode_error(err);
    assert_eq!(decode.path, "[1].created_at");
    assert!(
        decode.message.starts_with("invalid type: integer"),
        "{}",
        decode.message
    );
}

#[tokio::test]
async fn a_missing_required_field_names_the_field() {
    let mut body: serde_json::Value = serde_json::from_str(&fixture("check_health.json")).unwrap();
    body.as_object_mut().unwrap().remove("status");
    let server = MockServer::start_async().await;
    server
        .mock_async(move |when, then| {
            when.method(GET).path("/x/health");
            then.status(200).header(JSON.0, JSON.1).json_body(body);
        })
        .await;
    let err = client_for(&server)
        .check_health("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "check_health: unexpected response body at `.`: missing field `status` at line 1 column 91"
    );
}

#[tokio::test]
async fn a_wrongly_typed_secret_is_not_quoted_in_the_message() {
    let mut body = list_fixture();
    body[0]["access_token"] = serde_json::json!(987654321987654321u64);
    let err = list_from(200, JSON.1, body.to_string()).await.unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(!text.contains("987654321987654321"), "{text}");
    assert_eq!(decode_error(err).path, "[0].access_token");
}

#[tokio::test]
async fn tokens_in_an_error_body_are_not_leaked() {
    let body = format!(
        r#"{{"message":"token {TEST_TOKEN} is revoked","instances":[{{"access_token":"234|{DOCS_ACCESS_TOKEN_SECRET}"}}],"debug":"Bearer {TEST_TOKEN}"}}"#
    );
    let err = list_from(403, JSON.1, body).await.unwrap_err();
    assert_no_secrets(&err);
    assert_eq!(
        err.to_string(),
        "list_instances: HTTP 403 Forbidden: token ** redacted ** is revoked"
    );
    assert!(
        http_error(err)
            .raw_body
            .contains("\"access_token\":\"** redacted **\"")
    );
}

#[tokio::test]
async fn a_slow_server_is_a_timeout() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/instances");
            then.status(200)
                .header(JSON.0, JSON.1)
                .body("[]")
                .delay(Duration::from_secs(3));
        })
        .await;
    let client = Client::builder(TEST_TOKEN)
        .base_url(server.base_url())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = client.list_instances().send().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                operation: "list_instances",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(err.to_string(), "list_instances: timed out");
}

#[tokio::test]
async fn a_closed_port_is_a_transport_error_after_retries() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client = Client::builder(TEST_TOKEN)
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry_policy(fast_retries().with_max_retries(2))
        .build()
        .unwrap();
    let err = client.list_instances().send().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                operation: "list_instances",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("list_instances: could not talk to the server"),
        "{err}"
    );
    assert_no_secrets(&err);
}

/// A status the client does not retry (a POST's 503) with `Retry-After`:
/// an HTTP error that says how long the server asked to wait.
#[tokio::test]
async fn an_http_error_with_retry_after_says_how_long_to_wait() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/abc/restart");
            then.status(503)
                .header("retry-after", "30")
                .header(JSON.0, JSON.1)
                .body(r#"{"message":"Service Unavailable"}"#);
        })
        .await;
    let err = client_for(&server)
        .restart_instance("abc")
        .send()
        .await
        .unwrap_err();
    mock.assert_calls_async(1).await;
    assert!(matches!(err, Error::Http(_)), "{err:?}");
    assert_eq!(
        err.status(),
        Some(hypersender::reqwest::StatusCode::SERVICE_UNAVAILABLE)
    );
    assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
}

/// A connection the server drops: the error's one-line chain is its own
/// text, then each cause under it, once.
#[tokio::test]
async fn the_display_chain_is_the_error_then_each_cause_once() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            drop(stream);
        }
    });
    let err = hypersender_tests::client_at(&format!("http://{addr}"))
        .restart_instance("abc")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    let chain = err.display_chain();
    assert!(chain.starts_with(&format!("{err}: ")), "{chain}");
    let cause = std::error::Error::source(&err)
        .expect("a cause")
        .to_string();
    assert!(chain.contains(&cause), "{cause} in {chain}");
    let parts: Vec<&str> = chain.split(": ").collect();
    assert!(
        parts.windows(2).all(|pair| pair[0] != pair[1]),
        "no cause twice in a row: {chain}"
    );
    assert_no_secrets(&err);
}

/// The client's own limit, reached: the message says when the operation
/// can be sent again, in whole seconds rounded up.
#[tokio::test]
async fn a_limit_reached_says_when_to_send_again_rounded_up() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/abc/restart");
            then.status(200)
                .header(JSON.0, JSON.1)
                .body(r#"{"message":"Instance restarted successfully"}"#);
        })
        .await;
    // One restart per 36.5 s.
    let per = Duration::from_millis(36_500);
    let client = Client::builder(TEST_TOKEN)
        .base_url(server.base_url())
        .rate_limits(hypersender::RateLimits::default().with_limit("restart_instance", 1, per))
        .build()
        .unwrap();
    client.restart_instance("abc").send().await.unwrap();
    let err = client.restart_instance("abc").send().await.unwrap_err();
    let wait = err.retry_after().expect("the wait");
    let text = err.to_string();
    let said: u64 = text
        .split("sent again in ")
        .nth(1)
        .and_then(|rest| rest.strip_suffix(" s"))
        .unwrap_or_else(|| panic!("{text}"))
        .parse()
        .unwrap();
    // Sent within half a second of the first: more than 36 s to wait, so
    // 37 whole seconds.
    assert!(wait > Duration::from_secs(36) && wait <= per, "{wait:?}");
    assert_eq!(said, 37, "{text}");
}
