//! `apply FLEET.toml`: the desired fleet checked (TOML, duplicates, the
//! documented rules) before anything is sent, planned against the account
//! with one list request (`+ create`, `= exists`, `! differs`), then with
//! `--yes` created at the create limit's pace, and with `--connect` each new
//! instance connected in turn. A second run plans nothing.

use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;

use hypersender::{Applied, Client, DesiredInstance, Ensured, PlanStep, catalog};
use serde::Deserialize;
use serde_json::json;
use serde_spanned::Spanned;

use crate::args::{ApplyArgs, Global};
use crate::commands::connect;
use crate::failure::{EXIT_BAD_INPUT, Failure};
use crate::interrupt::{self, EXIT_INTERRUPTED};
use crate::progress::{Progress, pace_words};
use crate::terminal;

/// The fleet file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FleetFile {
    #[serde(default)]
    instance: Vec<Spanned<Entry>>,
}

/// One `[[instance]]` table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    phone: String,
    webhook_url: Option<String>,
}

/// Plans, and with `--yes` (or when confirmed at the terminal) applies;
/// exits 1 if a create failed, 2 if not confirmed, 130 if interrupted.
pub async fn run(client: &Client, global: &Global, args: &ApplyArgs) -> Result<ExitCode, Failure> {
    let desired = read_fleet(&args.file)?;
    let plan = client.plan_fleet(&desired).await?;
    print_plan(global, &plan);
    let creates = plan
        .iter()
        .filter(|s| matches!(s, PlanStep::Create(_)))
        .count();
    if creates == 0 {
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(pace) = pace_words(&catalog::CREATE_INSTANCE, "create", creates)
        && !global.json
    {
        terminal::err_line(&pace);
    }
    let confirmed = terminal::confirm(
        args.yes,
        &format!("Create {creates} instance(s)?"),
        "nothing was created",
    )
    .await?;
    if !confirmed {
        return Ok(ExitCode::from(EXIT_BAD_INPUT));
    }
    interrupt::handled_by_command();
    let mut progress = Progress::new(creates, "creating");
    let mut applied: Vec<Applied> = Vec::new();
    let interrupted = {
        let applying = client.apply_plan(&plan, |applied| {
            let line = match &applied.result {
                Ok(_) => format!("created {}", applied.desired.name),
                Err(error) => format!("{} failed: {}", applied.desired.name, error.display_chain()),
            };
            progress.step(&line);
        });
        tokio::select! {
            done = applying => { applied = done; false }
            () = interrupt::pressed() => true,
        }
    };
    let done = progress.done();
    progress.finish();
    if interrupted {
        terminal::err_line(&format!(
            "interrupted: {done} of {creates} created, {} not; run apply again to create the rest (it plans only what is missing)",
            creates - done
        ));
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    let failed = applied.iter().filter(|a| a.result.is_err()).count();
    report(global, &applied, creates, failed);
    if args.connect {
        for applied in applied {
            if let Ok(Ensured::Created(created)) = applied.result {
                terminal::err_line(&format!("connecting {}", created.name));
                // From the create's own QR code: never requested anew.
                let code = connect::created(client, global, *created).await?;
                if code == ExitCode::from(EXIT_INTERRUPTED) {
                    return Ok(code);
                }
            }
        }
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// What was created and what failed (and why).
fn report(global: &Global, applied: &[Applied], creates: usize, failed: usize) {
    if global.json {
        let items: Vec<serde_json::Value> = applied
            .iter()
            .map(|a| match &a.result {
                Ok(Ensured::Created(created)) => {
                    json!({"name": a.desired.name, "created": created.id})
                }
                Ok(_) => json!({"name": a.desired.name, "existed": true}),
                Err(error) => json!({"name": a.desired.name, "error": error.display_chain()}),
            })
            .collect();
        terminal::out_json(&json!({"applied": items}));
        return;
    }
    terminal::out_line(&format!(
        "created {} of {creates}; {failed} failed",
        creates - failed
    ));
    for applied in applied.iter().filter(|a| a.result.is_err()) {
        if let Err(error) = &applied.result {
            terminal::out_line(&format!(
                "  {}: {}",
                applied.desired.name,
                error.display_chain()
            ));
        }
    }
}

/// The desired fleet, or every problem of the file (naming lines) on one
/// line: invalid TOML, an unknown key, a duplicate name, a value the API
/// would refuse.
fn read_fleet(path: &Path) -> Result<Vec<DesiredInstance>, Failure> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Local(format!("cannot read {shown}: {e}")))?;
    let file: FleetFile = toml::from_str(&text).map_err(|e| {
        let place = e.span().map_or_else(String::new, |span| {
            format!("line {}: ", line_of(&text, span.start))
        });
        Failure::BadInput(format!("{shown}: {place}{}", e.message()))
    })?;
    let mut problems = Vec::new();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut desired = Vec::new();
    for spanned in file.instance {
        let line = line_of(&text, spanned.span().start);
        let entry = spanned.into_inner();
        if let Some(first) = first_line.insert(entry.name.clone(), line) {
            problems.push(format!(
                "line {line}: the name {:?} is already used at line {first}",
                entry.name
            ));
        }
        let mut instance = DesiredInstance::new(entry.name, entry.phone);
        if let Some(url) = entry.webhook_url {
            instance = instance.webhook_url(url);
        }
        problems.extend(
            instance
                .violations()
                .iter()
                .map(|v| format!("line {line}: {v}")),
        );
        desired.push(instance);
    }
    if desired.is_empty() && problems.is_empty() {
        problems.push("no [[instance]] tables".to_owned());
    }
    if problems.is_empty() {
        Ok(desired)
    } else {
        Err(Failure::BadInput(format!(
            "{shown}: {}; nothing was sent",
            problems.join("; ")
        )))
    }
}

/// The 1-based line of byte `offset`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn print_plan(global: &Global, plan: &[PlanStep]) {
    if global.json {
        let steps: Vec<serde_json::Value> = plan
            .iter()
            .map(|step| match step {
                PlanStep::Create(d) => {
                    json!({"action": "create", "name": d.name, "phone": d.phone})
                }
                PlanStep::Exists(d, i) => json!({"action": "exists", "name": d.name, "id": i.id}),
                PlanStep::Differs(d, i, differences) => json!({
                    "action": "differs", "name": d.name, "id": i.id,
                    "differences": differences,
                }),
                _ => json!({"action": "other"}),
            })
            .collect();
        terminal::out_json(&json!({"plan": steps}));
        return;
    }
    for step in plan {
        let line = match step {
            PlanStep::Create(d) => format!("+ create  {} ({})", d.name, d.phone),
            PlanStep::Exists(d, i) => format!("= exists  {} ({})", d.name, i.id),
            PlanStep::Differs(d, i, differences) => {
                let what: Vec<String> = differences
                    .iter()
                    .map(|x| format!("{} is {}, the file says {}", x.field, x.actual, x.wanted))
                    .collect();
                format!(
                    "! differs {} ({}): {} (no update endpoint: change it in the dashboard)",
                    d.name,
                    i.id,
                    what.join(", ")
                )
            }
            _ => continue,
        };
        terminal::out_line(&line);
    }
    let count = |f: fn(&PlanStep) -> bool| plan.iter().filter(|s| f(s)).count();
    terminal::out_line(&format!(
        "{} to create, {} exist, {} differ",
        count(|s| matches!(s, PlanStep::Create(_))),
        count(|s| matches!(s, PlanStep::Exists(..))),
        count(|s| matches!(s, PlanStep::Differs(..)))
    ));
}
