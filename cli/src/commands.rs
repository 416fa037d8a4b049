//! What each command does: build the client (or start the embedded mock),
//! call the API, print the result.

use std::process::ExitCode;

use hypersender::Client;
use hypersender::types::InstanceWithQrCode;
use hypersender_mock_server::{DEFAULT_TOKEN, MockConfig, MockServer};

use crate::args::{
    ApiArgs, Cli, Command, CreateArgs, Global, Instances, ListArgs, MockArgs, QrOutput,
};
use crate::failure::Failure;
use crate::qr_terminal::{self, QrImageError};
use crate::terminal;
use crate::{output, wait};

/// The columns of `instances list`.
const LIST_COLUMNS: &[&str] = &[
    "id",
    "name",
    "phone",
    "status",
    "access_token",
    "created_at",
];
/// The fields shown for one instance (the QR code is drawn instead).
const INSTANCE_FIELDS: &[&str] = &[
    "id",
    "name",
    "phone",
    "service_type",
    "status",
    "access_token",
    "created_at",
];
/// The fields of a health check.
pub const HEALTH_FIELDS: &[&str] = &["instance_id", "status", "connected_at"];

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let Cli { global, command } = cli;
    match command {
        Command::Mock(args) => serve_mock(&global, &args).await,
        Command::Api(args) if args.operation.is_none() => {
            terminal::out_lines(&crate::api::operations_table());
            Ok(ExitCode::SUCCESS)
        }
        Command::Api(args) => {
            let (client, _mock) = connect(&global).await?;
            api(&client, &global, args).await
        }
        Command::Instances(command) => {
            // The mock, if any, must outlive the command.
            let (client, _mock) = connect(&global).await?;
            instances(&client, &global, command).await
        }
    }
}

fn given_token(global: &Global) -> Option<String> {
    global
        .token
        .clone()
        .filter(|token| !token.trim().is_empty())
}

