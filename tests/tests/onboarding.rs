//! Waiting and onboarding against the stateful mock, on a paused tokio
//! clock shared by the client and the mock: minutes of the documented flow
//! run in milliseconds, and the mock's request log shows exactly what was
//! sent and when.

use std::pin::pin;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use futures_util::StreamExt;
use hypersender::types::InstanceResponse;
use hypersender::{
    Client, ConnectEvent, ConnectOptions, ConnectRequest, GiveUpReason, InstanceStatus, WaitError,
    WaitOptions,
};
use hypersender_mock_server::{LoggedRequest, MockConfig, MockServer};
use hypersender_tests::hostile::HostileServer;

/// The first recorded instance (`tests/fixtures/list_instances.json`,
/// which every mock here starts with) with `status`.
fn seeded(status: InstanceStatus) -> InstanceResponse {
    hypersender_tests::recorded_instances()
        .into_iter()
        .find(|i| i.status == status)
        .unwrap_or_else(|| panic!("the recorded list has a {status} instance"))
}

fn working_id() -> String {
    seeded(InstanceStatus::Working).id
}

fn waiting_id() -> String {
    seeded(InstanceStatus::ScanQrCode).id
}

async fn mock(config: MockConfig) -> MockServer {
    let at = Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap();
    let config = config
        .tokio_clock(at)
        .instances(hypersender_tests::recorded_instances());
    MockServer::start(config).await.unwrap()
}

fn client_of(mock: &MockServer) -> Client {
    Client::builder(mock.token())
        .base_url(mock.base_url())
        // A paused clock jumps over idle time: a generous timeout keeps it
        // from firing while the mock, on the same runtime, answers.
        .timeout(Duration::from_secs(3600))
        .build()
        .unwrap()
}

fn calls<'a>(log: &'a [LoggedRequest], suffix: &str) -> Vec<&'a LoggedRequest> {
    log.iter().filter(|r| r.path.ends_with(suffix)).collect()
}

/// No window of `per` holds more than `limit` of `requests`.
fn within_limit(requests: &[&LoggedRequest], limit: usize, per: Duration) {
    for (i, request) in requests.iter().enumerate() {
        let in_window = requests[..=i]
            .iter()
            .filter(|r| request.at - r.at < per)
            .count();
        assert!(
            in_window <= limit,
            "{} requests within {per:?} at {:?}",
            in_window,
            request.at
        );
    }
}

