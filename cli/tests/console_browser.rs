//! `hypersender console` in a real browser: headless Chromium from the
//! distribution's packages (`chromium`, `chromium-driver`; `.ci/run`
//! installs them), driven over WebDriver by fantoccini, against the console
//! serving an embedded mock. One journey, as an operator takes it: refused
//! without the login link, logged in with it (the token gone from the
//! address bar), the mock's instances in the table, filtered, a row added
//! and changing status live, a bulk restart with a result per row (one
//! failing, injected by the mock) and "retry failed", an onboarding whose
//! QR code is replaced in place by a fresh one and then scanned by the
//! mock's phone until the page says WORKING without a reload, an
//! instance's restart button counting down once the limit is spent, the
//! webhook monitor filtered and paused; no token in any page's source,
//! URL, cookie readable by scripts or storage.
//! Screenshots of each step (and of the fleet at a phone's width) are saved
//! under `target/tmp/console-screenshots/` for a person to look at.

mod support;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hypersender::types::InstanceResponse;
use hypersender_mock_server::{BASE_PATH, CONTROL_PATH};
use serde_json::{Value, json};
use support::Spawned;

/// The API token the console is started with (the mock adopts a token
/// typed on the command line): it must never reach the browser.
const CONSOLE_API_TOKEN: &str = "9|consoleBrowserTestApiTokenNeverShown42";

/// The secret of the webhooks the console receives.
const WEBHOOK_SECRET: &str = "console-browser-test-webhook-secret";

/// How long the onboarding shows a QR code before asking for a fresh one.
const QR_LIFETIME_SECS: u64 = 3;

/// The console's printed addresses.
struct Started {
    console: Spawned,
    root: String,
    login: String,
    mock_api: String,
    /// Where its webhook receiver listens.
    webhooks: String,
}

