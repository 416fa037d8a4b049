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

/// A subscriber writing everything at `level` and above (and the span
/// events asked for) as plain text, set for this thread until the guard
/// is dropped; and what it wrote.
fn capture(level: tracing::Level, spans: FmtSpan) -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_span_events(spans)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}

#[tokio::test]
async fn every_request_has_a_span_and_every_retry_an_event_without_secrets() {
    let (captured, _default) = capture(tracing::Level::TRACE, FmtSpan::CLOSE);

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
    // One event per retry (policy: 3), each saying which attempt failed,
    // how many retries are left and how long it waits (the CLI's "retrying
    // in 2 s (HTTP 503 ...), attempt 2 of 4" is made of these): backoff from
    // 5 ms, doubling, with jitter between half and all of it.
    let retries = retry_events(&text);
    assert_eq!(
        retries
            .iter()
            .map(|r| (r.attempt, r.retries_left))
            .collect::<Vec<_>>(),
        [(1, 3), (2, 2), (3, 1)],
        "{text}"
    );
    assert_eq!(
        retries.len(),
        hypersender_tests::fast_retries().max_retries() as usize,
        "as many as the policy says (the default: 3)"
    );
    for (retry, ceiling) in retries.iter().zip([5, 10, 20]) {
        assert!(
            (ceiling / 2..=ceiling).contains(&retry.wait_ms),
            "retry after attempt {}: {} ms, not within {} to {ceiling} ms",
            retry.attempt,
            retry.wait_ms,
            ceiling / 2
        );
        assert_eq!(retry.cause, "HTTP 503 Service Unavailable", "{text}");
        assert_eq!(retry.reason, "HTTP 503 Service Unavailable", "{text}");
    }
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

/// One "retrying after a failed attempt" event, as the fmt subscriber
/// wrote it.
#[derive(Debug)]
struct RetryEvent {
    attempt: u64,
    retries_left: u64,
    wait_ms: u64,
    cause: String,
    reason: String,
}

/// Every retry event in `text`, in order.
fn retry_events(text: &str) -> Vec<RetryEvent> {
    text.lines()
        .filter(|line| line.contains("retrying after a failed attempt"))
        .map(|line| {
            // `name=value` fields, `cause` and `reason` running up to the
            // next field.
            let after = |key: &str| {
                let start = line
                    .find(&format!(" {key}="))
                    .unwrap_or_else(|| panic!("{key} in {line}"))
                    + key.len()
                    + 2;
                &line[start..]
            };
            let number = |key: &str| {
                let rest = after(key);
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                digits.parse().unwrap_or_else(|_| panic!("{key} in {line}"))
            };
            let upto = |key: &str, next: &str| {
                let rest = after(key);
                rest[..rest.find(next).unwrap_or(rest.len())].to_owned()
            };
            RetryEvent {
                attempt: number("attempt"),
                retries_left: number("retries_left"),
                wait_ms: number("wait_ms"),
                cause: upto("cause", " reason="),
                // The last field: up to the end of the line.
                reason: upto("reason", "\n"),
            }
        })
        .collect()
}

#[tokio::test]
async fn a_refused_connection_is_retried_with_its_cause_in_a_few_words() {
    let (captured, _default) = capture(tracing::Level::INFO, FmtSpan::NONE);
    // A port nothing listens on any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = hypersender_tests::client_at(&format!("http://127.0.0.1:{port}"));
    let error = client.list_instances().send().await.unwrap_err();
    assert!(
        matches!(error, hypersender::Error::Transport { .. }),
        "{error:?}"
    );
    let text = captured.text();
    let retries = retry_events(&text);
    assert_eq!(retries.len(), 3, "{text}");
    for retry in &retries {
        assert_eq!(retry.reason, "connection refused", "{text}");
        assert!(
            retry.cause.starts_with("connection failed: "),
            "{}",
            retry.cause
        );
    }
}
