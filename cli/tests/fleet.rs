//! The fleet commands against the stateful mock seeded with 500 instances:
//! `apply`, `instances doctor`, `instances restart --all`, `instances
//! watch` (JSON Lines and the live table in tmux), `completions`, and
//! `mock --instances`. Outputs are golden files (UPDATE_GOLDEN=1 rewrites).

mod support;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use chrono::{TimeZone, Utc};
use hypersender::InstanceStatus;
use hypersender_mock_server::MockConfig;
use support::*;

const FLEET: usize = 500;

fn fleet_mock() -> Mock {
    let at = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
    Mock::start(
        MockConfig::default()
            .frozen_clock(at)
            .generated_instances(FLEET, 42),
    )
}

fn fleet_file(name: &str, text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("hypersender-{}-{name}.toml", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

const FLEET_FILE: &str = r#"# Three instances: one the account has as is, one with another phone,
# one it does not have.
[[instance]]
name = "SecondInstance"
phone = "+201234567891"

[[instance]]
name = "MyInstanceName"
phone = "+201234567999"

[[instance]]
name = "New Branch"
phone = "+201234567800"
webhook_url = "https://example.com/hooks/whatsapp"
"#;

#[test]
fn apply_plans_then_creates_and_a_second_run_plans_nothing() {
    let mock = fleet_mock();
    let file = fleet_file("apply", FLEET_FILE);
    let file = file.to_str().unwrap();
    // Off a terminal and without --yes: the plan, then exit 2, having sent
    // nothing but the list.
    let plan = mock.run(&["apply", file]);
    assert_eq!(plan.code, 2, "{plan:?}");
    golden("apply-plan.txt", &plan.stdout);
    assert_eq!(
        plan.stderr,
        "error: nothing was created: add --yes to go ahead (not asked: no terminal)\n"
    );
    let json = mock.run(&["--json", "apply", file]);
    assert_eq!(json.code, 2, "{json:?}");
    golden("apply-plan.json", &json.stdout);
    let sent: Vec<String> = mock
        .server
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(
        sent.iter()
            .all(|r| r.starts_with("GET ") && r.ends_with("/instances")),
        "only the list was sent: {sent:?}"
    );

    let applied = succeeded(mock.run(&["apply", file, "--yes"]));
    assert!(
        applied.stdout.ends_with("created 1 of 1; 0 failed\n"),
        "{applied:?}"
    );
    assert!(
        applied.stderr.contains("[1/1] created New Branch"),
        "plain progress lines: {applied:?}"
    );
    let again = succeeded(mock.run(&["apply", file]));
    assert!(
        again.stdout.ends_with("0 to create, 2 exist, 1 differ\n"),
        "{again:?}"
    );
    assert_eq!(
        mock.server.webhook_url(&created_id(&mock, "New Branch")),
        Some(Some("https://example.com/hooks/whatsapp".to_owned()))
    );
}

#[test]
fn a_bad_fleet_file_is_refused_naming_lines_before_anything_is_sent() {
    let mock = fleet_mock();
    let cases = [
        ("[[instance]]\nname = \"A\"\nphone = ", "line 3: "),
        (
            "[[instance]]\nname = \"A\"\nphone = \"+201234567800\"\n\n[[instance]]\nname = \"A\"\nphone = \"+201234567801\"\n",
            "line 5: the name \"A\" is already used at line 1",
        ),
        (
            "[[instance]]\nname = \"A\"\nphone = \"0123\"\n",
            "line 1: `phone` must match",
        ),
        (
            "[[instance]]\nname = \"A\"\nphone = \"+201234567800\"\ncolour = \"red\"\n",
            "unknown field `colour`",
        ),
    ];
    for (text, expected) in cases {
        let file = fleet_file("bad", text);
        let run = mock.run(&["apply", file.to_str().unwrap(), "--yes"]);
        assert_eq!(run.code, 2, "{run:?}");
        assert!(run.stderr.contains(expected), "{expected:?} in {run:?}");
        assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    }
    assert!(mock.server.requests().is_empty(), "nothing was sent");
}

#[test]
fn doctor_maps_each_status_to_the_documented_remedy() {
    let mock = fleet_mock();
    let plan = succeeded(mock.run(&["instances", "doctor", "--all", "--stuck-after", "0"]));
    golden("doctor.txt", &plan.stdout);
    let summary = plan.stdout.lines().last().unwrap();
    assert!(
        summary.starts_with(&format!("{} instance(s): ", FLEET + 2)),
        "{summary}"
    );
    let json = succeeded(mock.run(&[
        "--json",
        "instances",
        "doctor",
        "--all",
        "--stuck-after",
        "0",
    ]));
    golden("doctor.json", &json.stdout);
    let missing = mock.run(&["instances", "doctor", "no-such-id", "--stuck-after", "0"]);
    assert_eq!(missing.code, 2, "{missing:?}");
}

#[test]
fn doctor_fix_and_restart_all_restart_what_needs_it_within_the_limit() {
    let mock = Mock::frozen();
    for id in [WORKING_ID, WAITING_ID] {
        assert!(mock.server.set_status(id, InstanceStatus::Failed));
    }
    let fixed = succeeded(mock.run(&[
        "instances",
        "doctor",
        "--all",
        "--stuck-after",
        "0",
        "--fix",
    ]));
    golden("doctor-fix.txt", &fixed.stdout);
    assert!(fixed.stderr.contains("[2/2] restarted "), "{fixed:?}");

    for id in [WORKING_ID, WAITING_ID] {
        mock.server.set_status(id, InstanceStatus::Failed);
    }
    // Without --yes and off a terminal: the plan, exit 2, only the list sent.
    let before = mock.server.requests().len();
    let refused = mock.run(&["instances", "restart", "--all"]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert_eq!(refused.stdout, "");
    let listed = mock.server.requests();
    assert_eq!(listed.len(), before + 1, "{listed:?}");
    assert_eq!(listed[before].method, "GET");
    assert!(listed[before].path.ends_with("/instances"), "{listed:?}");
    assert_eq!(
        refused.stderr.lines().last(),
        Some("error: nothing was restarted: add --yes to go ahead (not asked: no terminal)")
    );
    assert!(
        refused.stderr.starts_with(&format!(
            "plan: restart {} instance(s) (",
            hypersender_mock_server::seed_instances().unwrap().len()
        )),
        "{refused:?}"
    );
    let run = mock.run(&[
        "instances",
        "restart",
        "--all",
        "--status",
        "FAILED",
        "--yes",
    ]);
    // The mock allows 5 restarts a minute and the first two were used.
    assert_eq!(run.code, 0, "{run:?}");
    golden("restart-all.txt", &run.stdout);
    let json = mock.run(&[
        "--json",
        "instances",
        "restart",
        "--all",
        "--status",
        "STARTING",
        "--yes",
    ]);
    assert_eq!(json.stdout, "[]\n", "nothing is STARTING: {json:?}");
    assert!(
        mock.server.requests().iter().all(|r| r.status != 429),
        "never a 429"
    );
}

#[test]
fn restart_needs_an_id_or_all() {
    let mock = Mock::frozen();
    let run = mock.run(&["instances", "restart"]);
    assert_eq!(run.code, 2, "{run:?}");
    let run = mock.run(&["instances", "restart", "--status", "FAILED"]);
    assert_eq!(run.code, 2, "{run:?}");
}

/// `at` values vary from run to run; golden files show `<at>`.
fn without_times(line: &str) -> String {
    let mut value: serde_json::Value = serde_json::from_str(line).unwrap();
    if value.get("at").is_some() {
        value["at"] = "<at>".into();
    }
    if let Some(instances) = value.get_mut("instances") {
        *instances = format!("<{} instances>", instances.as_array().unwrap().len()).into();
    }
    value.to_string()
}

#[test]
fn watch_prints_json_lines_one_event_each() {
    let mock = fleet_mock();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hypersender"))
        .args(["--base-url", &mock.server.base_url(), "--token", API_TOKEN])
        .args(["instances", "watch", "--interval", "1s", "--events", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let snapshot = lines.next().unwrap().unwrap();
    assert!(mock.server.set_status(WORKING_ID, InstanceStatus::Failed));
    let change = lines.next().unwrap().unwrap();
    assert!(child.wait().unwrap().success());
    golden(
        "watch.jsonl",
        &format!("{}\n{}\n", without_times(&snapshot), without_times(&change)),
    );
}

#[test]
fn watch_on_a_terminal_draws_a_live_table() {
    let mock = fleet_mock();
    let command = format!(
        "{} --base-url {} --token '{API_TOKEN}' instances watch --interval 1s",
        env!("CARGO_BIN_EXE_hypersender"),
        mock.server.base_url()
    );
    let tmux = Tmux::start(&command, 150, 50);
    let first = tmux.wait_for(&format!("{} instances: ", FLEET + 2));
    assert!(first.contains("NOT WORKING"), "{first}");
    mock.server.set_status(WORKING_ID, InstanceStatus::Failed);
    let changed = tmux.wait_for("MyInstanceName: WORKING -> FAILED");
    assert_eq!(
        changed.matches("NOT WORKING").count(),
        1,
        "redrawn in place:\n{changed}"
    );
}

#[test]
fn completions_are_generated_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let run = succeeded(hypersender(&["completions", shell], &[]));
        assert!(run.stdout.contains("hypersender"), "{shell}");
        assert!(
            run.stdout.contains("doctor") && run.stdout.contains("watch"),
            "{shell}"
        );
        // `--status` completes to the spec's statuses, not to file names.
        for status in InstanceStatus::VALUES {
            assert!(run.stdout.contains(status), "{shell} offers {status}");
        }
    }
}

#[test]
fn the_mock_command_serves_a_generated_fleet() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hypersender"))
        .args(["mock", "--instances", "500", "--seed", "7"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first.trim().rsplit(' ').next().unwrap().to_owned();
    let listed = hypersender(
        &[
            "--base-url",
            &url,
            "--token",
            hypersender_mock_server::DEFAULT_TOKEN,
            "--json",
            "instances",
            "list",
        ],
        &[],
    );
    child.kill().unwrap();
    let _ = child.wait();
    let count = serde_json::from_str::<serde_json::Value>(&listed.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .len();
    // The generated fleet after the spec's documented example.
    let documented = hypersender_mock_server::seed_instances().unwrap().len();
    assert_eq!(count, FLEET + documented, "{}", listed.stderr);
}

#[test]
fn apply_connect_shows_the_code_the_create_returned_and_never_replaces_it() {
    let mock = Mock::start(MockConfig::default());
    let file = fleet_file(
        "connect",
        "[[instance]]\nname = \"Counter\"\nphone = \"+201234567866\"\n",
    );
    let base_url = mock.server.base_url();
    let mut apply = Spawned::hypersender(&[
        "--base-url",
        &base_url,
        "--token",
        API_TOKEN,
        "apply",
        file.to_str().unwrap(),
        "--yes",
        "--connect",
    ]);
    let id = created_id(&mock, "Counter");
    // The code on screen is the create's: scanning it links the instance.
    let created_code = mock.server.qr_payload(&id).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(mock.server.scan(&id), "the create's code is still valid");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let status = loop {
        if let Some(status) = apply.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "apply --connect did not finish once scanned"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut apply.0.stdout.take().unwrap(), &mut stdout).unwrap();
    assert!(status.success(), "{stdout}");
    assert_eq!(decode_drawn_qr(&stdout), created_code, "{stdout}");
    let asked_for_new = mock
        .server
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/request-new-qr-code"))
        .count();
    assert_eq!(asked_for_new, 0, "no new code was requested");
    assert_eq!(mock.server.status(&id), Some(InstanceStatus::Working));
}
