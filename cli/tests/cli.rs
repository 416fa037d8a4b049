//! Drives the `hypersender` binary against the embedded mock: every
//! command, table and JSON output (golden files in tests/golden; rerun with
//! UPDATE_GOLDEN=1 to rewrite them after a deliberate change), the QR code
//! drawn from a real PNG, `wait`, bad input and server errors.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use base64::Engine as _;
use hypersender::InstanceStatus;
use hypersender_mock_server::MockConfig;
use support::*;

#[test]
fn list_prints_a_table_and_json() {
    let mock = Mock::frozen();
    let table = succeeded(mock.run(&["instances", "list"]));
    golden("list.txt", &table.stdout);
    assert!(!table.stdout.contains(ACCESS_TOKEN), "masked by default");
    let json = succeeded(mock.run(&["instances", "list", "--json"]));
    golden("list.json", &json.stdout);
    let decoded: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(decoded[0]["access_token"], "234|********");
    assert_eq!(decoded[1]["access_token"], serde_json::Value::Null);
}

#[test]
fn show_secrets_prints_access_tokens_in_full() {
    let mock = Mock::frozen();
    let table = succeeded(mock.run(&["instances", "list", "--show-secrets"]));
    assert!(table.stdout.contains(ACCESS_TOKEN), "{}", table.stdout);
    let json = succeeded(mock.run(&["--json", "--show-secrets", "instances", "list"]));
    let decoded: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(decoded[0]["access_token"], ACCESS_TOKEN);
}

#[test]
fn list_filters_reach_the_server() {
    let mock = Mock::frozen();
    let ids = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["instances", "list", "--json"];
        all.extend_from_slice(args);
        let run = succeeded(mock.run(&all));
        let decoded: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        decoded
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&["--status", "SCAN_QR_CODE"]), [WAITING_ID]);
    assert_eq!(ids(&["--name", "second"]), [WAITING_ID]);
    assert_eq!(ids(&["--name", "Instance"]), [WORKING_ID, WAITING_ID]);
    assert_eq!(ids(&["--phone", "+201234567890"]), [WORKING_ID]);
    assert_eq!(ids(&["--uuid", WAITING_ID]), [WAITING_ID]);
    assert_eq!(
        ids(&["--status", "WORKING", "--name", "second"]),
        Vec::<String>::new()
    );
    let none = succeeded(mock.run(&["instances", "list", "--status", "FAILED"]));
    assert_eq!(none.stdout, "No instances.\n");
}

#[test]
fn create_shows_the_instance_and_a_scannable_qr_code() {
    let mock = Mock::frozen();
    let args = [
        "instances",
        "create",
        "--phone",
        "+201234567892",
        "--name",
        "Support Line",
        "--webhook-url",
        "https://example.com/hook",
    ];
    let run = succeeded(mock.run(&args));
    golden("create.txt", &run.stdout);
    let id = last_created_id(&mock);
    assert!(run.stdout.contains(&id));
    assert_eq!(
        decode_drawn_qr(&run.stdout),
        mock.server.qr_payload(&id).unwrap()
    );
    assert_eq!(mock.server.status(&id), Some(InstanceStatus::ScanQrCode));
    assert_eq!(
        mock.server.webhook_url(&id),
        Some(Some("https://example.com/hook".to_owned()))
    );
}

#[test]
fn create_prints_json_and_saves_the_png() {
    let mock = Mock::frozen();
    let png_path =
        std::env::temp_dir().join(format!("hypersender-cli-test-{}.png", std::process::id()));
    let png_arg = png_path.to_str().unwrap();
    let args = [
        "--json",
        "instances",
        "create",
        "--phone",
        "+201234567892",
        "--name",
        "Support Line",
        "--qr-png",
        png_arg,
    ];
    let run = succeeded(mock.run(&args));
    golden("create.json", &run.stdout);
    assert!(
        run.stderr.contains("saved the QR code to"),
        "{}",
        run.stderr
    );
    let decoded: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let saved = std::fs::read(&png_path).unwrap();
    std::fs::remove_file(&png_path).unwrap();
    let sent = base64::engine::general_purpose::STANDARD
        .decode(decoded["qr_code"].as_str().unwrap())
        .unwrap();
    assert_eq!(saved, sent, "the PNG is saved byte for byte");
    let id = decoded["id"].as_str().unwrap();
    assert_eq!(decode_png_qr(&saved), mock.server.qr_payload(id).unwrap());
    assert_eq!(decoded["access_token"].as_str().unwrap(), "1003|********");
}

