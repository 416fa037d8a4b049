//! Meets every kind of `hypersender::Error` (and how a wait for a status
//! ends, `hypersender::WaitError`) on purpose, harmlessly, and shows how to
//! tell them apart: read `describe` and `describe_wait` for the handling.
//!
//! ```sh
//! hypersender mock &    # prints its URL and token; or use your account
//! HYPERSENDER_BASE_URL=... HYPERSENDER_TOKEN=... cargo run -p hypersender-examples --example error_kinds
//! ```
//!
//! Nothing here changes the account: it lists, checks health, and sends a
//! create that is refused before it leaves. The timeout and the undecodable
//! body come from two tiny local servers this program starts.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use hypersender::{
    Client, Error, InstanceStatus, RateLimitMode, RateLimits, RetryPolicy, WaitError, WaitOptions,
};

/// What each kind means, and what a program usually does about it.
fn describe(error: &Error) -> String {
    match error {
        Error::Config(message) => format!("Config: fix the setup ({message})"),
        Error::InvalidRequest { operation, message } => {
            format!("InvalidRequest: {operation} was not sent, fix the input ({message})")
        }
        Error::Transport { operation, .. } => format!(
            "Transport: {operation} could not reach the server, retry later ({})",
            error.display_chain()
        ),
        Error::Timeout { operation, .. } => {
            format!("Timeout: {operation} took too long; GET requests were already retried")
        }
        Error::ResponseTooLarge { operation, limit } => {
            format!("ResponseTooLarge: {operation} answered more than {limit} bytes")
        }
        Error::RateLimited {
            operation,
            retry_after,
            server,
            ..
        } => format!(
            "RateLimited: {operation} may be sent again in {:?} ({})",
            retry_after.unwrap_or_default(),
            if server.is_some() {
                "the server said 429"
            } else {
                "held back by the client, nothing sent"
            }
        ),
        Error::Http(http) => match http.validation_errors() {
            // 422: a message per field.
            Some(fields) => format!("Http: {} {} {fields:?}", http.operation, http.status),
            None => format!(
                "Http: {} answered {}: {}",
                http.operation,
                http.status,
                http.message().unwrap_or("(no message)")
            ),
        },
        Error::Decode(decode) => format!(
            "Decode: {} answered a body that is not the documented shape, at `{}`",
            decode.operation, decode.path
        ),
        // The enum is #[non_exhaustive]: a later release may add kinds.
        other => format!("another kind: {}", other.display_chain()),
    }
}

/// How a wait for a status can end without it.
fn describe_wait(error: &WaitError) -> String {
    match error {
        WaitError::TimedOut {
            instance,
            target,
            last,
            ..
        } => format!(
            "WaitError::TimedOut: {instance} did not reach {target} (last seen: {})",
            last.as_ref()
                .map_or("nothing".to_owned(), |h| h.status.to_string())
        ),
        WaitError::Failed(health) => format!(
            "WaitError::Failed: {} is FAILED: restart it",
            health.instance_id
        ),
        WaitError::Api(error) => describe(error),
        // #[non_exhaustive] too.
        other => format!("another end: {other}"),
    }
}

/// A loopback server that reads one request and answers `answer` (or,
/// with `None`, never answers); returns its base URL.
fn local_server(answer: Option<&'static str>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let url = format!("http://{}", listener.local_addr().expect("a local address"));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            match answer {
                Some(answer) => drop(stream.write_all(answer.as_bytes())),
                None => std::thread::sleep(Duration::from_secs(3600)),
            }
        }
    });
    url
}

fn show(scenario: &str, result: Result<impl std::fmt::Debug, Error>) {
    match result {
        Ok(value) => println!("{scenario}: unexpectedly succeeded: {value:?}"),
        Err(error) => println!("{scenario}: {}", describe(&error)),
    }
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    show("an empty token", Client::new(""));

    let client = Client::from_env()?;
    show(
        "a phone that is not E.164",
        client
            .create_instance()
            .phone("12345")
            .name("Shop")
            .send()
            .await,
    );
    show(
        "an instance that does not exist",
        client.check_health("no-such-instance").send().await,
    );

    // Health checks fail fast, at most one per minute (the documented limit
    // is 10): the second is held back.
    let strict = Client::builder_from_env()?
        .rate_limits(
            RateLimits::default()
                .with_limit("check_health", 1, Duration::from_secs(60))
                .with_mode("check_health", RateLimitMode::FailFast),
        )
        .build()?;
    let _ = strict.check_health("no-such-instance").send().await;
    show(
        "a second health check in the same minute",
        strict.check_health("no-such-instance").send().await,
    );

    let tiny = Client::builder_from_env()?.max_response_bytes(16).build()?;
    show("a list over 16 bytes", tiny.list_instances().send().await);

    let unreachable = Client::builder("1|token")
        .base_url("http://127.0.0.1:9")
        .retry_policy(RetryPolicy::disabled())
        .build()?;
    show(
        "a server that is not there",
        unreachable.list_instances().send().await,
    );

    let silent = Client::builder("1|token")
        .base_url(local_server(None))
        .timeout(Duration::from_millis(300))
        .retry_policy(RetryPolicy::disabled())
        .build()?;
    show(
        "a server that never answers",
        silent.list_instances().send().await,
    );

    let html = "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 15\r\nconnection: close\r\n\r\n<html>hi</html>";
    let odd = Client::builder("1|token")
        .base_url(local_server(Some(html)))
        .build()?;
    show("a server answering HTML", odd.list_instances().send().await);

    // Waiting for a status an instance does not reach in time.
    if let Some(first) = client.list_instances().send().await?.first() {
        let target = if first.status == InstanceStatus::Failed {
            InstanceStatus::Working
        } else {
            InstanceStatus::Failed
        };
        let wait = WaitOptions::default()
            .timeout(Duration::from_secs(1))
            .stop_on_failed(false);
        match client.wait_for_status(&first.id, target, wait).await {
            Ok(health) => {
                println!("waiting one second for a status: unexpectedly reached: {health:?}")
            }
            Err(error) => println!("waiting one second for a status: {}", describe_wait(&error)),
        }
    }
    Ok(())
}
