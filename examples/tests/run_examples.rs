//! Runs every example that needs no network against the stateful mock, as
//! a user would (`HYPERSENDER_BASE_URL` and `HYPERSENDER_TOKEN` set), and
//! checks what it prints and what reached the mock. Expected instances come
//! from the mock's seed, which is the spec's documented example.
//!
//! `cargo test` builds the examples before running any test; this file
//! finds them in the target folder beside its own binary.

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use hypersender::InstanceStatus;
use hypersender_mock_server::{MockConfig, MockServer, seed_instances};

const TOKEN: &str = "5|examplesTestTokenSecretPart0123456789";

/// The mock on a runtime of its own, so the test can run programs
/// synchronously beside it.
struct Mock {
    server: MockServer,
    runtime: tokio::runtime::Runtime,
}

impl Mock {
    fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let server = runtime
            .block_on(MockServer::start(MockConfig::default().token(TOKEN)))
            .unwrap();
        Self { server, runtime }
    }
}

fn example_path(name: &str) -> PathBuf {
    let test_binary = std::env::current_exe().unwrap();
    let profile_dir = test_binary.parent().unwrap().parent().unwrap();
    let path = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is not built: run `cargo test -p hypersender-examples` (which builds the examples first)",
        path.display()
    );
    path
}

fn example(name: &str, base_url: &str, args: &[&str]) -> Command {
    let mut command = Command::new(example_path(name));
    command
        .args(args)
        .env("HYPERSENDER_BASE_URL", base_url)
        .env("HYPERSENDER_TOKEN", TOKEN);
    command
}

#[derive(Debug)]
struct Ran {
    ok: bool,
    stdout: String,
    stderr: String,
}

