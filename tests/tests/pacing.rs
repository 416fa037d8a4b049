//! Every attempt of a request takes a slot of the client's rate limiter:
//! retries included, no window of the documented length ever sees more
//! requests than documented, whatever the server answers. On a paused
//! clock, against a server on the test's own runtime, so the arrival times
//! are exact. The limits come from the catalog (the spec).

use std::time::Duration;

use hypersender::{Client, Error, RateLimit, RateLimitMode, RateLimits, RetryPolicy, catalog};
use hypersender_tests::hostile::{Behavior, HostileServer};
use tokio::time::Instant;

/// The documented limit of health checks.
fn health_limit() -> RateLimit {
    catalog::CHECK_HEALTH
        .rate_limit
        .expect("the spec documents a health-check limit")
}

/// A client with the documented limits and the default retry policy.
fn client_of(server: &HostileServer) -> Client {
    Client::builder("77|pacingTestTokenSecretPart123456")
        .base_url(&server.base_url)
        // A paused clock jumps over idle time: a generous timeout keeps it
        // from firing while the server, on the same runtime, answers.
        .timeout(Duration::from_secs(3600))
        .build()
        .unwrap()
}

/// The most requests any window of `limit.per` holds.
fn busiest_window(arrivals: &[Instant], limit: RateLimit) -> usize {
    arrivals
        .iter()
        .map(|end| {
            arrivals
                .iter()
                .filter(|at| *at <= end && *end - **at < limit.per)
                .count()
        })
        .max()
        .unwrap_or(0)
}

/// Health checks, one after the other, for `minutes` of virtual time.
async fn check_for(client: &Client, minutes: u32) -> Vec<Result<(), Error>> {
    let until = Instant::now() + Duration::from_secs(60) * minutes;
    let mut outcomes = Vec::new();
    while Instant::now() < until {
        outcomes.push(client.check_health("fa3d01c4").send().await.map(drop));
    }
    outcomes
}

#[tokio::test(start_paused = true)]
async fn a_server_answering_503_to_every_check_never_sees_more_than_the_limit() {
    let server = HostileServer::start(Behavior::Respond {
        status: 503,
        headers: Vec::new(),
        body: "{}".into(),
    })
    .await;
    let client = client_of(&server);
    let outcomes = check_for(&client, 5).await;
    let limit = health_limit();
    let arrivals = server.arrivals();
    assert!(outcomes.iter().all(Result::is_err), "every check fails");
    assert_eq!(
        busiest_window(&arrivals, limit),
        limit.requests as usize,
        "retries count against the limit, and the limit is used in full"
    );
    assert!(
        arrivals.len() > outcomes.len(),
        "some checks were retried: {} requests for {} checks",
        arrivals.len(),
        outcomes.len()
    );
}

#[tokio::test(start_paused = true)]
async fn a_server_answering_429_with_retry_after_never_sees_more_than_the_limit() {
    let server = HostileServer::start(Behavior::Respond {
        status: 429,
        headers: vec![("retry-after".into(), "2".into())],
        body: r#"{"message":"Too Many Attempts."}"#.into(),
    })
    .await;
    let client = client_of(&server);
    let outcomes = check_for(&client, 5).await;
    let limit = health_limit();
    let arrivals = server.arrivals();
    assert!(busiest_window(&arrivals, limit) <= limit.requests as usize);
    assert!(
        outcomes.iter().all(|o| matches!(
            o,
            Err(Error::RateLimited {
                server: Some(_),
                ..
            })
        )),
        "each check ends as the server's 429"
    );
    for pair in arrivals.windows(2) {
        assert!(
            pair[1] - pair[0] >= Duration::from_secs(2),
            "the server's Retry-After holds every request back: {:?}",
            pair[1] - pair[0]
        );
    }
}

/// Ten checks with the documented limit of ten: the first is answered 503
/// once. Its retry would be an eleventh request within the minute, so it
/// would wait longer than the retry budget for its slot: it is not made,
/// and the check returns the 503.
#[tokio::test(start_paused = true)]
async fn a_retry_with_no_slot_within_the_budget_is_not_made() {
    let health = r#"{"instance_id":"fa3d01c4","connected_at":null,"status":"WORKING"}"#;
    let mut answers = vec![(503, "{}".to_owned())];
    answers.extend(std::iter::repeat_n((200, health.to_owned()), 20));
    let server = HostileServer::start(Behavior::Sequence(answers)).await;
    let client = client_of(&server);
    let limit = health_limit();
    let checks = (0..limit.requests).map(|_| client.check_health("fa3d01c4").send());
    let outcomes = futures_util::future::join_all(checks).await;
    let started = server.arrivals()[0];
    let within_a_minute = server
        .arrivals()
        .iter()
        .filter(|at| **at - started < limit.per)
        .count();
    assert_eq!(within_a_minute, limit.requests as usize);
    let failed: Vec<&Error> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    assert_eq!(failed.len(), 1, "{outcomes:?}");
    assert_eq!(failed[0].status().map(|s| s.as_u16()), Some(503));
}

