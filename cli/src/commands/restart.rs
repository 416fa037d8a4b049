//! `instances restart`: one instance, or every instance (with a status)
//! one after the other within the restart limit, with a progress bar and a
//! summary.

use std::process::ExitCode;

use hypersender::{Client, Restarted};
use serde_json::json;

use crate::args::{Global, RestartArgs};
use crate::failure::Failure;
use crate::output::print_object;
use crate::progress::Progress;
use crate::terminal;

/// Restarts, and exits 1 if any restart failed.
pub async fn run(
    client: &Client,
    global: &Global,
    args: &RestartArgs,
) -> Result<ExitCode, Failure> {
    if let Some(id) = &args.id {
        let restarted = client.restart_instance(id).send().await?;
        if global.json {
            print_object(global, &restarted, &["message"]);
        } else {
            terminal::out_line(&restarted.message);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut request = client.list_instances();
    if let Some(status) = &args.status {
        request = request.filter_status(status.clone());
    }
    let ids: Vec<String> = request.send().await?.into_iter().map(|i| i.id).collect();
    Ok(restart_and_report(client, global, &ids).await)
}

/// Restarts `ids` with a progress bar, prints the summary, and exits 1 if
/// any restart failed (shared with `doctor --fix`).
pub async fn restart_and_report(client: &Client, global: &Global, ids: &[String]) -> ExitCode {
    let outcomes = restart_all(client, ids).await;
    report(global, &outcomes);
    if outcomes.iter().all(|o| o.result.is_ok()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

async fn restart_all(client: &Client, ids: &[String]) -> Vec<Restarted> {
    let mut progress = Progress::new(ids.len(), "restarting");
    let outcomes = client
        .restart_many(ids, |restarted| {
            let line = match &restarted.result {
                Ok(_) => format!("restarted {}", restarted.id),
                Err(error) => format!("{} failed: {}", restarted.id, error.display_chain()),
            };
            progress.step(&line);
        })
        .await;
    progress.finish();
    outcomes
}

/// The summary: how many, and each failure with why.
fn report(global: &Global, outcomes: &[Restarted]) {
    let failed: Vec<&Restarted> = outcomes.iter().filter(|o| o.result.is_err()).collect();
    if global.json {
        let items: Vec<serde_json::Value> = outcomes
            .iter()
            .map(|o| match &o.result {
                Ok(_) => json!({"id": o.id, "restarted": true}),
                Err(error) => {
                    json!({"id": o.id, "restarted": false, "error": error.display_chain()})
                }
            })
            .collect();
        terminal::out_json(&serde_json::Value::Array(items));
        return;
    }
    terminal::out_line(&format!(
        "restarted {} of {} instance(s); {} failed",
        outcomes.len() - failed.len(),
        outcomes.len(),
        failed.len()
    ));
    for outcome in failed {
        if let Err(error) = &outcome.result {
            terminal::out_line(&format!("  {}: {}", outcome.id, error.display_chain()));
        }
    }
}
