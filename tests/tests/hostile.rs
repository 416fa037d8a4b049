//! A server that misbehaves: the client returns the right error within its
//! timeout, stops reading at its size limit, gives up after its retry budget,
//! and never leaks the token.

use std::time::{Duration, Instant};

use hypersender::types::InstanceResponse;
use hypersender::{Client, Error, RetryPolicy};
use hypersender_tests::hostile::{Behavior, HostileServer};
use hypersender_tests::{TEST_TOKEN, TEST_TOKEN_SECRET, fast_retries, fixture};

const MIB: u64 = 1024 * 1024;

fn client(server: &HostileServer, timeout: Duration, retry: RetryPolicy, limit: u64) -> Client {
    Client::builder(TEST_TOKEN)
        .base_url(&server.base_url)
        .timeout(timeout)
        .retry_policy(retry)
        .max_response_bytes(limit)
        .build()
        .unwrap()
}

fn assert_no_token(err: &Error) {
    let text = format!("{err} {err:?}");
    assert!(!text.contains(TEST_TOKEN_SECRET), "{text}");
}

#[tokio::test]
async fn a_stall_after_the_headers_times_out_on_time() {
    let server = HostileServer::start(Behavior::StallAfterHeaders {
        content_length: 100,
        stall: Duration::from_secs(10),
    })
    .await;
    let client = client(&server, Duration::from_millis(500), fast_retries(), MIB);
    let started = Instant::now();
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
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.requests(), 1, "a timeout is not retried");
    assert_no_token(&err);
}

/// What listing gives when the server answers `status`, announces 1,000
/// bytes of body and closes after 25.
async fn list_from_a_body_broken_off(status: u16) -> Error {
    let server = HostileServer::start(Behavior::CloseMidBody {
        status,
        content_length: 1000,
        sent: 25,
    })
    .await;
    client(&server, Duration::from_secs(5), fast_retries(), MIB)
        .list_instances()
        .send()
        .await
        .unwrap_err()
}

#[tokio::test]
async fn a_connection_closed_mid_body_is_a_transport_error() {
    let err = list_from_a_body_broken_off(200).await;
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
    assert_no_token(&err);
}

#[tokio::test]
async fn fifty_megabytes_stop_at_the_limit() {
    for declare_length in [true, false] {
        let server = HostileServer::start(Behavior::Huge {
            total: 50 * MIB,
            declare_length,
        })
        .await;
        let started = Instant::now();
        let err = client(&server, Duration::from_secs(20), fast_retries(), MIB)
            .list_instances()
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::ResponseTooLarge { operation: "list_instances", limit } if limit == MIB),
            "declare_length {declare_length}: {err:?}"
        );
        assert_eq!(
            err.to_string(),
            "list_instances: the response body is larger than the limit of 1048576 bytes"
        );
        // The client hung up: the server could not push the whole body.
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(
            server.body_bytes_written() < 20 * MIB,
            "wrote {} bytes",
            server.body_bytes_written()
        );
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}

#[tokio::test]
async fn the_default_limit_is_the_documented_ten_mebibytes_and_refuses_fifty() {
    let server = HostileServer::start(Behavior::Huge {
        total: 50 * MIB,
        declare_length: true,
    })
    .await;
    let client = Client::builder(TEST_TOKEN)
        .base_url(&server.base_url)
        .build()
        .unwrap();
    let err = client.list_instances().send().await.unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit, .. } if limit == 10 * MIB),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_large_error_body_is_cut_at_the_limit_too() {
    let body = "x".repeat(2 * MIB as usize);
    let server = HostileServer::start(Behavior::Respond {
        status: 500,
        headers: vec![],
        body,
    })
    .await;
    let err = client(&server, Duration::from_secs(5), fast_retries(), MIB)
        .restart_instance("a")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::ResponseTooLarge {
                operation: "restart_instance",
                ..
            }
        ),
        "{err:?}"
    );
}

/// Lists from a server answering 200 with `content_type` and `body`.
async fn list_labelled(content_type: &str, body: String) -> Result<Vec<InstanceResponse>, Error> {
    let headers = vec![("content-type".to_owned(), content_type.to_owned())];
    let server = HostileServer::start(Behavior::Respond {
        status: 200,
        headers,
        body,
    })
    .await;
    client(&server, Duration::from_secs(5), fast_retries(), MIB)
        .list_instances()
        .send()
        .await
}

#[tokio::test]
async fn a_wrong_content_type_with_json_is_accepted_and_xml_is_a_decode_error() {
    let instances = list_labelled("text/plain", fixture("list_instances.json"))
        .await
        .unwrap();
    assert_eq!(
        instances.len(),
        2,
        "the body is what matters, not the label"
    );

    let xml = "<instances><instance id=\"1\"/></instances>";
    let err = list_labelled("application/xml", xml.to_owned())
        .await
        .unwrap_err();
    let Error::Decode(decode) = err else {
        panic!("expected a decode error, got {err:?}")
    };
    assert_eq!(decode.raw_body, xml);
}

