//! Fleet operations against the stateful mock with a seed of 500
//! instances, on a paused tokio clock: watch, ensure, plan and apply, bulk
//! restarts, diagnosis; each checked against the mock's request log.

use std::pin::pin;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use futures_util::StreamExt;
use httpmock::Method::GET;
use hypersender::{
    Client, DesiredInstance, Ensured, FleetEvent, InstanceReport, InstanceStatus, PlanStep, Remedy,
    Source, WatchOptions, catalog,
};
use hypersender_mock_server::{MockConfig, MockServer, seed_instances};
use hypersender_tests::hostile::HostileServer;

const FLEET: usize = 500;

async fn mock(config: MockConfig) -> MockServer {
    let at = Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap();
    MockServer::start(config.tokio_clock(at).generated_instances(FLEET, 42))
        .await
        .unwrap()
}

/// The least time `calls` calls of `operation` take under its documented
/// rate limit: the first `requests` go at once, then one window per batch.
fn minimum_time(operation: &catalog::Operation, calls: u32) -> Duration {
    let limit = operation
        .rate_limit
        .expect("the operation documents a rate limit");
    limit.per * ((calls - 1) / limit.requests)
}

/// How many instances the mock starts with before the generated fleet.
fn documented_examples() -> usize {
    seed_instances().unwrap().len()
}

fn client_of(mock: &MockServer) -> Client {
    Client::builder(mock.token())
        .base_url(mock.base_url())
        .timeout(Duration::from_secs(3600))
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn watch_reports_a_snapshot_then_each_change_with_one_request_per_poll() {
    let mock = mock(MockConfig::default()).await;
    let client = client_of(&mock);
    let mut watch = pin!(client.watch_instances(WatchOptions::new(Duration::from_secs(30))));
    let Some(FleetEvent::Snapshot { instances, .. }) = watch.next().await else {
        panic!("the first event is the snapshot")
    };
    assert_eq!(
        instances.len(),
        FLEET + documented_examples(),
        "the seed and the documented examples"
    );
    let victim = instances
        .iter()
        .find(|i| i.status == InstanceStatus::Working)
        .unwrap()
        .id
        .clone();
    assert!(mock.set_status(&victim, InstanceStatus::Failed));
    match watch.next().await {
        Some(FleetEvent::StatusChanged { instance, from, .. }) => {
            assert_eq!(instance.id, victim);
            assert_eq!(from, InstanceStatus::Working);
            assert_eq!(instance.status, InstanceStatus::Failed);
        }
        other => panic!("{other:?}"),
    }
    client
        .create_instance()
        .phone("+201234567800")
        .name("Newcomer")
        .send()
        .await
        .unwrap();
    match watch.next().await {
        Some(FleetEvent::Appeared { instance, .. }) => assert_eq!(instance.name, "Newcomer"),
        other => panic!("{other:?}"),
    }
    let lists = mock
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/instances"))
        .count();
    assert_eq!(lists, 3, "one list per poll covers every instance");
}

#[tokio::test(start_paused = true)]
async fn a_debounced_watch_reports_a_brief_flap_once_as_a_flap() {
    let mock =
        mock(MockConfig::default().flapping(Duration::from_secs(60), Duration::from_secs(20)))
            .await;
    let client = client_of(&mock);
    let options = WatchOptions::new(Duration::from_secs(10)).debounce(Duration::from_secs(45));
    let events: Vec<FleetEvent> = client.watch_instances(options).take(6).collect().await;
    let flaps: Vec<_> = events
        .iter()
        .filter_map(|event| match event {
            FleetEvent::Flapped { instance, via, .. } => {
                Some((instance.status.clone(), via.clone()))
            }
            _ => None,
        })
        .collect();
    assert!(!flaps.is_empty(), "{events:?}");
    for (status, via) in flaps {
        assert_eq!(status, InstanceStatus::Working);
        assert_eq!(via, [InstanceStatus::Starting]);
    }
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, FleetEvent::StatusChanged { .. })),
        "a flap is not reported as two changes: {events:?}"
    );
}

