//! Prometheus metrics of the fleet (`instances watch --metrics ADDR` and
//! the console's `/metrics`), in the Prometheus text format (0.0.4, what
//! every Prometheus scrapes and `promtool check metrics` checks), written
//! by the `prometheus` crate (label values escaped, names and types as the
//! format wants them). (`prometheus-client` writes only OpenMetrics, whose
//! counter names `promtool` refuses in the text format.)
//!
//! What is measured: instances per status and each instance's status
//! (from the watch's events; per-instance series can be turned off for
//! large fleets), every attempt sent to the API by operation and HTTP
//! status, rate-limit waits, and, with the webhook receiver, events by name
//! and each instance's last event time. The request and wait figures come
//! from the client's tracing (its request span and its wait events), read
//! by [`Layer`], so nothing in the library is special-cased for metrics.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use chrono::{DateTime, Utc};
use hypersender::{FleetEvent, InstanceStatus};
use prometheus::{
    CounterVec, Gauge, GaugeVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

/// The metrics of one process (one watch or one console).
pub struct Metrics {
    registry: Registry,
    per_instance: bool,
    instances: IntGaugeVec,
    instance_status: IntGaugeVec,
    api_requests: IntCounterVec,
    rate_limit_waits: IntCounterVec,
    rate_limit_wait_seconds: CounterVec,
    watch_problems: IntCounterVec,
    last_list: Gauge,
    webhook_events: IntCounterVec,
    last_webhook: GaugeVec,
    /// Each instance's status as last seen, to move its series.
    statuses: Mutex<HashMap<String, InstanceStatus>>,
}

/// The process's metrics, once started: what the tracing layer counts
/// into.
static METRICS: OnceLock<Arc<Metrics>> = OnceLock::new();

/// The process's metrics, started on first use (with per-instance series
/// or without, as the first caller asks).
pub fn start(per_instance: bool) -> Arc<Metrics> {
    METRICS
        .get_or_init(|| Arc::new(Metrics::new(per_instance)))
        .clone()
}

/// A family of series; the names and labels are fixed here, so building it
/// cannot fail.
fn family<T>(
    build: impl FnOnce(Opts, &[&str]) -> prometheus::Result<T>,
    name: &str,
    help: &str,
    labels: &[&str],
) -> T {
    build(Opts::new(name, help), labels).expect("a valid metric name and labels")
}

impl Metrics {
    fn new(per_instance: bool) -> Self {
        let metrics = Self {
            registry: Registry::new(),
            per_instance,
            instances: family(
                IntGaugeVec::new,
                "hypersender_instances",
                "Instances per status, as last listed",
                &["status"],
            ),
            instance_status: family(
                IntGaugeVec::new,
                "hypersender_instance_status",
                "1 for each instance's current status",
                &["instance_id", "status"],
            ),
            api_requests: family(
                IntCounterVec::new,
                "hypersender_api_requests_total",
                "Requests sent to the API, every attempt, by operation and HTTP status (error: no answer)",
                &["operation", "status"],
            ),
            rate_limit_waits: family(
                IntCounterVec::new,
                "hypersender_rate_limit_waits_total",
                "Waits for a documented rate limit, by operation",
                &["operation"],
            ),
            rate_limit_wait_seconds: family(
                CounterVec::new,
                "hypersender_rate_limit_wait_seconds_total",
                "Time spent waiting for documented rate limits, by operation",
                &["operation"],
            ),
            watch_problems: family(
                IntCounterVec::new,
                "hypersender_watch_problems_total",
                "Polls of the watch that did not list (backing_off: rate limited; failed)",
                &["kind"],
            ),
            last_list: Gauge::new(
                "hypersender_last_list_timestamp_seconds",
                "When GET /instances last answered 2xx (Unix time): the statuses are as of then",
            )
            .expect("a valid metric name"),
            webhook_events: family(
                IntCounterVec::new,
                "hypersender_webhook_events_total",
                "Webhook events received (duplicates not counted), by event name",
                &["event"],
            ),
            last_webhook: family(
                GaugeVec::new,
                "hypersender_instance_last_webhook_timestamp_seconds",
                "When each instance last sent a webhook event (Unix time)",
                &["instance_id"],
            ),
            statuses: Mutex::default(),
        };
        metrics.register();
        metrics
    }

    fn register(&self) {
        let mut collectors: Vec<Box<dyn prometheus::core::Collector>> = vec![
            Box::new(self.instances.clone()),
            Box::new(self.api_requests.clone()),
            Box::new(self.rate_limit_waits.clone()),
            Box::new(self.rate_limit_wait_seconds.clone()),
            Box::new(self.watch_problems.clone()),
            Box::new(self.last_list.clone()),
            Box::new(self.webhook_events.clone()),
        ];
        if self.per_instance {
            collectors.push(Box::new(self.instance_status.clone()));
            collectors.push(Box::new(self.last_webhook.clone()));
        }
        for collector in collectors {
            // Each name is registered once, here.
            let _ = self.registry.register(collector);
        }
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        TextEncoder::new()
            .encode_to_string(&self.registry.gather())
            .unwrap_or_default()
    }

    /// What one event of the watch changes.
    pub fn observe(&self, event: &FleetEvent) {
        match event {
            FleetEvent::Snapshot { instances, .. } => {
                let mut statuses = self.statuses();
                for instance in instances {
                    statuses.insert(instance.id.clone(), instance.status.clone());
                }
                self.publish(&statuses);
            }
            FleetEvent::Appeared { instance, .. }
            | FleetEvent::StatusChanged { instance, .. }
            | FleetEvent::Flapped { instance, .. } => {
                self.set_status(&instance.id, Some(instance.status.clone()));
            }
            FleetEvent::Disappeared { instance, .. } => self.set_status(&instance.id, None),
            FleetEvent::BackingOff { .. } => self.count_problem("backing_off"),
            FleetEvent::PollFailed { .. } => self.count_problem("failed"),
            _ => {}
        }
    }

    /// A webhook event received (not a duplicate).
    pub fn webhook(&self, event: &str, instance_id: Option<&str>, at: DateTime<Utc>) {
        self.webhook_events.with_label_values(&[event]).inc();
        if let Some(id) = instance_id
            && self.per_instance
        {
            self.last_webhook
                .with_label_values(&[id])
                .set(unix_seconds(at));
        }
    }

    fn statuses(&self) -> std::sync::MutexGuard<'_, HashMap<String, InstanceStatus>> {
        self.statuses.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn count_problem(&self, kind: &str) {
        self.watch_problems.with_label_values(&[kind]).inc();
    }

    fn set_status(&self, id: &str, status: Option<InstanceStatus>) {
        let mut statuses = self.statuses();
        if let Some(old) = statuses.remove(id) {
            let _ = self
                .instance_status
                .remove_label_values(&[id, old.as_str()]);
        }
        if let Some(status) = status {
            statuses.insert(id.to_owned(), status);
        }
        self.publish(&statuses);
    }

    /// Both status gauges from the statuses: every known status is a
    /// series (0 included), so an alert on one never sees it vanish.
    fn publish(&self, statuses: &HashMap<String, InstanceStatus>) {
        let mut counts: HashMap<String, i64> = InstanceStatus::KNOWN
            .iter()
            .map(|status| (status.to_string(), 0))
            .collect();
        for (id, status) in statuses {
            *counts.entry(status.to_string()).or_default() += 1;
            if self.per_instance {
                self.instance_status
                    .with_label_values(&[id.as_str(), status.as_str()])
                    .set(1);
            }
        }
        for (status, count) in counts {
            self.instances
                .with_label_values(&[status.as_str()])
                .set(count);
        }
    }

    fn request(&self, operation: &str, status: Option<u16>) {
        if operation == "list_instances" && status.is_some_and(|code| (200..300).contains(&code)) {
            self.last_list.set(unix_seconds(Utc::now()));
        }
        let status = status.map_or_else(|| "error".to_owned(), |code| code.to_string());
        self.api_requests
            .with_label_values(&[operation, status.as_str()])
            .inc();
    }

    fn rate_limit_wait(&self, operation: &str, wait_ms: u64) {
        self.rate_limit_waits.with_label_values(&[operation]).inc();
        self.rate_limit_wait_seconds
            .with_label_values(&[operation])
            .inc_by(wait_ms as f64 / 1000.0);
    }
}

fn unix_seconds(at: DateTime<Utc>) -> f64 {
    at.timestamp_millis() as f64 / 1000.0
}

/// The tracing layer that counts the client's attempts and waits into the
/// process's metrics (nothing before [`start`]).
pub struct Layer;

/// What the layer keeps of a request's span.
struct RequestSpan {
    operation: String,
    status: Option<u16>,
    /// Its last attempt was made (`attempts` recorded): a request refused
    /// before sending (a broken rule, a fail-fast limit) counts nothing.
    sent: bool,
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> tracing_subscriber::Layer<S> for Layer {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if METRICS.get().is_none() || attrs.metadata().name() != "hypersender" {
            return;
        }
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let (Some(span), Some(operation)) = (ctx.span(id), fields.operation) {
            span.extensions_mut().insert(RequestSpan {
                operation,
                status: None,
                sent: false,
            });
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        values.record(&mut fields);
        if let Some(span) = ctx.span(id)
            && let Some(request) = span.extensions_mut().get_mut::<RequestSpan>()
        {
            request.status = fields.status.or(request.status);
            request.sent |= fields.attempts;
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let Some(metrics) = METRICS.get() else { return };
        let mut fields = Fields::default();
        event.record(&mut fields);
        match fields.message.as_str() {
            "waiting for the documented rate limit" => {
                if let Some(operation) = &fields.operation {
                    metrics.rate_limit_wait(operation, fields.wait_ms);
                }
            }
            // A failed attempt that is retried: counted here, as the span
            // only records the last attempt's status.
            "retrying after a failed attempt" => {
                let span = ctx.event_span(event);
                let extensions = span.as_ref().map(|span| span.extensions());
                if let Some(request) = extensions.as_ref().and_then(|e| e.get::<RequestSpan>()) {
                    metrics.request(&request.operation, http_status(&fields.cause));
                }
            }
            _ => {}
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(metrics) = METRICS.get() else { return };
        if let Some(span) = ctx.span(&id)
            && let Some(request) = span.extensions().get::<RequestSpan>()
            && request.sent
        {
            metrics.request(&request.operation, request.status);
        }
    }
}

/// `HTTP 503 Service Unavailable` -> 503; a connection failure -> none.
fn http_status(cause: &str) -> Option<u16> {
    let code = cause.strip_prefix("HTTP ")?.split(' ').next()?;
    code.parse().ok()
}

/// The fields the layer reads.
#[derive(Default)]
struct Fields {
    message: String,
    operation: Option<String>,
    status: Option<u16>,
    attempts: bool,
    wait_ms: u64,
    cause: String,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "operation" => self.operation = Some(value.to_owned()),
            "cause" => self.cause = value.to_owned(),
            _ => {}
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "status" => self.status = u16::try_from(value).ok(),
            "attempts" => self.attempts = true,
            "wait_ms" => self.wait_ms = value,
            _ => {}
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.record_u64(field, u64::try_from(value).unwrap_or_default());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            "cause" => self.cause = format!("{value:?}"),
            _ => {}
        }
    }
}

/// Serves `/metrics` (and nothing else) on `addr`, in a task of its own;
/// the address bound.
pub async fn serve(
    addr: std::net::SocketAddr,
    metrics: Arc<Metrics>,
) -> Result<std::net::SocketAddr, crate::failure::Failure> {
    let cannot = |e: std::io::Error| {
        crate::failure::Failure::Local(format!("cannot serve metrics on {addr}: {e}"))
    };
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(cannot)?;
    let bound = listener.local_addr().map_err(cannot)?;
    let router = axum::Router::new()
        .route("/metrics", axum::routing::get(exposition))
        .with_state(metrics);
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(bound)
}

/// The exposition, with its content type.
pub async fn exposition(
    axum::extract::State(metrics): axum::extract::State<Arc<Metrics>>,
) -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, prometheus::TEXT_FORMAT)],
        metrics.render(),
    )
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use hypersender::{Client, RateLimits};
    use hypersender_mock_server::{MockConfig, MockServer};
    use tracing_subscriber::layer::SubscriberExt as _;

    use super::{Layer, start};

    /// A series' value in the text format, if it is there.
    fn value(text: &str, series: &str) -> Option<f64> {
        text.lines()
            .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
    }

    /// The client's own limiter holds a request back: the layer counts the
    /// wait and the time it said it would wait, and both attempts.
    #[tokio::test(flavor = "current_thread")]
    async fn rate_limit_waits_are_counted_with_the_time_waited() {
        let metrics = start(true);
        let _subscriber =
            tracing::subscriber::set_default(tracing_subscriber::registry().with(Layer));
        let mock = MockServer::start(MockConfig::default()).await.unwrap();
        let per = Duration::from_millis(400);
        let client = Client::builder(mock.token())
            .base_url(mock.base_url())
            .rate_limits(RateLimits::default().with_limit("check_health", 1, per))
            .build()
            .unwrap();
        let id = client.list_instances().send().await.unwrap()[0].id.clone();
        let waits = r#"hypersender_rate_limit_waits_total{operation="check_health"}"#;
        let seconds = r#"hypersender_rate_limit_wait_seconds_total{operation="check_health"}"#;
        let sent = r#"hypersender_api_requests_total{operation="check_health",status="200"}"#;

        client.check_health(&id).send().await.unwrap();
        assert_eq!(value(&metrics.render(), waits), None, "no wait yet");
        let started = Instant::now();
        client.check_health(&id).send().await.unwrap();
        let waited = started.elapsed().as_secs_f64();

        let text = metrics.render();
        assert_eq!(value(&text, waits), Some(1.0), "{text}");
        let counted = value(&text, seconds).unwrap();
        assert!(
            counted > 0.0 && counted <= per.as_secs_f64() && counted <= waited,
            "{counted} s counted, {waited} s waited"
        );
        assert_eq!(value(&text, sent), Some(2.0), "{text}");
    }
}
