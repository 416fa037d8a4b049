//! The library's onboarding router (feature `onboarding`), served on
//! loopback in front of the stateful mock and driven over HTTP as a page
//! would: a flow started with a form, followed as server-sent events to
//! WORKING after the mock's phone scans the PNG it serves; late and
//! reconnecting subscribers; what it refuses (broken rules with nothing
//! sent, cross-site posts, too many flows, unknown flows); `no-store` on
//! every answer.

use std::time::Duration;

use hypersender::Client;
use hypersender::onboarding::{OnboardingConfig, router, router_with};
use hypersender_mock_server::{MockConfig, MockServer};

const TOKEN: &str = "3|onboardingRouterTestToken0123456789";

struct Served {
    mock: MockServer,
    url: String,
    http: reqwest::Client,
}

async fn serve(config: Option<OnboardingConfig>) -> Served {
    let mock = MockServer::start(MockConfig::default().token(TOKEN))
        .await
        .unwrap();
    let client = Client::builder(TOKEN)
        .base_url(mock.base_url())
        .build()
        .unwrap();
    let onboarding = match config {
        Some(config) => router_with(client, config),
        None => router(client),
    };
    let app = axum::Router::new().nest("/onboarding", onboarding);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/onboarding", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Served {
        mock,
        url,
        http: reqwest::Client::new(),
    }
}

impl Served {
    async fn start(&self, form: &[(&str, &str)]) -> reqwest::Response {
        self.post(form, &[]).await
    }

    /// `POST /flows` with `form` (urlencoded, as a browser sends it) and
    /// `headers`.
    async fn post(&self, form: &[(&str, &str)], headers: &[(&str, String)]) -> reqwest::Response {
        let encoded = reqwest::Url::parse_with_params("http://form.invalid/", form).unwrap();
        let mut request = self
            .http
            .post(format!("{}/flows", self.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encoded.query().unwrap_or_default().to_owned());
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        request.send().await.unwrap()
    }

    fn creates(&self) -> usize {
        self.mock
            .requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/create-instance"))
            .count()
    }
}

/// One server-sent event.
#[derive(Debug)]
struct Sent {
    event: String,
    id: String,
    data: serde_json::Value,
}

/// Reads events from `response` until `stop` says so or the stream ends.
async fn read_events(
    response: &mut reqwest::Response,
    mut stop: impl FnMut(&Sent) -> bool,
) -> Vec<Sent> {
    let mut events = Vec::new();
    let mut buffer = String::new();
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let field = |name: &str| {
                block
                    .lines()
                    .find_map(|line| line.strip_prefix(name))
                    .map(|v| v.trim_start().to_owned())
            };
            let (Some(event), Some(data)) = (field("event:"), field("data:")) else {
                continue; // a keep-alive comment
            };
            let sent = Sent {
                event,
                id: field("id:").unwrap_or_default(),
                data: serde_json::from_str(&data).unwrap(),
            };
            let done = stop(&sent);
            events.push(sent);
            if done {
                return events;
            }
        }
        let chunk = tokio::time::timeout(Duration::from_secs(30), response.chunk())
            .await
            .expect("an event within 30 s")
            .unwrap();
        match chunk {
            Some(bytes) => buffer.push_str(std::str::from_utf8(&bytes).unwrap()),
            None => return events,
        }
    }
}

