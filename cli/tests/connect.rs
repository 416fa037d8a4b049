//! `instances connect` for real: against an in-process mock, piped (plain
//! lines), as JSON Lines, and on a terminal (tmux): the QR code drawn with
//! its countdown, replaced in place when a fresh one arrives, the exit code
//! when it is scanned, times out, or the instance fails.

mod support;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use hypersender::InstanceStatus;
use hypersender_mock_server::MockConfig;
use support::*;

/// Starts `hypersender ... instances connect` in the background, piped.
fn spawn_connect(mock: &Mock, name: &str, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_hypersender"))
        .args(["--base-url", &mock.server.base_url(), "--token", API_TOKEN])
        .args(extra)
        .args([
            "instances",
            "connect",
            "--phone",
            "+201234567896",
            "--name",
            name,
        ])
        .env_remove("HYPERSENDER_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finished(child: Child) -> Run {
    let output = child.wait_with_output().unwrap();
    Run {
        code: output.status.code().unwrap(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

#[test]
fn piped_connect_prints_each_event_and_exits_0_once_scanned() {
    let mock = Mock::start(MockConfig::default().without_rate_limits());
    let child = spawn_connect(&mock, "Piped", &[]);
    let id = created_id(&mock, "Piped");
    assert!(mock.server.scan(&id));
    let run = finished(child);
    assert_eq!(run.code, 0, "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines[0].starts_with(&format!("created Piped ({id})")),
        "{run:?}"
    );
    assert!(
        run.stdout
            .contains("status SCAN_QR_CODE\nQR code 1 (expires in "),
        "{run:?}"
    );
    assert!(run.stdout.contains("status WORKING"), "{run:?}");
    assert!(!run.stdout.contains('\u{1b}'), "no escape codes when piped");
    // The code drawn is the mock's current code for the instance.
    assert_eq!(
        Some(decode_drawn_qr(&run.stdout)),
        mock.server.qr_payload(&id)
    );
}

#[test]
fn connect_reusing_an_instance_with_another_phone_warns_and_connects() {
    let mock = Mock::start(MockConfig::default().without_rate_limits());
    let existing = recorded_instances()
        .into_iter()
        .find(|i| i.status == InstanceStatus::Working)
        .expect("the recorded list has a WORKING instance");
    let other_phone = format!("{}9", existing.phone);
    let run = mock.run(&[
        "instances",
        "connect",
        "--name",
        &existing.name,
        "--phone",
        &other_phone,
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stderr,
        format!(
            "warning: {} ({}) has phone {}, not {other_phone}; the API cannot change it\nconnected\n",
            existing.name, existing.id, existing.phone
        ),
        "{run:?}"
    );
    assert!(
        run.stdout.starts_with(&format!(
            "reusing {} ({}), which is WORKING\n",
            existing.name, existing.id
        )),
        "{run:?}"
    );
    assert!(mock.server.requests().iter().all(|r| r.method == "GET"));
}

#[test]
fn json_connect_prints_one_event_per_line() {
    let mock = Mock::start(MockConfig::default().without_rate_limits());
    let child = spawn_connect(&mock, "Json", &["--json"]);
    let id = created_id(&mock, "Json");
    assert!(mock.server.scan(&id));
    let run = finished(child);
    assert_eq!(run.code, 0, "{run:?}");
    let events: Vec<String> = run
        .stdout
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap()["event"].to_string())
        .collect();
    assert_eq!(
        events,
        [
            "\"created\"",
            "\"status\"",
            "\"qr_code\"",
            "\"status\"",
            "\"connected\""
        ],
        "{run:?}"
    );
    assert!(
        run.stdout.contains(r#""access_token":"1003|********""#),
        "tokens masked: {}",
        run.stdout
    );
}

#[test]
fn connect_exits_3_at_its_timeout_and_5_for_a_lasting_failure() {
    let mock = Mock::start(MockConfig::default().without_rate_limits());
    let run = mock.run(&[
        "instances",
        "connect",
        "--phone",
        "+201234567897",
        "--name",
        "Slow",
        "--timeout",
        "2s",
    ]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.stderr
            .contains("timed out after 2 s; the instance is SCAN_QR_CODE"),
        "{run:?}"
    );

    let failing = Mock::start(
        MockConfig::default()
            .without_rate_limits()
            .qr_lifetime(Duration::from_secs(1))
            .qr_codes_before_failure(1)
            .restart_timing(Duration::ZERO, Duration::ZERO),
    );
    let run = failing.run(&[
        "instances",
        "connect",
        "--phone",
        "+201234567898",
        "--name",
        "Doomed",
        "--timeout",
        "60s",
        "--qr-lifetime",
        "1s",
    ]);
    assert_eq!(run.code, 5, "{run:?}");
    assert!(
        run.stdout
            .contains("status FAILED\nrestarted it; a fresh QR code follows\n"),
        "{run:?}"
    );
    assert!(
        run.stderr
            .contains("the instance is FAILED after 1 restart(s)"),
        "{run:?}"
    );
}

#[test]
fn on_a_terminal_the_qr_code_counts_down_and_is_replaced_in_place() {
    let mock = Mock::start(MockConfig::default());
    let command = format!(
        "{} --base-url {} --token '{API_TOKEN}' instances connect --phone +201234567899 --name Live --qr-lifetime 4s; echo EXIT=$?; sleep 60",
        env!("CARGO_BIN_EXE_hypersender"),
        mock.server.base_url()
    );
    let tmux = Tmux::start(&command, 120, 70);
    let first = tmux.wait_for("QR code 1: expires in");
    assert!(first.contains("Instance  Live ("), "{first}");
    assert!(first.contains("Status    SCAN_QR_CODE"), "{first}");
    let id = created_id(&mock, "Live");
    assert_eq!(
        Some(decode_drawn_qr(&first)),
        mock.server.qr_payload(&id),
        "the screen scans"
    );

    let second = tmux.wait_for("QR code 2: expires in");
    assert!(
        !second.contains("QR code 1"),
        "replaced in place, not appended:\n{second}"
    );
    assert_eq!(second.matches("Instance  Live").count(), 1, "{second}");
    assert_eq!(
        Some(decode_drawn_qr(&second)),
        mock.server.qr_payload(&id),
        "the new code is drawn"
    );

    assert!(mock.server.scan(&id));
    let done = tmux.wait_for("EXIT=0");
    // The live screen is gone on exit: what stays is the instance's health.
    assert!(done.contains("connected\n"), "{done}");
    assert!(done.contains("status        WORKING\n"), "{done}");
    assert!(done.contains("connected_at"), "{done}");
    assert!(!done.contains("QR code"), "nothing stale left: {done}");
    assert_eq!(mock.server.status(&id), Some(InstanceStatus::Working));
}

#[test]
fn on_a_terminal_a_reused_instance_s_warning_stays_on_screen() {
    let mock = Mock::start(MockConfig::default());
    let waiting = recorded_instances()
        .into_iter()
        .find(|i| i.status == InstanceStatus::ScanQrCode)
        .expect("the recorded list has a SCAN_QR_CODE instance");
    let other_phone = format!("{}9", waiting.phone);
    let command = format!(
        "{} --base-url {} --token '{API_TOKEN}' instances connect --phone '{other_phone}' --name '{}' --qr-lifetime 4s; sleep 60",
        env!("CARGO_BIN_EXE_hypersender"),
        mock.server.base_url(),
        waiting.name
    );
    let tmux = Tmux::start(&command, 140, 70);
    let warning = format!(
        "warning: {} ({}) has phone {}, not {other_phone}",
        waiting.name, waiting.id, waiting.phone
    );
    let first = tmux.wait_for("QR code 1: expires in");
    assert_eq!(first.matches(&warning).count(), 1, "{first}");
    // Still there, once, after the countdown redrew the screen each second
    // until the code expired.
    let expired = tmux.wait_for("QR code 1 expired");
    assert_eq!(expired.matches(&warning).count(), 1, "{expired}");
    assert_eq!(expired.matches("Instance  ").count(), 1, "{expired}");
}
