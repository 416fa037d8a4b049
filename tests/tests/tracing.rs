//! What a service sees through `tracing`: a span per operation (id, method,
//! path template, HTTP status, attempts, duration) and an event per retry
//! with its wait and cause; never a token or a body.

use std::io::Write;
use std::sync::{Arc, Mutex};

use httpmock::MockServer;
use hypersender_tests::{DOCS_ACCESS_TOKEN_SECRET, TEST_TOKEN_SECRET, client_for, fixture};
use tracing_subscriber::fmt::format::FmtSpan;

/// Everything a TRACE-level subscriber writes, as text.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn every_request_has_a_span_and_every_retry_an_event_without_secrets() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _default = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start_async().await;
    let busy = server
        .mock_async(|when, then| {
            when.path("/instances");
            then.status(503);
        })
        .await;
    let client = client_for(&server);
    let failed = client.list_instances().send().await;
    assert!(failed.is_err());
    busy.delete_async().await;
    server
        .mock_async(|when, then| {
            when.path("/instances");
            then.status(200)
                .header("content-type", "application/json")
                .body(fixture("list_instances.json"));
        })
        .await;
    client.list_instances().send().await.unwrap();

    let text = captured.text();
    let retries = text.matches("retrying after a failed attempt").count();
    assert_eq!(retries, 3, "one event per retry (policy: 3): {text}");
    assert!(
        text.contains("cause=HTTP 503 Service Unavailable"),
        "{text}"
    );
    assert!(text.contains("wait_ms="), "{text}");
    assert!(
        text.contains(r#"operation="list_instances" method="GET" path="/instances" attempts=4 status=503 duration_ms="#),
        "the failed request's span: {text}"
    );
    assert!(
        text.contains(r#"operation="list_instances" method="GET" path="/instances" attempts=1 status=200 duration_ms="#),
        "the successful request's span: {text}"
    );
    for secret in [
        TEST_TOKEN_SECRET,
        DOCS_ACCESS_TOKEN_SECRET,
        "MyInstanceName",
    ] {
        assert!(!text.contains(secret), "{secret} reached the trace: {text}");
    }
}
