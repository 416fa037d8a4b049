//! What the console's buttons do, through the library: an instance's
//! health, a new QR code, a restart (each answered with how long the
//! documented limits now hold each button back), and bulk restarts, paced
//! by the restart limit, with a result per row sent to the pages as it
//! comes and "retry failed".

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hypersender::{Client, Error, InstanceStatus, Restarted};
use serde_json::json;

use super::{Console, shown};

/// The operations an instance's page has a button for.
pub const BUTTONS: [&str; 3] = ["check_health", "request_new_qr_code", "restart_instance"];

/// How long the client's limiter holds each button's operation back, in
/// milliseconds (0: it may be sent now).
pub fn waits(client: &Client) -> serde_json::Value {
    let waits: serde_json::Map<String, serde_json::Value> = BUTTONS
        .iter()
        .map(|op| {
            let wait = client.rate_limit_delay(op).unwrap_or_default();
            ((*op).to_owned(), json!(wait.as_millis() as u64))
        })
        .collect();
    serde_json::Value::Object(waits)
}

/// An action's answer: what happened, and the buttons' waits.
fn answer(client: &Client, outcome: Result<serde_json::Value, Error>) -> Response {
    let (status, mut body) = match outcome {
        Ok(body) => (StatusCode::OK, body),
        Err(error) => (
            failure_status(&error),
            json!({ "error": shown(&error.display_chain()) }),
        ),
    };
    body["waits"] = waits(client);
    (status, Json(body)).into_response()
}

