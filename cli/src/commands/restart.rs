//! `instances restart`: one instance, or every instance (with a status):
//! the plan first (how many, their statuses, how long the restart limit
//! makes it take), carried out with `--yes` or when confirmed at the
//! terminal, one after the other within the limit, with a progress bar and
//! a summary. Ctrl-C stops it with what was restarted and what not.

use std::collections::BTreeMap;
use std::process::ExitCode;

use hypersender::types::InstanceResponse;
use hypersender::{Client, Restarted, catalog};
use serde_json::json;

use crate::args::{Global, RestartArgs};
use crate::checks;
use crate::failure::Failure;
use crate::interrupt::{self, EXIT_INTERRUPTED};
use crate::output::print_object;
use crate::progress::{Progress, pace_words};
use crate::terminal;

/// Restarts, and exits 1 if any restart failed.
pub async fn run(
    client: &Client,
    global: &Global,
    args: &RestartArgs,
) -> Result<ExitCode, Failure> {
    if let Some(id) = &args.id {
        checks::instance_id(id)?;
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
    let listed = request.send().await?;
    if listed.is_empty() {
        if global.json {
            // Still one JSON document on stdout: nothing was restarted.
            terminal::out_line("[]");
        }
        terminal::err_line("no instance to restart");
        return Ok(ExitCode::SUCCESS);
    }
    terminal::err_line(&plan(&listed));
    let count = listed.len();
    let confirmed = terminal::confirm(
        args.yes,
        &format!("Restart these {count} instance(s)?"),
        "nothing was restarted",
    )
    .await?;
    if !confirmed {
        return Ok(ExitCode::from(crate::failure::EXIT_BAD_INPUT));
    }
    let ids: Vec<String> = listed.into_iter().map(|i| i.id).collect();
    Ok(restart_and_report(client, global, &ids).await)
}

/// What `restart --all` would do: how many, which statuses, how long.
fn plan(listed: &[InstanceResponse]) -> String {
    let mut statuses: BTreeMap<&str, usize> = BTreeMap::new();
    for instance in listed {
        *statuses.entry(instance.status.as_str()).or_default() += 1;
    }
    let statuses: Vec<String> = statuses.iter().map(|(s, n)| format!("{n} {s}")).collect();
    let pace = pace_words(&catalog::RESTART_INSTANCE, "restart", listed.len())
        .map_or_else(String::new, |pace| format!("; {pace}"));
    let working = listed
        .iter()
        .filter(|i| i.status == hypersender::InstanceStatus::Working)
        .count();
    let interrupts = if working > 0 {
        format!("; {working} WORKING: a restart interrupts them for a few seconds")
    } else {
        String::new()
    };
    format!(
        "plan: restart {} instance(s) ({}){pace}{interrupts}",
        listed.len(),
        statuses.join(", ")
    )
}

/// Restarts `ids` with a progress bar, prints the summary, and exits 1 if
/// any restart failed, 130 if interrupted (shared with `doctor --fix`).
pub async fn restart_and_report(client: &Client, global: &Global, ids: &[String]) -> ExitCode {
    interrupt::handled_by_command();
    let mut progress = Progress::new(ids.len(), "restarting");
    let mut outcomes: Vec<Restarted> = Vec::new();
    let interrupted = {
        let restarts = client.restart_many(ids, |restarted| {
            let line = match &restarted.result {
                Ok(_) => format!("restarted {}", restarted.id),
                Err(error) => format!("{} failed: {}", restarted.id, error.display_chain()),
            };
            progress.step(&line);
        });
        tokio::select! {
            done = restarts => { outcomes = done; false }
            () = interrupt::pressed() => true,
        }
    };
    let done = progress.done();
    progress.finish();
    if interrupted {
        terminal::err_line(&format!(
            "interrupted: {done} of {} restart(s) sent, {} not; rerun to restart the rest",
            ids.len(),
            ids.len() - done
        ));
        return ExitCode::from(EXIT_INTERRUPTED);
    }
    report(global, &outcomes);
    if outcomes.iter().all(|o| o.result.is_ok()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
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
