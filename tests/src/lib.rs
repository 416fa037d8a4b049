//! Helpers shared by the integration tests in `tests/`: the recorded
//! responses and a client aimed at a local mock server.
//!
//! The README's code blocks are compiled as doctests of this crate, so the
//! quick start there cannot rot.

pub mod hostile;

use std::time::Duration;

use hypersender::{Client, RateLimits, RetryPolicy};

/// The API token every test client sends. It has the Sanctum shape, so the
/// redaction tests can look for its secret part.
pub const TEST_TOKEN: &str = "77|testTokenSecretPartABCDEFGH123456";
/// The secret part of [`TEST_TOKEN`], which must never show up in output.
pub const TEST_TOKEN_SECRET: &str = "testTokenSecretPartABCDEFGH123456";
/// The secret part of the `access_token` in the docs' examples.
pub const DOCS_ACCESS_TOKEN_SECRET: &str = "3uB2pBST2H6If8twXIeUaeNu23VJ8XassYoOVJuva48388e1";

/// The text of `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()))
}

/// `tests/fixtures/<name>` parsed as JSON.
pub fn fixture_json(name: &str) -> serde_json::Value {
    serde_json::from_str(&fixture(name))
        .unwrap_or_else(|e| panic!("fixture {name} is not JSON: {e}"))
}

/// The recorded List Instances response (`fixtures/list_instances.json`),
/// decoded: what tests start the stateful mock with when they name its
/// instances, so a vendor's new example in the spec changes nothing for
/// them.
pub fn recorded_instances() -> Vec<hypersender::types::InstanceResponse> {
    serde_json::from_value(fixture_json("list_instances.json"))
        .expect("fixtures/list_instances.json decodes")
}

/// A retry policy fast enough for tests: same rules, millisecond waits.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_delay(Duration::from_secs(2))
}

/// A client of `server` with [`TEST_TOKEN`] and [`fast_retries`], and no
/// client-side rate limits (the httpmock servers have none; the limiter is
/// tested against the stateful mock).
pub fn client_for(server: &httpmock::MockServer) -> Client {
    client_at(&server.base_url())
}

/// A client of the server at `base_url`, set up as [`client_for`]'s.
pub fn client_at(base_url: &str) -> Client {
    Client::builder(TEST_TOKEN)
        .base_url(base_url)
        .retry_policy(fast_retries())
        .rate_limits(RateLimits::off())
        .build()
        .expect("a client for a local mock server")
}

/// The README, whose Rust code blocks run as doctests.
#[doc = include_str!("../../README.md")]
mod readme {}
