//! Lists the instances of your account, optionally filtered by status and
//! by part of the name.
//!
//! ```sh
//! HYPERSENDER_TOKEN=... cargo run -p hypersender-examples --example list_and_filter [STATUS [NAME]]
//! # for example: ... --example list_and_filter SCAN_QR_CODE shop
//! ```
//!
//! Set `HYPERSENDER_BASE_URL` to aim it at another server, such as the mock
//! that `hypersender mock` serves.

use std::process::ExitCode;

use hypersender::{Client, InstanceStatus};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // The whole cause chain on one line ("...: connection refused").
            eprintln!("error: {}", error.display_chain());
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), hypersender::Error> {
    let client = Client::from_env()?;
    let mut args = std::env::args().skip(1);
    let mut request = client.list_instances();
    if let Some(status) = args.next() {
        // Strict for user input: a typo is an error listing the documented
        // statuses. (`InstanceStatus::parse` would keep any text as
        // `Unknown`, as responses do with a status added later.)
        let status = InstanceStatus::try_parse(&status)
            .map_err(|e| hypersender::Error::Config(e.to_string()))?;
        request = request.filter_status(status);
    }
    if let Some(name) = args.next() {
        // `filter[name]` matches part of a name.
        request = request.filter_name(name);
    }
    let instances = request.send().await?;
    println!("{} instance(s) at {}", instances.len(), client.base_url());
    for instance in instances {
        let connected = if instance.access_token.is_some() {
            "connected"
        } else {
            "not connected"
        };
        println!(
            "{}  {:<20} {:<16} {:<13} {}  created {}",
            instance.id,
            instance.name,
            instance.phone,
            instance.status,
            connected,
            instance.created_at
        );
    }
    Ok(())
}
