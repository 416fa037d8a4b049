//! Why a command failed, the exit code that says so, and the one line that
//! explains it (the whole cause chain: `check_health: could not talk to the
//! server: ... : Connection refused`).

use std::fmt;
use std::process::ExitCode;

use crate::qr_terminal::QrImageError;

/// The exit codes, as `--help` lists them. Each has its own test.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  done (`wait`, `connect`: the status was reached)
  1  the API refused the request (an HTTP error status, a rate limit) or could not be reached
  2  bad input: nothing was sent
  3  `wait` or `connect` timed out before the status was reached
  4  the API answered, but the answer cannot be used (a body that is not the documented
     shape, a body over the size limit, a QR code that cannot be drawn)
  5  the instance is FAILED (`wait`, `connect`)
  6  a local problem: a file or socket could not be used (a file given
     with --qr-png, --body @FILE or to apply, a port to listen on)
130  interrupted (Ctrl-C): the command says what was done and what not";

/// Exit code for bad input (clap uses it for usage errors too).
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit code when a wait ran out of time.
pub const EXIT_TIMED_OUT: u8 = 3;
/// Exit code for an answer that cannot be used.
pub const EXIT_UNUSABLE_ANSWER: u8 = 4;
/// Exit code for an instance that is FAILED.
pub const EXIT_INSTANCE_FAILED: u8 = 5;
/// Exit code for a local problem.
pub const EXIT_LOCAL: u8 = 6;

/// Why a command failed; printed as one `error:` line, never as a debug
/// dump (the API errors' messages are redacted by the client).
#[derive(Debug)]
pub enum Failure {
    /// The input was refused before anything was sent.
    BadInput(String),
    /// The API call failed.
    Api(hypersender::Error),
    /// An API error shared with the flow that reported it.
    Shared(std::sync::Arc<hypersender::Error>),
    /// A local file or socket could not be used.
    Local(String),
    /// The QR code in the response could not be drawn.
    Qr(QrImageError),
    /// Any other way a wait ended without its status (exit code 1).
    Wait(String),
}

impl From<crate::terminal::NotAsked> for Failure {
    fn from(not_asked: crate::terminal::NotAsked) -> Self {
        Self::BadInput(not_asked.0)
    }
}

impl Failure {
    /// The documented exit code.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            Self::BadInput(_) => EXIT_BAD_INPUT,
            Self::Api(error) => api_exit_code(error),
            Self::Shared(error) => api_exit_code(error),
            Self::Qr(_) => EXIT_UNUSABLE_ANSWER,
            Self::Local(_) => EXIT_LOCAL,
            Self::Wait(_) => 1,
        })
    }
}

impl fmt::Display for Failure {
    /// The failure and every cause under it, on one line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadInput(message) | Self::Local(message) | Self::Wait(message) => {
                f.write_str(message)
            }
            Self::Api(error) => f.write_str(&explain(error)),
            Self::Shared(error) => f.write_str(&explain(error)),
            Self::Qr(error) => write!(f, "{error}"),
        }
    }
}

/// An API error in words: a rate limit says when to try again, a 404 that
/// no instance explains hints at the base URL, anything else is its whole
/// cause chain.
fn explain(error: &hypersender::Error) -> String {
    if let hypersender::Error::RateLimited {
        operation,
        retry_after: Some(wait),
        ..
    } = error
    {
        let what = crate::notices::operation_words(operation);
        return crate::notices::refused_words(&what, *wait);
    }
    let mut text = error.display_chain();
    if let hypersender::Error::Http(http) = error
        && http.status == 404
        && !http.message().is_some_and(|m| {
            // "Instance not found." is an answer about the id; Laravel's
            // "The route instances could not be found." is about the URL.
            let m = m.to_lowercase();
            m.contains("instance") && !m.contains("route")
        })
    {
        text.push_str(&format!(
            " (no such route: is the base URL right? The API's is {}, with its /api/whatsapp/v1 path)",
            hypersender::DEFAULT_BASE_URL
        ));
    }
    text
}

/// The exit code of an API error.
fn api_exit_code(error: &hypersender::Error) -> u8 {
    use hypersender::Error;
    match error {
        Error::Config(_) | Error::InvalidRequest { .. } => EXIT_BAD_INPUT,
        Error::Decode(_) | Error::ResponseTooLarge { .. } => EXIT_UNUSABLE_ANSWER,
        _ => 1,
    }
}

impl From<hypersender::Error> for Failure {
    fn from(error: hypersender::Error) -> Self {
        Self::Api(error)
    }
}
