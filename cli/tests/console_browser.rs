//! `hypersender console` in a real browser: headless Chromium from the
//! distribution's packages (`chromium`, `chromium-driver`; `.ci/run`
//! installs them), driven over WebDriver by fantoccini, against the console
//! serving an embedded mock. One journey, as an operator takes it: refused
//! without the login link, logged in with it (the token gone from the
//! address bar), the mock's instances in the table, filtered, a bulk
//! restart with a result per row, an onboarding whose QR code the mock's
//! phone scans until the page says WORKING without a reload, an
//! instance's restart button counting down once the limit is spent; no
//! token in any page's source, URL, cookie readable by scripts or storage.
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

/// The console's printed addresses.
struct Started {
    console: Spawned,
    root: String,
    login: String,
    mock_api: String,
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
    ]);
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_runs_the_fleet_from_a_browser() {
    let started = start_console();
    let (_driver, driver_url) = start_driver();
    let instances = listed(&started.mock_api).await;
    assert!(instances.len() >= 3, "the mock lists a few instances");
    let login_token = started.login.split("token=").nth(1).unwrap().to_owned();
    let mut secrets = vec![CONSOLE_API_TOKEN.to_owned(), login_token.clone()];
    hypersender::with_exposed_secrets(|| {
        secrets.extend(
            instances
                .iter()
                .filter_map(|i| i.access_token.as_ref())
                .map(|t| t.expose_secret().to_owned()),
        )
    });

    // Without the login link: 401, for a browser and a script alike.
    let refused = hypersender::reqwest::get(&started.root).await.unwrap();
    assert_eq!(refused.status(), 401);
    let browser = browser(&driver_url).await;
    browser.goto(&started.root).await.unwrap();
    let text = browser
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("Not logged in"), "{text}");

    // With it: the fleet, and the token gone from the address bar.
    browser.goto(&started.login).await.unwrap();
    let url = browser.current_url().await.unwrap();
    assert_eq!(url.path(), "/");
    assert!(url.query().is_none(), "{url}");
    let rows = wait_until(
        &browser,
        "every instance in the table",
        &format!(
            "document.querySelectorAll('#fleet tbody tr').length == {}",
            instances.len()
        ),
    )
    .await;
    assert_eq!(rows, json!(true));
    for instance in &instances {
        let shown = browser
            .execute(
                "return [...document.querySelectorAll('#fleet tbody tr')].some(tr => tr.dataset.id === arguments[0] && tr.querySelector('.name').textContent === arguments[1] && tr.querySelector('.badge').textContent === arguments[2]);",
                vec![json!(instance.id), json!(instance.name), json!(instance.status.as_str())],
            )
            .await
            .unwrap();
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
    screenshot(&browser, "1-fleet").await;
    assert_no_secret(&browser, &secrets, "the fleet").await;

    // Filter by status, then search by name.
    let status = instances[0].status.as_str();
    let with_status = instances
        .iter()
        .filter(|i| i.status.as_str() == status)
        .count();
    browser
        .execute(
            "const s = document.querySelector('#status-filter'); s.value = arguments[0]; s.dispatchEvent(new Event('change'));",
            vec![json!(status)],
        )
        .await
        .unwrap();
    let visible = "document.querySelectorAll('#fleet tbody tr:not([hidden])').length";
    assert_eq!(
        wait_until(&browser, "the filter", visible).await,
        json!(with_status)
    );
    browser
        .execute(
            "const s = document.querySelector('#status-filter'); s.value = ''; s.dispatchEvent(new Event('change'));",
            vec![],
        )
        .await
        .unwrap();
    let search = browser.find(Locator::Css("#search")).await.unwrap();
    search.send_keys(&instances[1].name).await.unwrap();
    let named = instances
        .iter()
        .filter(|i| {
            i.name
                .to_lowercase()
                .contains(&instances[1].name.to_lowercase())
        })
        .count();
    assert_eq!(
        wait_until(&browser, "the search", visible).await,
        json!(named)
    );
    screenshot(&browser, "2-filtered").await;
    search.clear().await.unwrap();
    browser
        .execute(
            "document.querySelector('#search').dispatchEvent(new Event('input'));",
            vec![],
        )
        .await
        .unwrap();

    // Bulk restart of two rows: confirmed, a result per row.
    let chosen = [&instances[0].id, &instances[1].id];
    for id in chosen {
        browser
            .execute(
                "[...document.querySelectorAll('#fleet tbody tr')].find(tr => tr.dataset.id === arguments[0]).querySelector('.select').click();",
                vec![json!(id)],
            )
            .await
            .unwrap();
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
    for id in chosen {
        let result = wait_until(
            &browser,
            "a bulk restart's result",
            &format!(
                "[...document.querySelectorAll('#fleet tbody tr')].find(tr => tr.dataset.id === {}).querySelector('.result').textContent",
                json!(id)
            ),
        )
        .await;
        let result = result.as_str().unwrap().to_owned();
        if result == "waiting its turn" {
            wait_until(
                &browser,
                "the restart's outcome",
                &format!(
                    "[...document.querySelectorAll('#fleet tbody tr')].find(tr => tr.dataset.id === {}).querySelector('.result').textContent === 'restarted'",
                    json!(id)
                ),
            )
            .await;
        } else {
            assert_eq!(result, "restarted");
        }
    }
    let summary = wait_until(&browser, "the bulk summary", "document.querySelector('#bulk-summary').textContent.startsWith('bulk restart done') && document.querySelector('#bulk-summary').textContent").await;
    assert_eq!(summary, json!("bulk restart done: 2 restarted, 0 failed"));
    screenshot(&browser, "3-bulk-restart").await;

    // Onboarding: the QR code as an image, scanned by the mock's phone,
    // the page at WORKING without a reload.
    browser
        .goto(&format!("{}onboard", started.root))
        .await
        .unwrap();
    let name = "Browser Onboarding";
    browser
        .find(Locator::Css("input[name=name]"))
        .await
        .unwrap()
        .send_keys(name)
        .await
        .unwrap();
    browser
        .find(Locator::Css("input[name=phone]"))
        .await
        .unwrap()
        .send_keys("+201234567899")
        .await
        .unwrap();
    browser
        .find(Locator::Css("#onboard button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_until(
        &browser,
        "the QR code's image",
        "document.querySelector('#flow-qr').complete && document.querySelector('#flow-qr').naturalWidth > 0 && !document.querySelector('#flow-qr-figure').hidden",
    )
    .await;
    screenshot(&browser, "4-onboarding-qr").await;
    browser
        .execute("window.notReloaded = true;", vec![])
        .await
        .unwrap();
    let created = listed(&started.mock_api)
        .await
        .into_iter()
        .find(|i| i.name == name)
        .expect("the flow created the instance");
    let root = started.mock_api.strip_suffix(BASE_PATH).unwrap();
    let scan = hypersender::reqwest::Client::new()
        .post(format!(
            "{root}{CONTROL_PATH}/instances/{}/scan",
            created.id
        ))
        .bearer_auth(CONSOLE_API_TOKEN)
        .send()
        .await
        .unwrap();
    assert!(
        scan.status().is_success(),
        "the mock's phone scanned: {}",
        scan.status()
    );
    let outcome = wait_until(
        &browser,
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
    assert_eq!(
        browser
            .execute("return window.notReloaded === true;", vec![])
            .await
            .unwrap(),
        json!(true)
    );
    screenshot(&browser, "5-onboarding-working").await;
    assert_no_secret(&browser, &secrets, "the onboarding").await;

    // An instance's restart: once the limit (5 a minute; the bulk spent
    // two) is reached, the button is held back, counting down.
    let target = &instances[2];
    browser
        .goto(&format!("{}instances/{}", started.root, target.id))
        .await
        .unwrap();
    let button = "document.querySelector('button[data-operation=restart_instance]')";
    let mut clicks = 0;
    loop {
        let held = browser
            .execute(&format!("return {button}.disabled;"), vec![])
            .await
            .unwrap();
        if held == json!(true) {
            break;
        }
        assert!(clicks < 5, "the restart button was never held back");
        browser
            .execute(&format!("{button}.click();"), vec![])
            .await
            .unwrap();
        clicks += 1;
        wait_until(
            &browser,
            "the restart's answer",
            "document.querySelector('#result').textContent",
        )
        .await;
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    let label = browser
        .execute(&format!("return {button}.textContent;"), vec![])
        .await
        .unwrap();
    let label = label.as_str().unwrap();
    let seconds: u64 = label
        .strip_prefix("Restart (in ")
        .and_then(|rest| rest.strip_suffix(" s)"))
        .unwrap_or_else(|| panic!("the held button counts down: {label}"))
        .parse()
        .unwrap();
    assert!((1..=60).contains(&seconds), "{label}");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let later = browser
        .execute(&format!("return {button}.textContent;"), vec![])
        .await
        .unwrap();
    assert_ne!(later.as_str().unwrap(), label, "the countdown moves");
    screenshot(&browser, "6-restart-countdown").await;
    assert_no_secret(&browser, &secrets, "an instance's page").await;

    // At a phone's width, the fleet page does not run off the screen.
    browser.goto(&started.root).await.unwrap();
    browser.set_window_size(390, 844).await.unwrap();
    wait_until(
        &browser,
        "the table",
        "document.querySelectorAll('#fleet tbody tr').length > 0",
    )
    .await;
    let overflow = browser
        .execute(
            "return document.body.scrollWidth <= window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(overflow, json!(true), "the page fits a phone's width");
    screenshot(&browser, "7-fleet-phone").await;

    browser.close().await.unwrap();
    drop(started.console);
}
