//! Each documented exit code, caused for real (`hypersender --help` lists
//! them; the codes come from cli/src/failure.rs).

mod support;

use httpmock::MockServer;
use support::*;

fn answering(status: u16, body: &str) -> MockServer {
    let server = MockServer::start();
    let body = body.to_owned();
    server.mock(|_, then| {
        then.status(status)
            .header("content-type", "application/json")
            .body(body);
    });
    server
}

#[test]
fn help_lists_every_code() {
    let help = succeeded(hypersender(&["--help"], &[]));
    for code in 0..=6 {
        assert!(
            help.stdout.contains(&format!("\n  {code}  ")),
            "{}",
            help.stdout
        );
    }
}

#[test]
fn zero_when_done() {
    let mock = Mock::frozen();
    assert_eq!(mock.run(&["instances", "list"]).code, 0);
}

#[test]
fn one_when_the_api_refuses_or_cannot_be_reached() {
    let mock = Mock::frozen();
    let refused = mock.run(&["instances", "health", "no-such-instance"]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert_eq!(
        refused.stderr,
        "error: check_health: HTTP 404 Not Found: Instance not found.\n"
    );
    let (_held, closed) = refusing_address();
    let down = against(
        &format!("http://{closed}"),
        &["instances", "restart", WORKING_ID],
    );
    assert_eq!(down.code, 1, "{down:?}");
    assert_eq!(down.stderr.lines().count(), 1, "{down:?}");
    let line = down.stderr.to_lowercase();
    assert!(
        line.starts_with("error: restart_instance: could not talk to the server: ")
            && line.contains("connection refused"),
        "the whole cause chain, on one line: {}",
        down.stderr
    );
}

#[test]
fn two_for_bad_input_with_nothing_sent() {
    let mock = Mock::frozen();
    let run = mock.run(&["instances", "health", ".."]);
    assert_eq!(run.code, 2, "{run:?}");
}

#[test]
fn four_when_the_answer_cannot_be_used() {
    let undecodable = answering(200, r#"{"unexpected": true}"#);
    let run = against(
        &undecodable.base_url(),
        &["instances", "health", WORKING_ID],
    );
    assert_eq!(run.code, 4, "{run:?}");
    assert!(
        run.stderr
            .starts_with("error: check_health: unexpected response body at `"),
        "{run:?}"
    );
    let truncated_qr = answering(
        200,
        &hypersender_tests_example("request_new_qr_code")
            .replace("\"qr_code\":\"", "\"qr_code\":\"not base64!"),
    );
    let run = against(&truncated_qr.base_url(), &["instances", "qr", WORKING_ID]);
    assert_eq!(run.code, 4, "{run:?}");
    assert!(
        run.stderr.contains("the QR code cannot be drawn"),
        "{run:?}"
    );
}

#[test]
fn six_for_a_local_problem() {
    let mock = Mock::frozen();
    let run = mock.run(&[
        "instances",
        "qr",
        WAITING_ID,
        "--qr-png",
        "/nonexistent-folder/qr.png",
    ]);
    assert_eq!(run.code, 6, "{run:?}");
    assert!(
        run.stderr
            .starts_with("error: cannot write /nonexistent-folder/qr.png"),
        "{run:?}"
    );
}

/// The documented example of an operation, from the catalog.
fn hypersender_tests_example(operation: &str) -> String {
    let example = hypersender::catalog::find(operation)
        .and_then(|op| op.success_example)
        .expect("the spec documents an example");
    serde_json::from_str::<serde_json::Value>(example)
        .unwrap()
        .to_string()
}

#[test]
fn five_when_the_instance_is_failed() {
    let failed = answering(
        200,
        r#"{"instance_id": "fa3d01c4", "connected_at": null, "status": "FAILED"}"#,
    );
    let run = against(
        &failed.base_url(),
        &["instances", "wait", WORKING_ID, "--timeout", "60"],
    );
    assert_eq!(run.code, 5, "{run:?}");
    assert!(run.stderr.contains("is FAILED"), "{run:?}");
    let waiting_for_failed = against(
        &failed.base_url(),
        &["instances", "wait", WORKING_ID, "--until", "FAILED"],
    );
    assert_eq!(waiting_for_failed.code, 0, "{waiting_for_failed:?}");
}

#[test]
fn a_refused_connection_is_reported_as_it_is_retried() {
    let (_held, closed) = refusing_address();
    let run = against(&format!("http://{closed}"), &["instances", "list"]);
    assert_eq!(run.code, 1, "{run:?}");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 4, "three retries, then the error: {run:?}");
    for (retry, line) in lines[..3].iter().enumerate() {
        // One short line each, the cause in a few words; the backoff's
        // seconds are the policy's (jittered), so only their shape is fixed.
        let rest = line
            .strip_prefix("retrying in ")
            .unwrap_or_else(|| panic!("{line}"));
        let (seconds, rest) = rest.split_once(' ').unwrap();
        assert!(seconds.parse::<u64>().is_ok(), "{line}");
        assert_eq!(
            rest,
            format!("s (connection refused), attempt {} of 4", retry + 2),
            "{line}"
        );
    }
    assert!(lines[3].starts_with("error: list_instances: could not talk to the server: "));
}

#[test]
fn verbose_shows_each_request() {
    let mock = Mock::frozen();
    let run = mock.run(&["-v", "instances", "health", WORKING_ID]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr
            .contains(r#"operation="check_health" method="GET" path="/{instance}/health""#)
            && run.stderr.contains("status=200"),
        "{}",
        run.stderr
    );
}

#[test]
fn help_lists_the_interrupt_code() {
    let help = succeeded(hypersender(&["--help"], &[]));
    assert!(
        help.stdout.contains("\n130  interrupted (Ctrl-C)"),
        "{}",
        help.stdout
    );
}

#[test]
fn six_for_a_file_that_cannot_be_used_with_nothing_sent() {
    let missing = std::env::temp_dir().join("hypersender-no-such-folder/x");
    let missing = missing.to_str().unwrap();
    let cases: [&[&str]; 4] = [
        &[
            "api",
            "create_instance",
            "--body",
            &format!("@{missing}.json"),
        ],
        &["apply", &format!("{missing}.toml")],
        &[
            "instances",
            "create",
            "--phone",
            "+201234567890",
            "--name",
            "Shop",
            "--qr-png",
            &format!("{missing}.png"),
        ],
        &[
            "instances",
            "qr",
            WORKING_ID,
            "--qr-png",
            &format!("{missing}.png"),
        ],
    ];
    for args in cases {
        let silent = Silent::new();
        let run = against(&silent.url(), args);
        assert_eq!(run.code, 6, "{args:?}: {run:?}");
        assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {run:?}");
        assert!(
            run.stderr.starts_with("error: ") && run.stderr.contains(missing),
            "names the file: {run:?}"
        );
        assert!(!silent.was_contacted(), "{args:?} sent a request");
    }
}

/// `hypersender args...` against `mock`, its output to files the test
/// reads while it runs; Ctrl-C (SIGINT) once stdout or stderr shows `after`.
fn interrupted(mock: &Mock, args: &[&str], after: &str) -> Run {
    let file = |stream: &str| {
        std::env::temp_dir().join(format!(
            "hypersender-interrupt-{}-{stream}-{}.txt",
            std::process::id(),
            args.join("-").replace('/', "_")
        ))
    };
    let (stdout, stderr) = (file("out"), file("err"));
    let printed =
        || std::fs::read_to_string(&stdout).unwrap() + &std::fs::read_to_string(&stderr).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hypersender"))
        .args(["--base-url", &mock.server.base_url(), "--token", API_TOKEN])
        .args(args)
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !printed().contains(after) {
        if std::time::Instant::now() >= deadline {
            let _ = child.kill();
            panic!("never printed {after:?}: {}", printed());
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let signal = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(signal.success());
    let status = child.wait().unwrap();
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout: std::fs::read_to_string(&stdout).unwrap(),
        stderr: std::fs::read_to_string(&stderr).unwrap(),
    };
    let _ = std::fs::remove_file(&stdout);
    let _ = std::fs::remove_file(&stderr);
    run
}

#[test]
fn one_thirty_on_ctrl_c_with_a_line_saying_what_was_done() {
    // apply: 8 creates against a limit of 5 a minute; interrupted while the
    // limit holds the sixth back.
    let mock = Mock::start(hypersender_mock_server::MockConfig::default());
    let creates = 8;
    let fleet: String = (0..creates)
        .map(|n| format!("[[instance]]\nname = \"Branch {n}\"\nphone = \"+2012345670{n:02}\"\n\n"))
        .collect();
    let file =
        std::env::temp_dir().join(format!("hypersender-interrupt-{}.toml", std::process::id()));
    std::fs::write(&file, fleet).unwrap();
    let limit = hypersender::catalog::CREATE_INSTANCE
        .rate_limit
        .unwrap()
        .requests as usize;
    let run = interrupted(
        &mock,
        &["apply", file.to_str().unwrap(), "--yes"],
        "waiting for the rate limit",
    );
    assert_eq!(run.code, 130, "{run:?}");
    assert_eq!(
        run.stderr.lines().last().unwrap(),
        format!(
            "interrupted: {limit} of {creates} created, {} not; run apply again to create the rest (it plans only what is missing)",
            creates - limit
        ),
        "{run:?}"
    );

    // wait: nothing was changed, and the line says what it waited for.
    let run = interrupted(
        &mock,
        &["instances", "wait", WAITING_ID, "--timeout", "60"],
        "SCAN_QR_CODE",
    );
    assert_eq!(run.code, 130, "{run:?}");
    assert!(
        run.stderr
            .lines()
            .last()
            .unwrap()
            .starts_with("interrupted"),
        "{run:?}"
    );

    // watch, piped: JSON Lines until Ctrl-C, then the summary.
    let run = interrupted(
        &mock,
        &["instances", "watch", "--interval", "1s"],
        "\"event\"",
    );
    assert_eq!(run.code, 130, "{run:?}");
    assert!(
        run.stderr
            .lines()
            .last()
            .unwrap()
            .starts_with("stopped watching after "),
        "{run:?}"
    );
}
