//! `instances doctor`: what the vendor's docs advise for each instance that
//! is not WORKING (restart what is FAILED, STOPPED, or STARTING/PENDING for
//! too long; scan a fresh QR code for SCAN_QR_CODE), printed as a plan;
//! `--fix` restarts within the restart limit.

use std::process::ExitCode;
use std::time::Duration;

use hypersender::{Client, Diagnosis, Remedy};
use serde_json::json;

use crate::args::{DoctorArgs, Global};
use crate::commands::restart;
use crate::failure::Failure;
use crate::terminal;

/// How often STARTING/PENDING instances are listed again while watched.
const RECHECK: Duration = Duration::from_secs(15);

/// Prints the plan (and fixes); exits 1 if a restart failed.
pub async fn run(client: &Client, global: &Global, args: &DoctorArgs) -> Result<ExitCode, Failure> {
    for id in &args.ids {
        crate::checks::instance_id(id)?;
    }
    let ids = (!args.all).then_some(args.ids.as_slice());
    if !args.stuck_after.is_zero() {
        terminal::err_line(&format!(
            "instances STARTING or PENDING are watched for up to {} s before a restart is planned (--stuck-after)",
            args.stuck_after.as_secs()
        ));
    }
    let diagnoses = client
        .diagnose_fleet(
            ids,
            args.stuck_after,
            RECHECK.min(args.stuck_after.max(Duration::from_secs(1))),
        )
        .await?;
    if let Some(ids) = ids
        && let Some(missing) = ids
            .iter()
            .find(|id| !diagnoses.iter().any(|d| &d.instance.id == *id))
    {
        return Err(Failure::BadInput(format!(
            "no instance {missing} in this account"
        )));
    }
    print_plan(global, &diagnoses);
    if !args.fix {
        return Ok(ExitCode::SUCCESS);
    }
    let to_restart: Vec<String> = diagnoses
        .iter()
        .filter(|d| d.remedy == Remedy::Restart)
        .map(|d| d.instance.id.clone())
        .collect();
    if to_restart.is_empty() {
        terminal::err_line("nothing to restart");
        return Ok(ExitCode::SUCCESS);
    }
    let pace = crate::progress::pace_words(
        &hypersender::catalog::RESTART_INSTANCE,
        "restart",
        to_restart.len(),
    );
    terminal::err_line(&format!(
        "restarting {} instance(s) (--fix){}",
        to_restart.len(),
        pace.map_or_else(String::new, |pace| format!("; {pace}"))
    ));
    let code = restart::restart_and_report(client, global, &to_restart).await;
    terminal::err_line(
        "an instance still FAILED after its restart needs the dashboard or support (the docs' next step)",
    );
    Ok(code)
}

/// The remedy as a JSON value (`restart`, `scan_qr_code`, ...).
fn remedy_name(remedy: &Remedy) -> &'static str {
    match remedy {
        Remedy::Restart => "restart",
        Remedy::ScanQrCode => "scan_qr_code",
        Remedy::Wait => "wait",
        Remedy::Unknown => "unknown",
        _ => "nothing",
    }
}

fn remedy_words(diagnosis: &Diagnosis) -> String {
    let instance = &diagnosis.instance;
    match diagnosis.remedy {
        Remedy::Restart => "restart".to_owned(),
        Remedy::ScanQrCode => format!(
            "scan a fresh QR code: hypersender instances connect --name '{}' --phone {}",
            instance.name, instance.phone
        ),
        Remedy::Wait => "give it time (STARTING or PENDING for less than --stuck-after)".to_owned(),
        Remedy::Unknown => "look at it: a status this version does not know".to_owned(),
        _ => "nothing".to_owned(),
    }
}

fn print_plan(global: &Global, diagnoses: &[Diagnosis]) {
    let needing: Vec<&Diagnosis> = diagnoses
        .iter()
        .filter(|d| d.remedy != Remedy::Nothing)
        .collect();
    if global.json {
        let items: Vec<serde_json::Value> = needing
            .iter()
            .map(|d| {
                json!({
                    "id": d.instance.id, "name": d.instance.name, "status": d.instance.status,
                    "remedy": remedy_name(&d.remedy), "advice": remedy_words(d),
                })
            })
            .collect();
        terminal::out_json(&serde_json::Value::Array(items));
        return;
    }
    if !needing.is_empty() {
        terminal::out_line(&format!(
            "{:<36}  {:<24}  {:<12}  {}",
            "ID", "NAME", "STATUS", "WHAT TO DO"
        ));
    }
    for diagnosis in &needing {
        let instance = &diagnosis.instance;
        terminal::out_line(&format!(
            "{:<36}  {:<24}  {:<12}  {}",
            instance.id,
            instance.name,
            instance.status.as_str(),
            remedy_words(diagnosis)
        ));
    }
    let count = |remedy: Remedy| diagnoses.iter().filter(|d| d.remedy == remedy).count();
    terminal::out_line(&format!(
        "{} instance(s): {} fine, {} to restart, {} to scan, {} starting, {} unknown",
        diagnoses.len(),
        count(Remedy::Nothing),
        count(Remedy::Restart),
        count(Remedy::ScanQrCode),
        count(Remedy::Wait),
        count(Remedy::Unknown)
    ));
}
