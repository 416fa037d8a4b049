//! The README's quick start, as pasted (a test checks that every line of
//! the README's block is here, in order, and runs it against the mock):
//! list the WORKING instances, create one and save its QR code, check its
//! health, request a new code, restart it.
//!
//! ```sh
//! HYPERSENDER_TOKEN=... cargo run -p hypersender-examples --example quick_start
//! ```

use hypersender::{Client, InstanceStatus};

#[tokio::main]
async fn main() -> Result<(), hypersender::Error> {
    let client = Client::from_env()?; // HYPERSENDER_TOKEN, optional HYPERSENDER_BASE_URL

    // GET /instances?filter[status]=WORKING
    let working = client
        .list_instances()
        .filter_status(InstanceStatus::Working)
        .send()
        .await?;
    for instance in &working {
        println!(
            "{} {} {} created {}",
            instance.id, instance.name, instance.status, instance.created_at
        );
    }

    // POST /create-instance, then show the QR code (base64 PNG, valid about 60 s)
    let created = client
        .create_instance()
        .phone("+201234567890")
        .name("Support Desk")
        .webhook_url("https://yourdomain.com/webhooks/whatsapp")
        .send()
        .await?;
    std::fs::write(
        "qr.png",
        created.qr_code.png().expect("the API sends a PNG"),
    )
    .ok();
    println!("scan qr.png within {:?}", created.qr_code.time_left());

    // GET /{instance}/health, POST /{instance}/request-new-qr-code, POST /{instance}/restart
    let health = client.check_health(&created.id).send().await?;
    println!("{} is {}", health.instance_id, health.status);
    let fresh = client.request_new_qr_code(&created.id).send().await?;
    println!("new QR code: {}", fresh.qr_code.data_uri());
    let restarted = client.restart_instance(&created.id).send().await?;
    println!("{}", restarted.message);
    Ok(())
}
