//! The webhook receiver's throughput and latency on loopback, 64 concurrent
//! senders posting the recorded `message.any` example, against a bare axum
//! handler that answers 200 without reading the body; rounds alternate
//! (A B A B ...) so both sides meet the same machine. Also the memory of
//! the deduplicator full at its default capacity.
//! `cargo run --release -p hypersender-bench --bin webhook_throughput`

use std::time::{Duration, Instant};

use hypersender::webhooks::receiver::{Receiver, ReceiverConfig};
use hypersender::webhooks::{MemorySeen, SeenEvents, Verifier, WebhookSecret, recorded};
use hypersender_bench::{Counting, peak_during};
use serde_json::Value;

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const SENDERS: usize = 64;
const PER_SENDER: usize = 200;
const ROUNDS: usize = 6;
const SECRET: &str = "whsec-benchmark-0123456789abcdef";

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// Bodies with distinct event ids, so the receiver hands each over.
fn bodies(round: usize) -> Vec<String> {
    let example: Value = serde_json::from_str(recorded::example("message.any").unwrap()).unwrap();
    (0..SENDERS * PER_SENDER)
        .map(|n| {
            let mut body = example.clone();
            body["data"]["id"] = format!("evt_bench_{round}_{n}").into();
            body.to_string()
        })
        .collect()
}

/// Requests per second and every request's latency.
async fn round(url: &str, bodies: Vec<String>) -> (f64, Vec<Duration>) {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for chunk in bodies.chunks(PER_SENDER) {
        let chunk = chunk.to_vec();
        let url = url.to_owned();
        tasks.push(tokio::spawn(async move {
            let client = hypersender::reqwest::Client::new();
            let mut latencies = Vec::with_capacity(chunk.len());
            for body in chunk {
                let sent = Instant::now();
                let answer = client
                    .post(&url)
                    .header("authorization", SECRET)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                assert!(answer.status().is_success());
                let _ = answer.bytes().await;
                latencies.push(sent.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let rate = latencies.len() as f64 / started.elapsed().as_secs_f64();
    (rate, latencies)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let Receiver { router, mut events } = Receiver::new(ReceiverConfig::new(Verifier::new(
            WebhookSecret::new(SECRET),
        )));
        tokio::spawn(async move { while events.recv().await.is_some() {} });
        let receiver = serve(router).await;
        let bare =
            serve(axum::Router::new().route("/", axum::routing::post(|| async { "" }))).await;
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        let (mut our_latency, mut their_latency) = (Vec::new(), Vec::new());
        for n in 0..ROUNDS {
            let (rate, latency) = round(&bare, bodies(n)).await;
            theirs.push(rate);
            their_latency.extend(latency);
            let (rate, latency) = round(&receiver, bodies(n)).await;
            ours.push(rate);
            our_latency.extend(latency);
        }
        our_latency.sort();
        their_latency.sort();
        let median = |rates: &mut Vec<f64>| {
            rates.sort_by(f64::total_cmp);
            rates[rates.len() / 2]
        };
        let (ours, theirs) = (median(&mut ours), median(&mut theirs));
        println!("{SENDERS} senders x {PER_SENDER} requests, {ROUNDS} alternating rounds (median)");
        println!(
            "bare axum: {theirs:.0} req/s, p50 {:?}, p99 {:?}",
            percentile(&their_latency, 0.5),
            percentile(&their_latency, 0.99)
        );
        println!(
            "receiver:  {ours:.0} req/s, p50 {:?}, p99 {:?}",
            percentile(&our_latency, 0.5),
            percentile(&our_latency, 0.99)
        );
        println!("ratio receiver / bare: {:.3}", ours / theirs);
    });

    let (bytes, seen) = peak_during(|| {
        let seen = MemorySeen::default();
        for n in 0..MemorySeen::DEFAULT_CAPACITY {
            seen.first_delivery(&format!("evt_01xany9g8h7j6k5l{n:010}"));
        }
        seen
    });
    assert_eq!(seen.len(), MemorySeen::DEFAULT_CAPACITY);
    println!(
        "MemorySeen full at its default capacity ({} ids of 27 bytes): {bytes} bytes peak ({:.0} per id)",
        MemorySeen::DEFAULT_CAPACITY,
        bytes as f64 / MemorySeen::DEFAULT_CAPACITY as f64
    );
}