fn no_store(response: &reqwest::Response) {
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn a_flow_runs_from_the_form_to_working_as_server_sent_events() {
    let served = serve(None).await;
    let started = served
        .start(&[
            ("name", " Router Shop "),
            ("phone", "+201234567801"),
            ("webhook_url", ""),
        ])
        .await;
    assert_eq!(started.status(), 201);
    no_store(&started);
    let body: serde_json::Value = started.json().await.unwrap();
    let id = body["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 32, "128 bits in hex");
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(body["events"], format!("flows/{id}/events"));
    assert_eq!(body["qr"], format!("flows/{id}/qr.png"));

    let events_url = format!("{}/{}", served.url, body["events"].as_str().unwrap());
    let mut events = served.http.get(&events_url).send().await.unwrap();
    assert_eq!(events.headers()["content-type"], "text/event-stream");
    no_store(&events);
    let first = read_events(&mut events, |sent| sent.event == "qr_code").await;
    let instance = &first[0];
    assert_eq!(instance.event, "instance");
    assert_eq!(instance.data["name"], "Router Shop", "the name is trimmed");
    assert_eq!(instance.data["created"], true);
    let instance_id = instance.data["instance_id"].as_str().unwrap().to_owned();
    let qr = first.last().unwrap();
    assert_eq!(qr.data["number"], 1);
    assert_eq!(qr.data["image"], "qr.png?n=1");
    let expires = qr.data["expires_in_ms"].as_u64().unwrap();
    assert!((50_000..=60_000).contains(&expires), "{expires}");
    let ids: Vec<String> = first.iter().map(|s| s.id.clone()).collect();
    let numbered: Vec<String> = (0..first.len()).map(|n| n.to_string()).collect();
    assert_eq!(ids, numbered, "each event's id is its step's number");

    // The image is the code the mock issued; nothing of the flow is cached.
    let png = served
        .http
        .get(format!("{}/flows/{id}/qr.png?n=1", served.url))
        .send()
        .await
        .unwrap();
    assert_eq!(png.status(), 200);
    assert_eq!(png.headers()["content-type"], "image/png");
    no_store(&png);
    let png = png.bytes().await.unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    let issued = served
        .mock
        .qr_payload(&instance_id)
        .expect("the mock issued a code");
    assert!(!issued.is_empty());

    assert!(served.mock.scan(&instance_id), "the mock's phone scans it");
    let rest = read_events(&mut events, |_| false).await;
    let last = rest.last().expect("events after the scan");
    assert_eq!(last.event, "connected", "{rest:?}");
    assert_eq!(last.data["status"], "WORKING");
    assert_eq!(last.data["instance_id"], instance_id.as_str());
    assert!(
        rest.iter()
            .any(|s| s.event == "status" && s.data["status"] == "WORKING"),
        "{rest:?}"
    );
    assert_eq!(served.creates(), 1);

    // A late subscriber gets every step from the first; one reconnecting
    // with Last-Event-ID only what it missed; both streams end.
    let mut late = served.http.get(&events_url).send().await.unwrap();
    let replayed = read_events(&mut late, |_| false).await;
    assert_eq!(replayed.len(), first.len() + rest.len());
    assert_eq!(replayed[0].event, "instance");
    let mut resumed = served
        .http
        .get(&events_url)
        .header("last-event-id", qr.id.as_str())
        .send()
        .await
        .unwrap();
    let missed = read_events(&mut resumed, |_| false).await;
    assert_eq!(missed.len(), rest.len());
    assert_eq!(missed[0].id, (first.len()).to_string());
}

#[tokio::test]
async fn broken_rules_are_refused_before_anything_is_sent() {
    let served = serve(None).await;
    let refused = served
        .start(&[
            ("name", "Shop"),
            ("phone", "0123"),
            ("webhook_url", "http://plain.example"),
        ])
        .await;
    assert_eq!(refused.status(), 422);
    no_store(&refused);
    let body: serde_json::Value = refused.json().await.unwrap();
    let errors: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(errors.iter().any(|e| e.contains("`phone`")), "{errors:?}");
    assert!(
        errors.iter().any(|e| e.contains("`webhook_url`")),
        "{errors:?}"
    );
    assert_eq!(served.creates(), 0);
    assert!(served.mock.requests().is_empty(), "nothing reached the API");
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let served = serve(None).await;
    let form = [("name", "Shop"), ("phone", "+201234567802")];
    let forged = served
        .post(&form, &[("origin", "http://evil.example".into())])
        .await;
    assert_eq!(forged.status(), 403);
    let marked = served
        .post(&form, &[("sec-fetch-site", "cross-site".into())])
        .await;
    assert_eq!(marked.status(), 403);
    assert_eq!(served.creates(), 0);
    // The page's own origin is let through.
    let host = served
        .url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let own = served
        .post(
            &form,
            &[
                ("origin", format!("http://{host}")),
                ("sec-fetch-site", "same-origin".into()),
            ],
        )
        .await;
    assert_eq!(own.status(), 201);
}

#[tokio::test]
async fn at_most_max_flows_run_and_unknown_flows_are_not_found() {
    let served = serve(Some(OnboardingConfig::default().max_flows(1))).await;
    let first = served
        .start(&[("name", "One"), ("phone", "+201234567803")])
        .await;
    assert_eq!(first.status(), 201);
    let second = served
        .start(&[("name", "Two"), ("phone", "+201234567804")])
        .await;
    assert_eq!(second.status(), 503);
    for path in [
        "flows/0123456789abcdef0123456789abcdef/events",
        "flows/nope/qr.png",
    ] {
        let missing = served
            .http
            .get(format!("{}/{path}", served.url))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), 404, "{path}");
        no_store(&missing);
    }
}
