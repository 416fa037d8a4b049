//! The error of every call, built by the request path (`runtime`). It
//! names no generated type (the error body is the hand-written
//! [`ErrorBody`]), so it sits below everything else; waiting for a status
//! has its own error, [`WaitError`](crate::WaitError).

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

use crate::values::{ErrorBody, RateLimit};

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
    /// An operation's rate limit: the documented one, kept by the client
    /// before sending (nothing was sent; `server` is `None`), or the
    /// server's (HTTP 429; `server` holds the response).
    RateLimited {
        /// The operation, such as `request_new_qr_code`.
        operation: &'static str,
        /// How long to wait before the operation can be sent again, when
        /// known (the client's own limiter always knows; a server says so
        /// with `Retry-After`).
        retry_after: Option<Duration>,
        /// The limit the client keeps for the operation, if any.
        limit: Option<RateLimit>,
        /// The server's 429 response, when it was the server that refused.
        server: Option<Box<HttpError>>,
    },
    /// The server answered with an error status.
    Http(Box<HttpError>),
    /// The server answered with a success status, but the body is not what
    /// the operation returns.
    Decode(Box<DecodeError>),
}

/// An error status from the server.
#[derive(Debug, Clone)]
#[non_exhaustive]
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
#[non_exhaustive]
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
            | Self::ResponseTooLarge { operation, .. }
            | Self::RateLimited { operation, .. } => Some(operation),
            Self::Http(e) => Some(e.operation),
            Self::Decode(e) => Some(e.operation),
        }
    }

    /// The HTTP status of an error response.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Http(e) => Some(e.status),
            Self::RateLimited {
                server: Some(e), ..
            } => Some(e.status),
            _ => None,
        }
    }

    /// This error and every cause under it, on one line
    /// (`list_instances: could not talk to the server: error sending
    /// request ...: Connection refused`), each cause once.
    pub fn display_chain(&self) -> String {
        error_chain(self)
    }

    /// How long the server asked to wait before trying again.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Http(e) => e.retry_after,
            Self::RateLimited { retry_after, .. } => *retry_after,
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
            // The cause is the error's `source()`, not repeated here, so
            // that `{:#}` (anyhow) and the CLI print each level once.
            Self::Transport { operation, .. } => {
                write!(f, "{operation}: could not talk to the server")
            }
            Self::Timeout { operation, .. } => write!(f, "{operation}: timed out"),
            Self::ResponseTooLarge { operation, limit } => {
                write!(
                    f,
                    "{operation}: the response body is larger than the limit of {limit} bytes"
                )
            }
            Self::RateLimited {
                server: Some(e), ..
            } => write!(f, "{e}"),
            Self::RateLimited {
                operation,
                retry_after,
                limit,
                server: None,
            } => {
                write!(f, "{operation}: the rate limit")?;
                if let Some(limit) = limit {
                    write!(f, " ({} per {} s)", limit.requests, limit.per.as_secs())?;
                }
                write!(f, " is reached")?;
                if let Some(wait) = retry_after {
                    write!(f, "; it can be sent again in {} s", seconds_up(*wait))?;
                }
                Ok(())
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
        let fields = self.validation_errors();
        let mut separator = ": ";
        // Laravel's message is the first field's message (and "(and N more
        // errors)"): said once, by the fields.
        if let Some(message) = self.message().filter(|m| !summarises(m, fields)) {
            write!(f, ": {message}")?;
            separator = "; ";
        }
        for (field, messages) in fields.into_iter().flatten() {
            write!(f, "{separator}{field}: {}", messages.join(" "))?;
            separator = "; ";
        }
        if let Some(wait) = self.retry_after {
            write!(f, " (retry after {} s)", wait.as_secs())?;
        }
        Ok(())
    }
}

/// An error and its sources on one line, each cause once (no secrets:
/// transport errors carry the URL, never a header).
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Whether `message` only repeats the field messages (Laravel writes the
/// first one, then "(and N more errors)").
fn summarises(message: &str, fields: Option<&BTreeMap<String, Vec<String>>>) -> bool {
    fields
        .into_iter()
        .flatten()
        .flat_map(|(_, messages)| messages)
        .any(|first| message.starts_with(first.as_str()))
}

/// Whole seconds, rounded up (a wait of 36.2 s is "37 s").
pub(crate) fn seconds_up(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Transport { source, .. } | Self::Timeout { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A wait is said in whole seconds, rounded up: an exact one as it is.
    #[test]
    fn waits_are_whole_seconds_rounded_up() {
        assert_eq!(seconds_up(Duration::from_secs(36)), 36);
        assert_eq!(seconds_up(Duration::from_millis(36_200)), 37);
        assert_eq!(seconds_up(Duration::from_nanos(1)), 1);
        assert_eq!(seconds_up(Duration::ZERO), 0);
    }
}
