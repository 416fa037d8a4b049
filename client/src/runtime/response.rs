//! Steps 5 and 6 of the request path: the body read within its size limit,
//! then decoded into the operation's type or mapped to the crate's error,
//! with secrets redacted.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use super::Runtime;
use super::redact::{Redactor, is_secret_key};
use super::retry::{retry_after, transport};
use crate::catalog::Operation;
use crate::error::{DecodeError, Error, HttpError};
use crate::values::ErrorBody;

/// A response, read.
pub(crate) struct Received {
    status: StatusCode,
    headers: HeaderMap,
    /// The body, or why it could not be read (for an error status, which
    /// is reported all the same).
    body: Result<Vec<u8>, String>,
}

/// Step 5: reads the body of `response`, failing as soon as it passes
/// `max_response_bytes` (at once when `Content-Length` says so), so a huge
/// or endless body never grows memory without bound.
pub(crate) async fn read(
    runtime: &Runtime,
    operation: &Operation,
    mut response: reqwest::Response,
) -> Result<Received, Error> {
    let limit = runtime.max_response_bytes;
    let too_large = || Error::ResponseTooLarge {
        operation: operation.id,
        limit,
    };
    if response
        .content_length()
        .is_some_and(|length| length > limit)
    {
        return Err(too_large());
    }
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if (body.len() + chunk.len()) as u64 > limit {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(error) if status.is_success() => return Err(transport(operation.id, error)),
            Err(error) => {
                let redactor = redactor(runtime);
                let reason = format!(
                    "(the body could not be read: {})",
                    redactor.text(&error.to_string())
                );
                return Ok(Received {
                    status,
                    headers,
                    body: Err(reason),
                });
            }
        }
    }
    Ok(Received {
        status,
        headers,
        body: Ok(body),
    })
}

/// Step 6: a 2xx body decoded into `T` (an empty one as JSON `null`, which
/// is what an operation without a response body decodes from), an error
/// status as [`Error::Http`], a 429 as [`Error::RateLimited`].
pub(crate) fn decode<T: DeserializeOwned>(
    runtime: &Runtime,
    operation: &'static Operation,
    received: Received,
) -> Result<T, Error> {
    let redactor = redactor(runtime);
    let Received {
        status,
        headers,
        body,
    } = received;
    if status.is_success() {
        let body = body.unwrap_or_default();
        let json: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            &body
        };
        // The error, if any, is located in the body as received.
        return serde_json::from_slice(json)
            .map_err(|_| decode_error::<T>(redactor, operation.id, &body));
    }
    let raw_body = match body {
        Ok(bytes) => redactor.body(&bytes),
        Err(reason) => reason,
    };
    // Decoded from the redacted text, so the decoded message is redacted too.
    let error = Box::new(HttpError {
        operation: operation.id,
        status,
        retry_after: retry_after(&headers),
        body: serde_json::from_str::<ErrorBody>(&raw_body).ok(),
        raw_body,
    });
    if status == StatusCode::TOO_MANY_REQUESTS {
        return Err(Error::RateLimited {
            operation: operation.id,
            retry_after: error.retry_after,
            limit: runtime.limiter.settings().limit(operation),
            server: Some(error),
        });
    }
    Err(Error::Http(error))
}

fn redactor(runtime: &Runtime) -> Redactor<'_> {
    Redactor {
        api_token: &runtime.api_token,
    }
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
            let message = if path.rsplit('.').next().is_some_and(is_secret_key) {
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
