//! `instances list|create|health|qr|restart`: one API call each, printed
//! as a table or JSON.

use std::process::ExitCode;

use hypersender::Client;
use hypersender::types::InstanceWithQrCode;

use crate::args::{CreateArgs, Global, Instances, ListArgs, QrOutput};
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
        Instances::Restart(args) => return restart::run(client, global, &args).await,
        Instances::Watch(args) => return watch::run(client, global, &args).await,
        Instances::Doctor(args) => return doctor::run(client, global, &args).await,
        Instances::Wait(args) => return wait::run(client, global, &args).await,
        Instances::Connect(args) => return connect::run(client, global, &args).await,
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
    let CreateArgs { instance, qr } = args;
    let mut request = client
        .create_instance()
        .phone(instance.phone)
        .name(instance.name);
    if let Some(url) = instance.webhook_url {
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
pub fn show_with_qr_code(
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
