//! `hypersender console` over plain HTTP, as a hostile client meets it:
//! the one-time login link, the session cookie's attributes, 401 without
//! it, 403 for a POST without the page's CSRF token or from another
//! origin, 421 for another Host (DNS rebinding), the headers every answer
//! carries, server text escaped in pages, a bulk restart refused when the
//! count confirmed is not the count chosen, and the webhook monitor fed by
//! the receiver. (The browser test drives the pages themselves.)

mod support;

use std::time::{Duration, Instant};

use hypersender::reqwest::{self, StatusCode, header};
use hypersender::{InstanceStatus, Remedy, diagnose};
use hypersender_mock_server::{BASE_PATH, MockConfig, MockServer};
use support::Spawned;

const API_TOKEN: &str = "8|consoleHttpTestApiTokenSecret987654";

struct Console {
    child: Spawned,
    root: String,
    login: String,
    http: reqwest::Client,
}

/// The console with its embedded mock.
fn start(extra: &[&str]) -> Console {
    start_with(&["--mock", "--token", API_TOKEN], extra)
}

/// The console against the API at `base_url`.
fn start_against(base_url: &str, extra: &[&str]) -> Console {
    start_with(&["--base-url", base_url, "--token", API_TOKEN], extra)
}

fn start_with(global: &[&str], extra: &[&str]) -> Console {
    let mut args = global.to_vec();
    args.extend_from_slice(&["console", "--addr", "127.0.0.1:0", "--interval", "1s"]);
    args.extend_from_slice(extra);
    let mut child = Spawned::hypersender(&args);
    let lines = child.lines(3);
    let after = |prefix: &str| {
        lines
            .iter()
            .find_map(|line| line.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in {lines:?}"))
            .split(' ')
            .next()
            .unwrap()
            .to_owned()
    };
    Console {
        root: after("Hypersender console on "),
        login: after("Log in (the link works once): "),
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        child,
    }
}

impl Console {
    /// A page's text, with the session cookie.
    async fn page(&self, session: &str, path: &str) -> String {
        self.http
            .get(format!("{}{path}", self.root))
            .header(header::COOKIE, session)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// A JSON POST as the page sends it (session cookie, CSRF token).
    async fn post_json(
        &self,
        (session, csrf): (&str, &str),
        path: &str,
        body: serde_json::Value,
    ) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.root))
            .header(header::COOKIE, session)
            .header("x-csrf-token", csrf)
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap()
    }
}

