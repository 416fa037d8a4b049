//! A stateful mock of the Hypersender Enterprise API, served over HTTP on
//! 127.0.0.1: the five instance operations, in memory, behaving the way the
//! vendor documents the service.
//!
//! - It starts with the instances of the documented List Instances example.
//! - A created instance is listed with status `SCAN_QR_CODE` and a real,
//!   scannable QR code (a base64 PNG); requesting a new one replaces it.
//!   [`MockServer::scan`] (or `POST /__mock/instances/{id}/scan`) plays the
//!   phone scanning it: the instance links and becomes `WORKING`.
//! - [`MockServer::fail`] (or `POST /__mock/instances/{id}/fail`, with an
//!   optional `{"status": 500}`; 503 by default) makes every operation
//!   naming an instance answer that error until [`MockServer::recover`]
//!   (`POST /__mock/instances/{id}/recover`): what a caller does with a
//!   failing instance can be tried offline.
//! - A restart goes `STOPPED -> STARTING -> WORKING` (or back to
//!   `SCAN_QR_CODE` if no phone is linked), over [`MockConfig::restart_timing`].
//! - `filter[name]` matches part of the name, the other filters exactly.
//! - An unknown instance gives 404, a missing or wrong bearer token 401,
//!   the documented rate limits (each operation's `x-rate-limit` in the spec:
//!   create 5, health 10, new QR code 1, restart 5 per minute) 429 with
//!   `Retry-After`, and a create that breaks the documented rules (the
//!   client's catalog, so the spec) 422 with Laravel's `{message, errors}`
//!   body.
//! - An operation the spec gains later, with no behaviour written here,
//!   answers its success status with its example from the catalog
//!   (documented, or built from its properties' examples; no body when the
//!   response has none) and the header [`EXAMPLE_HEADER`]`:
//!   documented-example`, instead of 404.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use hypersender_mock_server::{MockConfig, MockServer};
//!
//! let mock = MockServer::start(MockConfig::default()).await?;
//! let client = hypersender::Client::builder(mock.token())
//!     .base_url(mock.base_url())
//!     .build()?;
//! let instances = client.list_instances().send().await?;
//! // It starts with the spec's documented List Instances example.
//! assert_eq!(instances.len(), hypersender_mock_server::seed_instances()?.len());
//! # Ok(())
//! # }
//! ```

mod clock;
mod http;
mod qr;
mod rate_limit;
mod state;
mod webhooks;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hypersender::InstanceStatus;
use hypersender::types::InstanceResponse;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use http::{BASE_PATH, CONTROL_PATH, EXAMPLE_HEADER};

use clock::Clock;
pub use http::LoggedRequest;
use http::Shared;
use state::{Flaps, Pairing, RestartTiming, Store};

/// The API token the mock accepts unless told otherwise. Not a secret: it
/// only opens the mock.
pub const DEFAULT_TOKEN: &str = "1|hypersender-mock-token";

/// How to run a mock.
#[derive(Clone)]
pub struct MockConfig {
    token: String,
    addr: SocketAddr,
    timing: RestartTiming,
    pairing: Pairing,
    clock: ClockChoice,
    rate_limits: bool,
    generated: Option<(usize, u64)>,
    flaps: Option<Flaps>,
    instances: Option<Vec<InstanceResponse>>,
    webhook: Option<webhooks::WebhookTarget>,
}

/// Which clock a mock follows.
#[derive(Debug, Clone, Copy)]
enum ClockChoice {
    System,
    Frozen(DateTime<Utc>),
    Tokio(DateTime<Utc>),
}

impl Default for MockConfig {
    /// [`DEFAULT_TOKEN`], a free port on 127.0.0.1, restarts of 1 s stopped
    /// and 4 s starting (the docs advise waiting 5-10 s), the system clock,
    /// the documented rate limits, QR codes good for 60 s (documented), and
    /// an instance FAILED after 6 codes' worth of time unscanned (inferred).
    fn default() -> Self {
        Self {
            token: DEFAULT_TOKEN.to_owned(),
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            timing: RestartTiming {
                stopped_for: Duration::from_secs(1),
                starting_for: Duration::from_secs(4),
            },
            pairing: Pairing {
                qr_lifetime: hypersender::QR_CODE_LIFETIME,
                codes_before_failure: 6,
            },
            clock: ClockChoice::System,
            rate_limits: true,
            generated: None,
            flaps: None,
            instances: None,
            webhook: None,
        }
    }
}

