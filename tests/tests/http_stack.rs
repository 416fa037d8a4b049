//! Plugging the client into a service's own HTTP stack: its reqwest client
//! (proxy, pool, timeouts), default headers, a User-Agent suffix.

use std::time::Duration;

use httpmock::Method::GET;
use httpmock::MockServer;
use hypersender::reqwest::header::{HeaderName, HeaderValue};
use hypersender::{Client, Error, USER_AGENT};
use hypersender_tests::TEST_TOKEN;

#[tokio::test]
async fn a_callers_reqwest_client_with_a_proxy_default_headers_and_a_user_agent_suffix() {
    // The mock plays the proxy: the client asks for a host that does not
    // exist, and only the proxy can answer.
    let proxy = MockServer::start_async().await;
    let seen = proxy
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/whatsapp/v1/instances")
                .header("authorization", format!("Bearer {TEST_TOKEN}"))
                .header("accept", "application/json")
                .header("user-agent", format!("{USER_AGENT} billing-service/2.3"))
                .header("x-tenant", "acme")
                .header("x-from-callers-client", "yes");
            then.status(200)
                .header("content-type", "application/json")
                .body("[]");
        })
        .await;
    let mut callers_headers = hypersender::reqwest::header::HeaderMap::new();
    callers_headers.insert("x-from-callers-client", HeaderValue::from_static("yes"));
    let http = hypersender::reqwest::Client::builder()
        .proxy(hypersender::reqwest::Proxy::http(proxy.base_url()).unwrap())
        .default_headers(callers_headers)
        .build()
        .unwrap();
    let client = Client::builder(TEST_TOKEN)
        .base_url("http://hypersender.invalid/api/whatsapp/v1")
        .http_client(http)
        .user_agent_suffix("billing-service/2.3")
        .default_header(
            HeaderName::from_static("x-tenant"),
            HeaderValue::from_static("acme"),
        )
        .build()
        .unwrap();
    assert!(client.list_instances().send().await.unwrap().is_empty());
    seen.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_timeout_applies_per_request_on_a_callers_client() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|_, then| {
            then.status(200).body("[]").delay(Duration::from_secs(3));
        })
        .await;
    let client = Client::builder(TEST_TOKEN)
        .base_url(server.base_url())
        .http_client(hypersender::reqwest::Client::new())
        .timeout(Duration::from_millis(200))
        .retry_policy(hypersender::RetryPolicy::disabled())
        .build()
        .unwrap();
    let err = client.list_instances().send().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
}

#[test]
fn the_crates_own_headers_and_a_callers_connect_timeout_are_refused() {
    for reserved in ["authorization", "user-agent", "accept"] {
        let err = Client::builder(TEST_TOKEN)
            .default_header(
                HeaderName::from_static(reserved),
                HeaderValue::from_static("x"),
            )
            .build()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "invalid client configuration: the default header {reserved} is set by the crate itself"
            )
        );
    }
    let err = Client::builder(TEST_TOKEN)
        .http_client(hypersender::reqwest::Client::new())
        .connect_timeout(Duration::from_secs(1))
        .build()
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("connect_timeout belongs to the reqwest::Client"),
        "{err}"
    );
}

#[tokio::test]
async fn an_empty_user_agent_suffix_leaves_the_user_agent_as_it_is() {
    let server = MockServer::start_async().await;
    let exact = server
        .mock_async(|when, then| {
            when.method(GET).header("user-agent", USER_AGENT);
            then.status(200)
                .header("content-type", "application/json")
                .body("[]");
        })
        .await;
    let client = Client::builder(TEST_TOKEN)
        .base_url(server.base_url())
        .user_agent_suffix("")
        .build()
        .unwrap();
    assert!(client.list_instances().send().await.unwrap().is_empty());
    exact.assert_calls_async(1).await;
}

/// What the client says it was built with: the base URL normalised (a
/// trailing slash dropped) or the documented default, and the retry policy
/// given or the default one.
#[test]
fn the_client_reports_the_base_url_and_the_retry_policy_it_uses() {
    let default = Client::builder(TEST_TOKEN).build().unwrap();
    assert_eq!(default.base_url(), hypersender::DEFAULT_BASE_URL);
    assert_eq!(
        default.retry_policy().max_retries(),
        hypersender::RetryPolicy::default().max_retries()
    );
    let retries = hypersender::RetryPolicy::default().max_retries() + 4;
    let given = Client::builder(TEST_TOKEN)
        .base_url("http://127.0.0.1:9/api/whatsapp/v1/")
        .retry_policy(hypersender::RetryPolicy::default().with_max_retries(retries))
        .build()
        .unwrap();
    assert_eq!(given.base_url(), "http://127.0.0.1:9/api/whatsapp/v1");
    assert_eq!(given.retry_policy().max_retries(), retries);
}