#[tokio::test]
async fn rate_limited_forever_gives_up_after_the_retry_budget() {
    let headers = vec![("retry-after".to_owned(), "0".to_owned())];
    let server = HostileServer::start(Behavior::Respond {
        status: 429,
        headers,
        body: "{\"message\":\"Too Many Attempts.\"}".into(),
    })
    .await;
    let policy = fast_retries().with_max_retries(4);
    let client = client(&server, Duration::from_secs(5), policy.clone(), MIB);
    let started = Instant::now();
    let err = client.list_instances().send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(err.retry_after(), Some(Duration::ZERO));
    assert_eq!(server.requests(), 5, "the first try and 4 retries");
    assert_eq!(
        policy.max_retries(),
        4,
        "the policy says how many retries it makes"
    );
    assert_eq!(RetryPolicy::disabled().max_retries(), 0);
    assert!(started.elapsed() < Duration::from_secs(3));

    let err = client.restart_instance("a").send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(server.requests(), 6, "a POST is tried once");
}

#[tokio::test]
async fn a_server_echoing_the_request_does_not_leak_the_token() {
    let server = HostileServer::start(Behavior::EchoRequestAs500).await;
    let err = client(
        &server,
        Duration::from_secs(5),
        RetryPolicy::disabled(),
        MIB,
    )
    .list_instances()
    .send()
    .await
    .unwrap_err();
    let Error::Http(http) = &err else {
        panic!("expected an HTTP error, got {err:?}")
    };
    assert!(
        http.raw_body
            .to_ascii_lowercase()
            .contains("authorization: bearer ** redacted **"),
        "{}",
        http.raw_body
    );
    assert_no_token(&err);
}

#[tokio::test]
async fn a_body_of_exactly_the_limit_is_read_and_one_byte_more_is_refused() {
    let body = fixture("list_instances.json");
    let server = httpmock::MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/instances");
            then.status(200)
                .header("content-type", "application/json")
                .body(&body);
        })
        .await;
    let with_limit = |limit: usize| {
        Client::builder(TEST_TOKEN)
            .base_url(server.base_url())
            .max_response_bytes(limit as u64)
            .build()
            .unwrap()
    };
    let listed = with_limit(body.len())
        .list_instances()
        .send()
        .await
        .unwrap();
    let expected: Vec<InstanceResponse> = serde_json::from_str(&body).unwrap();
    assert_eq!(listed.len(), expected.len());
    let err = with_limit(body.len() - 1)
        .list_instances()
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit, .. } if limit == body.len() as u64 - 1),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_error_status_whose_body_breaks_off_is_still_that_error() {
    let err = list_from_a_body_broken_off(500).await;
    // The server said 500: that is what the caller learns, with why the
    // body is missing, not a transport error that hides the status.
    let Error::Http(http) = &err else {
        panic!("{err:?}");
    };
    assert_eq!(http.status, 500);
    assert!(
        http.raw_body.starts_with("(the body could not be read: "),
        "{}",
        http.raw_body
    );
    assert_no_token(&err);
}

#[tokio::test]
async fn a_429_without_retry_after_that_is_retried_waits_the_backoff_not_a_window() {
    // The documented limits on: a 429 that gives no Retry-After and is
    // retried is waited out by the retry's own backoff; only a 429 that
    // ends the call holds the operation back for a whole window.
    let server = HostileServer::start(Behavior::Sequence(vec![
        (429, r#"{"message":"Too Many Attempts."}"#.into()),
        (200, fixture("list_instances.json")),
    ]))
    .await;
    let client = Client::builder(TEST_TOKEN)
        .base_url(&server.base_url)
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let listed = tokio::time::timeout(Duration::from_secs(5), client.list_instances().send())
        .await
        .expect("the retry came after its backoff, not after a rate-limit window")
        .unwrap();
    assert!(!listed.is_empty());
    assert_eq!(server.requests(), 2, "the 429, then the retry");
}

#[tokio::test]
async fn a_retry_waits_for_its_limiter_slot_or_with_fail_fast_gives_the_error_back() {
    // One list per second: the retry after a 503 has its backoff (5 ms)
    // long before its slot (1 s), which is within the retry budget (2 s).
    let limits = |mode| {
        hypersender::RateLimits::default()
            .with_limit("list_instances", 1, Duration::from_secs(1))
            .with_mode("list_instances", mode)
    };
    let sequence = || {
        Behavior::Sequence(vec![
            (503, r#"{"message":"busy"}"#.into()),
            (200, fixture("list_instances.json")),
        ])
    };
    // Waiting: the retry is sent when the slot comes, and succeeds.
    let server = HostileServer::start(sequence()).await;
    let waiting = Client::builder(TEST_TOKEN)
        .base_url(&server.base_url)
        .retry_policy(fast_retries())
        .rate_limits(limits(hypersender::RateLimitMode::Wait))
        .build()
        .unwrap();
    let started = Instant::now();
    waiting.list_instances().send().await.unwrap();
    assert_eq!(server.requests(), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    // Failing fast: no retry is made for a slot further off than the
    // backoff; the caller gets the server's answer at once.
    let server = HostileServer::start(sequence()).await;
    let hasty = Client::builder(TEST_TOKEN)
        .base_url(&server.base_url)
        .retry_policy(fast_retries())
        .rate_limits(limits(hypersender::RateLimitMode::FailFast))
        .build()
        .unwrap();
    let err = hasty.list_instances().send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{err:?}");
    assert_eq!(server.requests(), 1);
}
