//! The README's "Connecting an instance", as pasted (a test checks that
//! every line of the README's block is here, in order, and runs it against
//! the mock, scanning its code): create or reuse an instance, print each
//! QR code (a data URI for a web page), follow its status to WORKING.
//!
//! ```sh
//! HYPERSENDER_TOKEN=... cargo run -p hypersender-examples --example connect
//! ```

use futures_util::StreamExt;
use hypersender::{Client, ConnectEvent, ConnectOptions, ConnectRequest};

#[tokio::main]
async fn main() -> Result<(), hypersender::Error> {
    let client = Client::from_env()?;
    example(client).await;
    Ok(())
}

async fn example(client: Client) {
    let request = ConnectRequest::new("Support Line", "+201234567892")
        .webhook_url("https://yourdomain.com/webhooks/whatsapp");
    let mut flow = std::pin::pin!(client.connect(request, ConnectOptions::default()));
    while let Some(event) = flow.next().await {
        match event {
            ConnectEvent::QrCode {
                qr_code, number, ..
            } => {
                // A PNG for a web page, valid about 60 s; a fresh one follows.
                println!(
                    "code {number}: <img src=\"{}\">, {:?} left",
                    qr_code.data_uri(),
                    qr_code.time_left()
                );
            }
            ConnectEvent::Status { status, .. } => println!("status {status}"),
            ConnectEvent::Connected(health) => println!("connected at {:?}", health.connected_at),
            ConnectEvent::GaveUp { reason, .. } => eprintln!("gave up: {reason}"),
            _ => {}
        }
    }
}
