//! The console's pages, drawn on the server with maud (every value
//! HTML-escaped; server text also through [`shown`]). The script
//! (`assets/console.js`) only updates what is drawn here: it filters rows,
//! follows `/events`, counts down, and posts the buttons' requests.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use hypersender::{InstanceStatus, Remedy, diagnose};
use maud::{DOCTYPE, Markup, html};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use super::actions::{self, Outcome};
use super::auth::Session;
use super::fleet::Row;
use super::refused::refused;
use super::{Console, shown};

/// A whole page: the navigation, the CSRF token for the script, the body.
fn layout(console: &Console, session: &Session, title: &str, body: Markup) -> Response {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="csrf-token" content=(session.csrf);
                title { (title) " - Hypersender console" }
                link rel="stylesheet" href="/assets/console.css";
                script src="/assets/console.js" defer {}
            }
            body {
                header {
                    nav {
                        a href="/" { "Fleet" }
                        a href="/onboard" { "Onboard" }
                        @if console.monitor.is_some() { a href="/webhooks" { "Webhooks" } }
                        a href="/metrics" { "Metrics" }
                    }
                    @if console.mock_url.is_some() {
                        span.mock { "Embedded mock: nothing leaves this machine" }
                    }
                }
                main { (body) }
            }
        }
    };
    Html(page.into_string()).into_response()
}

/// What no route serves.
pub async fn not_found() -> Response {
    refused(StatusCode::NOT_FOUND, "Nothing is here.")
}

/// A path segment for an id, whatever it holds.
fn segment(id: &str) -> String {
    utf8_percent_encode(id, NON_ALPHANUMERIC).to_string()
}

/// `/`: counts per status, filters, the bulk bar and every row.
pub async fn fleet(
    State(console): State<Arc<Console>>,
    Extension(session): Extension<Session>,
) -> Response {
    let state = console.fleet.state();
    let job = console.bulk.job();
    let count = |status: &str| {
        state
            .rows
            .values()
            .filter(|row| row.instance.status.as_str() == status)
            .count()
    };
    let failed = job
        .outcomes
        .values()
        .filter(|o| o.as_ref().is_some_and(|o| !o.ok))
        .count();
    let body = html! {
        h1 { "Fleet" }
        p #note .note { (state.note.as_deref().map(shown).unwrap_or_default()) }
        @if !state.listed { p #waiting { "Listing the instances..." } }
        section #counts {
            button .count type="button" data-status="" { "All " span.n { (state.rows.len()) } }
            @for status in InstanceStatus::VALUES {
                button .count type="button" data-status=(status) { (status) " " span.n { (count(status)) } }
            }
        }
        section #filters {
            label { "Status " select #status-filter {
                option value="" { "any" }
                @for status in InstanceStatus::VALUES { option value=(status) { (status) } }
            } }
            label { "Search " input #search type="search" placeholder="name or phone" autocomplete="off"; }
            span #shown-count {}
        }
        section #bulk {
            button #restart-selected type="button" disabled { "Restart selected" }
            button #restart-status type="button" { "Restart all shown with the chosen status" }
            button #retry-failed type="button" hidden[failed == 0] { "Retry failed (" span.n { (failed) } ")" }
            span #bulk-summary { @if job.running { "bulk restart running..." } }
        }
        table #fleet data-restart-limit=(restart_limit()) {
            thead { tr {
                th { input #select-all type="checkbox" title="select every shown row"; }
                th { "Name" } th { "Phone" } th { "Status" } th { "For" } th { "Bulk restart" }
            } }
            tbody {
                @for row in state.rows.values() { (row_markup(row, job.outcomes.get(&row.instance.id))) }
            }
        }
    };
    drop(job);
    drop(state);
    layout(&console, &session, "Fleet", body)
}

/// The restart limit in words (`5 per 60 s`), for the bulk confirmation.
fn restart_limit() -> String {
    hypersender::catalog::RESTART_INSTANCE
        .rate_limit
        .map_or_else(
            || "none documented".into(),
            |l| format!("{} per {} s", l.requests, l.per.as_secs()),
        )
}

/// One row of the table; the script draws the same from a `row` event.
fn row_markup(row: &Row, bulk: Option<&Option<Outcome>>) -> Markup {
    let i = &row.instance;
    let search = format!("{} {}", i.name, i.phone).to_lowercase();
    html! {
        tr data-id=(shown(&i.id)) data-status=(shown(i.status.as_str())) data-search=(shown(&search))
            data-since=(row.since.timestamp_millis()) data-since-known=(row.since_known)
            data-silent-since=[row.silent_since.map(|at| at.timestamp_millis())] {
            td { input .select type="checkbox" aria-label="select"; }
            td .name { a href={ "/instances/" (segment(&i.id)) } { (shown(&i.name)) } }
            td .phone { (shown(&i.phone)) }
            td .status { span .badge data-status=(shown(i.status.as_str())) { (shown(i.status.as_str())) } }
            td .age {}
            td .result {
                @match bulk {
                    Some(Some(outcome)) => span .outcome data-ok=(outcome.ok) { (if outcome.ok { "restarted" } else { "failed: " }) @if !outcome.ok { (outcome.message) } },
                    Some(None) => span .outcome { "waiting its turn" },
                    None => "",
                }
            }
        }
    }
}