#[tokio::test]
async fn a_429_on_the_list_backs_off_and_says_so() {
    let server = httpmock::MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/instances");
            then.status(429).header("retry-after", "30").body("{}");
        })
        .await;
    let client = Client::builder("1|token")
        .base_url(server.base_url())
        .retry_policy(hypersender::RetryPolicy::disabled())
        .build()
        .unwrap();
    let mut watch = pin!(client.watch_instances(WatchOptions::new(Duration::from_secs(5))));
    match watch.next().await {
        Some(FleetEvent::BackingOff { retry_after }) => {
            assert_eq!(retry_after, Duration::from_secs(30))
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn ensure_finds_by_exact_name_reports_differences_and_creates_only_when_absent() {
    let mock = mock(MockConfig::default()).await;
    let client = client_of(&mock);
    // "Instance 0001" exists with another phone; "Instance 000" is only a
    // partial match of many names.
    let existing = client
        .ensure_instance(&DesiredInstance::new("Instance 0001", "+201999999999"))
        .await
        .unwrap();
    match existing {
        Ensured::Exists {
            instance,
            differences,
        } => {
            assert_eq!(instance.name, "Instance 0001");
            assert_eq!(differences.len(), 1);
            assert_eq!(differences[0].field, "phone");
            assert_eq!(differences[0].wanted, "+201999999999");
        }
        other => panic!("{other:?}"),
    }
    let created = client
        .ensure_instance(&DesiredInstance::new("Instance 000", "+201999999998"))
        .await
        .unwrap();
    assert!(matches!(created, Ensured::Created(_)), "{created:?}");
}

#[tokio::test]
async fn ensure_survives_the_race_where_create_finds_the_name_taken() {
    let server = HostileServer::name_taken_race("Racer", "+201234567890").await;
    let client = hypersender_tests::client_at(&server.base_url);
    match client
        .ensure_instance(&DesiredInstance::new("Racer", "+201234567890"))
        .await
    {
        Ok(Ensured::Exists {
            instance,
            differences,
        }) => {
            assert_eq!(instance.name, "Racer");
            assert!(differences.is_empty());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.requests(), 3);
}

#[tokio::test(start_paused = true)]
async fn apply_creates_at_the_documented_pace_and_a_second_run_plans_nothing() {
    let mock = mock(MockConfig::default()).await;
    let client = client_of(&mock);
    let desired: Vec<DesiredInstance> = (0..20)
        .map(|i| DesiredInstance::new(format!("Branch {i:02}"), format!("+20155{i:07}")))
        .collect();
    let plan = client.plan_fleet(&desired).await.unwrap();
    assert!(plan.iter().all(|step| matches!(step, PlanStep::Create(_))));
    let started = tokio::time::Instant::now();
    let applied = client.apply_plan(&plan, |_| {}).await;
    assert_eq!(applied.len(), 20);
    assert!(
        applied
            .iter()
            .all(|a| matches!(a.result, Ok(Ensured::Created(_))))
    );
    // The 20th create goes out at the documented limit's earliest moment.
    assert_eq!(
        started.elapsed(),
        minimum_time(&catalog::CREATE_INSTANCE, 20)
    );
    let log = mock.requests();
    let creates = log
        .iter()
        .filter(|r| r.path.ends_with("/create-instance"))
        .count();
    assert_eq!(creates, 20, "exactly the 20 creates");
    let others: Vec<_> = log
        .iter()
        .filter(|r| !r.path.ends_with("/create-instance"))
        .collect();
    assert!(
        others
            .iter()
            .all(|r| r.method == "GET" && r.path.ends_with("/instances")),
        "only lists besides the creates: {others:?}"
    );
    eprintln!("apply of 20: {creates} creates + {} lists", others.len());
    assert!(log.iter().all(|r| r.status != 429), "never a 429: {log:?}");
    let again = client.plan_fleet(&desired).await.unwrap();
    assert!(
        again
            .iter()
            .all(|step| matches!(step, PlanStep::Exists(..))),
        "idempotent: {again:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn restart_many_restarts_100_failed_instances_without_a_429() {
    let mock = mock(MockConfig::default()).await;
    let client = client_of(&mock);
    let listed = client.list_instances().send().await.unwrap();
    let ids: Vec<String> = listed.iter().take(100).map(|i| i.id.clone()).collect();
    for id in &ids {
        mock.set_status(id, InstanceStatus::Failed);
    }
    let started = tokio::time::Instant::now();
    let mut done = 0;
    let outcomes = client.restart_many(&ids, |_| done += 1).await;
    assert_eq!(done, 100);
    assert!(outcomes.iter().all(|o| o.result.is_ok()));
    assert_eq!(
        started.elapsed(),
        minimum_time(&catalog::RESTART_INSTANCE, 100)
    );
    let refused = mock.requests().iter().filter(|r| r.status == 429).count();
    assert_eq!(refused, 0);
}

#[tokio::test(start_paused = true)]
async fn diagnosis_gives_starting_instances_time_and_restarts_the_stuck() {
    let mock = mock(MockConfig::default()).await;
    let client = client_of(&mock);
    let listed = client.list_instances().send().await.unwrap();
    let (slow, recovering) = (listed[2].id.clone(), listed[3].id.clone());
    mock.set_status(&slow, InstanceStatus::Starting);
    mock.set_status(&recovering, InstanceStatus::Starting);
    let ids = vec![slow.clone(), recovering.clone()];
    let diagnosing = client.diagnose_fleet(
        Some(&ids),
        Duration::from_secs(120),
        Duration::from_secs(30),
    );
    let mut diagnosing = pin!(diagnosing);
    let diagnoses = loop {
        tokio::select! {
            done = &mut diagnosing => break done.unwrap(),
            () = tokio::time::sleep(Duration::from_secs(40)) => {
                mock.set_status(&recovering, InstanceStatus::Working);
            }
        }
    };
    let remedy = |id: &str| {
        diagnoses
            .iter()
            .find(|d| d.instance.id == id)
            .unwrap()
            .remedy
            .clone()
    };
    assert_eq!(remedy(&slow), Remedy::Restart);
    assert_eq!(remedy(&recovering), Remedy::Nothing);
    let everything = client
        .diagnose_fleet(None, Duration::ZERO, Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(everything.len(), FLEET + documented_examples());
}

#[tokio::test(start_paused = true)]
async fn restart_many_restarts_each_distinct_id_once_in_the_order_given() {
    let mock = mock(MockConfig::default()).await;
    let client = client_of(&mock);
    let listed = client.list_instances().send().await.unwrap();
    let (a, b, c) = (&listed[0].id, &listed[1].id, &listed[2].id);
    let ids: Vec<String> = [a, b, a, c, b].into_iter().cloned().collect();
    let outcomes = client.restart_many(&ids, |_| {}).await;
    let restarted: Vec<&str> = outcomes.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(restarted, [a.as_str(), b.as_str(), c.as_str()]);
    let sent: Vec<String> = mock
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/restart"))
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(sent.len(), 3, "one restart per distinct id: {sent:?}");
}

/// An instance as the list shows it.
fn listed_instance(id: &str, status: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id, "name": format!("Instance {id}"), "phone": "+201234567890",
        "service_type": "whatsapp", "status": status, "access_token": null,
        "created_at": "2025-05-26T10:12:45"
    })
}

#[tokio::test(start_paused = true)]
async fn a_list_repeating_a_row_changes_nothing_and_is_reported_once() {
    let (a, b) = (
        listed_instance("a", "WORKING"),
        listed_instance("b", "STOPPED"),
    );
    let lists = [
        serde_json::json!([a, b]),
        serde_json::json!([a, b, b]),
        serde_json::json!([b, a, b]),
        serde_json::json!([a, b]),
    ];
    let server = HostileServer::start(hypersender_tests::hostile::Behavior::Sequence(
        lists.iter().map(|list| (200, list.to_string())).collect(),
    ))
    .await;
    let client = Client::builder("1|token")
        .base_url(&server.base_url)
        .timeout(Duration::from_secs(3600))
        .build()
        .unwrap();
    let interval = Duration::from_secs(30);
    let watch = client.watch_instances(WatchOptions::new(interval));
    let mut watch = pin!(watch);
    let mut events = Vec::new();
    // Four polls; the fifth list would repeat the last.
    let until = tokio::time::Instant::now() + interval * 3 + Duration::from_secs(1);
    while let Ok(Some(event)) = tokio::time::timeout_at(until, watch.next()).await {
        events.push(event);
    }
    assert_eq!(server.requests(), lists.len());
    let Some(FleetEvent::Snapshot { instances, .. }) = events.first() else {
        panic!("{events:?}")
    };
    assert_eq!(instances.len(), 2);
    let rest: Vec<String> = events[1..]
        .iter()
        .map(|event| match event {
            FleetEvent::RepeatedRows { ids, .. } => format!("repeated {ids:?}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        rest,
        [r#"repeated ["b"]"#],
        "nothing appeared or disappeared"
    );
}

/// A watch of a server answering `lists` in turn (the last repeats).
async fn watching(lists: Vec<(u16, String)>) -> (HostileServer, Client) {
    let server = HostileServer::start(hypersender_tests::hostile::Behavior::Sequence(lists)).await;
    let client = Client::builder("1|token")
        .base_url(&server.base_url)
        .timeout(Duration::from_secs(3600))
        .retry_policy(hypersender::RetryPolicy::disabled())
        .build()
        .unwrap();
    (server, client)
}

/// A 429 on the list: the watch waits its Retry-After, not its interval
/// (nor not at all), before polling again.
#[tokio::test(start_paused = true)]
async fn after_a_429_the_watch_polls_again_after_retry_after() {
    let empty = "[]".to_owned();
    let (server, client) = watching(vec![
        (200, empty.clone()),
        (429, r#"{"message":"Too Many Attempts."}"#.to_owned()),
        (200, empty),
    ])
    .await;
    let interval = Duration::from_secs(5);
    let mut watch = pin!(client.watch_instances(WatchOptions::new(interval)));
    assert!(matches!(
        watch.next().await,
        Some(FleetEvent::Snapshot { .. })
    ));
    // No Retry-After from this server: the limiter holds a whole window.
    let Some(FleetEvent::BackingOff { retry_after }) = watch.next().await else {
        panic!("a 429 backs off");
    };
    assert_eq!(retry_after, Duration::from_secs(60));
    // Nothing changes from here on: the stream only polls.
    let _ = tokio::time::timeout(retry_after + interval / 2, watch.next()).await;
    let arrivals = server.arrivals();
    assert_eq!(arrivals.len(), 3, "{arrivals:?}");
    assert_eq!(arrivals[1] - arrivals[0], interval);
    assert_eq!(
        arrivals[2] - arrivals[1],
        retry_after,
        "waited Retry-After, not less"
    );
}

/// Each event's wall time is when its poll ran: one interval apart.
#[tokio::test(start_paused = true)]
async fn event_times_follow_the_polls() {
    let (a, b) = (
        listed_instance("a", "WORKING"),
        listed_instance("a", "STOPPED"),
    );
    let (_server, client) = watching(vec![
        (200, serde_json::json!([a]).to_string()),
        (200, serde_json::json!([b]).to_string()),
    ])
    .await;
    let interval = Duration::from_secs(30);
    let mut watch = pin!(client.watch_instances(WatchOptions::new(interval)));
    let Some(FleetEvent::Snapshot { at: first, .. }) = watch.next().await else {
        panic!("a snapshot first")
    };
    let Some(FleetEvent::StatusChanged { at: second, .. }) = watch.next().await else {
        panic!("then the change")
    };
    assert_eq!((second - first).to_std().unwrap(), interval);
    let now = chrono::Utc::now();
    assert!(
        first <= now && now - first < chrono::Duration::seconds(5),
        "{first} is now"
    );
}

/// Only a 422 (the name taken meanwhile) makes a create look again: any
/// other failure is the error, and nothing more is sent.
#[tokio::test]
async fn a_create_failing_otherwise_than_422_is_the_error() {
    let (server, client) = watching(vec![
        (200, "[]".to_owned()),
        (500, r#"{"message":"Server Error"}"#.to_owned()),
    ])
    .await;
    let failed = client
        .ensure_instance(&DesiredInstance::new("Shop", "+201234567890"))
        .await
        .unwrap_err();
    assert_eq!(failed.status().map(|s| s.as_u16()), Some(500), "{failed:?}");
    assert_eq!(
        server.requests(),
        2,
        "the list and the create, no second list"
    );
}

#[test]
fn each_status_gets_the_docs_remedy_and_the_stuck_threshold_decides_restarts() {
    let threshold = Duration::from_secs(120);
    let with = |status: &str| listed(status);
    let remedy = |status: &str, stuck_for: Duration| {
        hypersender::diagnose(&with(status), stuck_for, threshold)
    };
    assert_eq!(remedy("WORKING", Duration::ZERO), Remedy::Nothing);
    assert_eq!(remedy("SCAN_QR_CODE", threshold * 9), Remedy::ScanQrCode);
    assert_eq!(remedy("STOPPED", Duration::ZERO), Remedy::Restart);
    assert_eq!(remedy("FAILED", Duration::ZERO), Remedy::Restart);
    assert_eq!(remedy("PAUSED_BY_VENDOR", threshold * 9), Remedy::Unknown);
    for status in ["STARTING", "PENDING"] {
        let just_under = threshold - Duration::from_secs(1);
        assert_eq!(remedy(status, just_under), Remedy::Wait, "{status}");
        assert_eq!(remedy(status, threshold), Remedy::Restart, "{status}");
        assert_eq!(remedy(status, threshold * 2), Remedy::Restart, "{status}");
    }
}

fn listed(status: &str) -> hypersender::types::InstanceResponse {
    serde_json::from_value(listed_instance("x", status)).unwrap()
}

/// An instance that stays STARTING is watched exactly for the threshold:
/// lists every poll, the last one at the threshold, then a restart is
/// planned.
#[tokio::test(start_paused = true)]
async fn diagnosis_watches_exactly_until_the_threshold() {
    let starting = serde_json::json!([listed_instance("s", "STARTING")]).to_string();
    let (server, client) = watching(vec![(200, starting)]).await;
    let started = tokio::time::Instant::now();
    let (threshold, poll) = (Duration::from_secs(100), Duration::from_secs(30));
    let diagnoses = client.diagnose_fleet(None, threshold, poll).await.unwrap();
    assert_eq!(started.elapsed(), threshold);
    assert_eq!(diagnoses[0].remedy, Remedy::Restart);
    let arrivals = server.arrivals();
    let offsets: Vec<u64> = arrivals
        .iter()
        .map(|at| (*at - arrivals[0]).as_secs())
        .collect();
    assert_eq!(offsets, [0, 30, 60, 90, 100]);
}

#[test]
fn a_desired_instance_breaking_the_create_rules_says_which() {
    let broken = DesiredInstance::new("", "12345").webhook_url("http://insecure.example");
    let names: Vec<String> = broken.violations().into_iter().map(|v| v.name).collect();
    assert_eq!(names, ["phone", "name", "webhook_url"]);
    assert!(
        DesiredInstance::new("Shop", "+201234567890")
            .violations()
            .is_empty()
    );
}

/// Webhook reports merged with the polls: a reported status is a change at
/// once (from the webhook), the poll that then lists it reports nothing
/// more, a change only the poll sees is from the poll, and a WORKING
/// instance quiet for too long is reported silent, once.
#[tokio::test(start_paused = true)]
async fn webhook_reports_merge_with_the_polls_each_change_once() {
    let list = |a: &str, b: &str| {
        (
            200,
            serde_json::json!([listed_instance("a", a), listed_instance("b", b)]).to_string(),
        )
    };
    let (_server, client) = watching(vec![
        list("SCAN_QR_CODE", "WORKING"),
        list("WORKING", "WORKING"),
        list("WORKING", "STOPPED"),
        list("WORKING", "STOPPED"),
    ])
    .await;
    let interval = Duration::from_secs(30);
    let quiet = Duration::from_secs(45);
    let (reports, received) = tokio::sync::mpsc::unbounded_channel::<InstanceReport>();
    let received = futures_util::stream::unfold(received, |mut received| async move {
        received.recv().await.map(|report| (report, received))
    });
    let options = WatchOptions::new(interval).webhooks_silent_after(quiet);
    let mut watch = pin!(client.watch_instances_with(options, received));
    let Some(FleetEvent::Snapshot { at: started, .. }) = watch.next().await else {
        panic!("a snapshot first")
    };

    let heard = InstanceReport::new("a", Some(InstanceStatus::Working));
    let heard_at = heard.at;
    reports.send(heard).unwrap();
    match watch.next().await {
        Some(FleetEvent::StatusChanged {
            instance,
            from,
            source,
            at,
        }) => {
            assert_eq!(
                (instance.id.as_str(), &instance.status),
                ("a", &InstanceStatus::Working)
            );
            assert_eq!(from, InstanceStatus::ScanQrCode);
            assert_eq!(source, Source::Webhook);
            assert_eq!(at, heard_at);
        }
        other => panic!("the reported change first: {other:?}"),
    }
    // Poll 2 lists a WORKING: already reported, nothing. Poll 3 sees b
    // STOPPED, which no webhook said.
    match watch.next().await {
        Some(FleetEvent::StatusChanged {
            instance, source, ..
        }) => {
            assert_eq!(
                (instance.id.as_str(), &instance.status),
                ("b", &InstanceStatus::Stopped)
            );
            assert_eq!(source, Source::Poll);
        }
        other => panic!("b's change, from the poll: {other:?}"),
    }
    // At poll 3 (60 s), a has been quiet since its report for 60 s >= 45 s;
    // b is not WORKING.
    match watch.next().await {
        Some(FleetEvent::WebhooksSilent { instance, since }) => {
            assert_eq!(instance.id, "a");
            assert!(since >= started && since - started < chrono::Duration::seconds(1));
        }
        other => panic!("a is silent: {other:?}"),
    }
    // Reported once: the next poll (same list) says nothing more, until a
    // report breaks the silence.
    let nothing = tokio::time::timeout(interval + interval / 2, watch.next()).await;
    assert!(nothing.is_err(), "{nothing:?}");
}