/// A health answer, for servers that let checks through.
const HEALTH: &str = r#"{"instance_id":"fa3d01c4","connected_at":null,"status":"WORKING"}"#;

fn healthy_server() -> Behavior {
    Behavior::Respond {
        status: 200,
        headers: Vec::new(),
        body: HEALTH.into(),
    }
}

fn client_with(server: &HostileServer, limits: RateLimits) -> Client {
    Client::builder("77|pacingTestTokenSecretPart123456")
        .base_url(&server.base_url)
        .timeout(Duration::from_secs(3600))
        .rate_limits(limits)
        .build()
        .unwrap()
}

/// `with_limit` replaces the documented limit (a mock with raised limits,
/// another account plan): the client keeps the new one, says so, and
/// paces by it.
#[tokio::test(start_paused = true)]
async fn a_replaced_limit_is_the_one_kept() {
    let server = HostileServer::start(healthy_server()).await;
    let per = Duration::from_secs(20);
    let client = client_with(
        &server,
        RateLimits::default().with_limit("check_health", 2, per),
    );
    assert_eq!(
        client.rate_limit("check_health"),
        Some(RateLimit::new(2, per))
    );
    for _ in 0..3 {
        client.check_health("fa3d01c4").send().await.unwrap();
    }
    let arrivals = server.arrivals();
    assert_eq!(arrivals[1] - arrivals[0], Duration::ZERO);
    assert_eq!(
        arrivals[2] - arrivals[0],
        per,
        "the third waited for the new window"
    );
}

/// `with_default_modes` changes what happens at the limit: here GET fails
/// fast (nothing sent) and POST waits for its slot.
#[tokio::test(start_paused = true)]
async fn the_default_modes_decide_between_waiting_and_failing_fast() {
    let server = HostileServer::start(healthy_server()).await;
    let limits = RateLimits::default()
        .with_default_modes(RateLimitMode::FailFast, RateLimitMode::Wait)
        .with_limit("check_health", 1, Duration::from_secs(60))
        .with_limit("restart_instance", 1, Duration::from_secs(60));
    let client = client_with(&server, limits);
    client.check_health("fa3d01c4").send().await.unwrap();
    let refused = client.check_health("fa3d01c4").send().await.unwrap_err();
    assert!(
        matches!(refused, Error::RateLimited { server: None, retry_after: Some(wait), .. } if wait == Duration::from_secs(60)),
        "{refused:?}"
    );
    assert_eq!(server.requests(), 1, "nothing sent for the refused GET");
    let started = Instant::now();
    for _ in 0..2 {
        // The server's body is not a restart's; only the pacing matters here.
        let _ = client.restart_instance("fa3d01c4").send().await;
    }
    assert_eq!(
        started.elapsed(),
        Duration::from_secs(60),
        "the second POST waited"
    );
}

/// `RateLimits::off()` keeps no limit at all, GET included.
#[tokio::test(start_paused = true)]
async fn with_limits_off_nothing_waits() {
    let server = HostileServer::start(healthy_server()).await;
    let client = client_with(&server, RateLimits::off());
    let started = Instant::now();
    let over = health_limit().requests + 5;
    for _ in 0..over {
        client.check_health("fa3d01c4").send().await.unwrap();
    }
    assert_eq!(started.elapsed(), Duration::ZERO);
    assert_eq!(server.requests(), over as usize);
    assert_eq!(
        client.rate_limit_delay("check_health"),
        Some(Duration::ZERO)
    );
}

/// A 429 holds back even an operation without a documented limit (the
/// list) for its Retry-After: the client says how long, and the next call
/// waits that long before it is sent.
#[tokio::test(start_paused = true)]
async fn a_servers_429_holds_back_an_operation_without_a_documented_limit() {
    assert!(
        catalog::LIST_INSTANCES.rate_limit.is_none(),
        "see the test's premise"
    );
    let server = HostileServer::start(Behavior::Sequence(vec![
        (429, r#"{"message":"Too Many Attempts."}"#.to_owned()),
        (200, "[]".to_owned()),
    ]))
    .await;
    let client = Client::builder("77|pacingTestTokenSecretPart123456")
        .base_url(&server.base_url)
        .timeout(Duration::from_secs(3600))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    // The hostile server sends no Retry-After: a whole window is held (60 s).
    let refused = client.list_instances().send().await.unwrap_err();
    assert!(
        matches!(
            refused,
            Error::RateLimited {
                server: Some(_),
                ..
            }
        ),
        "{refused:?}"
    );
    let held = client.rate_limit_delay("list_instances").unwrap();
    assert_eq!(held, Duration::from_secs(60));
    client.list_instances().send().await.unwrap();
    let arrivals = server.arrivals();
    assert_eq!(arrivals[1] - arrivals[0], held);
}
