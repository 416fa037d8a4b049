//! Every attempt of a request takes a slot of the client's rate limiter:
//! retries included, no window of the documented length ever sees more
//! requests than documented, whatever the server answers. On a paused
//! clock, against a server on the test's own runtime, so the arrival times
//! are exact. The limits come from the catalog (the spec).

use std::time::Duration;

use hypersender::{Client, Error, RateLimit, catalog};
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
