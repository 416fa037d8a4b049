//! Receiving what Hypersender posts to an instance's `webhook_url`:
//! verified (the secret in `Authorization`), typed, each event once.
//!
//! ```sh
//! WEBHOOK_SECRET=... cargo run -p hypersender-examples --example receive_webhooks -- 127.0.0.1:8080
//! # elsewhere: hypersender webhook send message.any --to http://127.0.0.1:8080/webhooks/whatsapp --secret ...
//! ```
//!
//! Needs `hypersender = { version = "...", features = ["axum"] }`, `axum`
//! and `tokio` (with `net`).

use hypersender::webhooks::receiver::{Receiver, ReceiverConfig};
use hypersender::webhooks::{Payload, Verifier, WebhookSecret};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let secret = std::env::var("WEBHOOK_SECRET").expect("set WEBHOOK_SECRET");
    let addr = std::env::args().nth(1).unwrap_or("127.0.0.1:8080".into());
    // How many events to print before stopping (none: run until killed).
    let stop_after: Option<usize> = std::env::args().nth(2).and_then(|n| n.parse().ok());

    let config = ReceiverConfig::new(Verifier::new(WebhookSecret::new(secret)));
    let Receiver { router, mut events } = Receiver::new(config);
    let app = axum::Router::new().nest_service("/webhooks/whatsapp", router);
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!(
        "listening on http://{}/webhooks/whatsapp",
        listener.local_addr()?
    );
    tokio::spawn(async move { axum::serve(listener, app).await });

    let mut printed = 0;
    while let Some(delivery) = events.recv().await {
        let envelope = &delivery.event.envelope;
        let instance = envelope.instance_id.as_deref().unwrap_or("?");
        match delivery.event.payload() {
            Payload::MessageAny(message) => println!(
                "{instance}: message from {}: {:?}",
                message.from.as_deref().unwrap_or("?"),
                message.body.as_deref().unwrap_or("")
            ),
            Payload::SessionStatus(status) => println!("{instance}: now {}", status.status),
            Payload::Malformed(error) => eprintln!("{instance}: {error}"),
            _ => println!("{instance}: {}", envelope.event),
        }
        printed += 1;
        if stop_after == Some(printed) {
            break;
        }
    }
    Ok(())
}
