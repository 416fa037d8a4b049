//! `instances wait`: polls health until the instance reaches a status or
//! the timeout passes, within the documented limit of 10 health checks per
//! minute.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use hypersender::Client;
use hypersender::types::HealthResponse;

use crate::args::{Global, WaitArgs};
use crate::commands::{HEALTH_FIELDS, print_object};
use crate::failure::{EXIT_INSTANCE_FAILED, EXIT_TIMED_OUT, Failure};
use crate::terminal;

/// One check every 6 seconds is the documented 10 per minute.
pub const POLL_INTERVAL: Duration = Duration::from_secs(6);

pub async fn run(client: &Client, global: &Global, args: &WaitArgs) -> Result<ExitCode, Failure> {
    let until = args.until.as_str();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.timeout);
    terminal::err_line(&format!(
        "waiting up to {} s for {} to be {until} (checking every {} s)",
        args.timeout,
        args.id,
        POLL_INTERVAL.as_secs()
    ));
    let mut last: Option<HealthResponse> = None;
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        // The client may itself wait on a 429's Retry-After; the deadline
        // bounds that too.
        let check = client.check_health(&args.id).send();
        let Ok(health) = tokio::time::timeout(remaining, check).await else {
            break;
        };
        let health = health?;
        terminal::err_line(&format!(
            "[{:>4} s] {}",
            started.elapsed().as_secs(),
            health.status.as_str()
        ));
        let reached = health.status == args.until;
        let failed = health.status == hypersender::InstanceStatus::Failed;
        last = Some(health);
        if reached {
            print_last(global, last.as_ref());
            return Ok(ExitCode::SUCCESS);
        }
        if failed {
            terminal::err_line(&format!(
                "{} is FAILED: restart it (`hypersender instances restart {}`), then check the dashboard",
                args.id, args.id
            ));
            print_last(global, last.as_ref());
            return Ok(ExitCode::from(EXIT_INSTANCE_FAILED));
        }
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            break;
        }
        tokio::time::sleep(remaining.min(POLL_INTERVAL)).await;
        if Instant::now() >= deadline {
            break;
        }
    }
    let seen = last.as_ref().map_or("unknown", |h| h.status.as_str());
    terminal::err_line(&format!(
        "timed out after {} s: {} is {seen}, not {until}",
        args.timeout, args.id
    ));
    print_last(global, last.as_ref());
    Ok(ExitCode::from(EXIT_TIMED_OUT))
}

/// The last health seen goes to stdout either way, for scripts.
fn print_last(global: &Global, last: Option<&HealthResponse>) {
    if let Some(health) = last {
        print_object(global, health, HEALTH_FIELDS);
    }
}
