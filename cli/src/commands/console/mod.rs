//! `hypersender console`: the fleet in a browser, one binary with its
//! assets embedded (server-rendered HTML, one small script, no CDN).
//!
//! The data flow: the library's watch (one `GET /instances` per interval)
//! and, with `--webhooks`, the library's receiver feed the fleet's rows
//! (`fleet`) and the metrics; pages (`pages`, maud: every value
//! HTML-escaped, server text's control characters made visible) draw them;
//! `/events` carries each change to open pages as it comes; buttons
//! (`actions`) call the library (health, new QR code, restart, paced bulk
//! restarts); onboarding is the library's router
//! (`hypersender::onboarding`), mounted at `/onboarding`. `auth` guards it
//! all: one-time login link, session cookie, CSRF token, Host check, CSP.

mod actions;
mod assets;
mod auth;
mod fleet;
mod monitor;
mod pages;
mod refused;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use hypersender::onboarding::OnboardingConfig;
use hypersender::{Client, ConnectOptions};
use hypersender_mock_server::MockConfig;

use crate::args::{ConsoleArgs, Global};
use crate::commands::session_with;
use crate::failure::Failure;
use crate::metrics::Metrics;
use crate::terminal::{self, Style};
use crate::{interrupt, metrics};

/// What the console's handlers share.
pub struct Console {
    client: Client,
    auth: auth::Auth,
    fleet: fleet::Fleet,
    bulk: actions::Bulk,
    monitor: Option<monitor::Monitor>,
    metrics: Arc<Metrics>,
    interval: Duration,
    silent_after: Duration,
    stuck_after: Duration,
    /// How long onboarding shows a QR code before it asks for a fresh one.
    qr_lifetime: Duration,
    /// The embedded mock's base URL, with `--mock`.
    mock_url: Option<String>,
}

/// Serves the console until Ctrl-C.
pub async fn run(global: &Global, args: &ConsoleArgs) -> Result<ExitCode, Failure> {
    interrupt::handled_by_command();
    let fleet = &args.mock_fleet;
    if !global.mock && (fleet.mock_instances > 0 || fleet.mock_flap_every.is_some()) {
        return Err(Failure::BadInput(
            "--mock-instances and --mock-flap-every need --mock".into(),
        ));
    }
    let (client, mock) = session_with(global, mock_config(args)).await?;
    let cannot = |e: std::io::Error| Failure::Local(format!("cannot listen on {}: {e}", args.addr));
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(cannot)?;
    let bound = listener.local_addr().map_err(cannot)?;
    if !bound.ip().is_loopback() {
        terminal::err_line(&format!(
            "warning: the console is served on {bound}, not on loopback: anyone who can reach it and gets the login link can run your fleet"
        ));
    }
    let auth = auth::Auth::new(bound)
        .ok_or_else(|| Failure::Local("the system gave no randomness for a login token".into()))?;
    let console = Arc::new(Console {
        client,
        auth,
        fleet: fleet::Fleet::default(),
        bulk: actions::Bulk::default(),
        monitor: args.webhooks.map(|_| monitor::Monitor::default()),
        metrics: metrics::start(!args.metrics.no_instance_metrics),
        interval: args.interval,
        silent_after: args.webhooks_silent_after,
        stuck_after: args.stuck_after,
        qr_lifetime: args.qr_lifetime.qr_lifetime,
        mock_url: mock.as_ref().map(|mock| mock.base_url()),
    });
    let reports = match args.webhooks {
        Some(addr) => Some(
            crate::commands::watch::webhook_reports(
                addr,
                args.webhook_secret.as_deref(),
                monitor::hook(console.clone()),
            )
            .await?,
        ),
        None => None,
    };
    tokio::spawn(fleet::follow(console.clone(), reports));
    banner(&console, bound);
    let app = routes(console);
    tokio::select! {
        served = axum::serve(listener, app) => served
            .map_err(|e| Failure::Local(format!("the console stopped serving: {e}")))?,
        () = interrupt::pressed() => {}
    }
    if let Some(mock) = mock {
        mock.shutdown().await;
    }
    terminal::err_line("stopped the console; its session ended");
    Ok(ExitCode::SUCCESS)
}

fn mock_config(args: &ConsoleArgs) -> MockConfig {
    let fleet = &args.mock_fleet;
    let mut config = MockConfig::default();
    if fleet.mock_instances > 0 {
        config = config.generated_instances(fleet.mock_instances, fleet.mock_seed);
    }
    if let Some(every) = fleet.mock_flap_every {
        config = config.flapping(every, Duration::from_secs(10));
    }
    config
}

/// The address and the one-time login link (the token's only appearance).
fn banner(console: &Console, bound: std::net::SocketAddr) {
    terminal::out_line(&format!("Hypersender console on http://{bound}/"));
    terminal::out_line(&format!(
        "Log in (the link works once): {}",
        console.auth.login_url(bound)
    ));
    terminal::out_line(&format!("Prometheus metrics: http://{bound}/metrics"));
    if let Some(url) = &console.mock_url {
        terminal::out_line(&format!(
            "The embedded mock's API: {url} (a phone scans a QR code with: hypersender --base-url {url} mock scan ID, and the --token given here, if any)"
        ));
    }
    terminal::err_line("Press Ctrl-C to stop.");
}

/// Every route, behind [`auth::guard`]; all but the login, the metrics
/// and the assets behind a session.
fn routes(console: Arc<Console>) -> Router {
    let connect = ConnectOptions::default().qr_lifetime(console.qr_lifetime);
    let onboarding = hypersender::onboarding::router_with(
        console.client.clone(),
        OnboardingConfig::default().connect_options(connect),
    );
    let guarded = Router::new()
        .route("/", get(pages::fleet))
        .route("/events", get(fleet::events))
        .route("/instances/{id}", get(pages::instance))
        .route("/instances/{id}/health", post(actions::health))
        .route("/instances/{id}/qr", post(actions::new_qr_code))
        .route("/instances/{id}/restart", post(actions::restart))
        .route("/bulk/restart", post(actions::bulk_restart))
        .route("/bulk/retry", post(actions::bulk_retry))
        .route("/onboard", get(pages::onboard))
        .route("/webhooks", get(pages::webhooks))
        .nest_service("/onboarding", onboarding)
        .layer(from_fn_with_state(console.clone(), auth::require_session));
    Router::new()
        .route("/login", get(auth::login))
        .route("/metrics", get(metrics_text))
        .route("/assets/console.js", get(assets::script))
        .route("/assets/console.css", get(assets::style))
        .merge(guarded)
        .fallback(pages::not_found)
        .layer(from_fn_with_state(console.clone(), auth::guard))
        .with_state(console)
}

/// `/metrics`: no session (a scraper cannot log in); it holds no secret,
/// only ids, statuses and counts.
async fn metrics_text(
    axum::extract::State(console): axum::extract::State<Arc<Console>>,
) -> impl axum::response::IntoResponse {
    metrics::exposition(axum::extract::State(console.metrics.clone())).await
}

/// Server text as a page shows it: control and bidi characters made
/// visible (`\u{202e}`), as on the terminal (HTML escaping is maud's).
pub fn shown(text: &str) -> String {
    terminal::escape(text, Style::Text)
}