#[test]
fn qr_replaces_the_code_and_draws_the_new_one() {
    let mock = Mock::frozen();
    let old = mock.server.qr_payload(WORKING_ID).unwrap();
    let run = succeeded(mock.run(&["instances", "qr", WORKING_ID]));
    let new = mock.server.qr_payload(WORKING_ID).unwrap();
    assert_ne!(old, new);
    assert_eq!(decode_drawn_qr(&run.stdout), new);
    assert!(
        run.stdout.contains("status        SCAN_QR_CODE\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("access_token  234|********\n"),
        "{}",
        run.stdout
    );
    // The documented limit is one new code per minute.
    let again = mock.run(&["instances", "qr", WORKING_ID]);
    assert_eq!(again.code, 1);
    let limit = hypersender::catalog::REQUEST_NEW_QR_CODE
        .rate_limit
        .unwrap();
    assert_eq!(
        again.stderr,
        format!(
            "error: rate limit reached: {} can be sent again in {} s\n",
            hypersender::catalog::REQUEST_NEW_QR_CODE.summary,
            limit.per.as_secs()
        )
    );
}

#[test]
fn health_and_restart_print_tables_and_json() {
    let mock = Mock::frozen();
    golden(
        "health.txt",
        &succeeded(mock.run(&["instances", "health", WORKING_ID])).stdout,
    );
    golden(
        "health.json",
        &succeeded(mock.run(&["instances", "health", WORKING_ID, "--json"])).stdout,
    );
    golden(
        "restart.txt",
        &succeeded(mock.run(&["instances", "restart", WORKING_ID])).stdout,
    );
    golden(
        "restart.json",
        &succeeded(mock.run(&["--json", "instances", "restart", WAITING_ID])).stdout,
    );
    assert_eq!(
        mock.server.status(WORKING_ID),
        Some(InstanceStatus::Stopped)
    );
    let unlinked = succeeded(mock.run(&["instances", "health", WAITING_ID]));
    assert_eq!(
        unlinked.stdout,
        format!("instance_id   {WAITING_ID}\nstatus        STOPPED\nconnected_at  -\n")
    );
}

#[test]
fn qr_and_wait_print_tables_and_json() {
    let mock = Mock::frozen();
    golden(
        "qr.txt",
        &succeeded(mock.run(&["instances", "qr", WAITING_ID])).stdout,
    );
    mock.server.advance_clock(Duration::from_secs(60));
    let json = succeeded(mock.run(&["instances", "qr", WAITING_ID, "--json"]));
    golden("qr.json", &json.stdout);
    let wait = ["instances", "wait", WORKING_ID, "--timeout", "5"];
    golden("wait.txt", &succeeded(mock.run(&wait)).stdout);
    golden(
        "wait.json",
        &succeeded(mock.run(&[&wait[..], &["--json"]].concat())).stdout,
    );
}

#[test]
fn wait_polls_until_the_restart_reaches_working() {
    let mock = Mock::start(
        MockConfig::default().restart_timing(Duration::from_secs(1), Duration::from_secs(2)),
    );
    succeeded(mock.run(&["instances", "restart", WORKING_ID]));
    let started = Instant::now();
    let run = succeeded(mock.run(&["instances", "wait", WORKING_ID, "--timeout", "30"]));
    let elapsed = started.elapsed();
    // The first check sees STOPPED; the next, 6 s later (10 per minute), WORKING.
    let progress: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(progress.len(), 2, "{}", run.stderr);
    assert!(progress[0].ends_with("] STOPPED"), "{}", run.stderr);
    assert!(progress[1].ends_with("] WORKING"), "{}", run.stderr);
    assert!(
        elapsed >= Duration::from_secs(6),
        "polled faster than 10 per minute: {elapsed:?}"
    );
    assert!(
        run.stdout.contains("status        WORKING\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn wait_times_out_with_exit_code_3() {
    let mock = Mock::frozen();
    let started = Instant::now();
    let run = mock.run(&["--json", "instances", "wait", WAITING_ID, "--timeout", "1"]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert!(
        run.stderr.contains(&format!(
            "timed out after 1 s: {WAITING_ID} is SCAN_QR_CODE, not WORKING"
        )),
        "{}",
        run.stderr
    );
    let last: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(last["status"], "SCAN_QR_CODE");
}

#[test]
fn wait_for_another_status_and_for_an_unknown_instance() {
    let mock = Mock::frozen();
    let run = succeeded(mock.run(&["instances", "wait", WAITING_ID, "--until", "SCAN_QR_CODE"]));
    assert!(run.stdout.contains("SCAN_QR_CODE"));
    let missing = mock.run(&["instances", "wait", "no-such-id"]);
    assert_eq!(missing.code, 1);
    assert_eq!(
        missing.stderr.lines().last().unwrap(),
        "error: check_health: HTTP 404 Not Found: Instance not found."
    );
}

#[test]
fn server_errors_print_status_and_message_only() {
    let mock = Mock::frozen();
    let duplicate = mock.run(&[
        "instances",
        "create",
        "--phone",
        "+201234567899",
        "--name",
        "MyInstanceName",
    ]);
    assert_eq!(duplicate.code, 1);
    assert_eq!(
        duplicate.stderr,
        "error: create_instance: HTTP 422 Unprocessable Entity: name: The name has already been taken.\n"
    );
    let wrong_token = hypersender(
        &[
            "--base-url",
            &mock.server.base_url(),
            "--token",
            "8|wrongTokenSecretPart",
            "instances",
            "list",
        ],
        &[],
    );
    assert_eq!(wrong_token.code, 1);
    assert_eq!(
        wrong_token.stderr,
        "error: list_instances: HTTP 401 Unauthorized: Unauthenticated.\n"
    );
    assert!(!wrong_token.stderr.contains("wrongTokenSecretPart"));
    for run in [&duplicate, &wrong_token] {
        assert!(run.stdout.is_empty());
        assert!(
            !run.stderr.contains("HttpError") && !run.stderr.contains('{'),
            "{run:?}"
        );
    }
}

#[test]
fn text_from_the_server_cannot_drive_the_terminal() {
    let mock = Mock::frozen();
    succeeded(mock.run(&[
        "instances",
        "create",
        "--phone",
        "+201234567899",
        "--name",
        "evil\u{1b}[2J",
    ]));
    let run = succeeded(mock.run(&["instances", "list", "--name", "evil"]));
    assert!(!run.stdout.contains('\u{1b}'), "{:?}", run.stdout);
    assert!(run.stdout.contains("evil\\u{1b}[2J"), "{}", run.stdout);
}

#[test]
fn a_qr_code_that_is_not_an_image_is_reported_not_drawn() {
    use hypersender_httpmock::MockServerExt;
    // The documented example: its qr_code is cut short ("...").
    let documented: hypersender::types::InstanceWithQrCode =
        serde_json::from_str(include_str!("../../tests/fixtures/create_instance.json")).unwrap();
    let server = httpmock::MockServer::start();
    let create = server.create_instance(|_, then| {
        then.created(&documented);
    });
    let new_qr = server.request_new_qr_code(|when, then| {
        when.instance(WAITING_ID);
        then.ok(&documented);
    });
    let base_url = server.base_url();
    let create_args = [
        "instances",
        "create",
        "--phone",
        "+201234567890",
        "--name",
        "MyInstanceName",
    ];
    // The instance exists: a warning, exit 0, so scripts do not create it twice.
    let created = succeeded(against(&base_url, &create_args));
    assert!(
        created
            .stdout
            .contains(&format!("id            {WAITING_ID}\n")),
        "{}",
        created.stdout
    );
    assert_eq!(
        created.stderr,
        format!(
            "warning: the QR code cannot be drawn: qr_code: not valid base64 (Invalid symbol 46, offset 25.); `hypersender instances qr {WAITING_ID}` asks for a new one\n"
        )
    );
    // Asking for a QR code and getting none is a failure.
    let qr = against(&base_url, &["instances", "qr", WAITING_ID]);
    assert_eq!(qr.code, 4, "{qr:?}");
    assert_eq!(
        qr.stderr,
        "error: the QR code cannot be drawn: qr_code: not valid base64 (Invalid symbol 46, offset 25.)\n"
    );
    let png = std::env::temp_dir().join(format!("hypersender-cli-bad-{}.png", std::process::id()));
    let saved = against(
        &base_url,
        &[
            "instances",
            "qr",
            WAITING_ID,
            "--qr-png",
            png.to_str().unwrap(),
        ],
    );
    assert_eq!(saved.code, 4);
    assert!(!png.exists(), "nothing is written when there is no image");
    create.assert_calls(1);
    new_qr.assert_calls(2);
}

/// What the overlay says a field's rule is, in words (so this test follows
/// the spec rather than pinning today's wording).
fn rule_words(operation: &hypersender::catalog::Operation, name: &str) -> String {
    let rule = operation
        .field(name)
        .map(|field| field.rule)
        .or_else(|| operation.parameter(name).map(|parameter| parameter.rule))
        .unwrap_or_else(|| panic!("{} has no `{name}`", operation.id));
    rule.words
        .unwrap_or_else(|| panic!("the overlay says `{name}`'s rule in words"))
        .to_owned()
}

#[test]
fn bad_input_is_refused_before_sending() {
    use hypersender::catalog::{CREATE_INSTANCE, LIST_INSTANCES};
    let phone = rule_words(&CREATE_INSTANCE, "phone");
    let name = rule_words(&CREATE_INSTANCE, "name");
    let url = rule_words(&CREATE_INSTANCE, "webhook_url");
    let filter_phone = rule_words(&LIST_INSTANCES, "filter[phone]");
    let max_name = CREATE_INSTANCE
        .field("name")
        .unwrap()
        .rule
        .max_length
        .unwrap();
    let long_name = "n".repeat(max_name + 1);
    let create = |phone: &str, name: &str| -> Vec<String> {
        ["instances", "create", "--phone", phone, "--name", name]
            .map(str::to_owned)
            .to_vec()
    };
    let mut with_url = create("+201234567890", "x");
    with_url.extend([
        "--webhook-url".to_owned(),
        "http://example.com/hook".to_owned(),
    ]);
    let words = |args: &[&str]| args.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>();
    let cases: Vec<(Vec<String>, String)> = vec![
        (
            create("201234567890", "x"),
            format!("--phone \"201234567890\": must be {phone}"),
        ),
        (
            create("+20 123", "x"),
            format!("--phone \"+20 123\": must be {phone}"),
        ),
        (
            create("+201234567890", &long_name),
            format!("--name \"{long_name}\": must have at most {max_name} characters"),
        ),
        (
            create("+201234567890", "   "),
            format!("--name \"   \": must be {name}"),
        ),
        (
            with_url,
            format!("--webhook-url \"http://example.com/hook\": must be {url}"),
        ),
        (
            words(&["instances", "list", "--phone", "0123"]),
            format!("--phone \"0123\": must be {filter_phone}"),
        ),
        (
            words(&["instances", "health", ".."]),
            "ID \"..\": must not be empty, `.` or `..`".to_owned(),
        ),
        (
            words(&["instances", "restart", "."]),
            "ID \".\": must not be empty, `.` or `..`".to_owned(),
        ),
        (
            words(&["instances", "qr", ""]),
            "ID \"\": must not be empty, `.` or `..`".to_owned(),
        ),
    ];
    for (args, message) in cases {
        let silent = Silent::new();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = against(&silent.url(), &args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert_eq!(
            run.stderr,
            format!("error: {message}; nothing was sent\n"),
            "{args:?}"
        );
        assert!(!silent.was_contacted(), "{args:?} sent a request");
    }
    // Clap's own refusals keep clap's words (the statuses it offers are the
    // spec's), and send nothing either.
    let statuses = format!(
        "invalid value 'RUNNING' for '--status <STATUS>'\n  [possible values: {}]",
        InstanceStatus::VALUES.join(", ")
    );
    let clap_cases: [(&[&str], &str); 3] = [
        (&["instances", "list", "--status", "RUNNING"], &statuses),
        (
            &["instances", "wait", WORKING_ID, "--until", "working"],
            "invalid value 'working' for '--until <STATUS>'",
        ),
        (
            &["instances", "wait", WORKING_ID, "--timeout", "0"],
            "the timeout must be at least 1 second",
        ),
    ];
    for (args, message) in clap_cases {
        let silent = Silent::new();
        let run = against(&silent.url(), args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
        assert!(!silent.was_contacted(), "{args:?} sent a request");
    }
}

#[test]
fn a_missing_token_is_refused_before_sending() {
    let silent = Silent::new();
    let url = silent.url();
    for env in [
        &[][..],
        &[("HYPERSENDER_TOKEN", "")][..],
        &[("HYPERSENDER_TOKEN", "  ")][..],
    ] {
        let run = hypersender(&["--base-url", &url, "instances", "list"], env);
        assert_eq!(run.code, 2, "{run:?}");
        assert_eq!(
            run.stderr,
            "error: no API token: pass --token or set HYPERSENDER_TOKEN (or try --mock)\n"
        );
    }
    assert!(!silent.was_contacted());
    // The environment variables are read when the flags are absent.
    let mock = Mock::frozen();
    let run = hypersender(
        &["instances", "list"],
        &[
            ("HYPERSENDER_TOKEN", API_TOKEN),
            ("HYPERSENDER_BASE_URL", &mock.server.base_url()),
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn a_bad_base_url_is_bad_input_and_an_unreachable_one_an_error() {
    let bad = against("not-a-url", &["instances", "list"]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(
        bad.stderr
            .starts_with("error: invalid client configuration: base URL \"not-a-url\""),
        "{}",
        bad.stderr
    );
    let (_held, closed) = refusing_address();
    let url = format!("http://{closed}");
    let down = against(&url, &["instances", "restart", WORKING_ID]);
    assert_eq!(down.code, 1, "{down:?}");
    assert!(
        down.stderr
            .starts_with("error: restart_instance: could not talk to the server"),
        "{}",
        down.stderr
    );
}

#[test]
fn every_command_runs_offline_with_mock() {
    let list = succeeded(hypersender(&["--mock", "instances", "list"], &[]));
    // The embedded mock serves the spec's documented example.
    let documented = succeeded(Mock::documented().run(&["instances", "list"]));
    assert_eq!(list.stdout, documented.stdout);
    assert!(list.stderr.contains("embedded mock"), "{}", list.stderr);
    let seed = hypersender_mock_server::seed_instances().unwrap();
    let any_id = seed[0].id.as_str();
    let working_id = seed
        .iter()
        .find(|i| i.status == InstanceStatus::Working)
        .map(|i| i.id.as_str())
        .expect("the documented example has a WORKING instance");
    let create = succeeded(hypersender(
        &[
            "--mock",
            "instances",
            "create",
            "--phone",
            "+201234567892",
            "--name",
            "Demo",
        ],
        &[],
    ));
    assert!(create.stdout.contains("status        SCAN_QR_CODE\n"));
    assert!(!decode_drawn_qr(&create.stdout).is_empty());
    for args in [
        &["--mock", "instances", "health", any_id][..],
        &["--mock", "instances", "qr", any_id],
        &["--mock", "instances", "restart", any_id],
        &["--mock", "instances", "wait", working_id, "--timeout", "5"],
    ] {
        succeeded(hypersender(args, &[]));
    }
    // A variable left set does not fight --mock; an explicit flag does.
    let env_set = hypersender(
        &["--mock", "instances", "list"],
        &[("HYPERSENDER_BASE_URL", "http://192.0.2.1")],
    );
    assert_eq!(env_set.code, 0, "{env_set:?}");
    let both = hypersender(
        &[
            "--mock",
            "--base-url",
            "http://192.0.2.1",
            "instances",
            "list",
        ],
        &[],
    );
    assert_eq!(both.code, 2);
    // A token given with --mock is the one the mock accepts.
    succeeded(hypersender(
        &["--mock", "--token", API_TOKEN, "instances", "list"],
        &[],
    ));
}

#[test]
fn the_mock_command_serves_until_stopped_and_its_banner_pastes() {
    let mut mock = Spawned::hypersender(&["mock", "--addr", "127.0.0.1:0"]);
    let banner = mock.lines(10);
    let url = banner[0]
        .strip_prefix("Mock Hypersender API listening on ")
        .unwrap()
        .to_owned();
    let token = hypersender_mock_server::DEFAULT_TOKEN;
    assert_eq!(
        banner[1],
        format!("Token: {token} (the mock's, not a real one)")
    );
    // Every command line the banner prints runs as pasted (with this
    // build's binary for `hypersender`).
    let pasted = |line: &str| {
        let line = line.trim_start();
        let line = line
            .strip_prefix("hypersender ")
            .map(|rest| format!("{} {rest}", env!("CARGO_BIN_EXE_hypersender")))
            .unwrap_or_else(|| line.to_owned());
        Command::new("sh")
            .args(["-c", &line])
            .env_remove("HYPERSENDER_TOKEN")
            .output()
            .unwrap()
    };
    let list = pasted(&banner[4].replace(" instances list", " instances list --json"));
    assert!(list.status.success(), "{list:?}");
    let decoded: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(
        decoded.as_array().unwrap().len(),
        hypersender_mock_server::seed_instances().unwrap().len()
    );
    let exported = pasted(&format!(
        "{}; {} instances list --json",
        banner[5].trim_start(),
        env!("CARGO_BIN_EXE_hypersender")
    ));
    assert_eq!(exported.stdout, list.stdout, "{exported:?}");
    // The scan lines: the CLI's and curl's both link a fresh code.
    let fresh = |name: &str| -> String {
        let created = pasted(&format!(
            "{} --base-url {url} --token '{token}' --json instances create --phone +201234567801 --name {name}",
            env!("CARGO_BIN_EXE_hypersender")
        ));
        assert!(created.status.success(), "{created:?}");
        let created: serde_json::Value = serde_json::from_slice(&created.stdout).unwrap();
        created["id"].as_str().unwrap().to_owned()
    };
    let id = fresh("BannerCli");
    let scan = pasted(&banner[7].replace(" ID", &format!(" {id}")));
    assert!(scan.status.success(), "{scan:?}");
    let id = fresh("BannerCurl");
    let curl = pasted(&format!(
        "{} -s",
        banner[8].replace("/ID/", &format!("/{id}/"))
    ));
    assert!(curl.status.success(), "{curl:?}");
    assert!(
        String::from_utf8_lossy(&curl.stdout).contains("\"linked\":true"),
        "{curl:?}"
    );
    let health = pasted(&format!(
        "{} --base-url {url} --token '{token}' --json instances health {id}",
        env!("CARGO_BIN_EXE_hypersender")
    ));
    assert!(
        String::from_utf8_lossy(&health.stdout).contains("WORKING"),
        "{health:?}"
    );
}

#[test]
fn help_lists_every_command_and_the_exit_codes() {
    let help = succeeded(hypersender(&["--help"], &[]));
    for text in [
        "instances",
        "mock",
        "--json",
        "--show-secrets",
        "--mock",
        "3  `wait` or `connect` timed out",
        "api",
    ] {
        assert!(help.stdout.contains(text), "{text}: {}", help.stdout);
    }
    let instances = succeeded(hypersender(&["instances", "--help"], &[]));
    for command in ["list", "create", "health", "qr", "restart", "wait"] {
        assert!(instances.stdout.contains(command), "{command}");
    }
}

/// The id of the instance the mock created last (listed first).
fn last_created_id(mock: &Mock) -> String {
    let run = succeeded(mock.run(&["instances", "list", "--json"]));
    let decoded: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    decoded[0]["id"].as_str().unwrap().to_owned()
}

#[test]
fn the_readme_first_command_runs_the_tool_offline() {
    let readme = include_str!("../../README.md");
    let first = readme
        .lines()
        .skip_while(|line| *line != "```sh")
        .nth(1)
        .unwrap();
    let command = first.split('#').next().unwrap().trim();
    let args = command
        .strip_prefix("cargo run --bin hypersender -- ")
        .unwrap_or_else(|| panic!("the README's first command is not the CLI: {command}"));
    let args: Vec<&str> = args.split_whitespace().collect();
    assert!(
        args.contains(&"--mock"),
        "the first command must run offline"
    );
    let run = succeeded(hypersender(&args, &[]));
    let documented = succeeded(Mock::documented().run(&["instances", "list"]));
    assert_eq!(run.stdout, documented.stdout);
}

#[test]
fn a_404_for_a_route_hints_at_the_base_url_and_one_for_an_id_does_not() {
    let mock = Mock::frozen();
    let hint = format!(
        " (no such route: is the base URL right? The API's is {}, with its /api/whatsapp/v1 path)",
        hypersender::DEFAULT_BASE_URL
    );
    let root = mock.server.base_url().replace("/api/whatsapp/v1", "");
    for args in [
        &["instances", "list"][..],
        &["instances", "health", WORKING_ID],
        &["instances", "restart", WORKING_ID],
    ] {
        let run = against(&root, args);
        assert_eq!(run.code, 1, "{args:?}: {run:?}");
        assert!(
            run.stderr.starts_with("error: ") && run.stderr.ends_with(&format!("{hint}\n")),
            "{args:?}: {run:?}"
        );
    }
    let unknown = mock.run(&["instances", "health", "no-such-instance"]);
    assert_eq!(unknown.code, 1);
    assert!(!unknown.stderr.contains("no such route"), "{unknown:?}");
}

#[test]
fn mock_scan_links_a_fresh_code_and_says_why_an_expired_one_does_not() {
    let mock = Mock::frozen();
    let scan = |id: &str| mock.run(&["mock", "scan", id]);
    mock.server
        .advance_clock(hypersender::QR_CODE_LIFETIME + Duration::from_secs(5));
    let expired = scan(WAITING_ID);
    assert_eq!(expired.code, 1, "{expired:?}");
    let reason = expired
        .stdout
        .strip_prefix("not linked: its QR code expired ")
        .unwrap_or_else(|| panic!("{expired:?}"));
    assert!(
        reason.ends_with(" s ago: request a new one (instances qr ID, or connect)\n"),
        "{expired:?}"
    );
    assert_eq!(
        mock.server.status(WAITING_ID),
        Some(InstanceStatus::ScanQrCode)
    );
    succeeded(mock.run(&["instances", "qr", WAITING_ID]));
    let linked = succeeded(scan(WAITING_ID));
    assert_eq!(
        linked.stdout,
        format!("scanned: {WAITING_ID} is linked and WORKING\n")
    );
    assert_eq!(
        mock.server.status(WAITING_ID),
        Some(InstanceStatus::Working)
    );
    let again = scan(WAITING_ID);
    assert_eq!(again.code, 1);
    assert_eq!(
        again.stdout,
        "not linked: the instance is WORKING, not waiting for a scan (SCAN_QR_CODE)\n"
    );
}

#[test]
fn the_embedded_mock_connects_in_one_command_when_its_phone_scans() {
    let run = hypersender(
        &[
            "--mock",
            "instances",
            "connect",
            "--phone",
            "+201234567871",
            "--name",
            "Offline",
            "--mock-scan-after",
            "1s",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.starts_with("created Offline ("), "{run:?}");
    assert!(run.stdout.contains("status        WORKING\n"), "{run:?}");
    let without = hypersender(
        &[
            "--mock",
            "instances",
            "connect",
            "--phone",
            "+201234567872",
            "--name",
            "Nobody",
            "--timeout",
            "1s",
        ],
        &[],
    );
    assert_eq!(without.code, 3, "{without:?}");
    assert_eq!(
        without.stderr,
        "note: using an embedded mock of the API; nothing leaves this machine\n\
         note: nobody can scan an embedded mock's QR code; add --mock-scan-after 5s to have its phone scan it\n\
         timed out after 1 s; the instance is SCAN_QR_CODE\n",
    );
}
