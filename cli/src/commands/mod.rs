//! What each command does, one module per command family, all printing
//! through `output` and `terminal`. This module builds the client (or
//! starts the embedded mock) and dispatches.

pub mod api;
pub mod apply;
pub mod connect;
pub mod console;
pub mod doctor;
pub mod instances;
pub mod listen_screen;
pub mod mock;
pub mod restart;
pub mod wait;
pub mod watch;
pub mod webhook;

use std::process::ExitCode;

use hypersender::Client;
use hypersender_mock_server::{DEFAULT_TOKEN, MockConfig, MockServer};

use crate::args::{Cli, Command, Global, MockAction, Webhook};
use crate::failure::Failure;
use crate::terminal;

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let Cli { global, command } = cli;
    match command {
        Command::Mock(args) => match &args.action {
            Some(MockAction::Scan(instance)) => mock::scan(&global, &instance.id).await,
            None => mock::serve(&global, &args.serve).await,
        },
        Command::Api(args) if args.operation.is_none() => {
            terminal::out_lines(&api::operations_table());
            Ok(ExitCode::SUCCESS)
        }
        Command::Api(args) => {
            let (client, _mock) = session(&global).await?;
            api::run(&client, &global, args).await
        }
        Command::Apply(args) => {
            let (client, _mock) = session(&global).await?;
            apply::run(&client, &global, &args).await
        }
        Command::Completions(args) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(
                args.shell,
                &mut command,
                "hypersender",
                &mut std::io::stdout(),
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Webhook(Webhook::Listen(args)) => webhook::listen(&global, &args).await,
        Command::Webhook(Webhook::Send(args)) => webhook::send(&args).await,
        Command::Console(args) => console::run(&global, &args).await,
        Command::Instances(command) => {
            // The mock, if any, must outlive the command.
            let (client, mock) = session(&global).await?;
            instances::run(&client, &global, command, mock.as_ref()).await
        }
    }
}

/// The token given with `--token` or the environment, if not blank.
pub fn given_token(global: &Global) -> Option<String> {
    global
        .token
        .clone()
        .filter(|token| !token.trim().is_empty())
}

/// The client, pointed at the real API or at an embedded mock (`--mock`).
async fn session(global: &Global) -> Result<(Client, Option<MockServer>), Failure> {
    session_with(global, MockConfig::default()).await
}

/// [`session`], with the embedded mock (if `--mock`) configured so.
pub async fn session_with(
    global: &Global,
    mock_config: MockConfig,
) -> Result<(Client, Option<MockServer>), Failure> {
    if global.mock {
        // The embedded mock's own token, unless one is typed: a real one
        // left in the environment is not adopted.
        let token = global
            .token_on_command_line
            .then(|| given_token(global))
            .flatten()
            .unwrap_or_else(|| DEFAULT_TOKEN.to_owned());
        let mock = start_mock(mock_config.token(token.clone())).await?;
        terminal::err_line("note: using an embedded mock of the API; nothing leaves this machine");
        let client = Client::builder(token).base_url(mock.base_url()).build()?;
        return Ok((client, Some(mock)));
    }
    let token = given_token(global).ok_or_else(|| {
        Failure::BadInput(format!(
            "no API token: pass --token or set {} (or try --mock)",
            hypersender::TOKEN_ENV
        ))
    })?;
    let mut builder = Client::builder(token);
    if let Some(timeout) = global.request_timeout {
        builder = builder.timeout(timeout);
    }
    let from_env = hypersender::base_url_from_env()?;
    if let Some(base_url) = global.base_url.clone().or(from_env) {
        builder = builder.base_url(base_url);
    }
    Ok((builder.build()?, None))
}

/// Starts a mock, or says why it cannot.
pub async fn start_mock(config: MockConfig) -> Result<MockServer, Failure> {
    MockServer::start(config)
        .await
        .map_err(|e| Failure::Local(format!("cannot start the embedded mock: {e}")))
}
