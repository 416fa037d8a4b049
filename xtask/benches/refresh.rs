//! Spec refresh wall time: 20 pages, each delayed 200 ms by the local
//! server, fetched with the default bounded concurrency versus one at a time
//! (the sequential baseline), in the same run.
//! `cargo bench -p xtask --bench refresh`

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use httpmock::Method::GET;
use httpmock::MockServer;

const PAGES: usize = 20;
const DELAY: Duration = Duration::from_millis(200);
const VENDORED_SPEC: &str = include_str!("../../openapi/hypersender-enterprise.yaml");

/// Page `i`: one operation `GET /op{i}`, agreeing with the vendored spec's
/// top-level fields so that the merge succeeds.
fn page(i: usize) -> String {
    let head = &VENDORED_SPEC[..VENDORED_SPEC.find("paths:\n").unwrap()];
    format!(
        "# Page {i}\n\n## OpenAPI\n\n````yaml v1/api-reference/enterprise/enterprise-collection.json GET /op{i}\n{head}paths:\n  /op{i}:\n    get:\n      summary: Operation {i}\n      responses:\n        '200':\n          description: ok\n````\n"
    )
}

fn page_path(i: usize) -> String {
    format!("/v1/api-reference/enterprise/bench/page-{i:02}.md")
}

fn time_check(docs_url: &str, openapi_dir: &Path, concurrency: Option<&str>) -> Duration {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.args([
        "spec",
        "check",
        "--docs-url",
        docs_url,
        "--openapi-dir",
        openapi_dir.to_str().unwrap(),
    ]);
    if let Some(concurrency) = concurrency {
        command.args(["--concurrency", concurrency]);
    }
    let started = Instant::now();
    let output = command.output().unwrap();
    let elapsed = started.elapsed();
    assert_eq!(
        output.status.code(),
        Some(1),
        "20 new pages are drift: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    elapsed
}

fn main() {
    let server = MockServer::start();
    let mut index = String::from("# Bench\n\n");
    for i in 0..PAGES {
        index.push_str(&format!(
            "- [Page {i}](https://docs.hypersender.com{}): page\n",
            page_path(i).trim_end_matches(".md")
        ));
        let (path, body) = (page_path(i), page(i));
        server.mock(|when, then| {
            when.method(GET).path(path);
            then.status(200).body(body).delay(DELAY);
        });
    }
    server.mock(|when, then| {
        when.method(GET).path("/llms.txt");
        then.status(200).body(index);
    });
    let openapi_dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("openapi");

    println!(
        "spec refresh: {PAGES} pages, each delayed {} ms by the server",
        DELAY.as_millis()
    );
    for round in 1..=3 {
        let sequential = time_check(&server.base_url(), &openapi_dir, Some("1"));
        let bounded = time_check(&server.base_url(), &openapi_dir, None);
        println!(
            "round {round}: sequential (--concurrency 1) {:.2} s, default concurrency {:.2} s, speed-up {:.1}x",
            sequential.as_secs_f64(),
            bounded.as_secs_f64(),
            sequential.as_secs_f64() / bounded.as_secs_f64()
        );
    }
}