/// `/instances/{id}`: details, the doctor's advice, and the buttons, each
/// held back while the documented limit holds.
pub async fn instance(
    State(console): State<Arc<Console>>,
    Extension(session): Extension<Session>,
    Path(id): Path<String>,
) -> Response {
    let Some(row) = console.fleet.state().rows.get(&id).cloned() else {
        return refused(
            StatusCode::NOT_FOUND,
            "No such instance in the last listing.",
        );
    };
    let i = &row.instance;
    let stuck_for = (Utc::now() - row.since).to_std().unwrap_or_default();
    let remedy = diagnose(i, stuck_for, console.stuck_after);
    let waits = actions::waits(&console.client);
    let base = format!("/instances/{}", segment(&i.id));
    let body = html! {
        h1 { (shown(&i.name)) }
        dl #details {
            dt { "ID" } dd { (shown(&i.id)) }
            dt { "Phone" } dd { (shown(&i.phone)) }
            dt { "Status" } dd { span .badge #status data-status=(shown(i.status.as_str())) { (shown(i.status.as_str())) } }
            dt { "Created" } dd { (i.created_at.to_string()) }
            dt { "Access token" } dd { (i.access_token.as_ref().map(|t| t.masked()).unwrap_or_else(|| "none".into())) }
        }
        h2 { "What to do" }
        p #remedy data-remedy=(remedy_name(&remedy)) { (remedy_words(&remedy, &console)) }
        section #actions {
            @for (action, operation, label) in [("health", "check_health", "Check health"), ("qr", "request_new_qr_code", "New QR code"), ("restart", "restart_instance", "Restart")] {
                button .action type="button" data-url={ (base) "/" (action) } data-operation=(operation)
                    data-wait-ms=(waits[operation].as_u64().unwrap_or_default()) data-label=(label) { (label) }
            }
        }
        p #result role="status" {}
        figure #qr hidden { img #qr-image alt="QR code to scan with the phone"; figcaption #qr-countdown {} }
    };
    layout(&console, &session, &shown(&i.name), body)
}

fn remedy_name(remedy: &Remedy) -> &'static str {
    match remedy {
        Remedy::Nothing => "nothing",
        Remedy::Restart => "restart",
        Remedy::ScanQrCode => "scan_qr_code",
        Remedy::Wait => "wait",
        _ => "unknown",
    }
}

fn remedy_words(remedy: &Remedy, console: &Console) -> String {
    match remedy {
        Remedy::Nothing => "Nothing: it is WORKING.".into(),
        Remedy::Restart => "Restart it (the docs' remedy for STOPPED, FAILED, or STARTING/PENDING for too long). Still FAILED after a restart: the dashboard or support.".into(),
        Remedy::ScanQrCode => "Scan a fresh QR code with the phone: request one below.".into(),
        Remedy::Wait => format!(
            "Give it time: STARTING or PENDING for less than {}.",
            crate::progress::duration_words(console.stuck_after)
        ),
        _ => "Look at it: a status this version does not know.".into(),
    }
}

/// `/onboard`: the form; the script runs the library's onboarding flow
/// (`/onboarding/flows`) and follows it.
pub async fn onboard(
    State(console): State<Arc<Console>>,
    Extension(session): Extension<Session>,
) -> Response {
    let body = html! {
        h1 { "Onboard a phone" }
        form #onboard {
            label { "Name " input name="name" required autocomplete="off"; }
            label { "Phone (E.164) " input name="phone" required placeholder="+201234567890" autocomplete="off"; }
            label { "Webhook URL (optional) " input name="webhook_url" type="url" placeholder="https://..." autocomplete="off"; }
            button type="submit" { "Connect" }
        }
        p #flow-error role="alert" {}
        section #flow hidden {
            p { "Status: " span .badge #flow-status { "starting" } }
            figure #flow-qr-figure hidden { img #flow-qr alt="QR code to scan with the phone"; figcaption #flow-countdown {} }
            p #flow-outcome role="status" {}
            ol #flow-steps {}
        }
    };
    layout(&console, &session, "Onboard", body)
}

/// `/webhooks`: the latest deliveries, then each new one (filter, pause).
pub async fn webhooks(
    State(console): State<Arc<Console>>,
    Extension(session): Extension<Session>,
) -> Response {
    let Some(monitor) = &console.monitor else {
        return refused(
            StatusCode::NOT_FOUND,
            "The console receives no webhooks: start it with --webhooks ADDR --webhook-secret SECRET.",
        );
    };
    let recent = serde_json::Value::Array(monitor.recent().iter().cloned().collect());
    let body = html! {
        h1 { "Webhooks" }
        section #monitor-controls {
            label { "Filter " input #webhook-filter type="search" placeholder="event or instance" autocomplete="off"; }
            button #webhook-pause type="button" aria-pressed="false" { "Pause" }
            span #webhook-paused {}
        }
        table #webhooks {
            thead { tr { th { "Received" } th { "Event" } th { "Instance" } th { "Status" } th { "Event id" } } }
            tbody {}
        }
        // Data, not script: read by the script (JSON escaped for HTML by maud).
        template #webhook-recent data-json=(recent.to_string()) {}
    };
    layout(&console, &session, "Webhooks", body)
}
