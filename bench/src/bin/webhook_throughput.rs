//! The webhook receiver's throughput and latency on loopback, 64 concurrent
//! senders posting the recorded `message.any` example, against a bare axum
//! handler that answers 200 without reading the body (the goal's baseline)
//! and, to show where the time goes, one that reads the body and answers;
//! rounds alternate (A B C A B C ...) so every side meets the same machine. The senders' clients
//! and bodies are made before the clock starts, and the system allocator
//! is used (the deduplicator's memory is `--bin webhook_memory`'s).
//! `cargo run --release -p hypersender-bench --bin webhook_throughput`

use std::time::{Duration, Instant};

use hypersender::reqwest;
use hypersender::webhooks::receiver::{Receiver, ReceiverConfig};
use hypersender::webhooks::{Verifier, WebhookSecret, recorded};
use serde_json::Value;

const SENDERS: usize = 64;
const PER_SENDER: usize = 200;
const ROUNDS: usize = 15;
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

/// Requests per second and every request's latency: each sender posts its
/// share of `bodies` one after the other on its own client.
async fn round(
    url: &str,
    clients: &[reqwest::Client],
    bodies: Vec<String>,
) -> (f64, Vec<Duration>) {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (chunk, client) in bodies.chunks(PER_SENDER).zip(clients) {
        let chunk = chunk.to_vec();
        let url = url.to_owned();
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
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

/// One server under test: its name, its URL, its rates and latencies.
struct Side {
    name: &'static str,
    url: String,
    rates: Vec<f64>,
    latencies: Vec<Duration>,
}

impl Side {
    async fn new(name: &'static str, app: axum::Router) -> Self {
        Self {
            name,
            url: serve(app).await,
            rates: Vec::new(),
            latencies: Vec::new(),
        }
    }

    /// Prints the median rate with the latencies' p50 and p99.
    fn report(&mut self) {
        let mut rates = self.rates.clone();
        rates.sort_by(f64::total_cmp);
        self.latencies.sort();
        let rate = rates[rates.len() / 2];
        println!(
            "{:<28} {rate:.0} req/s, p50 {:?}, p99 {:?}",
            self.name,
            percentile(&self.latencies, 0.5),
            percentile(&self.latencies, 0.99)
        );
    }
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
        let bare = axum::Router::new().route("/", axum::routing::post(|| async { "" }));
        let reading = axum::Router::new().route(
            "/",
            axum::routing::post(|body: axum::body::Bytes| async move { body.len().to_string() }),
        );
        let mut sides = [
            Side::new("bare axum", bare).await,
            Side::new("axum reading the body", reading).await,
            Side::new("receiver", router).await,
        ];
        // Each sender keeps its client (and so its connections) for every
        // round: what is timed is the requests, not loading root certificates.
        let clients: Vec<reqwest::Client> = (0..SENDERS).map(|_| reqwest::Client::new()).collect();
        let count = sides.len();
        for n in 0..ROUNDS {
            for (k, side) in sides.iter_mut().enumerate() {
                // Ids differ for every side in every round: all first deliveries.
                let (rate, latency) = round(&side.url, &clients, bodies(n * count + k)).await;
                side.rates.push(rate);
                side.latencies.extend(latency);
            }
        }
        println!("{SENDERS} senders x {PER_SENDER} requests, {ROUNDS} alternating rounds (median)");
        // Each round's ratio is taken within the round (the sides ran one
        // after the other, seconds apart), so the machine's drift between
        // rounds cancels; the median of those is the figure.
        let per_round = |ours: &Side, theirs: &Side| {
            let mut ratios: Vec<f64> = ours
                .rates
                .iter()
                .zip(&theirs.rates)
                .map(|(ours, theirs)| ours / theirs)
                .collect();
            ratios.sort_by(f64::total_cmp);
            ratios[ratios.len() / 2]
        };
        let (bare_ratio, reading_ratio) = (
            per_round(&sides[2], &sides[0]),
            per_round(&sides[2], &sides[1]),
        );
        for side in &mut sides {
            side.report();
        }
        println!("ratio receiver / bare (median of the rounds' ratios): {bare_ratio:.3}");
        println!("ratio receiver / reading the body (same): {reading_ratio:.3}");
    });
}
