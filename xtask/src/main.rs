//! `cargo xtask`: maintenance commands of the hypersender workspace
//! (`cargo xtask --help` lists them).
//!
//! ```text
//! cargo xtask spec refresh [OPTIONS]   fetch the Enterprise pages, rewrite openapi/ (spec, provenance, recorded pages)
//! cargo xtask spec check   [OPTIONS]   the same fetch, writing nothing: exit 0 no drift, 1 drift, 2 could not check
//! cargo xtask codegen --check          compare the golden files with what the spec generates (exit 1 and a diff if stale)
//! cargo xtask codegen --bless          rewrite the stale golden files
//! cargo xtask codegen --out DIR        write everything generated, plus progenitor's input, for review
//! cargo xtask serve-snapshot [--dir DIR] [--addr ADDR]   serve recorded docs pages on loopback
//! cargo xtask mutants [--group NAME] [--in-diff FILE]     mutation testing: exit 1 if a mutant survives
//! ```

mod args;
mod codegen;
mod docs_page;
mod fetch;
mod files;
mod merge;
mod mutants;
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
    use clap::Parser;
    let cli = args::Cli::parse();
    let outcome = run(cli.command).unwrap_or_else(|message| {
        eprintln!("error: {message}");
        Outcome::Failed
    });
    ExitCode::from(outcome as u8)
}

fn run(command: args::Command) -> Result<Outcome, String> {
    use args::{Command, SpecCommand};
    match command {
        Command::Spec(SpecCommand::Refresh(options)) => spec::refresh(&options),
        Command::Spec(SpecCommand::Check(options)) => spec::check(&options),
        Command::Codegen(codegen) if codegen.check => codegen::check(&codegen.root),
        Command::Codegen(codegen) if codegen.bless => codegen::bless(&codegen.root),
        Command::Codegen(codegen) => match &codegen.out {
            Some(out) => codegen::write(&codegen.root, out),
            None => Err("codegen needs --check, --bless or --out DIR".into()),
        },
        Command::ServeSnapshot(serve) => snapshot_server::serve(&serve.dir, &serve.addr),
        Command::Mutants(mutants) => {
            mutants::run(&mutants.root, &mutants.groups, mutants.in_diff.as_deref())
        }
    }
}