impl MockConfig {
    /// The bearer token the mock accepts.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = token.into();
        self
    }

    /// Where to listen (port 0 picks a free one).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// How long a restarting instance stays `STOPPED`, then `STARTING`.
    pub fn restart_timing(mut self, stopped_for: Duration, starting_for: Duration) -> Self {
        self.timing = RestartTiming {
            stopped_for,
            starting_for,
        };
        self
    }

    /// Freezes the mock's clock at `at`; only [`MockServer::advance_clock`]
    /// moves it. For tests of rate limits and restarts without sleeping,
    /// and for repeatable `created_at` values.
    pub fn frozen_clock(mut self, at: DateTime<Utc>) -> Self {
        self.clock = ClockChoice::Frozen(at);
        self
    }

    /// Follows tokio's clock (its wall clock starting at `at`), so a test
    /// with a paused tokio clock moves the mock, the client's rate limiter
    /// and QR expiry together, in milliseconds of real time.
    pub fn tokio_clock(mut self, at: DateTime<Utc>) -> Self {
        self.clock = ClockChoice::Tokio(at);
        self
    }

    /// How long a QR code can be scanned (documented: about 60 s).
    pub fn qr_lifetime(mut self, lifetime: Duration) -> Self {
        self.pairing.qr_lifetime = lifetime;
        self
    }

    /// After how many QR codes' worth of time unscanned an instance turns
    /// FAILED (default 6: inferred from WAHA, the software the service
    /// appears to run on; the vendor does not document it).
    pub fn qr_codes_before_failure(mut self, codes: u32) -> Self {
        self.pairing.codes_before_failure = codes.max(1);
        self
    }

    /// Starts with `instances` instead of the documented List Instances
    /// example ([`seed_instances`]): for tests whose expectations come from
    /// their own recorded data, so a vendor's new example changes nothing
    /// for them. Their QR codes are made on request, like the seed's.
    pub fn instances(mut self, instances: Vec<InstanceResponse>) -> Self {
        self.instances = Some(instances);
        self
    }

    /// Adds `count` made-up instances after the documented examples
    /// (`Instance 0001`, ...), their statuses drawn from `seed`: mostly
    /// WORKING, some of every other status. The same seed gives the same
    /// fleet.
    pub fn generated_instances(mut self, count: usize, seed: u64) -> Self {
        self.generated = Some((count, seed));
        self
    }

    /// Every `every`, the next WORKING instance (in turn) shows STARTING
    /// for `lasting`, then WORKING again: the brief flaps of a reconnect.
    pub fn flapping(mut self, every: Duration, lasting: Duration) -> Self {
        self.flaps = Some(Flaps { every, lasting });
        self
    }

    /// Turns the documented rate limits off.
    pub fn without_rate_limits(mut self) -> Self {
        self.rate_limits = false;
        self
    }
}

impl MockConfig {
    /// Posts every instance's events to `url`, with `secret` (if any) as
    /// the `Authorization` header: a `session.status` event at each status
    /// change (its shape inferred from WAHA), and message events asked for
    /// with `POST /__mock/instances/{id}/messages`. Without it the mock
    /// posts nothing (an instance's own `webhook_url` is never called).
    pub fn webhook_to(mut self, url: impl Into<String>, secret: Option<String>) -> Self {
        self.webhook = Some(webhooks::WebhookTarget {
            url: url.into(),
            secret,
        });
        self
    }
}

impl fmt::Debug for MockConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockConfig")
            .field("token", &"** redacted **")
            .field("addr", &self.addr)
            .field("timing", &self.timing)
            .field("pairing", &self.pairing)
            .field("clock", &self.clock)
            .field("generated", &self.generated)
            .field("flaps", &self.flaps)
            .field(
                "instances",
                &self
                    .instances
                    .as_ref()
                    .map(|i| format!("{} given", i.len())),
            )
            .field("rate_limits", &self.rate_limits)
            .field(
                "webhook_to",
                &self.webhook.as_ref().map(|target| target.url.as_str()),
            )
            .finish()
    }
}

/// The instances the mock starts with: the documented List Instances
/// example (from the client's catalog, so from the spec), decoded with the
/// client's own types. An error means the spec has no such example, or it no
/// longer fits the spec's own schema.
pub fn seed_instances() -> Result<Vec<InstanceResponse>, String> {
    let example = hypersender::catalog::find("list_instances")
        .and_then(|operation| operation.success_example)
        .ok_or("the spec has no List Instances example")?;
    serde_json::from_str(example).map_err(|e| e.to_string())
}

/// A running mock. It stops when dropped (or with [`MockServer::shutdown`]).
pub struct MockServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    /// Compares statuses for `webhook_to`; stopped with the mock.
    watcher: Option<JoinHandle<()>>,
}

