//! Lists the instances of your account.
//!
//! ```sh
//! HYPERSENDER_TOKEN=... cargo run --example list_instances [STATUS]
//! ```
//!
//! Set `HYPERSENDER_BASE_URL` to aim it at another server (a mock, a proxy).

use std::process::ExitCode;

use hypersender::{Client, InstanceStatus};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), hypersender::Error> {
    let client = Client::from_env()?;
    let mut request = client.list_instances();
    if let Some(status) = std::env::args().nth(1) {
        let status = InstanceStatus::try_parse(&status)
            .map_err(|e| hypersender::Error::Config(e.to_string()))?;
        request = request.filter_status(status);
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