impl From<Output> for Ran {
    fn from(output: Output) -> Self {
        let ran = Ran {
            ok: output.status.success(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        assert!(
            !ran.stdout.contains(TOKEN) && !ran.stderr.contains(TOKEN),
            "the API token leaked: {ran:?}"
        );
        ran
    }
}

fn run(name: &str, mock: &Mock, args: &[&str]) -> Ran {
    example(name, &mock.server.base_url(), args)
        .output()
        .unwrap()
        .into()
}

#[test]
fn list_and_filter_lists_every_instance_and_filters_by_status() {
    let mock = Mock::start();
    let seeded = seed_instances().unwrap();

    let all = run("list_and_filter", &mock, &[]);
    assert!(all.ok, "{all:?}");
    assert!(
        all.stdout
            .starts_with(&format!("{} instance(s) at ", seeded.len())),
        "{all:?}"
    );
    for instance in &seeded {
        assert!(all.stdout.contains(&instance.id), "{all:?}");
    }

    let status = &seeded[0].status;
    let filtered = run("list_and_filter", &mock, &[status.as_str()]);
    let expected: Vec<_> = seeded.iter().filter(|i| &i.status == status).collect();
    assert!(
        filtered
            .stdout
            .starts_with(&format!("{} instance(s)", expected.len())),
        "{filtered:?}"
    );
    for instance in &seeded {
        assert_eq!(
            filtered.stdout.contains(&instance.id),
            &instance.status == status,
            "{filtered:?}"
        );
    }

    let sent = mock.server.requests().len();
    let typo = run("list_and_filter", &mock, &["working"]);
    assert!(!typo.ok);
    assert_eq!(mock.server.requests().len(), sent, "refused before sending");
    assert!(
        typo.stderr.contains("WORKING"),
        "lists the documented values: {typo:?}"
    );
}

#[test]
fn list_and_filter_says_who_is_connected_without_printing_a_token() {
    let mock = Mock::start();
    let seeded = seed_instances().unwrap();
    assert!(
        seeded.iter().any(|i| i.access_token.is_some()),
        "the seed has a connected instance"
    );
    let ran = run("list_and_filter", &mock, &[]);
    assert!(ran.ok, "{ran:?}");
    for instance in &seeded {
        let line = ran
            .stdout
            .lines()
            .find(|line| line.starts_with(&instance.id))
            .unwrap_or_else(|| panic!("{} is listed: {ran:?}", instance.id));
        assert_eq!(
            line.contains("not connected"),
            instance.access_token.is_none(),
            "{line}"
        );
        if let Some(token) = &instance.access_token {
            assert!(!ran.stdout.contains(token.expose_secret()), "{ran:?}");
        }
    }
}

#[test]
fn without_a_token_an_example_says_what_is_missing_and_sends_nothing() {
    let mock = Mock::start();
    let output = example("list_and_filter", &mock.server.base_url(), &[])
        .env_remove("HYPERSENDER_TOKEN")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: invalid client configuration: HYPERSENDER_TOKEN is not set"),
        "{stderr}"
    );
    assert!(mock.server.requests().is_empty());
}

#[test]
fn check_health_reports_the_status_and_the_advice() {
    let mock = Mock::start();
    let working = seed_instances()
        .unwrap()
        .into_iter()
        .find(|i| i.status == InstanceStatus::Working)
        .expect("the documented example has a WORKING instance");

    let ran = run("check_health", &mock, &[&working.id]);
    assert!(ran.ok, "{ran:?}");
    assert!(
        ran.stdout.contains(&format!("{} is WORKING", working.id)),
        "{ran:?}"
    );
    assert!(ran.stdout.contains("advice: nothing to do"), "{ran:?}");

    let missing = run("check_health", &mock, &["no-such-instance"]);
    assert!(!missing.ok);
    assert!(missing.stderr.contains("404"), "{missing:?}");
}

/// Waits until the mock lists an instance named `name`; returns its id.
fn created_id(mock: &Mock, name: &str, child: &mut Child) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(id) = find_by_name(mock, name) {
            return id;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the example ended before creating"
        );
        assert!(Instant::now() < deadline, "never created {name}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn find_by_name(mock: &Mock, name: &str) -> Option<String> {
    let client = hypersender::Client::builder(TOKEN)
        .base_url(mock.server.base_url())
        .build()
        .unwrap();
    let listed = mock
        .runtime
        .block_on(client.list_instances().filter_name(name).send())
        .ok()?;
    listed.into_iter().find(|i| i.name == name).map(|i| i.id)
}

#[test]
fn create_and_save_qr_writes_the_png_and_sees_the_scan() {
    let mock = Mock::start();
    let png =
        std::env::temp_dir().join(format!("hypersender-example-qr-{}.png", std::process::id()));
    let png_arg = png.to_str().unwrap();
    let mut child = example(
        "create_and_save_qr",
        &mock.server.base_url(),
        &[
            "+201234567899",
            "Example Line",
            png_arg,
            "https://example.com/hook",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();

    let id = created_id(&mock, "Example Line", &mut child);
    assert!(mock.server.scan(&id), "the new instance waits for a scan");
    let ran: Ran = child.wait_with_output().unwrap().into();

    assert!(ran.ok, "{ran:?}");
    assert!(
        ran.stdout.contains(&format!("created Example Line ({id})")),
        "{ran:?}"
    );
    assert!(ran.stdout.contains("connected: WORKING"), "{ran:?}");
    let saved = std::fs::read(&png).unwrap();
    std::fs::remove_file(&png).ok();
    assert!(saved.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG was saved");
    assert_eq!(
        mock.server.webhook_url(&id),
        Some(Some("https://example.com/hook".to_owned()))
    );
}

#[test]
fn error_kinds_meets_every_kind_it_promises_and_changes_nothing() {
    let mock = Mock::start();
    let ran = run("error_kinds", &mock, &[]);
    assert!(ran.ok, "{ran:?}");
    assert!(!ran.stdout.contains("unexpectedly"), "{ran:?}");
    for (scenario, kind) in [
        ("an empty token", "Config"),
        ("a phone that is not E.164", "InvalidRequest"),
        ("an instance that does not exist", "Http"),
        ("a second health check in the same minute", "RateLimited"),
        ("a list over 16 bytes", "ResponseTooLarge"),
        ("a server that is not there", "Transport"),
        ("a server that never answers", "Timeout"),
        ("a server answering HTML", "Decode"),
        ("waiting one second for a status", "WaitError::TimedOut"),
    ] {
        assert!(
            ran.stdout.contains(&format!("{scenario}: {kind}: ")),
            "{scenario} -> {kind}:\n{}",
            ran.stdout
        );
    }
    assert!(
        mock.server.requests().iter().all(|r| r.method == "GET"),
        "only reads reached the account: {:?}",
        mock.server.requests()
    );
}

#[test]
fn own_http_client_goes_through_the_given_proxy() {
    let mock = Mock::start();
    // The base URL's host cannot resolve (.invalid): only a request sent
    // through the proxy, here the mock itself, can be answered.
    let proxy = format!("http://{}", mock.server.addr());
    let ran: Ran = example(
        "own_http_client",
        "http://hypersender.invalid/api/whatsapp/v1",
        &[&proxy],
    )
    .output()
    .unwrap()
    .into();

    assert!(ran.ok, "{ran:?}");
    let seeded = seed_instances().unwrap();
    assert!(
        ran.stdout.starts_with(&format!(
            "{} instance(s) through the proxy {proxy}",
            seeded.len()
        )),
        "{ran:?}"
    );
    assert_eq!(mock.server.requests().len(), 1);
}

/// The visible lines of the README's first Rust block after `heading`.
fn readme_block(heading: &str) -> Vec<String> {
    let readme = include_str!("../../README.md");
    let after = &readme[readme.find(heading).expect("the README has the section")..];
    let start = after.find("```rust").unwrap();
    let code = &after[start..];
    let code = &code[code.find('\n').unwrap() + 1..];
    let code = &code[..code.find("\n```\n").unwrap()];
    code.lines()
        .filter(|line| !line.starts_with("# ") && !line.trim().is_empty())
        .map(|line| line.trim().to_owned())
        .collect()
}

/// Every line of `block` is a line of the example `file`, in order: the
/// README's code is the example's, as pasted.
fn assert_pasted(block: &[String], file: &str) {
    let text =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
    let mut lines = text.lines().map(str::trim);
    for wanted in block {
        assert!(
            lines.any(|line| line == wanted),
            "{file} does not have the README's line {wanted:?} (in order)"
        );
    }
}

#[test]
fn the_quick_start_runs_as_pasted_against_the_mock() {
    assert_pasted(&readme_block("## Quick start"), "quick_start.rs");
    let mock = Mock::start();
    let dir = std::env::temp_dir().join(format!("hypersender-quick-start-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ran: Ran = example("quick_start", &mock.server.base_url(), &[])
        .current_dir(&dir)
        .output()
        .unwrap()
        .into();
    let png = std::fs::read(dir.join("qr.png"));
    std::fs::remove_dir_all(&dir).ok();
    assert!(ran.ok, "{ran:?}");
    for working in seed_instances()
        .unwrap()
        .iter()
        .filter(|i| i.status == InstanceStatus::Working)
    {
        assert!(ran.stdout.contains(&working.id), "{ran:?}");
    }
    assert!(
        ran.stdout.contains("new QR code: data:image/png;base64,"),
        "{ran:?}"
    );
    assert!(png.unwrap().starts_with(b"\x89PNG"), "qr.png was saved");
    assert!(find_by_name(&mock, "Support Desk").is_some());
}

#[test]
fn connecting_an_instance_runs_as_pasted_until_the_scan() {
    assert_pasted(&readme_block("## Connecting an instance"), "connect.rs");
    let mock = Mock::start();
    let mut child = example("connect", &mock.server.base_url(), &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let id = created_id(&mock, "Support Line", &mut child);
    assert!(mock.server.scan(&id), "the new instance waits for a scan");
    let ran: Ran = child.wait_with_output().unwrap().into();
    assert!(ran.ok, "{ran:?}");
    assert!(
        ran.stdout
            .contains("code 1: <img src=\"data:image/png;base64,"),
        "{ran:?}"
    );
    assert!(ran.stdout.contains("status SCAN_QR_CODE"), "{ran:?}");
    assert!(ran.stdout.contains("connected at Some("), "{ran:?}");
}

#[test]
fn receive_webhooks_prints_each_event_once() {
    use std::io::{BufRead, BufReader};
    assert_pasted(
        &readme_block("## Receiving webhooks"),
        "receive_webhooks.rs",
    );
    let secret = "example-webhook-secret";
    let mut child = Command::new(example_path("receive_webhooks"))
        .args(["127.0.0.1:0", "2"])
        .env("WEBHOOK_SECRET", secret)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first.strip_prefix("listening on ").unwrap().to_owned();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let post = |body: String, with: &str| {
        runtime.block_on(async {
            hypersender::reqwest::Client::new()
                .post(&url)
                .header("authorization", with)
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    };
    let message = hypersender::webhooks::recorded::example("message.any").unwrap();
    assert_eq!(post(message.to_owned(), "wrong"), 401);
    assert_eq!(post(message.to_owned(), secret), 200);
    assert_eq!(
        post(message.to_owned(), secret),
        200,
        "a duplicate, answered"
    );
    let status = hypersender::webhooks::testing::session_status("evt_ex_1", "inst_ex", "FAILED");
    assert_eq!(post(status, secret), 200);
    let printed: Vec<String> = lines.map(Result::unwrap).collect();
    assert!(child.wait().unwrap().success());
    let json: serde_json::Value = serde_json::from_str(message).unwrap();
    let data = &json["data"];
    assert_eq!(
        printed,
        [
            format!(
                "{}: message from {}: {:?}",
                data["instanceId"].as_str().unwrap(),
                data["payload"]["from"].as_str().unwrap(),
                data["payload"]["body"].as_str().unwrap()
            ),
            "inst_ex: now FAILED".to_owned(),
        ],
        "each event once, the duplicate not"
    );
}

#[test]
fn onboarding_router_serves_the_flow_and_its_qr_code() {
    use std::io::{BufRead, BufReader, Read};
    let mock = Mock::start();
    let mut child = example(
        "onboarding_router",
        &mock.server.base_url(),
        &["127.0.0.1:0"],
    )
    .stdout(Stdio::piped())
    .spawn()
    .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let root = first.strip_prefix("onboarding on ").unwrap().to_owned();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (page, png) = runtime.block_on(async {
        let http = hypersender::reqwest::Client::new();
        let page = http.get(&root).send().await.unwrap().text().await.unwrap();
        let started: serde_json::Value = http
            .post(format!("{root}onboarding/flows"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("name=Example+Shop&phone=%2B201234567808")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mut events = http
            .get(format!(
                "{root}onboarding/{}",
                started["events"].as_str().unwrap()
            ))
            .send()
            .await
            .unwrap();
        let mut seen = String::new();
        while !seen.contains("event: qr_code") {
            let chunk = events.chunk().await.unwrap().expect("the flow's events");
            seen.push_str(std::str::from_utf8(&chunk).unwrap());
        }
        let png = http
            .get(format!(
                "{root}onboarding/{}",
                started["qr"].as_str().unwrap()
            ))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        (page, png)
    });
    let _ = child.kill();
    let _ = child.wait();
    let mut rest = String::new();
    let _ = child
        .stdout
        .take()
        .map(|mut out| out.read_to_string(&mut rest));
    assert!(
        page.contains("onboarding/flows"),
        "the example's page starts flows"
    );
    assert!(png.starts_with(b"\x89PNG"), "the QR code is a PNG");
    let created = mock
        .runtime
        .block_on(async {
            hypersender::Client::builder(TOKEN)
                .base_url(mock.server.base_url())
                .build()
                .unwrap()
                .list_instances()
                .send()
                .await
                .unwrap()
        })
        .into_iter()
        .any(|i| i.name == "Example Shop");
    assert!(created, "the flow created the instance on the mock");
}