#[tokio::test(start_paused = true)]
async fn connect_shows_a_fresh_qr_code_each_minute_until_it_is_scanned() {
    let mock = mock(MockConfig::default()).await;
    let client = client_of(&mock);
    let started = tokio::time::Instant::now();
    let flow = client.connect(
        ConnectRequest::new("Support Line", "+201234567892"),
        ConnectOptions::default(),
    );
    let mut flow = pin!(flow);
    let mut seen = Vec::new();
    while let Some(event) = flow.next().await {
        if let ConnectEvent::QrCode {
            instance_id,
            number: 2,
            qr_code,
        } = &event
        {
            assert!(qr_code.png().is_ok());
            assert!(mock.scan(instance_id), "the second code scans");
        }
        seen.push(event);
    }
    let kinds: Vec<String> = seen.iter().map(describe).collect();
    assert_eq!(
        kinds,
        [
            "created",
            "status SCAN_QR_CODE",
            "qr 1",
            "qr 2",
            "status WORKING",
            "connected"
        ],
    );
    let ConnectEvent::Connected(health) = seen.last().unwrap() else {
        unreachable!()
    };
    assert!(health.connected_at.is_some());
    assert!(
        started.elapsed() >= Duration::from_secs(60),
        "the first code lived its minute"
    );

    let log = mock.requests();
    let fresh = calls(&log, "/request-new-qr-code");
    assert_eq!(fresh.len(), 1, "exactly one new QR code: {log:?}");
    assert_eq!(
        fresh[0].at,
        Duration::from_secs(60),
        "requested when the first expired"
    );
    within_limit(&calls(&log, "/health"), 10, Duration::from_secs(60));
    assert!(
        log.iter().all(|r| r.status < 400),
        "no request was refused: {log:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_instance_is_recovered_by_one_restart_and_a_fresh_code() {
    // Unscanned for two codes' worth of time, the instance turns FAILED.
    let mock = mock(MockConfig::default().qr_codes_before_failure(2)).await;
    let client = client_of(&mock);
    let flow = client.connect(
        ConnectRequest::new("Sales", "+201234567893"),
        ConnectOptions::default(),
    );
    let mut flow = pin!(flow);
    let mut seen = Vec::new();
    while let Some(event) = flow.next().await {
        if let ConnectEvent::QrCode {
            instance_id,
            number: 3,
            ..
        } = &event
        {
            assert!(mock.scan(instance_id), "{seen:?} {:?}", mock.requests());
        }
        seen.push(describe(&event));
    }
    assert!(seen.contains(&"status FAILED".to_owned()), "{seen:?}");
    assert!(seen.contains(&"restarted".to_owned()), "{seen:?}");
    assert_eq!(
        seen.last().map(String::as_str),
        Some("connected"),
        "{seen:?}"
    );
    let log = mock.requests();
    assert_eq!(calls(&log, "/restart").len(), 1, "one restart: {log:?}");
    within_limit(
        &calls(&log, "/request-new-qr-code"),
        1,
        Duration::from_secs(60),
    );
    assert!(log.iter().all(|r| r.status < 400), "{log:?}");
}

#[tokio::test(start_paused = true)]
async fn connect_gives_up_at_its_timeout_with_the_last_status() {
    let mock = mock(MockConfig::default()).await;
    let client = client_of(&mock);
    let started = tokio::time::Instant::now();
    let events: Vec<ConnectEvent> = client
        .connect(
            ConnectRequest::new("Never Scanned", "+201234567894"),
            ConnectOptions::default().timeout(Duration::from_secs(90)),
        )
        .collect()
        .await;
    match events.last() {
        Some(ConnectEvent::GaveUp {
            reason: GiveUpReason::TimedOut(Some(InstanceStatus::ScanQrCode)),
            instance_id: Some(_),
        }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(started.elapsed(), Duration::from_secs(90));
}

#[tokio::test(start_paused = true)]
async fn an_existing_instance_with_exactly_that_name_is_reused() {
    let mock = mock(MockConfig::default()).await;
    let client = client_of(&mock);
    // A WORKING instance: nothing to do but check it.
    let existing = seeded(InstanceStatus::Working);
    let events: Vec<String> = client
        .connect(
            ConnectRequest::new(&existing.name, &existing.phone),
            ConnectOptions::default(),
        )
        .map(|event| describe(&event))
        .collect()
        .await;
    assert_eq!(events, ["reused", "status WORKING", "connected"]);
    assert!(calls(&mock.requests(), "/create-instance").is_empty());
}

/// STOPPED does not start by itself: the docs' remedy is a restart, so a
/// reused STOPPED instance is restarted (within the restart limit), then
/// followed to WORKING, with no new QR code (it was linked before).
#[tokio::test(start_paused = true)]
async fn a_reused_stopped_instance_is_restarted_then_connected() {
    let mock = mock(MockConfig::default()).await;
    let client = client_of(&mock);
    let existing = seeded(InstanceStatus::Working);
    mock.set_status(&existing.id, InstanceStatus::Stopped);
    let started = tokio::time::Instant::now();
    let events: Vec<String> = client
        .connect(
            ConnectRequest::new(&existing.name, &existing.phone),
            ConnectOptions::default().max_restarts(0),
        )
        .map(|event| describe(&event))
        .collect()
        .await;
    assert_eq!(events.first().map(String::as_str), Some("reused"));
    assert!(events.contains(&"restarted".to_owned()), "{events:?}");
    assert_eq!(
        events.last().map(String::as_str),
        Some("connected"),
        "{events:?}"
    );
    let log = mock.requests();
    let restarts = calls(&log, &format!("{}/restart", existing.id));
    assert_eq!(restarts.len(), 1, "{log:?}");
    assert!(calls(&log, "/request-new-qr-code").is_empty(), "{log:?}");
    assert!(calls(&log, "/create-instance").is_empty());
    assert!(
        started.elapsed() < ConnectOptions::default().timeout_duration(),
        "connected well before the timeout"
    );
}

#[tokio::test(start_paused = true)]
async fn a_reused_instance_with_another_phone_says_so() {
    let mock = mock(MockConfig::default()).await;
    let client = client_of(&mock);
    let existing = seeded(InstanceStatus::Working);
    let other_phone = format!("{}9", existing.phone);
    let flow = client.connect(
        ConnectRequest::new(&existing.name, &other_phone),
        ConnectOptions::default(),
    );
    let first = pin!(flow).next().await;
    match first {
        Some(ConnectEvent::Reused {
            instance,
            differences,
        }) => {
            assert_eq!(instance.id, existing.id);
            let [difference] = differences.as_slice() else {
                panic!("{differences:?}");
            };
            assert_eq!(difference.field, "phone");
            assert_eq!(difference.wanted, other_phone);
            assert_eq!(difference.actual, existing.phone);
        }
        other => panic!("{other:?}"),
    }
    assert!(calls(&mock.requests(), "/create-instance").is_empty());
}

#[tokio::test]
async fn connect_reuses_the_winner_when_its_create_loses_the_race() {
    let server = HostileServer::name_taken_race("Racer", "+201234567890").await;
    let client = hypersender_tests::client_at(&server.base_url);
    let flow = client.connect(
        ConnectRequest::new("Racer", "+201234567890"),
        ConnectOptions::default(),
    );
    match pin!(flow).next().await {
        Some(ConnectEvent::Reused {
            instance,
            differences,
        }) => {
            assert_eq!(instance.id, "race-winner-id");
            assert!(differences.is_empty(), "{differences:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn dropping_the_stream_stops_every_request() {
    let mock = mock(MockConfig::default()).await;
    let client = client_of(&mock);
    {
        let flow = client.connect(
            ConnectRequest::new("Dropped", "+201234567895"),
            ConnectOptions::default(),
        );
        let mut flow = pin!(flow);
        while let Some(event) = flow.next().await {
            if matches!(event, ConnectEvent::QrCode { .. }) {
                break;
            }
        }
    }
    let before = mock.requests().len();
    tokio::time::sleep(Duration::from_secs(600)).await;
    assert_eq!(
        mock.requests().len(),
        before,
        "nothing runs in the background"
    );
}

#[tokio::test(start_paused = true)]
async fn wait_for_status_follows_a_restart_and_waits_out_a_429() {
    let mock = mock(MockConfig::default()).await;
    let client = client_of(&mock);
    // Another client of the same account spends the health limit, so the
    // server answers 429 (with Retry-After) to the first checks.
    let other = client_of(&mock);
    other.check_health(working_id()).send().await.unwrap();
    for _ in 0..9 {
        other.check_health(working_id()).send().await.unwrap();
    }
    client.restart_instance(working_id()).send().await.unwrap();
    let health = client
        .wait_for_status(
            &working_id(),
            InstanceStatus::Working,
            WaitOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(health.status, InstanceStatus::Working);
    let refused = mock.requests().iter().filter(|r| r.status == 429).count();
    assert!(
        refused >= 1,
        "the wait met the server's limit and waited it out"
    );
}

#[tokio::test(start_paused = true)]
async fn wait_for_status_ends_at_failed_and_at_its_timeout() {
    let mock = mock(MockConfig::default().qr_codes_before_failure(1)).await;
    let client = client_of(&mock);
    let failed = client
        .wait_for_status(
            &waiting_id(),
            InstanceStatus::Working,
            WaitOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&failed, WaitError::Failed(health) if health.status == InstanceStatus::Failed),
        "{failed:?}"
    );
    let started = tokio::time::Instant::now();
    let timed_out = client
        .wait_for_status(
            &working_id(),
            InstanceStatus::Stopped,
            WaitOptions::default().timeout(Duration::from_secs(30)),
        )
        .await
        .unwrap_err();
    match timed_out {
        WaitError::TimedOut {
            last: Some(last),
            target,
            ..
        } => {
            assert_eq!(last.status, InstanceStatus::Working);
            assert_eq!(target, InstanceStatus::Stopped);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(started.elapsed(), Duration::from_secs(30));
}

fn describe(event: &ConnectEvent) -> String {
    match event {
        ConnectEvent::Created(_) => "created".into(),
        ConnectEvent::Reused { differences, .. } if differences.is_empty() => "reused".into(),
        ConnectEvent::Reused { .. } => "reused, differing".into(),
        ConnectEvent::QrCode { number, .. } => format!("qr {number}"),
        ConnectEvent::Status { status, .. } => format!("status {status}"),
        ConnectEvent::Restarted { .. } => "restarted".into(),
        ConnectEvent::Connected(_) => "connected".into(),
        ConnectEvent::GaveUp { reason, .. } => format!("gave up: {reason}"),
        _ => "other".into(),
    }
}