impl MockServer {
    /// Binds the address and starts serving on the current tokio runtime.
    pub async fn start(config: MockConfig) -> std::io::Result<Self> {
        let seed = match config.instances {
            Some(instances) => instances,
            None => seed_instances().map_err(|e| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("the List Instances example in the spec does not decode: {e}"),
                )
            })?,
        };
        let listener = TcpListener::bind(config.addr).await?;
        let addr = listener.local_addr()?;
        let clock = match config.clock {
            ClockChoice::System => Clock::system(),
            ClockChoice::Frozen(at) => Clock::frozen(at),
            ClockChoice::Tokio(at) => Clock::tokio(at),
        };
        let mut store = Store::new(
            seed,
            clock,
            config.timing,
            config.pairing,
            config.rate_limits,
        );
        if let Some((count, seed)) = config.generated {
            store.add_generated(count, seed);
        }
        if let Some(flaps) = config.flaps {
            store.set_flaps(flaps);
        }
        let outbox = config.webhook.map(webhooks::Outbox::start);
        let shared = Arc::new(Shared {
            store: Mutex::new(store),
            token: config.token,
            log: Mutex::default(),
            outbox: outbox.clone(),
        });
        let watcher = outbox.map(|outbox| {
            let shared = Arc::clone(&shared);
            let statuses = move || {
                shared
                    .store()
                    .list(&state::Filters::default())
                    .into_iter()
                    .map(|i| (i.id, i.phone, i.status.as_str().to_owned()))
                    .collect()
            };
            tokio::spawn(webhooks::watch_statuses(statuses, outbox))
        });
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&shared), stopped));
        Ok(Self {
            addr,
            shared,
            stop: Some(stop),
            task: Some(task),
            watcher,
        })
    }

    /// The API's base URL on this mock, for
    /// [`ClientBuilder::base_url`](hypersender::ClientBuilder::base_url).
    pub fn base_url(&self) -> String {
        format!("http://{}{BASE_PATH}", self.addr)
    }

    /// The address the mock listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bearer token the mock accepts.
    pub fn token(&self) -> &str {
        &self.shared.token
    }

    /// An instance's status right now, or `None` if there is no such
    /// instance.
    pub fn status(&self, instance: &str) -> Option<InstanceStatus> {
        self.shared.store().status(instance)
    }

    /// What an instance's current QR code says, or `None` if there is no
    /// such instance.
    pub fn qr_payload(&self, instance: &str) -> Option<String> {
        self.shared.store().qr_payload(instance)
    }

    /// The webhook URL an instance was created with: `None` if there is no
    /// such instance, `Some(None)` if it was created without one.
    pub fn webhook_url(&self, instance: &str) -> Option<Option<String>> {
        self.shared.store().webhook_url(instance)
    }

    /// Plays a phone scanning the instance's QR code: an instance waiting
    /// for a scan links and becomes `WORKING`. Returns whether it was
    /// waiting.
    pub fn scan(&self, instance: &str) -> bool {
        self.shared.store().scan(instance).unwrap_or(false)
    }

    /// From now on every operation naming the instance (its health, a new
    /// QR code, a restart) answers `status`, as `POST
    /// /__mock/instances/{id}/fail` does, until [`MockServer::recover`];
    /// the list is not affected. Returns whether it was done: the instance
    /// exists and `status` is an error status (400 to 599).
    pub fn fail(&self, instance: &str, status: u16) -> bool {
        self.shared.store().fail(instance, status).is_ok()
    }

    /// Ends [`MockServer::fail`] (`POST /__mock/instances/{id}/recover`);
    /// returns whether the instance exists.
    pub fn recover(&self, instance: &str) -> bool {
        self.shared.store().recover(instance).is_ok()
    }

    /// Sets an instance's status (SCAN_QR_CODE starts pairing anew);
    /// returns whether the instance exists.
    pub fn set_status(&self, instance: &str, status: InstanceStatus) -> bool {
        self.shared.store().set_status(instance, status)
    }

    /// Every request the mock answered, in order: when (mock time since it
    /// started), the method, the path and the status.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.log().clone()
    }

    /// Moves the mock's clock forward (rate-limit windows, restarts,
    /// `created_at` of new instances).
    pub fn advance_clock(&self, by: Duration) {
        self.shared.store().clock().advance(by);
    }

    /// Stops accepting connections and waits for the accept loop to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(watcher) = self.watcher.take() {
            watcher.abort();
        }
    }
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stopped: oneshot::Receiver<()>,
) {
    loop {
        let stream = tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors and the like: back off, keep serving.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let service = service_fn(move |request| http::handle(Arc::clone(&shared), request));
            // A client that hangs up mid-request is its own problem.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
