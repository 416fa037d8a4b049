//! Prometheus metrics of `instances watch --metrics ADDR` and of the
//! console, checked by the Prometheus project's own linter (`promtool
//! check metrics`, from the distribution's `prometheus` package, which
//! `.ci/run` installs) and read back: instances per status and each
//! instance's status match the mock's listing, every request the watch
//! sent is counted by operation and HTTP status, and the per-instance
//! series go away when turned off.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hypersender_mock_server::MockConfig;
use support::*;

/// `promtool check metrics` on `text`: its verdict and what it said.
fn promtool(text: &str) -> (bool, String) {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool must be installed: the distribution's `prometheus` package (.ci/run installs it)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), said)
}

/// The value of the series `name{labels}` exactly as written, if any.
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|v| v.trim().parse().unwrap())
}

/// GETs `url` until `done` accepts the body.
fn scrape_until(url: &str, done: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let body = Command::new("curl")
            .args(["-sS", "--max-time", "5", url])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&body.stdout).into_owned();
        if done(&text) {
            return text;
        }
        assert!(Instant::now() < deadline, "{url} never showed it:\n{text}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The address a child printed on stderr after `prefix`.
fn printed_address(child: &mut Spawned, prefix: &str) -> String {
    for _ in 0..10 {
        for line in child.err_lines(1) {
            if let Some(rest) = line.strip_prefix(prefix) {
                return rest.to_owned();
            }
        }
    }
    panic!("no `{prefix}` line");
}

#[test]
fn watch_serves_metrics_that_promtool_accepts_and_that_match_the_fleet() {
    let mock = Mock::start(MockConfig::default());
    let instances = listed(&mock);
    let base = mock.server.base_url();
    let mut watch = Spawned::hypersender(&[
        "--base-url",
        &base,
        "--token",
        API_TOKEN,
        "instances",
        "watch",
        "--interval",
        "1s",
        "--metrics",
        "127.0.0.1:0",
    ]);
    let url = printed_address(&mut watch, "serving metrics on ");
    let text = scrape_until(&url, |text| {
        value(
            text,
            "hypersender_api_requests_total{operation=\"list_instances\",status=\"200\"}",
        )
        .is_some_and(|n| n >= 2.0)
    });
    let (ok, said) = promtool(&text);
    assert!(ok, "promtool refused the metrics: {said}\n{text}");
    assert!(said.trim().is_empty(), "promtool found problems: {said}");

    for status in hypersender::InstanceStatus::VALUES {
        let expected = instances
            .iter()
            .filter(|i| i.status.as_str() == status)
            .count();
        assert_eq!(
            value(
                &text,
                &format!("hypersender_instances{{status=\"{status}\"}}")
            ),
            Some(expected as f64),
            "instances {status}"
        );
    }
    for instance in &instances {
        let series = format!(
            "hypersender_instance_status{{instance_id=\"{}\",status=\"{}\"}}",
            instance.id,
            instance.status.as_str()
        );
        assert_eq!(value(&text, &series), Some(1.0), "{series}");
    }
    let lists = mock
        .server
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/instances"))
        .count() as f64;
    let counted = value(
        &text,
        "hypersender_api_requests_total{operation=\"list_instances\",status=\"200\"}",
    )
    .unwrap();
    // The scrape and the next poll race by at most one request.
    assert!(
        counted == lists || counted + 1.0 == lists,
        "{counted} counted, {lists} sent"
    );
    assert!(value(&text, "hypersender_last_list_timestamp_seconds").is_some_and(|t| t > 1.7e9));
}

#[test]
fn per_instance_series_can_be_turned_off() {
    let mock = Mock::start(MockConfig::default());
    let base = mock.server.base_url();
    let mut watch = Spawned::hypersender(&[
        "--base-url",
        &base,
        "--token",
        API_TOKEN,
        "instances",
        "watch",
        "--metrics",
        "127.0.0.1:0",
        "--no-instance-metrics",
    ]);
    let url = printed_address(&mut watch, "serving metrics on ");
    let text = scrape_until(&url, |text| text.contains("hypersender_instances{"));
    assert!(promtool(&text).0);
    assert!(!text.contains("instance_id="), "{text}");
}

#[test]
fn the_console_serves_metrics_without_a_session_and_nothing_else() {
    let mut console = Spawned::hypersender(&["--mock", "console", "--addr", "127.0.0.1:0"]);
    let lines = console.lines(3);
    let metrics = lines
        .iter()
        .find_map(|line| line.strip_prefix("Prometheus metrics: "))
        .unwrap()
        .to_owned();
    let text = scrape_until(&metrics, |text| {
        text.contains("hypersender_instance_status{")
    });
    let (ok, said) = promtool(&text);
    assert!(ok && said.trim().is_empty(), "{said}");
    let root = metrics.strip_suffix("metrics").unwrap();
    let page = Command::new("curl")
        .args(["-sS", "-o", "/dev/null", "-w", "%{http_code}", root])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&page.stdout), "401");
}

#[test]
fn the_readme_alert_rules_pass_promtool_and_name_only_metrics_that_are_served() {
    let readme = include_str!("../../README.md");
    let after = readme
        .split_once("Two alert rules to start from:")
        .expect("README has the alert rules")
        .1;
    let rules = after
        .split_once("```yaml\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .expect("a yaml block")
        .0;
    let dir = std::env::temp_dir().join(format!("hypersender-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("rules.yml");
    std::fs::write(&file, rules).unwrap();
    let checked = Command::new("promtool")
        .args(["check", "rules"])
        .arg(&file)
        .output()
        .expect("promtool must be installed (the distribution's `prometheus` package)");
    assert!(
        checked.status.success(),
        "{}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );
    // Every metric a rule names is one the console serves (with the
    // webhook receiver, once an event came).
    let secret = "metrics-test-webhook-secret";
    let mut console = Spawned::hypersender(&[
        "--mock",
        "console",
        "--addr",
        "127.0.0.1:0",
        "--webhooks",
        "127.0.0.1:0",
        "--webhook-secret",
        secret,
    ]);
    let receiver = printed_address(&mut console, "receiving webhooks on ");
    let lines = console.lines(3);
    let metrics = lines
        .iter()
        .find_map(|line| line.strip_prefix("Prometheus metrics: "))
        .unwrap()
        .to_owned();
    let event = hypersender::webhooks::recorded::example("message.any").unwrap();
    let posted = Command::new("curl")
        .args([
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-X",
            "POST",
            "-H",
        ])
        .arg(format!("Authorization: {secret}"))
        .args([
            "--data-binary",
            event,
            receiver.split_whitespace().next().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&posted.stdout), "200");
    let served = scrape_until(&metrics, |text| {
        text.contains("hypersender_instance_last_webhook_timestamp_seconds{")
            && text.contains("hypersender_webhook_events_total{event=\"message.any\"} 1")
    });
    assert!(promtool(&served).0);
    let named: Vec<&str> = rules
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| word.starts_with("hypersender_") && word.len() > "hypersender_".len())
        .collect();
    assert!(!named.is_empty());
    for metric in named {
        assert!(
            served.contains(&format!("# TYPE {metric} ")),
            "{metric} is not served:\n{served}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
