//! `cargo xtask`: maintenance commands of the hypersender workspace.
//!
//! ```text
//! cargo xtask spec refresh [OPTIONS]   fetch the Enterprise pages, rewrite openapi/hypersender-enterprise.yaml
//! cargo xtask spec check   [OPTIONS]   the same fetch, writing nothing: exit 0 no drift, 1 drift, 2 could not check
//! cargo xtask codegen --out DIR        write the prepared OpenAPI 3.0 document and the generated Rust source
//! cargo xtask serve-snapshot [--dir DIR] [--addr ADDR]   serve recorded docs pages on loopback
//!
//! OPTIONS: --docs-url URL (default https://docs.hypersender.com)  --api-version V (default v1)
//!          --openapi-dir DIR (default the workspace's openapi/)  --concurrency N (8)
//!          --timeout SECS (10)  --retries N (2)
//! ```

mod args;
mod codegen;
mod fetch;
mod files;
mod merge;
mod provenance;
mod snapshot_server;
mod spec;

use std::process::ExitCode;

/// How a command ended; the process exit code CI reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done, or no drift.
    Ok = 0,
    /// `spec check` found drift.
    Drift = 1,
    /// The docs could not be fetched or parsed, or the command was wrong.
    Failed = 2,
}

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args::Command::parse(&arguments) {
        Ok(command) => run(command).unwrap_or_else(|message| {
            eprintln!("error: {message}");
            Outcome::Failed
        }),
        Err(message) => {
            eprintln!("error: {message}\n\n{}", args::USAGE);
            Outcome::Failed
        }
    };
    ExitCode::from(outcome as u8)
}

fn run(command: args::Command) -> Result<Outcome, String> {
    match command {
        args::Command::Help => {
            println!("{}", args::USAGE);
            Ok(Outcome::Ok)
        }
        args::Command::Refresh(options) => spec::refresh(&options),
        args::Command::Check(options) => spec::check(&options),
        args::Command::Codegen { openapi_dir, out } => codegen::write(&openapi_dir, &out),
        args::Command::ServeSnapshot { dir, addr } => snapshot_server::serve(&dir, &addr),
    }
}
