//! `hypersender`: manage Hypersender WhatsApp instances from a terminal.
//!
//! The data flow: `args` (clap) -> `commands` (the client or the embedded
//! mock; one module per command family: `instances`, `wait`, `connect`,
//! `api`, `mock`) -> `output` (tables, JSON, secrets masked by the
//! library) and `qr_terminal` (the QR code drawn) -> `terminal` (the one
//! gate every printed byte goes through) ; `failure` maps errors to exit
//! codes.

mod args;
mod commands;
mod failure;
mod output;
mod progress;
mod qr_terminal;
mod terminal;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
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
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(failure) => {
            terminal::err_line(&format!("error: {failure}"));
            failure.exit_code()
        }
    }
}

/// Retries and rate-limit waits of the client (INFO) always go to stderr, so
/// a refused connection is reported as it is retried, not after silence;
/// `-v` adds each request's span (DEBUG), `-vv` the HTTP stack (TRACE).
fn show_traces(verbose: u8) {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::fmt::format::FmtSpan;
    use tracing_subscriber::prelude::*;
    let filter = match verbose {
        0 => Targets::new().with_target("hypersender", LevelFilter::INFO),
        1 => Targets::new().with_target("hypersender", LevelFilter::DEBUG),
        _ => Targets::new().with_default(LevelFilter::TRACE),
    };
    let spans = if verbose > 0 {
        FmtSpan::CLOSE
    } else {
        FmtSpan::NONE
    };
    let layer = tracing_subscriber::fmt::layer()
        .without_time()
        .with_target(verbose > 1)
        .with_ansi(false)
        .with_span_events(spans)
        .with_writer(|| terminal::TraceWriter);
    let _ = tracing_subscriber::registry()
        .with(layer.with_filter(filter))
        .try_init();
}
