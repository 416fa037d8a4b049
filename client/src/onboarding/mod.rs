//! Onboarding in a browser (feature `onboarding`): the connect flow
//! ([`Client::connect`]) behind an axum [`Router`], so a product shows its
//! own customer the QR code to scan and the status as it changes.
//!
//! ```no_run
//! # async fn example(client: hypersender::Client) -> std::io::Result<()> {
//! let app = axum::Router::new().nest("/onboarding", hypersender::onboarding::router(client));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, app).await
//! # }
//! ```
//!
//! # Routes
//!
//! Relative to where the router is nested; the URLs in its answers are
//! relative too, so they resolve wherever it is mounted.
//!
//! - `POST /flows`, a form (`name`, `phone`, optional `webhook_url`):
//!   starts a flow. `201` with `{"id": ID, "events": "flows/ID/events",
//!   "qr": "flows/ID/qr.png"}`; `422` with `{"errors": [...]}` when the
//!   create request's documented rules are broken (nothing is sent);
//!   `403` for a cross-site request; `503` when
//!   [`OnboardingConfig::max_flows`] flows are running.
//! - `GET /flows/{id}/events`: the flow as server-sent events, one per
//!   step, named by it, with a JSON `data` line: `instance` (`instance_id`,
//!   `name`, `created`, `differences`), `qr_code` (`number`, `image`: the
//!   PNG's URL relative to this one, `expires_in_ms`), `qr_code_expired`
//!   (`number`, `fresh_in_ms`), `status` (`status`), `restarted`,
//!   `connected` (`instance_id`, `status`), `gave_up` (`reason`). The
//!   last is `connected` or `gave_up`; then the stream ends. Each event's
//!   id is its step's number: a subscriber that comes late gets every step
//!   from the first, one that reconnects with `Last-Event-ID` the steps it
//!   missed.
//! - `GET /flows/{id}/qr.png`: the flow's current QR code, a PNG.
//!
//! # Security
//!
//! The router authenticates nobody: whoever reaches it can create
//! instances on your account, so mount it behind your own login. What it
//! does itself: a `POST` whose `Origin` is not the `Host` it was sent to,
//! or that a browser marks `Sec-Fetch-Site: cross-site`, is refused (no
//! cross-site request forgery); a flow's id is 128 random bits, as it gives
//! the QR code (whoever scans that code links their phone); every answer is
//! `Cache-Control: no-store`; the instance's access token and the API token
//! never leave the server.

mod flow;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::time::Instant;

use crate::flows::{ConnectOptions, ConnectRequest};
use crate::runtime::Client;
use flow::Flow;

/// How the onboarding router runs its flows.
#[derive(Debug, Clone)]
pub struct OnboardingConfig {
    options: ConnectOptions,
    max_flows: usize,
    keep_finished: Duration,
}

impl Default for OnboardingConfig {
    /// The connect flow's defaults, at most 32 flows at once, a finished
    /// flow's steps kept 10 minutes.
    fn default() -> Self {
        Self {
            options: ConnectOptions::default(),
            max_flows: 32,
            keep_finished: Duration::from_secs(600),
        }
    }
}

impl OnboardingConfig {
    /// The connect flow's options (timeout, restarts, QR lifetime).
    pub fn connect_options(mut self, options: ConnectOptions) -> Self {
        self.options = options;
        self
    }

    /// At most `flows` flows run at once; another start is answered 503
    /// (each flow spends the account's create, new-QR and restart limits).
    pub fn max_flows(mut self, flows: usize) -> Self {
        self.max_flows = flows;
        self
    }

    /// How long a finished flow's steps stay readable.
    pub fn keep_finished(mut self, keep: Duration) -> Self {
        self.keep_finished = keep;
        self
    }
}

/// The onboarding router with the default [`OnboardingConfig`].
pub fn router(client: Client) -> Router {
    router_with(client, OnboardingConfig::default())
}

/// The onboarding router (see the [module docs](self) for its routes).
pub fn router_with(client: Client, config: OnboardingConfig) -> Router {
    let flows = Arc::new(Flows {
        client,
        config,
        flows: Mutex::new(HashMap::new()),
    });
    Router::new()
        .route("/flows", post(start))
        .route("/flows/{id}/events", get(events))
        .route("/flows/{id}/qr.png", get(qr_png))
        .with_state(flows)
}

