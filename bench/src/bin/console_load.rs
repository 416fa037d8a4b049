//! The console with 500 instances, measured from outside as a browser
//! meets it: the first page (time to serve and bytes, against the mock's
//! own `GET /instances` of the same 500 in the same run), the live updates
//! while instances flap (bytes per changed row, against the page), and the
//! console's memory over the polls of an hour.
//!
//! ```sh
//! cargo build --release -p hypersender-cli
//! cargo run --release -p hypersender-bench --bin console_load [-- POLLS]
//! ```
//!
//! POLLS (default 240: an hour at the console's default 15 s interval) is
//! how many polls the memory run lasts, made at 1 s so they take minutes.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Rounds of each side for the first page.
const ROUNDS: usize = 60;

struct Console {
    child: Child,
    root: String,
    login: String,
    mock_api: String,
}

impl Drop for Console {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn cli_binary() -> PathBuf {
    let here = std::env::current_exe().expect("the bench's own path");
    let path = here.with_file_name(format!("hypersender{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: cargo build --release -p hypersender-cli first",
        path.display()
    );
    path
}

fn start(extra: &[&str]) -> Console {
    let mut child = Command::new(cli_binary())
        .args([
            "--mock",
            "console",
            "--addr",
            "127.0.0.1:0",
            "--interval",
            "1s",
            "--mock-instances",
            "500",
        ])
        .args(extra)
        .env_remove("HYPERSENDER_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the console");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    for _ in 0..4 {
        printed.push(lines.next().unwrap().unwrap());
    }
    let after = |prefix: &str| {
        printed
            .iter()
            .find_map(|line| line.strip_prefix(prefix))
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .to_owned()
    };
    Console {
        root: after("Hypersender console on "),
        login: after("Log in (the link works once): "),
        mock_api: after("The embedded mock's API: "),
        child,
    }
}

/// A client that sends the console's session cookie.
async fn logged_in(console: &Console) -> reqwest::Client {
    let answer = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap()
        .get(&console.login)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303, "login");
    let cookie = answer.headers()["set-cookie"].to_str().unwrap();
    let session = cookie.split(';').next().unwrap();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::COOKIE, session.parse().unwrap());
    reqwest::Client::builder()
        .default_headers(headers)
        .no_proxy()
        .build()
        .unwrap()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
        .unwrap_or_default()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let polls: u64 = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(240);
    first_page().await;
    live_updates().await;
    memory(polls).await;
}

/// The first page against the mock's list of the same instances.
async fn first_page() {
    let console = start(&[]);
    let client = logged_in(&console).await;
    let api = reqwest::Client::builder().no_proxy().build().unwrap();
    let list = format!("{}/instances", console.mock_api);
    // Wait for the first poll's rows (the 500 made up, and the mock's
    // documented ones).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let page = client.get(&console.root).send().await.unwrap();
        let page = page.text().await.unwrap();
        let rows = page.matches("<tr data-id=").count();
        if rows >= 500 {
            println!("the page lists {rows} instances");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the page never listed 500 instances ({rows})"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (mut page_ms, mut list_ms) = (Vec::new(), Vec::new());
    let (mut page_bytes, mut list_bytes) = (0, 0);
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let page = client
            .get(&console.root)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        page_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        page_bytes = page.len();
        let started = Instant::now();
        let listed = api
            .get(&list)
            .bearer_auth(hypersender_mock_server::DEFAULT_TOKEN)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        list_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        list_bytes = listed.len();
    }
    let (page, list) = (median(page_ms), median(list_ms));
    println!(
        "first page, 500 instances: {page:.2} ms, {page_bytes} bytes; the mock's GET /instances of the same 500: {list:.2} ms, {list_bytes} bytes; ratio {:.2} (time), {:.2} (bytes); median of {ROUNDS}",
        page / list,
        page_bytes as f64 / list_bytes as f64
    );
}

/// What `/events` carries while instances flap.
async fn live_updates() {
    let console = start(&["--mock-flap-every", "2s"]);
    let client = logged_in(&console).await;
    let page = client
        .get(&console.root)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .len();
    let mut events = client
        .get(format!("{}events", console.root))
        .send()
        .await
        .unwrap();
    let (mut bytes, mut rows) = (0usize, 0usize);
    let until = Instant::now() + Duration::from_secs(30);
    while let Ok(Ok(Some(chunk))) = tokio::time::timeout(
        until.saturating_duration_since(Instant::now()),
        events.chunk(),
    )
    .await
    {
        let text = String::from_utf8_lossy(&chunk);
        rows += text.matches("event: row").count();
        bytes += chunk.len();
        if Instant::now() >= until {
            break;
        }
    }
    let per_row = bytes as f64 / rows.max(1) as f64;
    println!(
        "live updates over 30 s with an instance flapping every 2 s: {rows} row updates, {bytes} bytes ({per_row:.0} bytes per changed row; the page is {page} bytes, {:.2} % of it per change)",
        per_row / page as f64 * 100.0
    );
}

/// The console's memory over `polls` polls of 500 flapping instances, a
/// page following `/events` all along.
async fn memory(polls: u64) {
    let console = start(&["--mock-flap-every", "1s"]);
    let pid = console.child.id();
    let client = logged_in(&console).await;
    let mut events = client
        .get(format!("{}events", console.root))
        .send()
        .await
        .unwrap();
    let reader = tokio::spawn(async move { while let Ok(Some(_)) = events.chunk().await {} });
    tokio::time::sleep(Duration::from_secs(10)).await;
    let early = rss_kib(pid);
    let mut samples = vec![(10, early)];
    for second in 11..=polls.max(11) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        if second % 60 == 0 {
            samples.push((second, rss_kib(pid)));
        }
    }
    let last = rss_kib(pid);
    reader.abort();
    println!(
        "memory over {polls} polls at 1 s (500 instances, one flapping every second, a page following): {early} KiB after 10 s, {last} KiB at the end; samples (s, KiB): {samples:?}"
    );
}
