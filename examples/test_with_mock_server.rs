//! How to test your own code against `hypersender-mock-server`, a stateful
//! mock of the API on 127.0.0.1: instances you create stay, a scan turns
//! one WORKING, restarts take their time, and the documented rate limits
//! answer 429. On a paused tokio clock, minutes of waiting take
//! milliseconds.
//!
//! ```sh
//! cargo test -p hypersender-examples --example test_with_mock_server
//! ```
//!
//! Add to your `Cargo.toml`: `[dev-dependencies] hypersender-mock-server = "0.1"`,
//! and tokio's `test-util` feature for the paused clock.

use std::time::Duration;

use hypersender::types::HealthResponse;
use hypersender::{Client, Error, InstanceStatus, WaitError, WaitOptions};

/// Your code: creates an instance, hands its QR code to `show` (a web page,
/// a chat message), and waits until someone scanned it.
pub async fn onboard(
    client: &Client,
    name: &str,
    phone: &str,
    show: impl FnOnce(&str, &[u8]),
) -> Result<HealthResponse, WaitError> {
    let created = client
        .create_instance()
        .name(name)
        .phone(phone)
        .send()
        .await?;
    let png = created
        .qr_code
        .png()
        .map_err(|e| Error::Config(e.to_string()))?;
    show(&created.id, &png);
    let wait = WaitOptions::default().timeout(Duration::from_secs(60));
    client
        .wait_for_status(&created.id, InstanceStatus::Working, wait)
        .await
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_env()?;
    let health = onboard(&client, "Support Line", "+201234567892", |id, png| {
        std::fs::write("qr.png", png).expect("write qr.png");
        println!("scan qr.png to connect {id}");
    })
    .await?;
    println!("{} is {}", health.instance_id, health.status);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hypersender_mock_server::{MockConfig, MockServer};

    async fn start_mock() -> MockServer {
        // The mock's clock follows tokio's, so the paused clock drives it.
        let config = MockConfig::default().tokio_clock(chrono::Utc::now());
        MockServer::start(config).await.unwrap()
    }

    fn client_for(mock: &MockServer) -> Client {
        Client::builder(mock.token())
            .base_url(mock.base_url())
            .build()
            .unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn onboarding_ends_when_the_code_is_scanned() {
        let mock = start_mock().await;
        let client = client_for(&mock);
        let mut shown = None;

        let (health, ()) = tokio::join!(
            onboard(&client, "Support Line", "+201234567892", |id, png| {
                assert!(png.starts_with(b"\x89PNG"), "a PNG is shown");
                shown = Some(id.to_owned());
            }),
            async {
                // Someone scans the code 20 s after it was shown.
                tokio::time::sleep(Duration::from_secs(20)).await;
                let created = client
                    .list_instances()
                    .filter_name("Support Line")
                    .send()
                    .await;
                let id = &created.unwrap()[0].id;
                assert!(mock.scan(id), "the instance was waiting for a scan");
            },
        );

        let health = health.unwrap();
        assert_eq!(health.status, InstanceStatus::Working);
        assert_eq!(shown.as_deref(), Some(health.instance_id.as_str()));
    }

    #[tokio::test(start_paused = true)]
    async fn an_unscanned_code_ends_the_wait_with_the_last_status() {
        let mock = start_mock().await;
        let client = client_for(&mock);

        let error = onboard(&client, "Night Shift", "+201234567893", |_, _| {})
            .await
            .unwrap_err();

        let WaitError::TimedOut { last, .. } = error else {
            panic!("expected the wait to time out, got {error:?}");
        };
        assert_eq!(last.unwrap().status, InstanceStatus::ScanQrCode);
        let creates = mock
            .requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/create-instance"))
            .count();
        assert_eq!(creates, 1);
    }
}