/// Every flow of one router.
struct Flows {
    client: Client,
    config: OnboardingConfig,
    flows: Mutex<HashMap<String, Arc<Flow>>>,
}

impl Flows {
    fn get(&self, id: &str) -> Option<Arc<Flow>> {
        let flows = self.flows.lock().unwrap_or_else(PoisonError::into_inner);
        flows.get(id).cloned()
    }

    /// Registers a new flow, unless `max_flows` run already; finished flows
    /// older than `keep_finished` are forgotten first.
    fn admit(&self) -> Option<(String, Arc<Flow>)> {
        let mut flows = self.flows.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        let keep = self.config.keep_finished;
        flows.retain(|_, flow| !flow.finished_before(now, keep));
        let running = flows.values().filter(|flow| !flow.is_finished()).count();
        if running >= self.config.max_flows {
            return None;
        }
        let id = flow::random_id()?;
        let flow = Arc::new(Flow::default());
        flows.insert(id.clone(), flow.clone());
        Some((id, flow))
    }
}

/// The start form.
#[derive(serde::Deserialize)]
struct StartForm {
    name: String,
    phone: String,
    #[serde(default)]
    webhook_url: Option<String>,
}

impl StartForm {
    fn request(self) -> ConnectRequest {
        let request = ConnectRequest::new(self.name.trim(), self.phone.trim());
        match self.webhook_url.as_deref().map(str::trim) {
            Some(url) if !url.is_empty() => request.webhook_url(url),
            _ => request,
        }
    }
}

async fn start(
    State(flows): State<Arc<Flows>>,
    headers: HeaderMap,
    Form(form): Form<StartForm>,
) -> Response {
    if !same_origin(&headers) {
        return answer(
            StatusCode::FORBIDDEN,
            json_error("cross-site request refused"),
        );
    }
    let request = form.request();
    let violations = request.violations();
    if !violations.is_empty() {
        let errors: Vec<String> = violations.iter().map(ToString::to_string).collect();
        return answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            serde_json::json!({ "errors": errors }),
        );
    }
    let Some((id, flow)) = flows.admit() else {
        return answer(
            StatusCode::SERVICE_UNAVAILABLE,
            json_error("too many onboarding flows are running; try again in a few minutes"),
        );
    };
    flow::spawn(
        flows.client.clone(),
        request,
        flows.config.options.clone(),
        flow,
    );
    let body = serde_json::json!({
        "id": id,
        "events": format!("flows/{id}/events"),
        "qr": format!("flows/{id}/qr.png"),
    });
    answer(StatusCode::CREATED, body)
}

async fn events(
    State(flows): State<Arc<Flows>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(flow) = flows.get(&id) else {
        return not_found();
    };
    let from = headers
        .get("last-event-id")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<usize>().ok())
        .map_or(0, |last| last + 1);
    let mut response = flow::events(flow, from).into_response();
    no_store(response.headers_mut());
    response
}

async fn qr_png(State(flows): State<Arc<Flows>>, Path(id): Path<String>) -> Response {
    let Some(png) = flows.get(&id).and_then(|flow| flow.qr_png()) else {
        return not_found();
    };
    let mut response = ([(header::CONTENT_TYPE, "image/png")], png).into_response();
    no_store(response.headers_mut());
    response
}

/// Whether a state-changing request comes from the page it was sent to:
/// no `Origin`, or one naming the `Host`; and not marked cross-site. (A
/// request with neither header is not a browser's, which cannot be forged
/// from another site.)
pub(crate) fn same_origin(headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if matches!(text("sec-fetch-site"), Some("cross-site" | "same-site")) {
        return false;
    }
    match text("origin") {
        None => true,
        Some(origin) => {
            let authority = origin.split_once("://").map(|(_, rest)| rest);
            authority.is_some() && authority == text("host")
        }
    }
}

fn json_error(message: &str) -> serde_json::Value {
    serde_json::json!({ "message": message })
}

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response();
    no_store(response.headers_mut());
    response
}

fn not_found() -> Response {
    answer(StatusCode::NOT_FOUND, json_error("no such onboarding flow"))
}

/// Nothing of a flow (its QR code above all) is kept by a browser or a
/// proxy, nor read as another type than it is sent as.
fn no_store(headers: &mut HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}