/// The status a failed action is answered with: the limit's 429 as such,
/// a refused input 422, anything else from the API 502.
fn failure_status(error: &Error) -> StatusCode {
    match error {
        Error::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::InvalidRequest { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::BAD_GATEWAY,
    }
}

/// `POST /instances/{id}/health`.
pub async fn health(State(console): State<Arc<Console>>, Path(id): Path<String>) -> Response {
    let outcome = console.client.check_health(&id).send().await.map(|health| {
        json!({
            "message": shown(&format!("{} is {}", health.instance_id, health.status)),
            "status": shown(health.status.as_str()),
        })
    });
    answer(&console.client, outcome)
}

/// `POST /instances/{id}/qr`: the code as a `data:` URI, shown at once and
/// kept nowhere.
pub async fn new_qr_code(State(console): State<Arc<Console>>, Path(id): Path<String>) -> Response {
    let outcome = console
        .client
        .request_new_qr_code(&id)
        .send()
        .await
        .map(|created| {
            let qr = &created.qr_code;
            json!({
                "message": "a new QR code: scan it with the phone within a minute",
                "qr": qr.data_uri(),
                "expires_in_ms": qr.time_left().as_millis() as u64,
            })
        });
    answer(&console.client, outcome)
}

/// `POST /instances/{id}/restart`.
pub async fn restart(State(console): State<Arc<Console>>, Path(id): Path<String>) -> Response {
    let outcome = console
        .client
        .restart_instance(&id)
        .send()
        .await
        .map(|restarted| json!({ "message": shown(&restarted.message) }));
    answer(&console.client, outcome)
}

/// A bulk restart's rows: what each came to.
#[derive(Default)]
pub struct Bulk {
    job: Mutex<Job>,
}

/// The last bulk restart.
#[derive(Default)]
pub struct Job {
    /// Running now.
    pub running: bool,
    /// Each id's outcome so far (`None`: waiting its turn).
    pub outcomes: HashMap<String, Option<Outcome>>,
}

/// One row's result.
#[derive(Clone)]
pub struct Outcome {
    /// Restarted.
    pub ok: bool,
    /// The API's confirmation or the error, escaped.
    pub message: String,
}

impl Bulk {
    /// The last job, to read.
    pub fn job(&self) -> MutexGuard<'_, Job> {
        self.job.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What a bulk restart is asked for: ids, or every instance with a status;
/// `expected` is how many the person confirmed.
#[derive(serde::Deserialize)]
pub struct BulkRequest {
    #[serde(default)]
    ids: Vec<String>,
    #[serde(default)]
    status: Option<String>,
    expected: usize,
}

/// `POST /bulk/restart`: starts a paced restart of the selection. The
/// count the person confirmed must still be the count chosen (a status's
/// instances may have changed since the page showed them): otherwise 409
/// and nothing is restarted.
pub async fn bulk_restart(
    State(console): State<Arc<Console>>,
    Json(request): Json<BulkRequest>,
) -> Response {
    let ids = match &request.status {
        Some(status) => {
            let status = InstanceStatus::parse(status);
            let state = console.fleet.state();
            state
                .rows
                .values()
                .filter(|row| row.instance.status == status)
                .map(|row| row.instance.id.clone())
                .collect()
        }
        None => {
            let mut ids = request.ids;
            let mut seen = std::collections::HashSet::new();
            ids.retain(|id| seen.insert(id.clone()));
            ids
        }
    };
    start(&console, ids, request.expected)
}

/// `POST /bulk/retry`: restarts again the rows of the last job that failed.
pub async fn bulk_retry(
    State(console): State<Arc<Console>>,
    Json(request): Json<BulkRequest>,
) -> Response {
    let failed: Vec<String> = {
        let job = console.bulk.job();
        let mut failed: Vec<String> = job
            .outcomes
            .iter()
            .filter(|(_, outcome)| outcome.as_ref().is_some_and(|o| !o.ok))
            .map(|(id, _)| id.clone())
            .collect();
        failed.sort();
        failed
    };
    start(&console, failed, request.expected)
}

fn start(console: &Arc<Console>, ids: Vec<String>, expected: usize) -> Response {
    {
        // Checked first: while a job runs, its rows' outcomes are not final
        // (a retry would see no failure yet).
        let mut job = console.bulk.job();
        if job.running {
            return refuse(
                StatusCode::CONFLICT,
                "a bulk restart is running; wait for it to finish".into(),
            );
        }
        if ids.is_empty() {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                "nothing to restart".into(),
            );
        }
        if ids.len() != expected {
            return refuse(
                StatusCode::CONFLICT,
                format!(
                    "the selection changed: {} instance(s) now, {expected} confirmed; nothing was restarted",
                    ids.len()
                ),
            );
        }
        job.running = true;
        job.outcomes = ids.iter().map(|id| (id.clone(), None)).collect();
    }
    let pace = crate::progress::pace_words(
        &hypersender::catalog::RESTART_INSTANCE,
        "restart",
        ids.len(),
    );
    let started = json!({
        "ids": ids.iter().map(|id| shown(id)).collect::<Vec<_>>(),
        "pace": pace,
    });
    console.fleet.send("bulk_started", started.clone());
    tokio::spawn(run(console.clone(), ids));
    (StatusCode::ACCEPTED, Json(started)).into_response()
}

fn refuse(status: StatusCode, message: String) -> Response {
    (status, Json(json!({ "error": shown(&message) }))).into_response()
}

/// Restarts `ids` paced by the restart limit, each result sent as it
/// comes.
async fn run(console: Arc<Console>, ids: Vec<String>) {
    let record = |restarted: &Restarted| {
        let outcome = match &restarted.result {
            Ok(ok) => Outcome {
                ok: true,
                message: shown(&ok.message),
            },
            Err(error) => Outcome {
                ok: false,
                message: shown(&error.display_chain()),
            },
        };
        console.fleet.send(
            "bulk",
            json!({ "id": shown(&restarted.id), "ok": outcome.ok, "message": outcome.message }),
        );
        console
            .bulk
            .job()
            .outcomes
            .insert(restarted.id.clone(), Some(outcome));
    };
    let outcomes = console.client.restart_many(&ids, record).await;
    let failed = outcomes.iter().filter(|o| o.result.is_err()).count();
    console.bulk.job().running = false;
    console.fleet.send(
        "bulk_done",
        json!({ "restarted": outcomes.len() - failed, "failed": failed }),
    );
}
