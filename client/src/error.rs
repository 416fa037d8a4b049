//! The crate's one error type, and the conversion from progenitor's.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use crate::Client;
use crate::generated::types::ErrorBody;
use crate::redact::Redactor;
use crate::retry::retry_after;
use crate::transport::BodyTooLarge;

/// Everything that can go wrong when calling the API.
///
/// No variant's Debug or Display contains the API token or an instance
/// `access_token`: response bodies and decoder messages are redacted first.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The client could not be configured (token, base URL, environment).
    Config(String),
    /// The request could not be built (a missing or invalid parameter).
    InvalidRequest {
        /// The operation, such as `list_instances`.
        operation: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The server could not be reached, or the connection broke.
    Transport {
        /// The operation, such as `list_instances`.
        operation: &'static str,
        /// The underlying error.
        source: reqwest::Error,
    },
    /// The connect or request timeout passed.
    Timeout {
        /// The operation, such as `list_instances`.
        operation: &'static str,
        /// The underlying error.
        source: reqwest::Error,
    },
    /// The response body was larger than the client's limit
    /// ([`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes));
    /// reading stopped there.
    ResponseTooLarge {
        /// The operation, such as `list_instances`.
        operation: &'static str,
        /// The limit in bytes.
        limit: u64,
    },
    /// The server answered with an error status.
    Http(Box<HttpError>),
    /// The server answered with a success status, but the body is not what
    /// the operation returns.
    Decode(Box<DecodeError>),
}

/// An error status from the server.
#[derive(Debug, Clone)]
pub struct HttpError {
    /// The operation, such as `create_instance`.
    pub operation: &'static str,
    /// The HTTP status.
    pub status: StatusCode,
    /// How long the server asked to wait (`Retry-After`), if it said.
    pub retry_after: Option<Duration>,
    /// The decoded error body (Laravel's `{message, errors}`), if it was one.
    pub body: Option<ErrorBody>,
    /// The body as received, redacted and cut to 16 KiB.
    pub raw_body: String,
}

impl HttpError {
    /// The server's message, if its body had one.
    pub fn message(&self) -> Option<&str> {
        self.body.as_ref()?.message.as_deref()
    }

    /// Validation messages per field (422 responses).
    pub fn validation_errors(&self) -> Option<&BTreeMap<String, Vec<String>>> {
        self.body
            .as_ref()
            .map(|body| &body.errors)
            .filter(|errors| !errors.is_empty())
    }
}

/// A success response whose body could not be decoded.
#[derive(Debug, Clone)]
pub struct DecodeError {
    /// The operation, such as `list_instances`.
    pub operation: &'static str,
    /// Where in the body decoding failed, such as `[1].created_at`.
    pub path: String,
    /// Why (redacted).
    pub message: String,
    /// The body as received, redacted and cut to 16 KiB.
    pub raw_body: String,
}

impl Error {
    /// The operation that failed, when a call failed.
    pub fn operation(&self) -> Option<&'static str> {
        match self {
            Self::Config(_) => None,
            Self::InvalidRequest { operation, .. }
            | Self::Transport { operation, .. }
            | Self::Timeout { operation, .. }
            | Self::ResponseTooLarge { operation, .. } => Some(operation),
            Self::Http(e) => Some(e.operation),
            Self::Decode(e) => Some(e.operation),
        }
    }

    /// The HTTP status of an error response.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Http(e) => Some(e.status),
            _ => None,
        }
    }

    /// How long the server asked to wait before trying again.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Http(e) => e.retry_after,
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Config(message) => write!(f, "invalid client configuration: {message}"),
            Self::InvalidRequest { operation, message } => {
                write!(f, "{operation}: invalid request: {message}")
            }
            Self::Transport { operation, source } => {
                write!(f, "{operation}: could not talk to the server: {source}")
            }
            Self::Timeout { operation, .. } => write!(f, "{operation}: timed out"),
            Self::ResponseTooLarge { operation, limit } => {
                write!(
                    f,
                    "{operation}: the response body is larger than the limit of {limit} bytes"
                )
            }
            Self::Http(e) => fmt::Display::fmt(e, f),
            Self::Decode(e) => write!(
                f,
                "{}: unexpected response body at `{}`: {}",
                e.operation, e.path, e.message
            ),
        }
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: HTTP {}", self.operation, self.status)?;
        if let Some(message) = self.message() {
            write!(f, ": {message}")?;
        }
        for (field, messages) in self.validation_errors().into_iter().flatten() {
            write!(f, "; {field}: {}", messages.join(" "))?;
        }
        if let Some(wait) = self.retry_after {
            write!(f, " (retry after {} s)", wait.as_secs())?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Transport { source, .. } | Self::Timeout { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Turns the result of a generated `send()` into the crate's result. Called
/// by every generated request builder.
pub(crate) async fn finish<T: DeserializeOwned, E>(
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
