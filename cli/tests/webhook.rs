//! `hypersender webhook listen` and `send`, and the offline loop with
//! `hypersender mock --webhook-to`: what each prints, its answers and exit
//! codes, as a user running them in three terminals would see.

mod support;

use hypersender::InstanceStatus;
use support::*;

const SECRET: &str = "cli-webhook-secret";

/// `webhook listen` on a free port; its URL from its first line.
fn listen(extra: &[&str]) -> (Spawned, String) {
    let mut args = vec!["webhook", "listen"];
    args.extend_from_slice(extra);
    let mut listener = Spawned::hypersender(&args);
    let banner = listener.err_lines(1).remove(0);
    let url = banner
        .strip_prefix("listening for webhooks on ")
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("{banner}"))
        .to_owned();
    (listener, url)
}

fn json_line(listener: &mut Spawned) -> serde_json::Value {
    let line = listener.lines(1).remove(0);
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

#[test]
fn listen_prints_each_delivery_and_send_posts_recorded_examples() {
    let (mut listener, url) = listen(&["--secret", SECRET]);
    let send = |event: &str, secret: &str| {
        hypersender(
            &["webhook", "send", event, "--to", &url, "--secret", secret],
            &[],
        )
    };
    let first = send("message.any", SECRET);
    assert_eq!(first.code, 0, "{first:?}");
    assert_eq!(first.stdout, "HTTP 200 OK: {\"status\":\"ok\"}\n");
    let example: serde_json::Value =
        serde_json::from_str(hypersender::webhooks::recorded::example("message.any").unwrap())
            .unwrap();
    let line = json_line(&mut listener);
    assert_eq!(line["event"], "message.any");
    assert_eq!(line["id"], example["data"]["id"]);
    assert_eq!(line["instance_id"], example["data"]["instanceId"]);
    assert_eq!(line["duplicate"], false);

    let again = send("message.any", SECRET);
    assert_eq!(again.stdout, "HTTP 200 OK: {\"status\":\"duplicate\"}\n");
    assert_eq!(json_line(&mut listener)["duplicate"], true);

    let wrong = send("message.any", "cli-webhook-secreT");
    assert_eq!(wrong.code, 1, "{wrong:?}");
    assert_eq!(
        wrong.stdout,
        "HTTP 401 Unauthorized: {\"error\":\"unauthorized\"}\n"
    );

    // A hostile event name reaches the terminal escaped.
    let file =
        std::env::temp_dir().join(format!("hypersender-hostile-{}.json", std::process::id()));
    std::fs::write(
        &file,
        r#"{"event": "evil\u001b[2J\u0007", "data": {"id": "evt_hostile"}}"#,
    )
    .unwrap();
    let hostile = send(&format!("@{}", file.display()), SECRET);
    assert_eq!(hostile.code, 0, "{hostile:?}");
    let raw = listener.lines(1).remove(0);
    assert!(!raw.contains('\u{1b}') && !raw.contains('\u{7}'), "{raw:?}");
    let line: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(
        line["event"], "evil\u{1b}[2J\u{7}",
        "escaped, still the same value"
    );

    let unknown = send("no.such.event", SECRET);
    assert_eq!(unknown.code, 2, "{unknown:?}");
    let missing = send("@/nonexistent-dir/event.json", SECRET);
    assert_eq!(missing.code, 6, "{missing:?}");

    let stopped = std::process::Command::new("kill")
        .args(["-INT", &listener.0.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    assert_eq!(listener.0.wait().unwrap().code(), Some(130));
    assert_eq!(
        listener.err_lines(1),
        ["stopped listening after 2 event(s) and 1 duplicate(s)"]
    );
}

#[test]
fn listen_needs_a_secret_unless_told_to_accept_anything() {
    let refused = hypersender(&["webhook", "listen"], &[]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains("--accept-unauthenticated"),
        "{refused:?}"
    );
    let (mut listener, url) = listen(&["--accept-unauthenticated"]);
    let sent = hypersender(&["webhook", "send", "poll.vote", "--to", &url], &[]);
    assert_eq!(sent.code, 0, "{sent:?}");
    assert_eq!(json_line(&mut listener)["event"], "poll.vote");
}

#[test]
fn the_mock_posts_a_scan_to_listen_as_a_status_event() {
    let (mut listener, url) = listen(&["--secret", SECRET]);
    let mut mock =
        Spawned::hypersender(&["mock", "--webhook-to", &url, "--webhook-secret", SECRET]);
    let banner = mock.lines(1).remove(0);
    let base = banner
        .strip_prefix("Mock Hypersender API listening on ")
        .unwrap()
        .to_owned();
    let waiting = hypersender_mock_server::seed_instances()
        .unwrap()
        .into_iter()
        .find(|i| i.status == InstanceStatus::ScanQrCode)
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let scan = hypersender(
        &[
            "--base-url",
            &base,
            "--token",
            hypersender_mock_server::DEFAULT_TOKEN,
            "mock",
            "scan",
            &waiting.id,
        ],
        &[],
    );
    assert_eq!(scan.code, 0, "{scan:?}");
    let line = json_line(&mut listener);
    assert_eq!(line["event"], "session.status");
    assert_eq!(line["instance_id"], waiting.id.as_str());
    assert_eq!(line["status"], "WORKING");
}

#[test]
fn watch_merges_webhook_status_with_the_polls() {
    let mock = Mock::frozen();
    let base_url = mock.server.base_url();
    let mut watch = Spawned::hypersender(&[
        "--base-url",
        &base_url,
        "--token",
        API_TOKEN,
        "instances",
        "watch",
        "--interval",
        "1h",
        "--webhooks",
        "127.0.0.1:0",
        "--webhook-secret",
        SECRET,
    ]);
    let banner = watch.err_lines(1).remove(0);
    let url = banner
        .strip_prefix("receiving webhooks on ")
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("{banner}"))
        .to_owned();
    assert_eq!(json_line(&mut watch)["event"], "snapshot");
    let file = std::env::temp_dir().join(format!("hypersender-status-{}.json", std::process::id()));
    std::fs::write(
        &file,
        hypersender::webhooks::testing::session_status("evt_watch_1", WAITING_ID, "WORKING"),
    )
    .unwrap();
    let sent = hypersender(
        &[
            "webhook",
            "send",
            &format!("@{}", file.display()),
            "--to",
            &url,
            "--secret",
            SECRET,
        ],
        &[],
    );
    assert_eq!(sent.code, 0, "{sent:?}");
    let change = json_line(&mut watch);
    assert_eq!(change["event"], "status_changed", "{change}");
    assert_eq!(change["id"], WAITING_ID);
    assert_eq!(change["from"], "SCAN_QR_CODE");
    assert_eq!(change["to"], "WORKING");
    assert_eq!(change["source"], "webhook");
}

#[test]
fn listen_forwards_each_accepted_delivery_as_it_came() {
    let (mut behind, behind_url) = listen(&["--secret", SECRET]);
    let (mut front, front_url) = listen(&["--secret", SECRET, "--forward-to", &behind_url]);
    for _ in 0..2 {
        let sent = hypersender(
            &[
                "webhook",
                "send",
                "message.reaction",
                "--to",
                &front_url,
                "--secret",
                SECRET,
            ],
            &[],
        );
        assert_eq!(sent.code, 0, "{sent:?}");
    }
    let first = json_line(&mut front);
    assert_eq!(json_line(&mut front)["duplicate"], true);
    let forwarded = json_line(&mut behind);
    assert_eq!(forwarded["id"], first["id"]);
    assert_eq!(forwarded["event"], "message.reaction");
    assert_eq!(
        forwarded["duplicate"], false,
        "the first delivery, forwarded"
    );
}