/// The session cookie (`name=value`) and the page's CSRF token.
async fn log_in(console: &Console) -> (String, String) {
    let answer = console.http.get(&console.login).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(answer.headers()[header::LOCATION], "/");
    let cookie = answer.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    let attributes: Vec<&str> = cookie.split("; ").skip(1).collect();
    assert!(attributes.contains(&"HttpOnly"), "{cookie}");
    assert!(attributes.contains(&"SameSite=Strict"), "{cookie}");
    let session = cookie.split(';').next().unwrap().to_owned();
    let page = wait_for_rows(console, &session).await;
    let csrf = page
        .split("name=\"csrf-token\" content=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    (session, csrf)
}

/// The fleet page once the first listing is in.
async fn wait_for_rows(console: &Console, session: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let page = console.page(session, "").await;
        if page.contains("<tr data-id=") {
            return page;
        }
        assert!(Instant::now() < deadline, "no rows:\n{page}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn host(console: &Console) -> String {
    console
        .root
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned()
}

#[tokio::test]
async fn the_console_is_locked_down_by_default() {
    let console = start(&[]);
    // Without a session: 401, and the headers every answer carries.
    let refused = console.http.get(&console.root).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let headers = refused.headers();
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
    // A wrong login token: 401, and the right one still works once.
    let wrong = format!("{}x", console.login);
    assert_eq!(console.http.get(&wrong).send().await.unwrap().status(), 401);
    let (session, csrf) = log_in(&console).await;
    assert_eq!(
        console
            .http
            .get(&console.login)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    // Another Host (a rebound name): refused before anything else.
    let rebound = console
        .http
        .get(&console.root)
        .header(header::HOST, "attacker.example")
        .header(header::COOKIE, &session)
        .send()
        .await
        .unwrap();
    assert_eq!(rebound.status(), StatusCode::MISDIRECTED_REQUEST);
    // A POST needs the CSRF token and the console's own origin.
    let restart = format!(
        "{}instances/fa3d01c4-1234-4c0d-a12f-df319b612f8c/restart",
        console.root
    );
    let post = |csrf: Option<&str>, origin: Option<String>| {
        let mut request = console.http.post(&restart).header(header::COOKIE, &session);
        if let Some(csrf) = csrf {
            request = request.header("x-csrf-token", csrf);
        }
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        request.send()
    };
    assert_eq!(post(None, None).await.unwrap().status(), 403);
    assert_eq!(
        post(Some("0".repeat(64).as_str()), None)
            .await
            .unwrap()
            .status(),
        403
    );
    let evil = post(Some(&csrf), Some("http://evil.example".into()))
        .await
        .unwrap();
    assert_eq!(evil.status(), 403);
    let own = post(Some(&csrf), Some(format!("http://{}", host(&console))))
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    let body: serde_json::Value = own.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("restarted"),
        "{body}"
    );
    assert!(body["waits"]["restart_instance"].is_u64(), "{body}");
    // No page holds the API token.
    for page in [
        "",
        "onboard",
        "instances/fa3d01c4-1234-4c0d-a12f-df319b612f8c",
    ] {
        let text = console.page(&session, page).await;
        assert!(!text.contains(API_TOKEN), "/{page} holds the API token");
        assert!(!text.contains("<script>"), "/{page} has an inline script");
    }
}

#[tokio::test]
async fn a_bulk_restart_restarts_only_what_was_confirmed() {
    let console = start(&[]);
    let (session, csrf) = log_in(&console).await;
    let bulk = |body| console.post_json((&session, &csrf), "bulk/restart", body);
    // One WORKING instance in the mock's fleet; two confirmed: refused.
    let changed = bulk(serde_json::json!({ "status": "WORKING", "expected": 2 })).await;
    assert_eq!(changed.status(), StatusCode::CONFLICT);
    let said: serde_json::Value = changed.json().await.unwrap();
    assert!(
        said["error"]
            .as_str()
            .unwrap()
            .contains("1 instance(s) now, 2 confirmed"),
        "{said}"
    );
    let none = bulk(serde_json::json!({ "ids": [], "expected": 0 })).await;
    assert_eq!(none.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let started = bulk(serde_json::json!({ "status": "WORKING", "expected": 1 })).await;
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    let said: serde_json::Value = started.json().await.unwrap();
    assert_eq!(
        said["ids"],
        serde_json::json!(["fa3d01c4-1234-4c0d-a12f-df319b612f8c"])
    );
}

#[tokio::test]
async fn the_webhook_monitor_shows_what_the_receiver_accepted() {
    let secret = "console-test-webhook-secret";
    let mut console = start(&["--webhooks", "127.0.0.1:0", "--webhook-secret", secret]);
    let receiver = loop {
        let line = console.child.err_lines(1).remove(0);
        if let Some(rest) = line.strip_prefix("receiving webhooks on ") {
            break rest.split(' ').next().unwrap().to_owned();
        }
    };
    let (session, _) = log_in(&console).await;
    let event = hypersender::webhooks::recorded::example("message.any").unwrap();
    let posted = console
        .http
        .post(&receiver)
        .header(header::AUTHORIZATION, secret)
        .body(event)
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200);
    let json: serde_json::Value = serde_json::from_str(event).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let page = loop {
        let page = console.page(&session, "webhooks").await;
        if page.contains("message.any") || Instant::now() > deadline {
            break page;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(page.contains("message.any"), "{page}");
    let id = json["id"].as_str().or(json["data"]["id"].as_str());
    if let Some(id) = id {
        assert!(page.contains(id), "the delivery's id is listed");
    }
}

#[tokio::test]
async fn retry_failed_restarts_again_exactly_the_rows_that_failed() {
    let console = start(&[]);
    let (session, csrf) = log_in(&console).await;
    let post = |path, body| console.post_json((&session, &csrf), path, body);
    // One id the mock knows, one it does not (its restart fails: 404).
    let known = "fa3d01c4-1234-4c0d-a12f-df319b612f8c";
    let unknown = "00000000-0000-4000-8000-000000000000";
    let started = post(
        "bulk/restart",
        serde_json::json!({ "ids": [known, unknown], "expected": 2 }),
    )
    .await;
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    let deadline = Instant::now() + Duration::from_secs(20);
    let retried = loop {
        let answer = post("bulk/retry", serde_json::json!({ "expected": 1 })).await;
        if answer.status() != StatusCode::CONFLICT {
            break answer;
        }
        assert!(
            Instant::now() < deadline,
            "the first bulk restart never finished"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(retried.status(), StatusCode::ACCEPTED);
    let said: serde_json::Value = retried.json().await.unwrap();
    assert_eq!(
        said["ids"],
        serde_json::json!([unknown]),
        "only the failed row"
    );
}

/// The console against a mock of the test's own, whose requests it can
/// see: the fleet costs one list per interval (no per-row health check,
/// no request for a page), and each instance's page gives the library's
/// diagnosis.
#[tokio::test]
async fn the_fleet_costs_one_list_per_interval_and_pages_give_the_doctors_remedy() {
    let instances = support::recorded_instances();
    let mock = MockServer::start(
        MockConfig::default()
            .token(API_TOKEN)
            .instances(instances.clone()),
    )
    .await
    .unwrap();
    // One STOPPED, so a restart is among the remedies.
    assert!(mock.set_status(&instances[0].id, InstanceStatus::Stopped));
    let stuck_after = Duration::from_secs(300);
    let started = Instant::now();
    let console = start_against(&mock.base_url(), &["--stuck-after", "5m"]);
    let (session, _) = log_in(&console).await;
    let listed = hypersender::Client::builder(API_TOKEN)
        .base_url(mock.base_url())
        .build()
        .unwrap()
        .list_instances()
        .send()
        .await
        .unwrap();
    let mut remedies = Vec::new();
    for instance in &listed {
        let page = console
            .page(&session, &format!("instances/{}", instance.id))
            .await;
        let remedy = match diagnose(instance, Duration::ZERO, stuck_after) {
            Remedy::Nothing => "nothing",
            Remedy::Restart => "restart",
            Remedy::ScanQrCode => "scan_qr_code",
            Remedy::Wait => "wait",
            _ => "unknown",
        };
        assert!(
            page.contains(&format!(r#"<p id="remedy" data-remedy="{remedy}">"#)),
            "{}: {remedy} expected in\n{page}",
            instance.name
        );
        remedies.push(remedy);
    }
    assert!(remedies.contains(&"restart"), "{remedies:?}");
    tokio::time::sleep(Duration::from_millis(3500)).await;

    // Everything asked of the API: lists, one per interval (1 s) and one
    // at the start; the test's own list above included.
    let elapsed = started.elapsed().as_secs_f64();
    let requests = mock.requests();
    let list = hypersender::catalog::OPERATIONS
        .iter()
        .find(|op| op.method.as_str() == "GET" && !op.path.contains('{'))
        .unwrap();
    let list_path = format!("{BASE_PATH}{}", list.path);
    let lists = requests
        .iter()
        .filter(|r| r.method == "GET" && r.path == list_path)
        .count();
    assert_eq!(lists, requests.len(), "only lists: {requests:?}");
    assert!(
        (4..=elapsed.ceil() as usize + 2).contains(&lists),
        "{lists} lists in {elapsed:.1} s"
    );
    drop(console);
}

/// Bound to anything but loopback, it says so before the login link.
#[tokio::test]
async fn the_console_warns_when_it_is_not_on_loopback() {
    let help = support::hypersender(&["console", "--help"], &[]);
    assert!(
        help.stdout.contains("[default: 127.0.0.1:7878]"),
        "{}",
        help.stdout
    );
    let mut child = Spawned::hypersender(&["--mock", "console", "--addr", "0.0.0.0:0"]);
    let warned = child
        .err_lines(3)
        .into_iter()
        .find(|line| line.starts_with("warning: the console is served on 0.0.0.0:"));
    let warned = warned.expect("a warning on stderr");
    assert!(warned.contains("not on loopback"), "{warned}");
}
