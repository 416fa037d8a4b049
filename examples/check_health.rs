//! Checks the health of one instance and says what the docs advise.
//!
//! ```sh
//! HYPERSENDER_TOKEN=... cargo run -p hypersender-examples --example check_health -- INSTANCE_ID
//! ```

use std::process::ExitCode;

use hypersender::{Client, InstanceStatus};

#[tokio::main]
async fn main() -> ExitCode {
    let Some(id) = std::env::args().nth(1) else {
        eprintln!("usage: check_health INSTANCE_ID");
        return ExitCode::from(2);
    };
    match run(&id).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", error.display_chain());
            ExitCode::FAILURE
        }
    }
}

async fn run(id: &str) -> Result<(), hypersender::Error> {
    let client = Client::from_env()?;
    // GET /{instance}/health. An id that is empty, `.` or `..` is refused
    // before sending; any other text is percent-encoded into the path.
    let health = client.check_health(id).send().await?;
    println!("{} is {}", health.instance_id, health.status);
    if let Some(connected_at) = &health.connected_at {
        println!("connected at {connected_at}");
    }
    let advice = match &health.status {
        InstanceStatus::Working => "nothing to do",
        InstanceStatus::ScanQrCode => "scan a fresh QR code (request_new_qr_code)",
        InstanceStatus::Starting | InstanceStatus::Pending => "give it a minute, then restart",
        InstanceStatus::Stopped | InstanceStatus::Failed => {
            "restart it; still FAILED after a restart: the dashboard"
        }
        // A status added by the vendor after this crate was generated.
        other => {
            println!("a status this crate does not know: {other}");
            "look at it in the dashboard"
        }
    };
    println!("advice: {advice}");
    Ok(())
}
