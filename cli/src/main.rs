//! `hypersender`: manage Hypersender WhatsApp instances from a terminal.
//!
//! The data flow: `args` (clap; checks what the docs constrain) ->
//! `commands` (the client or the embedded mock, one API call) -> `output`
//! (table or JSON, secrets masked) and `qr_terminal` (the QR code drawn);
//! `wait` polls health within the documented rate limit.

mod api;
mod args;
mod commands;
mod failure;
mod output;
mod qr_terminal;
mod terminal;
mod wait;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
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