/// The client, pointed at the real API or at an embedded mock (`--mock`).
async fn connect(global: &Global) -> Result<(Client, Option<MockServer>), Failure> {
    if global.mock {
        let token = given_token(global).unwrap_or_else(|| DEFAULT_TOKEN.to_owned());
        let mock = start_mock(MockConfig::default().token(token.clone())).await?;
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
    if let Some(seconds) = global.timeout {
        builder = builder.timeout(std::time::Duration::from_secs(seconds));
    }
    let from_env = hypersender::base_url_from_env()?;
    if let Some(base_url) = global.base_url.clone().or(from_env) {
        builder = builder.base_url(base_url);
    }
    Ok((builder.build()?, None))
}

async fn start_mock(config: MockConfig) -> Result<MockServer, Failure> {
    MockServer::start(config)
        .await
        .map_err(|e| Failure::Local(format!("cannot start the embedded mock: {e}")))
}

async fn instances(
    client: &Client,
    global: &Global,
    command: Instances,
) -> Result<ExitCode, Failure> {
    match command {
        Instances::List(args) => list(client, global, args).await?,
        Instances::Create(args) => create(client, global, args).await?,
        Instances::Health(args) => {
            let health = client.check_health(args.id).send().await?;
            print_object(global, &health, HEALTH_FIELDS);
        }
        Instances::Qr(args) => {
            let instance = client.request_new_qr_code(args.id).send().await?;
            show_with_qr_code(global, &instance, &args.qr)?;
        }
        Instances::Restart(args) => {
            let restarted = client.restart_instance(args.id).send().await?;
            if global.json {
                print_object(global, &restarted, &["message"]);
            } else {
                terminal::out_line(&restarted.message);
            }
        }
        Instances::Wait(args) => return wait::run(client, global, &args).await,
    }
    Ok(ExitCode::SUCCESS)
}

async fn list(client: &Client, global: &Global, args: ListArgs) -> Result<(), Failure> {
    let mut request = client.list_instances();
    if let Some(status) = args.status {
        request = request.filter_status(status);
    }
    if let Some(name) = args.name {
        request = request.filter_name(name);
    }
    if let Some(phone) = args.phone {
        request = request.filter_phone(phone);
    }
    if let Some(uuid) = args.uuid {
        request = request.filter_uuid(uuid);
    }
    let instances = output::prepare(&request.send().await?, global.show_secrets);
    if global.json {
        terminal::out_json(&instances);
    } else {
        terminal::out_lines(&output::table(
            instances.as_array().map_or(&[], Vec::as_slice),
            LIST_COLUMNS,
        ));
    }
    Ok(())
}

async fn create(client: &Client, global: &Global, args: CreateArgs) -> Result<(), Failure> {
    let CreateArgs {
        phone,
        name,
        webhook_url,
        qr,
    } = args;
    let mut request = client.create_instance().phone(phone).name(name);
    if let Some(url) = webhook_url {
        request = request.webhook_url(url);
    }
    let instance = request.send().await?;
    // The instance exists now: a QR code that cannot be drawn is a warning,
    // not a failure a script would retry (and hit "name already taken").
    if let Err(failure) = show_with_qr_code(global, &instance, &qr) {
        terminal::err_line(&format!(
            "warning: {failure}; `hypersender instances qr {}` asks for a new one",
            instance.id
        ));
    }
    Ok(())
}

/// Prints an instance with its QR code: drawn in the terminal (text output)
/// or as base64 in the JSON, and saved to `--qr-png` if asked.
fn show_with_qr_code(
    global: &Global,
    instance: &InstanceWithQrCode,
    qr: &QrOutput,
) -> Result<(), Failure> {
    let png = instance.qr_code.png().map_err(QrImageError::from);
    // Save first, so an image we cannot draw is still kept.
    if let Some(path) = &qr.qr_png {
        let bytes = png.as_ref().map_err(|e| Failure::Qr(e.clone()))?;
        std::fs::write(path, bytes)
            .map_err(|e| Failure::Local(format!("cannot write {}: {e}", path.display())))?;
        terminal::err_line(&format!("saved the QR code to {}", path.display()));
    }
    let value = output::prepare(instance, global.show_secrets);
    if global.json {
        terminal::out_json(&value);
        return Ok(());
    }
    terminal::out_lines(&output::details(&value, INSTANCE_FIELDS));
    let modules = png
        .and_then(|png| qr_terminal::modules(&png))
        .map_err(Failure::Qr)?;
    // Drawn from the decoded image, not from server text.
    terminal::trusted_block(&format!(
        "\n{}\n",
        qr_terminal::render(&modules, terminal::stdout_is_terminal())
    ));
    terminal::out_line("Scan it in WhatsApp (Settings > Linked Devices) within about 60 seconds.");
    Ok(())
}

/// `api OPERATION`: the operation called by name; its JSON response printed.
async fn api(client: &Client, global: &Global, args: ApiArgs) -> Result<ExitCode, Failure> {
    let operation = args.operation.unwrap_or_default();
    let arguments = crate::api::arguments(&args.params, args.body.as_deref())?;
    let response = client.call(&operation, &arguments).await?;
    terminal::out_json(&output::prepare(&response, global.show_secrets));
    Ok(ExitCode::SUCCESS)
}

/// Prints one response object: JSON, or one line per field.
pub fn print_object<T: serde::Serialize>(global: &Global, value: &T, fields: &[&str]) {
    let value = output::prepare(value, global.show_secrets);
    if global.json {
        terminal::out_json(&value);
    } else {
        terminal::out_lines(&output::details(&value, fields));
    }
}

/// `hypersender mock`: serves until Ctrl-C.
async fn serve_mock(global: &Global, args: &MockArgs) -> Result<ExitCode, Failure> {
    let token = given_token(global);
    let config = MockConfig::default()
        .addr(args.addr)
        .token(token.clone().unwrap_or_else(|| DEFAULT_TOKEN.to_owned()));
    let mock = start_mock(config).await?;
    let shown_token = match token {
        // A token the user chose stays unprinted, like every token.
        Some(_) => "(the token you gave)".to_owned(),
        None => format!("'{DEFAULT_TOKEN}'"),
    };
    terminal::out_lines(&format!(
        "Mock Hypersender API listening on {url}\n\
         Token: {shown_token}\n\
         Try:   hypersender --base-url {url} --token {shown_token} instances list\n\
         Press Ctrl-C to stop.",
        url = mock.base_url(),
    ));
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| Failure::Local(format!("cannot wait for Ctrl-C: {e}")))?;
    mock.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
