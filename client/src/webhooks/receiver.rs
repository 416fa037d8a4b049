//! An axum handler for deliveries (feature `axum`): verify, parse,
//! deduplicate, answer, and hand each event to the application through a
//! bounded channel.
//!
//! ```no_run
//! use hypersender::webhooks::receiver::{Receiver, ReceiverConfig};
//! use hypersender::webhooks::{Verifier, WebhookSecret};
//!
//! # async fn run() -> std::io::Result<()> {
//! let secret = WebhookSecret::new(std::env::var("WEBHOOK_SECRET").unwrap());
//! let Receiver { router, mut events } = Receiver::new(ReceiverConfig::new(Verifier::new(secret)));
//! let app = axum::Router::new().nest_service("/webhooks/whatsapp", router);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! tokio::spawn(async move { axum::serve(listener, app).await });
//! while let Some(delivery) = events.recv().await {
//!     println!("{} for {:?}", delivery.event.envelope.event, delivery.event.envelope.instance_id);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Answers, in the order they are decided: 401 for a missing, repeated or
//! wrong `Authorization` (before the body is read; nothing of either secret
//! is logged), 413 for a body over the limit (1 MiB by default), 400 for a
//! body that is not a JSON event, 200 `{"status":"ok"}` for an event handed
//! over, 200 `{"status":"duplicate"}` for a repeat
//! (the sender must not retry it). Backpressure: when the channel stays
//! full for [`ReceiverConfig::handover_wait`] (the application is behind),
//! the answer is 503 with `Retry-After: 1` and the id is forgotten, so the
//! sender's retry is taken as the first delivery; nothing is dropped
//! silently.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use super::{MemorySeen, ParseOptions, SeenEvents, Verifier, WebhookEvent};

/// How the receiver answers and hands over.
#[derive(Clone)]
pub struct ReceiverConfig {
    verifier: Verifier,
    body_limit: usize,
    capacity: usize,
    handover_wait: Duration,
    seen: Arc<dyn SeenEvents>,
    parse: ParseOptions,
    duplicates: bool,
}

impl std::fmt::Debug for ReceiverConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceiverConfig")
            .field("verifier", &self.verifier)
            .field("body_limit", &self.body_limit)
            .field("capacity", &self.capacity)
            .field("handover_wait", &self.handover_wait)
            .field("parse", &self.parse)
            .field("duplicates", &self.duplicates)
            .finish_non_exhaustive()
    }
}

impl ReceiverConfig {
    /// The default body limit: 1 MiB.
    pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;
    /// The default channel capacity.
    pub const DEFAULT_CAPACITY: usize = 1024;

    /// Verifying with `verifier`; everything else at its default.
    pub fn new(verifier: Verifier) -> Self {
        Self {
            verifier,
            body_limit: Self::DEFAULT_BODY_LIMIT,
            capacity: Self::DEFAULT_CAPACITY,
            handover_wait: Duration::from_secs(1),
            seen: Arc::new(MemorySeen::default()),
            parse: ParseOptions::default(),
            duplicates: false,
        }
    }

    /// The largest body accepted (413 above it).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// How many events may wait in the channel for the application.
    pub fn capacity(mut self, events: usize) -> Self {
        self.capacity = events.max(1);
        self
    }

    /// How long a request waits for room in a full channel before it is
    /// answered 503.
    pub fn handover_wait(mut self, wait: Duration) -> Self {
        self.handover_wait = wait;
        self
    }

    /// Where event ids are remembered (default: [`MemorySeen::default`]).
    pub fn seen(mut self, store: Arc<dyn SeenEvents>) -> Self {
        self.seen = store;
        self
    }

    /// How payloads are read.
    pub fn parse_options(mut self, options: ParseOptions) -> Self {
        self.parse = options;
        self
    }

    /// Hand repeats over too, marked [`Delivery::duplicate`] (for a tool
    /// that shows every delivery; an application wants each event once).
    pub fn deliver_duplicates(mut self, yes: bool) -> Self {
        self.duplicates = yes;
        self
    }
}

