//! The response pipeline every generated request builder ends in: send
//! progenitor's request, then turn its result into the crate's result
//! (errors redacted, error bodies decoded, decode errors located).

use std::future::Future;

use serde::de::DeserializeOwned;

use crate::Client;
use crate::catalog_types::Operation;
use crate::error::{DecodeError, Error, HttpError};
use crate::redact::Redactor;
use crate::retry::retry_after;
use crate::secret::with_exposed_secrets;
use crate::transport::BodyTooLarge;
use crate::types::ErrorBody;

/// Sends one request built by progenitor's builder for `operation`, in
/// a `hypersender` span (operation id, method, path template, then the HTTP
/// status, the attempts and the duration; never a token or a body).
pub(crate) async fn send<T, E, F>(
    client: &Client,
    operation: &'static Operation,
    request: F,
) -> Result<T, Error>
where
    T: DeserializeOwned,
    F: Future<Output = Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>>,
{
    let span = tracing::debug_span!(
        "hypersender",
        operation = operation.id,
        method = operation.method.as_str(),
        path = operation.path,
        status = tracing::field::Empty,
        attempts = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
    );
    let started = tokio::time::Instant::now();
    let limiter = &client.generated.inner.limiter;
    let reservation = in_span(&span, limiter.acquire(operation)).await?;
    if let Some(reservation) = reservation {
        reservation.used();
    }
    let mut request = std::pin::pin!(request);
    // progenitor serializes the request body while the future is polled: a
    // secret in a body is sent in full (everywhere else it serializes masked).
    let result = std::future::poll_fn(|cx| {
        let _entered = span.enter();
        with_exposed_secrets(|| request.as_mut().poll(cx))
    })
    .await;
    let outcome = match finish(client, operation.id, result).await {
        Err(Error::Http(e)) if e.status == reqwest::StatusCode::TOO_MANY_REQUESTS => {
            limiter.server_refused(operation, e.retry_after);
            Err(Error::RateLimited {
                operation: operation.id,
                retry_after: e.retry_after,
                limit: limiter.settings().limit(operation),
                server: Some(e),
            })
        }
        other => other,
    };
    span.record("duration_ms", started.elapsed().as_millis() as u64);
    match &outcome {
        Ok(_) => tracing::debug!(parent: &span, "request succeeded"),
        Err(error) => tracing::debug!(parent: &span, error = %error, "request failed"),
    }
    outcome
}

/// Runs `future` with `span` entered whenever it is polled.
async fn in_span<F: Future>(span: &tracing::Span, future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    std::future::poll_fn(|cx| {
        let _entered = span.enter();
        future.as_mut().poll(cx)
    })
    .await
}

/// Turns the result of a generated `send()` into the crate's result. Called
/// by every generated request builder.
async fn finish<T: DeserializeOwned, E>(
    client: &Client,
    operation: &'static str,
    result: Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>,
) -> Result<T, Error> {
    use progenitor_client::Error as Generated;
    let redactor = client.redactor();
    let error = match result {
        Ok(value) => return Ok(value.into_inner()),
        Err(Generated::InvalidRequest(message) | Generated::Custom(message)) => {
            Error::InvalidRequest {
                operation,
                message: redactor.text(&message),
            }
        }
        Err(
            Generated::CommunicationError(source)
            | Generated::ResponseBodyError(source)
            | Generated::InvalidUpgrade(source),
        ) => transport(operation, source),
        Err(Generated::InvalidResponsePayload(body, _)) => {
            decode_error::<T>(redactor, operation, &body)
        }
        Err(Generated::UnexpectedResponse(response)) => {
            http_error(redactor, operation, response).await
        }
        Err(Generated::ErrorResponse(value)) => Error::Http(Box::new(HttpError {
            operation,
            status: value.status(),
            retry_after: retry_after(value.headers()),
            body: None,
            raw_body: String::new(),
        })),
    };
    Err(error)
}

fn transport(operation: &'static str, source: reqwest::Error) -> Error {
    if let Some(limit) = body_limit_hit(&source) {
        Error::ResponseTooLarge { operation, limit }
    } else if source.is_timeout() {
        Error::Timeout { operation, source }
    } else {
        Error::Transport { operation, source }
    }
}

/// The limit, when `error` comes from a body cut at the size limit.
fn body_limit_hit(error: &reqwest::Error) -> Option<u64> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = source {
        if let Some(hit) = current.downcast_ref::<BodyTooLarge>() {
            return Some(hit.limit);
        }
        source = current.source();
    }
    None
}

/// Decodes a response body of `operation` as the client does: into the
/// documented type, or [`Error::Decode`] naming the path that failed, with
/// secrets redacted. Use it for recorded or relayed responses.
///
/// ```
/// use hypersender::types::HealthResponse;
///
/// let body = br#"{"instance_id": "fa3d01c4", "connected_at": "2025-05-26T10:12:45", "status": "WORKING"}"#;
/// let health: HealthResponse = hypersender::decode_response("check_health", body).unwrap();
/// assert_eq!(health.status, hypersender::InstanceStatus::Working);
///
/// let err = hypersender::decode_response::<HealthResponse>("check_health", b"{\"status\": 7}").unwrap_err();
/// assert!(err.to_string().starts_with("check_health: unexpected response body at `status`"));
/// ```
pub fn decode_response<T: DeserializeOwned>(
    operation: &'static str,
    body: &[u8],
) -> Result<T, Error> {
    serde_json::from_slice(body)
        .map_err(|_| decode_error::<T>(Redactor { api_token: "" }, operation, body))
}

/// Decodes `body` again, tracking the path, to say where it went wrong.
fn decode_error<T: DeserializeOwned>(
    redactor: Redactor<'_>,
    operation: &'static str,
    body: &[u8],
) -> Error {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let (path, message) = match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Err(e) => {
            let path = e.path().to_string();
            // The message may quote the offending value; if that value sits
            // in a secret field, say nothing about it.
            let message = if path
                .rsplit('.')
                .next()
                .is_some_and(crate::redact::is_secret_key)
            {
                "invalid value (not shown: secret field)".to_owned()
            } else {
                redactor.text(&e.inner().to_string())
            };
            (path, message)
        }
        Ok(_) => (
            ".".to_owned(),
            "trailing data after the JSON value".to_owned(),
        ),
    };
    Error::Decode(Box::new(DecodeError {
        operation,
        path,
        message,
        raw_body: redactor.body(body),
    }))
}

async fn http_error(
    redactor: Redactor<'_>,
    operation: &'static str,
    response: reqwest::Response,
) -> Error {
    let status = response.status();
    let retry_after = retry_after(response.headers());
    let raw_body = match response.bytes().await {
        Ok(bytes) => redactor.body(&bytes),
        Err(e) => match body_limit_hit(&e) {
            Some(limit) => return Error::ResponseTooLarge { operation, limit },
            None => format!(
                "(the body could not be read: {})",
                redactor.text(&e.to_string())
            ),
        },
    };
    // Decoded from the redacted text, so the decoded message is redacted too.
    let body = serde_json::from_str::<ErrorBody>(&raw_body).ok();
    Error::Http(Box::new(HttpError {
        operation,
        status,
        retry_after,
        body,
        raw_body,
    }))
}
