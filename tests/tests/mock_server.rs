//! The client against the stateful mock, as a consumer's test would use it:
//! a whole instance lifecycle, and the client's handling of the mock's
//! documented rate limits.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use hypersender::RateLimits;
use hypersender::{Client, Error, InstanceStatus};
use hypersender_mock_server::{MockConfig, MockServer};

async fn frozen_mock() -> MockServer {
    let at = Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap();
    MockServer::start(
        MockConfig::default()
            .frozen_clock(at)
            .instances(hypersender_tests::recorded_instances()),
    )
    .await
    .unwrap()
}

fn client_for(mock: &MockServer) -> Client {
    Client::builder(mock.token())
        .base_url(mock.base_url())
        .build()
        .unwrap()
}

#[tokio::test]
async fn create_scan_restart_and_reconnect() {
    let mock = frozen_mock().await;
    let client = client_for(&mock);
    let created = client
        .create_instance()
        .phone("+201234567892")
        .name("Support Line")
        .send()
        .await
        .unwrap();
    assert_eq!(created.status, InstanceStatus::ScanQrCode);
    assert_eq!(created.created_at.to_string(), "2026-03-04T05:06:07Z");
    let waiting = client
        .list_instances()
        .filter_status(InstanceStatus::ScanQrCode)
        .send()
        .await
        .unwrap();
    assert_eq!(waiting.len(), 2);
    assert_eq!(waiting[0].id, created.id);
    assert!(waiting[0].access_token.is_none());

    assert!(mock.scan(&created.id));
    let restarted = client.restart_instance(&created.id).send().await.unwrap();
    assert_eq!(
        restarted.message,
        "WhatsApp instance restarted successfully."
    );
    let mut seen = Vec::new();
    for _ in 0..3 {
        let health = client.check_health(&created.id).send().await.unwrap();
        seen.push(health.status);
        mock.advance_clock(Duration::from_secs(3));
    }
    assert_eq!(
        seen,
        [
            InstanceStatus::Stopped,
            InstanceStatus::Starting,
            InstanceStatus::Working
        ]
    );
    let connected = client
        .list_instances()
        .filter_uuid(created.id.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(
        connected[0].access_token.as_ref().unwrap().expose_secret(),
        created.access_token.as_ref().unwrap().expose_secret()
    );
}

#[tokio::test]
async fn a_servers_429_beyond_the_retry_cap_is_returned_with_its_wait() {
    let mock = frozen_mock().await;
    // Without its own limiter the client meets the server's: the 11th
    // health check in a minute is the mock's 429.
    let client = hypersender::Client::builder(mock.token())
        .base_url(mock.base_url())
        .rate_limits(RateLimits::off())
        .build()
        .unwrap();
    let id = "fa3d01c4-1234-4c0d-a12f-df319b612f8c";
    for _ in 0..10 {
        client.check_health(id).send().await.unwrap();
    }
    // Retry-After is 60 s, over the client's 30 s cap: no sleeping, the
    // error carries the wait.
    let error = client.check_health(id).send().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(60)));
    assert_eq!(
        error.to_string(),
        "check_health: HTTP 429 Too Many Requests: Too Many Attempts. (retry after 60 s)"
    );
    assert!(
        matches!(
            &error,
            Error::RateLimited {
                server: Some(_),
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn the_client_keeps_the_documented_limit_before_sending() {
    let mock = frozen_mock().await;
    let client = client_for(&mock);
    let id = "fa3d01c4-1234-4c0d-a12f-df319b612f8c";
    client.request_new_qr_code(id).send().await.unwrap();
    let sent = mock.requests().len();
    // POST fails fast: the second new QR code in a minute is refused by
    // the client itself, with the wait, and nothing reaches the server.
    let error = client.request_new_qr_code(id).send().await.unwrap_err();
    match &error {
        Error::RateLimited {
            retry_after: Some(wait),
            server: None,
            limit: Some(limit),
            ..
        } => {
            assert!(*wait > Duration::from_secs(59) && *wait <= Duration::from_secs(60));
            assert_eq!((limit.requests, limit.per), (1, Duration::from_secs(60)));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        error.to_string().starts_with(
            "request_new_qr_code: the rate limit (1 per 60 s) is reached; it can be sent again in "
        ),
        "{error}"
    );
    assert_eq!(mock.requests().len(), sent, "nothing was sent");
    assert_eq!(
        client
            .rate_limit_delay("request_new_qr_code")
            .map(|d| d.as_secs()),
        Some(59)
    );
}