/// One event handed to the application.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Delivery {
    /// The event.
    pub event: WebhookEvent,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// A repeat of an event id already handed over (only with
    /// [`ReceiverConfig::deliver_duplicates`]).
    pub duplicate: bool,
}

/// The router to mount, and the application's end of the channel.
#[derive(Debug)]
pub struct Receiver {
    /// Answers POST on its root; mount it where the `webhook_url` points
    /// (`Router::nest_service("/webhooks/whatsapp", router)`).
    pub router: axum::Router,
    /// Each first delivery, in order of arrival.
    pub events: mpsc::Receiver<Delivery>,
}

struct Shared {
    config: ReceiverConfig,
    sender: mpsc::Sender<Delivery>,
}

impl Receiver {
    /// A receiver with `config`.
    pub fn new(config: ReceiverConfig) -> Self {
        let (sender, events) = mpsc::channel(config.capacity);
        let shared = Arc::new(Shared { config, sender });
        let router = axum::Router::new()
            .route("/", axum::routing::post(receive))
            .with_state(shared);
        Self { router, events }
    }
}

/// The whole answer to one request, in order.
async fn receive(State(shared): State<Arc<Shared>>, request: Request<Body>) -> Response {
    let config = &shared.config;
    let (parts, body) = request.into_parts();
    if let Err(error) = config.verifier.verify(&parts.headers) {
        tracing::debug!(%error, "webhook refused");
        return answer(StatusCode::UNAUTHORIZED, UNAUTHORIZED);
    }
    if declared_length(&parts.headers).is_some_and(|length| length > config.body_limit) {
        return answer(StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE);
    }
    let Ok(body) = axum::body::to_bytes(body, config.body_limit).await else {
        return answer(StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE);
    };
    let event = match WebhookEvent::parse_with(&body, config.parse) {
        Ok(event) => event,
        Err(error) => {
            tracing::debug!(%error, "webhook body refused");
            return answer(StatusCode::BAD_REQUEST, NOT_AN_EVENT);
        }
    };
    let first = event
        .envelope
        .id
        .as_deref()
        .is_none_or(|id| config.seen.first_delivery(id));
    if !first && !config.duplicates {
        return answer(StatusCode::OK, DUPLICATE);
    }
    let delivery = Delivery {
        event,
        received_at: Utc::now(),
        duplicate: !first,
    };
    match hand_over(&shared, delivery).await {
        Ok(()) => answer(StatusCode::OK, if first { OK } else { DUPLICATE }),
        Err(id) => {
            // Not handed over: the sender's retry must count as the first.
            if let (Some(id), true) = (id.as_deref(), first) {
                config.seen.forget(id);
            }
            let mut response = answer(StatusCode::SERVICE_UNAVAILABLE, BUSY);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            response
        }
    }
}

/// Puts `delivery` in the channel: at once when there is room (no timer is
/// set, nothing is copied for the usual case), else within the configured
/// wait. Not handed over: the event's id, to forget.
async fn hand_over(shared: &Shared, delivery: Delivery) -> Result<(), Option<String>> {
    let delivery = match shared.sender.try_send(delivery) {
        Ok(()) => return Ok(()),
        Err(mpsc::error::TrySendError::Full(delivery)) => delivery,
        Err(mpsc::error::TrySendError::Closed(delivery)) => return Err(delivery.event.envelope.id),
    };
    let id = delivery.event.envelope.id.clone();
    let wait = shared.config.handover_wait;
    match tokio::time::timeout(wait, shared.sender.send(delivery)).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(id),
    }
}

fn declared_length(headers: &axum::http::HeaderMap) -> Option<usize> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

// The answers' bodies.
const OK: &str = r#"{"status":"ok"}"#;
const DUPLICATE: &str = r#"{"status":"duplicate"}"#;
const UNAUTHORIZED: &str = r#"{"error":"unauthorized"}"#;
const TOO_LARGE: &str = r#"{"error":"body too large"}"#;
const NOT_AN_EVENT: &str = r#"{"error":"not a webhook event"}"#;
const BUSY: &str = r#"{"error":"busy, retry"}"#;

fn answer(status: StatusCode, body: &'static str) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}
