//! `hypersender`: manage Hypersender WhatsApp instances from a terminal.
//!
//! The data flow: `args` (clap) -> `commands` (the client or the embedded
//! mock; one module per command family: `instances`, `wait`, `connect`,
//! `api`, `mock`) -> `output` (tables, JSON, secrets masked by the
//! library) and `qr_terminal` (the QR code drawn) -> `terminal` (the one
//! gate every printed byte goes through) ; `failure` maps errors to exit
//! codes. `commands::console` serves the same flows to a browser, and
//! `metrics` counts what the client does for Prometheus.

mod args;
mod checks;
mod commands;
mod failure;
mod interrupt;
mod metrics;
mod notices;
mod output;
mod progress;
mod qr_terminal;
mod terminal;

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = args::Cli::read();
    show_traces(cli.global.verbose);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            terminal::err_line(&format!("error: cannot start the async runtime: {e}"));
            return ExitCode::from(failure::EXIT_LOCAL);
        }
    };
    let outcome = runtime.block_on(async {
        interrupt::listen();
        tokio::select! {
            outcome = commands::run(cli) => Some(outcome),
            () = interrupt::unhandled() => None,
        }
    });
    // A prompt's blocking read of stdin must not hold the exit.
    runtime.shutdown_background();
    match outcome {
        Some(Ok(code)) => code,
        Some(Err(failure)) => {
            terminal::err_line(&format!("error: {failure}"));
            failure.exit_code()
        }
        None => {
            terminal::err_line(
                "interrupted: the request in flight may have reached the API; nothing more was sent",
            );
            ExitCode::from(interrupt::EXIT_INTERRUPTED)
        }
    }
}

/// Retries and rate-limit waits of the client (INFO) always reach the
/// person at the terminal, as short lines (`notices`) or on the live screen,
/// so a refused connection is reported as it is retried, not after silence;
/// `-v` shows the tracing format instead, with each request's span (DEBUG),
/// `-vv` the HTTP stack (TRACE).
fn show_traces(verbose: u8) {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::fmt::format::FmtSpan;
    use tracing_subscriber::prelude::*;
    let notices = notices::Layer {
        lines: verbose == 0,
    }
    .with_filter(Targets::new().with_target("hypersender", LevelFilter::INFO));
    let traces = (verbose > 0).then(|| {
        let filter = match verbose {
            1 => Targets::new().with_target("hypersender", LevelFilter::DEBUG),
            _ => Targets::new().with_default(LevelFilter::TRACE),
        };
        tracing_subscriber::fmt::layer()
            .without_time()
            .with_target(verbose > 1)
            .with_ansi(false)
            .with_span_events(FmtSpan::CLOSE)
            .with_writer(|| terminal::TraceWriter)
            .with_filter(filter)
    });
    // Each request's span and the waits, counted when metrics are served.
    let metrics =
        metrics::Layer.with_filter(Targets::new().with_target("hypersender", LevelFilter::DEBUG));
    let _ = tracing_subscriber::registry()
        .with(notices)
        .with(metrics)
        .with(traces)
        .try_init();
}
