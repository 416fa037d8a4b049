//! `instances list|create|health|qr|restart`: one API call each, printed
//! as a table or JSON.

use std::process::ExitCode;

use hypersender::Client;
use hypersender::types::InstanceWithQrCode;
use hypersender_mock_server::MockServer;

use crate::args::{CreateArgs, Global, Instances, ListArgs, QrOutput};
use crate::checks;
use crate::commands::{connect, doctor, restart, wait, watch};
use crate::failure::Failure;
use crate::output::{self, HEALTH_FIELDS, INSTANCE_FIELDS, LIST_COLUMNS, print_object};
use crate::qr_terminal::{self, QrImageError};
use crate::terminal;

/// Runs one `instances` command.
pub async fn run(
    client: &Client,
    global: &Global,
    command: Instances,
    mock: Option<&MockServer>,
) -> Result<ExitCode, Failure> {
    match command {
        Instances::List(args) => list(client, global, args).await?,
        Instances::Create(args) => create(client, global, args).await?,
        Instances::Health(args) => {
            checks::instance_id(&args.id)?;
            let health = client.check_health(args.id).send().await?;
            print_object(global, &health, HEALTH_FIELDS);
        }
        Instances::Qr(args) => {
            checks::instance_id(&args.id)?;
            if let Some(path) = &args.qr.qr_png {
                output::check_writable(path)?;
            }
            let instance = client.request_new_qr_code(args.id).send().await?;
            show_with_qr_code(global, &instance, &args.qr)?;
        }
        Instances::Restart(args) => return restart::run(client, global, &args).await,
        Instances::Watch(args) => return watch::run(client, global, &args).await,
        Instances::Doctor(args) => return doctor::run(client, global, &args).await,
        Instances::Wait(args) => return wait::run(client, global, &args).await,
        Instances::Connect(args) => return connect::run(client, global, &args, mock).await,
    }
    Ok(ExitCode::SUCCESS)
}

async fn list(client: &Client, global: &Global, args: ListArgs) -> Result<(), Failure> {
    let typed = [
        ("filter[name]", args.name.as_deref()),
        ("filter[phone]", args.phone.as_deref()),
        ("filter[uuid]", args.uuid.as_deref()),
    ];
    let given: Vec<(&'static str, &str)> = typed
        .into_iter()
        .filter_map(|(name, value)| Some((name, value?)))
        .collect();
    checks::list_filters(&given)?;
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
    let CreateArgs { instance, qr } = args;
    checks::new_instance(&instance)?;
    if let Some(path) = &qr.qr_png {
        output::check_writable(path)?;
    }
    let mut request = client
        .create_instance()
        .phone(instance.phone)
        .name(instance.name);
    if let Some(url) = instance.webhook_url {
        request = request.webhook_url(url);
    }
    let instance = request.send().await?;
    // The instance exists now: a QR code that cannot be drawn is a warning,
    // not a failure a script would retry (and hit "name already taken");
    // a file that cannot be written is exit 6, after the code was shown.
    match show_with_qr_code(global, &instance, &qr) {
        Err(Failure::Qr(error)) => {
            terminal::err_line(&format!(
                "warning: {error}; `hypersender instances qr {}` asks for a new one",
                instance.id
            ));
            Ok(())
        }
        other => other,
    }
}

/// Prints an instance with its QR code: drawn in the terminal (text output)
/// or as base64 in the JSON, then saved to `--qr-png` if asked (a file that
/// cannot be written fails the command only after the code was shown).
pub fn show_with_qr_code(
    global: &Global,
    instance: &InstanceWithQrCode,
    qr: &QrOutput,
) -> Result<(), Failure> {
    let png = instance.qr_code.png().map_err(QrImageError::from);
    let value = output::prepare(instance, global.show_secrets);
    let drawn = if global.json {
        terminal::out_json(&value);
        Ok(())
    } else {
        terminal::out_lines(&output::details(&value, INSTANCE_FIELDS));
        draw(png.clone())
    };
    if let Some(path) = &qr.qr_png {
        let bytes = png.map_err(Failure::Qr)?;
        std::fs::write(path, bytes)
            .map_err(|e| Failure::Local(format!("cannot write {}: {e}", path.display())))?;
        terminal::err_line(&format!("saved the QR code to {}", path.display()));
    }
    drawn
}

fn draw(png: Result<Vec<u8>, QrImageError>) -> Result<(), Failure> {
    let code = png
        .and_then(|png| qr_terminal::read(&png))
        .map_err(Failure::Qr)?;
    // Drawn from the decoded image, not from server text.
    terminal::trusted_block(&format!(
        "\n{}\n",
        qr_terminal::render(&code, terminal::stdout_is_terminal())
    ));
    terminal::out_line("Scan it in WhatsApp (Settings > Linked Devices) within about 60 seconds.");
    Ok(())
}
