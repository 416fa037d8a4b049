//! Requests as Hypersender would send them, for testing your own receiver
//! in one line (as async-stripe's test headers do for Stripe's):
//!
//! ```
//! use hypersender::webhooks::{bytes, http, testing};
//!
//! // A recorded example with the right secret, a wrong one, a repeat.
//! let first: http::Request<bytes::Bytes> = testing::recorded("message.any", Some("s3cret"));
//! let wrong: http::Request<bytes::Bytes> = testing::recorded("message.any", Some("guess"));
//! let again: http::Request<bytes::Bytes> = testing::recorded("message.any", Some("s3cret"));
//! assert_eq!(first.body(), again.body(), "the same event id: a duplicate");
//! # let _ = wrong;
//! // Any event, such as the status update the docs promise (its shape inferred).
//! let status = testing::session_status("evt_1", "inst_1", "WORKING");
//! let request: http::Request<bytes::Bytes> = testing::request(status, Some("s3cret"));
//! assert_eq!(request.headers()["authorization"], "s3cret");
//! ```

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use serde_json::{Value, json};

use super::event::INFERRED_SESSION_STATUS;
use super::recorded;

/// A POST of `body` as Hypersender sends one: JSON, and `secret` (if any)
/// as the whole `Authorization` header.
pub fn request<B: From<Bytes>>(body: impl Into<Bytes>, secret: Option<&str>) -> http::Request<B> {
    let mut builder = http::Request::post("/").header(CONTENT_TYPE, "application/json");
    if let Some(secret) = secret {
        builder = builder.header(AUTHORIZATION, secret);
    }
    builder
        .body(B::from(body.into()))
        .expect("a POST with a JSON content type and a header value is a valid request")
}

/// The recorded example of `event` (one of
/// [`DOCUMENTED_EVENTS`](super::DOCUMENTED_EVENTS)) as a request.
///
/// # Panics
///
/// When `event` has no recorded example.
pub fn recorded<B: From<Bytes>>(event: &str, secret: Option<&str>) -> http::Request<B> {
    let body = recorded::example(event)
        .unwrap_or_else(|| panic!("no recorded example of {event:?}; see DOCUMENTED_EVENTS"));
    request(Bytes::from_static(body.as_bytes()), secret)
}

/// A delivery of any event in the recorded envelope's shape.
pub fn event(event: &str, id: &str, instance_id: &str, payload: Value) -> String {
    json!({
        "event": event,
        "data": {
            "id": id,
            "event": event,
            "metadata": {},
            "payload": payload,
            "instanceId": instance_id,
        }
    })
    .to_string()
}

/// A status update in WAHA's `session.status` shape (**inferred**: the
/// service documents none).
pub fn session_status(id: &str, instance_id: &str, status: &str) -> String {
    event(
        INFERRED_SESSION_STATUS,
        id,
        instance_id,
        json!({"status": status}),
    )
}
