//! Creates an instance and saves its QR code as a PNG file to scan with
//! WhatsApp (Settings > Linked devices), then waits until it is WORKING.
//!
//! ```sh
//! HYPERSENDER_TOKEN=... cargo run -p hypersender-examples --example create_and_save_qr -- \
//!     +201234567890 "Support Line" qr.png [https://yourdomain.com/webhooks/whatsapp]
//! ```
//!
//! The code is valid for about 60 s; `instances connect` in the CLI (or
//! `Client::connect`) requests fresh ones until it is scanned.

use std::process::ExitCode;
use std::time::Duration;

use hypersender::{Client, Error, InstanceStatus, WaitError, WaitOptions};

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [phone, name, png_path, rest @ ..] = args.as_slice() else {
        eprintln!("usage: create_and_save_qr PHONE NAME PNG_FILE [WEBHOOK_URL]");
        return ExitCode::from(2);
    };
    match run(phone, name, png_path, rest.first()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", error.display_chain());
            ExitCode::FAILURE
        }
    }
}

async fn run(
    phone: &str,
    name: &str,
    png_path: &str,
    webhook_url: Option<&String>,
) -> Result<(), Error> {
    let client = Client::from_env()?;
    let mut request = client.create_instance().phone(phone).name(name);
    if let Some(url) = webhook_url {
        request = request.webhook_url(url);
    }
    // A phone that is not E.164, a name over 50 characters or a webhook URL
    // that is not https is refused here, before anything is sent.
    let created = request.send().await?;
    println!(
        "created {} ({}), status {}",
        created.name, created.id, created.status
    );

    // The API sends the PNG as base64; `png()` decodes it and checks it is a PNG.
    let png = created
        .qr_code
        .png()
        .map_err(|e| Error::Config(e.to_string()))?;
    std::fs::write(png_path, &png).map_err(|e| Error::Config(format!("{png_path}: {e}")))?;
    println!(
        "saved the QR code to {png_path} ({} bytes): scan it within {} s",
        png.len(),
        created.qr_code.time_left().as_secs()
    );

    let wait = WaitOptions::default().timeout(Duration::from_secs(60));
    match client
        .wait_for_status(&created.id, InstanceStatus::Working, wait)
        .await
    {
        Ok(health) => println!("connected: {}", health.status),
        Err(WaitError::TimedOut { last, .. }) => {
            let status = last.map_or("unknown".to_owned(), |h| h.status.to_string());
            println!("not scanned in time (still {status}): request a new code and scan again");
        }
        Err(WaitError::Api(error)) => return Err(error),
        Err(other) => println!("{other}"),
    }
    Ok(())
}
