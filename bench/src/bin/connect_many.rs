//! 200 concurrent `connect` flows on one client against the stateful mock
//! (its rate limits off, the client's raised), on a paused tokio clock:
//! virtual and real time, peak heap, and requests per connected instance
//! against the documented minimum (list to find it, create, one health check
//! that sees WORKING: 3).
//! `cargo run --release -p hypersender-bench --bin connect_many`

use std::pin::pin;
use std::time::Duration;

use futures_util::StreamExt;
use hypersender::{
    Client, ConnectEvent, ConnectOptions, ConnectRequest, RateLimitMode, RateLimits, catalog,
};
use hypersender_bench::{Counting, peak_reset, peak_since};
use hypersender_mock_server::{MockConfig, MockServer};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const FLOWS: usize = 200;
/// list + create + the health check that sees WORKING.
const DOCUMENTED_MINIMUM: f64 = 3.0;

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .expect("a runtime");
    runtime.block_on(run());
}

async fn run() {
    let at = chrono::Utc::now();
    let mock = MockServer::start(MockConfig::default().without_rate_limits().tokio_clock(at))
        .await
        .expect("the mock starts");
    let limits = catalog::OPERATIONS.iter().fold(
        RateLimits::default().with_default_modes(RateLimitMode::Wait, RateLimitMode::Wait),
        |limits, operation| limits.with_limit(operation.id, 100_000, Duration::from_secs(60)),
    );
    let client = Client::builder(mock.token())
        .base_url(mock.base_url())
        .rate_limits(limits)
        .timeout(Duration::from_secs(3600))
        .build()
        .expect("a client");
    let base = peak_reset();
    let virtual_start = tokio::time::Instant::now();
    let real_start = std::time::Instant::now();
    let flows = (0..FLOWS).map(|i| connect_one(&client, &mock, i));
    let connected = futures_util::future::join_all(flows)
        .await
        .into_iter()
        .filter(|connected| *connected)
        .count();
    let real = real_start.elapsed();
    let virtual_time = virtual_start.elapsed();
    let peak = peak_since(base);
    let requests = mock.requests();
    let per_instance = requests.len() as f64 / connected.max(1) as f64;
    println!("flows: {FLOWS}, connected: {connected}");
    println!(
        "virtual time (paused tokio clock): {:.1} s",
        virtual_time.as_secs_f64()
    );
    println!("real time: {:.0} ms", real.as_secs_f64() * 1000.0);
    println!("peak heap during the flows: {:.2} MB", peak as f64 / 1e6);
    println!(
        "requests: {} ({per_instance:.2} per connected instance; documented minimum {DOCUMENTED_MINIMUM}, goal <= {})",
        requests.len(),
        DOCUMENTED_MINIMUM + 1.0
    );
    for kind in [
        "/instances",
        "/create-instance",
        "/health",
        "/request-new-qr-code",
        "/restart",
    ] {
        let count = requests.iter().filter(|r| r.path.ends_with(kind)).count();
        println!("  {kind}: {count}");
    }
}

/// One flow; the phone scans the first QR code as soon as it is shown.
async fn connect_one(client: &Client, mock: &MockServer, i: usize) -> bool {
    let request = ConnectRequest::new(format!("Bench {i:03}"), format!("+2010{i:07}"));
    // Health at the documented pace (10 per minute per flow), although the
    // client's raised limits would allow more.
    let options = ConnectOptions::default().poll_interval(Duration::from_secs(6));
    let mut flow = pin!(client.connect(request, options));
    while let Some(event) = flow.next().await {
        match event {
            ConnectEvent::QrCode { instance_id, .. } => {
                mock.scan(&instance_id);
            }
            ConnectEvent::Connected(_) => return true,
            ConnectEvent::GaveUp { .. } => return false,
            _ => {}
        }
    }
    false
}
