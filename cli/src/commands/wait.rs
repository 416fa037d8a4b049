//! `instances wait`: the library's `wait_for_status`, with each status
//! printed on stderr and the last health on stdout.

use std::process::ExitCode;

use hypersender::{Client, WaitError, WaitOptions};

use crate::args::{Global, WaitArgs};
use crate::failure::{EXIT_INSTANCE_FAILED, EXIT_TIMED_OUT, Failure};
use crate::output::{HEALTH_FIELDS, print_object};
use crate::terminal;

/// Waits, prints progress, and exits 0 (reached), 3 (timed out) or 5 (FAILED).
pub async fn run(client: &Client, global: &Global, args: &WaitArgs) -> Result<ExitCode, Failure> {
    crate::checks::instance_id(&args.id)?;
    crate::interrupt::handled_by_command();
    let started = tokio::time::Instant::now();
    terminal::err_line(&format!(
        "waiting up to {} s for {} to be {} (health checked within the documented limit)",
        args.timeout.as_secs(),
        args.id,
        args.until
    ));
    let options = WaitOptions::default()
        .timeout(args.timeout)
        .stop_on_failed(true)
        .on_health(move |health| {
            terminal::err_line(&format!(
                "[{:>4} s] {}",
                started.elapsed().as_secs(),
                health.status
            ));
        });
    let waiting = client.wait_for_status(&args.id, args.until.clone(), options);
    let outcome = tokio::select! {
        outcome = waiting => outcome,
        () = crate::interrupt::pressed() => {
            terminal::err_line(&format!(
                "interrupted after {} s of waiting for {} to be {}; nothing was changed",
                started.elapsed().as_secs(),
                args.id,
                args.until
            ));
            return Ok(ExitCode::from(crate::interrupt::EXIT_INTERRUPTED));
        }
    };
    match outcome {
        Ok(health) => {
            print_object(global, &health, HEALTH_FIELDS);
            Ok(ExitCode::SUCCESS)
        }
        Err(WaitError::TimedOut { last, .. }) => {
            let seen = last
                .as_ref()
                .map_or_else(|| "unknown".to_owned(), |h| h.status.to_string());
            terminal::err_line(&format!(
                "timed out after {} s: {} is {seen}, not {}",
                args.timeout.as_secs(),
                args.id,
                args.until
            ));
            if let Some(health) = last {
                print_object(global, &health, HEALTH_FIELDS);
            }
            Ok(ExitCode::from(EXIT_TIMED_OUT))
        }
        Err(WaitError::Failed(health)) => {
            terminal::err_line(&format!(
                "{} is FAILED: restart it (`hypersender instances restart {}`), then check the dashboard",
                args.id, args.id
            ));
            print_object(global, &health, HEALTH_FIELDS);
            Ok(ExitCode::from(EXIT_INSTANCE_FAILED))
        }
        Err(WaitError::Api(error)) => Err(error.into()),
        Err(other) => Err(Failure::Wait(other.to_string())),
    }
}