fn start_console() -> Started {
    let mut console = Spawned::hypersender(&[
        "--mock",
        "--token",
        CONSOLE_API_TOKEN,
        "console",
        "--addr",
        "127.0.0.1:0",
        "--interval",
        "1s",
        "--mock-instances",
        "6",
        "--webhooks",
        "127.0.0.1:0",
        "--webhook-secret",
        WEBHOOK_SECRET,
        "--qr-lifetime",
        &format!("{QR_LIFETIME_SECS}s"),
    ]);
    let webhooks = loop {
        let line = console.err_lines(1).remove(0);
        if let Some(rest) = line.strip_prefix("receiving webhooks on ") {
            break rest.split(' ').next().unwrap().to_owned();
        }
    };
    let lines = console.lines(4);
    let after = |prefix: &str| {
        lines
            .iter()
            .find_map(|line| line.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` line in {lines:?}"))
            .to_owned()
    };
    let root = after("Hypersender console on ");
    let login = after("Log in (the link works once): ");
    let mock_api = after("The embedded mock's API: ");
    let mock_api = mock_api.split(' ').next().unwrap().to_owned();
    Started {
        console,
        root,
        login,
        mock_api,
        webhooks,
    }
}

/// chromedriver on a free port, killed on drop.
fn start_driver() -> (Spawned, String) {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect(
            "chromedriver must be installed: the distribution's `chromium` and `chromium-driver` packages (.ci/run installs them)",
        );
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    (Spawned(child), url)
}

async fn browser(driver: &str) -> Client {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"],
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(driver)
        .await
        .expect("cannot start headless Chromium through chromedriver")
}

/// Evaluates `expression` in the page until it is truthy.
async fn wait_until(browser: &Client, what: &str, expression: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let value = browser
            .execute(&format!("return ({expression});"), vec![])
            .await
            .unwrap();
        let truthy = !matches!(&value, Value::Null | Value::Bool(false))
            && value != json!(0)
            && value != json!("");
        if truthy {
            return value;
        }
        if Instant::now() > deadline {
            let source = browser.source().await.unwrap_or_default();
            panic!("timed out waiting for {what} ({expression}); the page:\n{source}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn screenshots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("console-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn screenshot(browser: &Client, name: &str) {
    let png = browser.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a screenshot is a PNG");
    std::fs::write(screenshots().join(format!("{name}.png")), png).unwrap();
}

/// The mock's instances, as the API lists them (with their access tokens).
async fn listed(mock_api: &str) -> Vec<InstanceResponse> {
    let client = hypersender::Client::builder(CONSOLE_API_TOKEN)
        .base_url(mock_api)
        .build()
        .unwrap();
    client.list_instances().send().await.unwrap()
}

/// Fails if a page holds a secret: the API token, an instance's access
/// token, the login token; the URL and what scripts can read included.
async fn assert_no_secret(browser: &Client, secrets: &[String], page: &str) {
    let source = browser.source().await.unwrap();
    let url = browser.current_url().await.unwrap().to_string();
    let readable = browser
        .execute(
            "return document.cookie + ' ' + JSON.stringify(Object.entries(localStorage)) + JSON.stringify(Object.entries(sessionStorage));",
            vec![],
        )
        .await
        .unwrap();
    for secret in secrets {
        for (place, text) in [("source", &source), ("URL", &url)] {
            assert!(
                !text.contains(secret.as_str()),
                "the {place} of {page} holds a secret"
            );
        }
        assert!(
            !readable.as_str().unwrap().contains(secret.as_str()),
            "scripts on {page} can read a secret"
        );
    }
}

/// What the journey's steps share.
struct Journey {
    started: Started,
    browser: Client,
    instances: Vec<InstanceResponse>,
    secrets: Vec<String>,
}

impl Journey {
    /// Evaluates a script and returns its value.
    async fn run(&self, script: &str, arguments: Vec<Value>) -> Value {
        self.browser.execute(script, arguments).await.unwrap()
    }

    /// The row of instance `id`, as a script expression.
    fn row(id: &str) -> String {
        format!(
            "[...document.querySelectorAll('#fleet tbody tr')].find(tr => tr.dataset.id === {})",
            json!(id)
        )
    }

    /// The text of `selector` in the row of instance `id`.
    fn cell(id: &str, selector: &str) -> String {
        format!(
            "{}?.querySelector('{selector}')?.textContent",
            Self::row(id)
        )
    }

    /// Plays one of the mock's controls (`scan`, `fail`, `recover`).
    async fn mock_control(&self, id: &str, action: &str) {
        let root = self.started.mock_api.strip_suffix(BASE_PATH).unwrap();
        let answer = hypersender::reqwest::Client::new()
            .post(format!("{root}{CONTROL_PATH}/instances/{id}/{action}"))
            .bearer_auth(CONSOLE_API_TOKEN)
            .send()
            .await
            .unwrap();
        assert!(
            answer.status().is_success(),
            "the mock's {action} control: {}",
            answer.status()
        );
    }

    /// Marks the page, so a later check can tell it was never reloaded.
    async fn mark_page(&self) {
        self.run("window.notReloaded = true;", vec![]).await;
    }

    async fn assert_not_reloaded(&self, what: &str) {
        let marked = self
            .run("return window.notReloaded === true;", vec![])
            .await;
        assert_eq!(marked, json!(true), "{what} without a reload");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_runs_the_fleet_from_a_browser() {
    let started = start_console();
    let (_driver, driver_url) = start_driver();
    let instances = listed(&started.mock_api).await;
    assert!(instances.len() >= 3, "the mock lists a few instances");
    let login_token = started.login.split("token=").nth(1).unwrap().to_owned();
    let mut secrets = vec![
        CONSOLE_API_TOKEN.to_owned(),
        login_token,
        WEBHOOK_SECRET.to_owned(),
    ];
    hypersender::with_exposed_secrets(|| {
        secrets.extend(
            instances
                .iter()
                .filter_map(|i| i.access_token.as_ref())
                .map(|t| t.expose_secret().to_owned()),
        )
    });
    let browser = browser(&driver_url).await;
    let journey = Journey {
        started,
        browser,
        instances,
        secrets,
    };
    log_in(&journey).await;
    filter_and_search(&journey).await;
    rows_change_live(&journey).await;
    bulk_restart_and_retry_failed(&journey).await;
    onboarding(&journey).await;
    restart_counts_down(&journey).await;
    webhook_monitor(&journey).await;
    fits_a_phone(&journey).await;
    journey.browser.close().await.unwrap();
    drop(journey.started.console);
}

/// Without the login link: 401, for a browser and a script alike; with
/// it, the fleet as listed and the token gone from the address bar.
async fn log_in(journey: &Journey) {
    let (browser, started) = (&journey.browser, &journey.started);
    let refused = hypersender::reqwest::get(&started.root).await.unwrap();
    assert_eq!(refused.status(), 401);
    browser.goto(&started.root).await.unwrap();
    let text = browser
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("Not logged in"), "{text}");

    browser.goto(&started.login).await.unwrap();
    let url = browser.current_url().await.unwrap();
    assert_eq!(url.path(), "/");
    assert!(url.query().is_none(), "{url}");
    let rows = wait_until(
        browser,
        "every instance in the table",
        &format!(
            "document.querySelectorAll('#fleet tbody tr').length == {}",
            journey.instances.len()
        ),
    )
    .await;
    assert_eq!(rows, json!(true));
    for instance in &journey.instances {
        let shown = journey
            .run(
                "return [...document.querySelectorAll('#fleet tbody tr')].some(tr => tr.dataset.id === arguments[0] && tr.querySelector('.name').textContent === arguments[1] && tr.querySelector('.badge').textContent === arguments[2]);",
                vec![json!(instance.id), json!(instance.name), json!(instance.status.as_str())],
            )
            .await;
        assert_eq!(
            shown,
            json!(true),
            "{} is in the table as listed",
            instance.name
        );
    }
    // The login link works once.
    let again = hypersender::reqwest::get(&started.login).await.unwrap();
    assert_eq!(again.status(), 401);
    screenshot(browser, "1-fleet").await;
    assert_no_secret(browser, &journey.secrets, "the fleet").await;
}

const VISIBLE_ROWS: &str = "document.querySelectorAll('#fleet tbody tr:not([hidden])').length";

/// Filter by status, then search by name.
async fn filter_and_search(journey: &Journey) {
    let (browser, instances) = (&journey.browser, &journey.instances);
    let status = instances[0].status.as_str();
    let with_status = instances
        .iter()
        .filter(|i| i.status.as_str() == status)
        .count();
    let set_filter = "const s = document.querySelector('#status-filter'); s.value = arguments[0]; s.dispatchEvent(new Event('change'));";
    journey.run(set_filter, vec![json!(status)]).await;
    assert_eq!(
        wait_until(browser, "the filter", VISIBLE_ROWS).await,
        json!(with_status)
    );
    journey.run(set_filter, vec![json!("")]).await;
    let search = browser.find(Locator::Css("#search")).await.unwrap();
    search.send_keys(&instances[1].name).await.unwrap();
    let wanted = instances[1].name.to_lowercase();
    let named = instances
        .iter()
        .filter(|i| i.name.to_lowercase().contains(&wanted))
        .count();
    assert_eq!(
        wait_until(browser, "the search", VISIBLE_ROWS).await,
        json!(named)
    );
    screenshot(browser, "2-filtered").await;
    search.clear().await.unwrap();
    journey
        .run(
            "document.querySelector('#search').dispatchEvent(new Event('input'));",
            vec![],
        )
        .await;
    assert_eq!(
        wait_until(browser, "every row again", VISIBLE_ROWS).await,
        json!(instances.len())
    );
}

/// An instance created elsewhere appears as a row, and its status changes
/// in place when the mock's phone links it: all from `/events`.
async fn rows_change_live(journey: &Journey) {
    let browser = &journey.browser;
    journey.mark_page().await;
    let client = hypersender::Client::builder(CONSOLE_API_TOKEN)
        .base_url(&journey.started.mock_api)
        .build()
        .unwrap();
    let created = client
        .create_instance()
        .name("Live Row")
        .phone("+201234567898")
        .send()
        .await
        .unwrap();
    let id = &created.id;
    let waiting = created.status.as_str();
    let badge = Journey::cell(id, ".badge");
    let appeared = wait_until(
        browser,
        "the new row",
        &format!("{badge} === {}", json!(waiting)),
    )
    .await;
    assert_eq!(appeared, json!(true));
    journey.mock_control(id, "scan").await;
    wait_until(
        browser,
        "the row's new status",
        &format!("{badge} === 'WORKING'"),
    )
    .await;
    assert_eq!(
        wait_until(browser, "one row more", VISIBLE_ROWS).await,
        json!(journey.instances.len() + 1)
    );
    screenshot(browser, "3-row-changed-live").await;
    journey.assert_not_reloaded("the row changed").await;
}

/// Bulk restart of two rows, the second failing (the mock's fault
/// injection): a result per row; then "retry failed" restarts the failed
/// one only, once the instance recovers.
async fn bulk_restart_and_retry_failed(journey: &Journey) {
    let (browser, instances) = (&journey.browser, &journey.instances);
    let (fine, failing) = (&instances[0].id, &instances[1].id);
    journey.mock_control(failing, "fail").await;
    for id in [fine, failing] {
        journey
            .run(
                &format!("{}.querySelector('.select').click();", Journey::row(id)),
                vec![],
            )
            .await;
    }
    let button = browser
        .find(Locator::Css("#restart-selected"))
        .await
        .unwrap();
    assert_eq!(button.text().await.unwrap(), "Restart selected (2)");
    button.click().await.unwrap();
    let question = browser.get_alert_text().await.unwrap();
    assert!(question.starts_with("Restart 2 instance(s)?"), "{question}");
    browser.accept_alert().await.unwrap();
    let summary = "document.querySelector('#bulk-summary').textContent";
    let done = wait_until(
        browser,
        "the bulk summary",
        &format!("{summary}.startsWith('bulk restart done') && {summary}"),
    )
    .await;
    assert_eq!(done, json!("bulk restart done: 1 restarted, 1 failed"));
    let result = |id| Journey::cell(id, ".result");
    assert_eq!(
        journey
            .run(&format!("return {};", result(fine)), vec![])
            .await,
        json!("restarted")
    );
    let failed = journey
        .run(&format!("return {};", result(failing)), vec![])
        .await;
    let failed = failed.as_str().unwrap();
    assert!(
        failed.starts_with("failed: ") && failed.contains("503"),
        "{failed}"
    );
    let retry = browser.find(Locator::Css("#retry-failed")).await.unwrap();
    assert!(
        retry.is_displayed().await.unwrap(),
        "retry failed is offered"
    );
    assert_eq!(retry.text().await.unwrap(), "Retry failed (1)");
    screenshot(browser, "4-bulk-restart-one-failed").await;

    journey.mock_control(failing, "recover").await;
    retry.click().await.unwrap();
    let question = browser.get_alert_text().await.unwrap();
    assert_eq!(question, "Restart again the 1 instance(s) that failed?");
    browser.accept_alert().await.unwrap();
    wait_until(
        browser,
        "the retried row",
        &format!("{} === 'restarted'", result(failing)),
    )
    .await;
    let done = wait_until(
        browser,
        "the retry's summary",
        &format!("{summary}.startsWith('bulk restart done') && {summary}"),
    )
    .await;
    assert_eq!(done, json!("bulk restart done: 1 restarted, 0 failed"));
    assert!(
        !retry.is_displayed().await.unwrap(),
        "nothing left to retry"
    );
    screenshot(browser, "5-bulk-retried").await;
}

/// Onboarding: the QR code as an image, replaced in place by a fresh one
/// when it expires, scanned by the mock's phone, the page at WORKING
/// without a reload.
async fn onboarding(journey: &Journey) {
    let (browser, started) = (&journey.browser, &journey.started);
    browser
        .goto(&format!("{}onboard", started.root))
        .await
        .unwrap();
    let name = "Browser Onboarding";
    for (field, value) in [("name", name), ("phone", "+201234567899")] {
        browser
            .find(Locator::Css(&format!("input[name={field}]")))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    browser
        .find(Locator::Css("#onboard button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let shown = |number: u32| {
        format!(
            "document.querySelector('#flow-qr').src.endsWith('qr.png?n={number}') && document.querySelector('#flow-qr').complete && document.querySelector('#flow-qr').naturalWidth > 0 && !document.querySelector('#flow-qr-figure').hidden"
        )
    };
    wait_until(browser, "the first QR code's image", &shown(1)).await;
    screenshot(browser, "6-onboarding-qr").await;
    journey.mark_page().await;
    journey
        .run(
            "document.querySelector('#flow-qr').firstCode = true;",
            vec![],
        )
        .await;

    // After the QR lifetime, a fresh code in the same place.
    wait_until(browser, "the second QR code's image", &shown(2)).await;
    let same = journey
        .run(
            "return document.querySelector('#flow-qr').firstCode === true && document.querySelectorAll('#flow-qr-figure img').length === 1;",
            vec![],
        )
        .await;
    assert_eq!(
        same,
        json!(true),
        "the fresh code replaced the first in place"
    );
    let steps = journey
        .run(
            "return document.querySelector('#flow-steps').textContent;",
            vec![],
        )
        .await;
    let steps = steps.as_str().unwrap();
    // (No "expired" step: the limit let the fresh code come at once.)
    for step in ["QR code 1: scan it", "QR code 2: scan it"] {
        assert!(steps.contains(step), "{step} in {steps}");
    }
    let countdown = wait_until(
        browser,
        "the fresh code's countdown",
        "document.querySelector('#flow-countdown').textContent.startsWith('scan within') && document.querySelector('#flow-countdown').textContent",
    )
    .await;
    let seconds: u64 = countdown.as_str().unwrap()["scan within ".len()..]
        .trim_end_matches(" s")
        .parse()
        .unwrap();
    assert!((1..=QR_LIFETIME_SECS).contains(&seconds), "{countdown}");
    screenshot(browser, "7-onboarding-fresh-qr").await;

    let created = listed(&started.mock_api)
        .await
        .into_iter()
        .find(|i| i.name == name)
        .expect("the flow created the instance");
    journey.mock_control(&created.id, "scan").await;
    let outcome = wait_until(
        browser,
        "the connection",
        "document.querySelector('#flow-outcome').textContent",
    )
    .await;
    assert_eq!(outcome, json!("Connected: the instance is WORKING"));
    let badge = browser
        .find(Locator::Css("#flow-status"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(badge, "WORKING");
    journey.assert_not_reloaded("the flow ended").await;
    screenshot(browser, "8-onboarding-working").await;
    assert_no_secret(browser, &journey.secrets, "the onboarding").await;
}

/// An instance's restart: once the limit (5 a minute; the bulk and its
/// retry spent three) is reached, the button is held back, counting down.
async fn restart_counts_down(journey: &Journey) {
    let browser = &journey.browser;
    let target = &journey.instances[2];
    browser
        .goto(&format!("{}instances/{}", journey.started.root, target.id))
        .await
        .unwrap();
    let button = "document.querySelector('button[data-operation=restart_instance]')";
    let mut clicks = 0;
    loop {
        let held = journey
            .run(&format!("return {button}.disabled;"), vec![])
            .await;
        if held == json!(true) {
            break;
        }
        assert!(clicks < 5, "the restart button was never held back");
        journey.run(&format!("{button}.click();"), vec![]).await;
        clicks += 1;
        wait_until(
            browser,
            "the restart's answer",
            "document.querySelector('#result').textContent",
        )
        .await;
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    let label = journey
        .run(&format!("return {button}.textContent;"), vec![])
        .await;
    let label = label.as_str().unwrap();
    let seconds: u64 = label
        .strip_prefix("Restart (in ")
        .and_then(|rest| rest.strip_suffix(" s)"))
        .unwrap_or_else(|| panic!("the held button counts down: {label}"))
        .parse()
        .unwrap();
    assert!((1..=60).contains(&seconds), "{label}");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let later = journey
        .run(&format!("return {button}.textContent;"), vec![])
        .await;
    assert_ne!(later.as_str().unwrap(), label, "the countdown moves");
    screenshot(browser, "9-restart-countdown").await;
    assert_no_secret(browser, &journey.secrets, "an instance's page").await;
}

/// Posts a recorded example to the console's receiver, as Hypersender
/// would.
async fn deliver(journey: &Journey, event: &str) {
    let body = hypersender::webhooks::recorded::example(event).unwrap();
    let answer = hypersender::reqwest::Client::new()
        .post(&journey.started.webhooks)
        .header("authorization", WEBHOOK_SECRET)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200, "{event} accepted");
}

/// The webhook monitor: events as they come, filtered by what is typed;
/// paused, it holds what comes and shows it on resume.
async fn webhook_monitor(journey: &Journey) {
    let browser = &journey.browser;
    browser
        .goto(&format!("{}webhooks", journey.started.root))
        .await
        .unwrap();
    let events = &hypersender::webhooks::DOCUMENTED_EVENTS[..3];
    let rows = "document.querySelectorAll('#webhooks tbody tr').length";
    let shown = "document.querySelectorAll('#webhooks tbody tr:not([hidden])').length";
    for event in &events[..2] {
        deliver(journey, event).await;
    }
    wait_until(browser, "two received events", &format!("{rows} === 2")).await;
    let wanted = events[1].to_lowercase();
    let matching = events[..2]
        .iter()
        .filter(|e| e.to_lowercase().contains(&wanted))
        .count();
    let filter = browser.find(Locator::Css("#webhook-filter")).await.unwrap();
    filter.send_keys(events[1]).await.unwrap();
    assert_eq!(
        wait_until(browser, "the filter", shown).await,
        json!(matching)
    );
    let first_shown = journey
        .run("return document.querySelector('#webhooks tbody tr:not([hidden]) td:nth-child(2)').textContent;", vec![])
        .await;
    assert_eq!(first_shown, json!(events[1]));
    screenshot(browser, "10-webhooks-filtered").await;
    filter.clear().await.unwrap();
    journey
        .run(
            "document.querySelector('#webhook-filter').dispatchEvent(new Event('input'));",
            vec![],
        )
        .await;
    assert_eq!(wait_until(browser, "no filter", shown).await, json!(2));

    let pause = browser.find(Locator::Css("#webhook-pause")).await.unwrap();
    pause.click().await.unwrap();
    assert_eq!(pause.text().await.unwrap(), "Resume");
    deliver(journey, events[2]).await;
    wait_until(
        browser,
        "the held event",
        "document.querySelector('#webhook-paused').textContent === 'paused, 1 held'",
    )
    .await;
    assert_eq!(
        journey.run(&format!("return {rows};"), vec![]).await,
        json!(2),
        "nothing drawn while paused"
    );
    screenshot(browser, "11-webhooks-paused").await;
    pause.click().await.unwrap();
    assert_eq!(pause.text().await.unwrap(), "Pause");
    assert_eq!(
        journey.run(&format!("return {rows};"), vec![]).await,
        json!(3)
    );
    let newest = journey
        .run(
            "return document.querySelector('#webhooks tbody tr td:nth-child(2)').textContent;",
            vec![],
        )
        .await;
    assert_eq!(
        newest,
        json!(events[2]),
        "the held event on top once resumed"
    );
    assert_no_secret(browser, &journey.secrets, "the webhook monitor").await;
}

/// At a phone's width, the fleet page does not run off the screen.
async fn fits_a_phone(journey: &Journey) {
    let browser = &journey.browser;
    browser.goto(&journey.started.root).await.unwrap();
    browser.set_window_size(390, 844).await.unwrap();
    wait_until(
        browser,
        "the table",
        "document.querySelectorAll('#fleet tbody tr').length > 0",
    )
    .await;
    let overflow = journey
        .run(
            "return document.body.scrollWidth <= window.innerWidth;",
            vec![],
        )
        .await;
    assert_eq!(overflow, json!(true), "the page fits a phone's width");
    screenshot(browser, "12-fleet-phone").await;
}
