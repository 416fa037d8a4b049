//! The webhook receiver against the vendor's recorded examples and hostile
//! requests: verification, parsing, deduplication, the axum handler's
//! answers on a real loopback server, backpressure, and that no secret is
//! ever logged. Expectations come from the recorded files themselves.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hypersender::InstanceStatus;
use hypersender::webhooks::receiver::{Delivery, Receiver, ReceiverConfig};
use hypersender::webhooks::{
    DOCUMENTED_EVENTS, ParseError, ParseOptions, Payload, Verifier, WebhookEvent, WebhookSecret,
    recorded, testing,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SECRET: &str = "whsec-Fz8kQ2pLx9";

/// The PROVENANCE table's rows: file, event, sha256.
fn provenance() -> Vec<(String, String, String)> {
    let text = include_str!("../../client/recorded/webhooks/PROVENANCE.md");
    text.lines()
        .filter(|line| line.starts_with("| ") && line.contains(".json"))
        .map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            (
                cells[1].to_owned(),
                cells[2].to_owned(),
                cells[3].to_owned(),
            )
        })
        .collect()
}

#[test]
fn the_recorded_examples_are_byte_for_byte_and_cover_every_documented_event() {
    let rows = provenance();
    assert_eq!(rows.len(), DOCUMENTED_EVENTS.len());
    for (file, event, sha) in &rows {
        let bytes = std::fs::read(format!(
            "{}/../client/recorded/webhooks/{file}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let digest: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(&digest, sha, "{file} is not the recorded file");
        assert_eq!(
            recorded::example(event).unwrap().as_bytes(),
            bytes,
            "{event}"
        );
        assert!(DOCUMENTED_EVENTS.contains(&event.as_str()), "{event}");
    }
}

#[test]
fn every_recorded_example_parses_into_its_envelope_and_typed_payload() {
    for (event, raw) in recorded::EXAMPLES {
        let json: Value = serde_json::from_str(raw).unwrap();
        let data = &json["data"];
        let parsed = WebhookEvent::parse(raw.as_bytes()).unwrap();
        let envelope = &parsed.envelope;
        assert_eq!(envelope.event, json["event"].as_str().unwrap());
        assert_eq!(envelope.event, event);
        assert_eq!(envelope.id.as_deref(), data["id"].as_str(), "{event}");
        let instance = data["instanceId"].as_str().or(json["instanceId"].as_str());
        assert!(instance.is_some(), "{event} names its instance somewhere");
        assert_eq!(envelope.instance_id.as_deref(), instance, "{event}");
        let user = data["userId"].as_str().or(json["userId"].as_str());
        assert_eq!(envelope.user_id.as_deref(), user, "{event}");
        assert_eq!(envelope.metadata, data["metadata"], "{event}: as sent");
        let me = envelope.me.as_ref().unwrap();
        assert_eq!(me.id.as_deref(), data["me"]["id"].as_str());
        assert_eq!(me.lid.as_deref(), data["me"]["lid"].as_str(), "{event}");
        assert_eq!(envelope.raw, raw);
        let payload = &data["payload"];
        match parsed.payload() {
            Payload::MessageAny(m) | Payload::MessageAck(m) | Payload::MessageWaiting(m) => {
                assert_eq!(m.id.as_deref(), payload["id"].as_str());
                assert_eq!(m.from.as_deref(), payload["from"].as_str());
                assert_eq!(m.from_me, payload["fromMe"].as_bool());
                assert_eq!(m.body.as_deref(), payload["body"].as_str());
                assert_eq!(m.ack, payload["ack"].as_i64());
                assert_eq!(m.ack_name.as_deref(), payload["ackName"].as_str());
                assert_eq!(m.engine_data.as_ref(), payload.get("_data"));
            }
            Payload::MessageReaction(r) => {
                let content = r.reaction.as_ref().unwrap();
                assert_eq!(
                    content.text.as_deref(),
                    payload["reaction"]["text"].as_str()
                );
                assert_eq!(
                    content.message_id.as_deref(),
                    payload["reaction"]["messageId"].as_str()
                );
            }
            Payload::MessageRevoked(r) => {
                let after = r.after.as_ref().unwrap();
                assert_eq!(after.body.as_deref(), payload["after"]["body"].as_str());
                assert_eq!(after.to.as_deref(), payload["after"]["to"].as_str());
                assert_eq!(r.engine_data.as_ref(), payload.get("_data"));
            }
            Payload::PollVote(p) | Payload::PollVoteFailed(p) => {
                let vote = p.vote.as_ref().unwrap();
                let options: Vec<Option<String>> =
                    serde_json::from_value(payload["vote"]["selectedOptions"].clone()).unwrap();
                assert_eq!(vote.selected_options, options);
                assert_eq!(
                    p.poll.as_ref().unwrap().id.as_deref(),
                    payload["poll"]["id"].as_str()
                );
            }
            Payload::PresenceUpdate(p) => {
                assert_eq!(
                    p.presences.len(),
                    payload["presences"].as_array().unwrap().len()
                );
                assert_eq!(
                    p.presences[0].last_known_presence.as_deref(),
                    payload["presences"][0]["lastKnownPresence"].as_str()
                );
            }
            other => panic!("{event} is not typed: {other:?}"),
        }
    }
}

#[test]
fn envelope_names_with_escapes_are_unescaped_and_a_field_of_another_type_is_named() {
    // Every recorded example, its envelope's strings written with JSON
    // escapes (`\u0061` for `a`, `\/` for `/`): the same envelope.
    for (event, raw) in recorded::EXAMPLES {
        let mut json: Value = serde_json::from_str(raw).unwrap();
        let plain = WebhookEvent::parse(raw.as_bytes()).unwrap().envelope;
        json["data"]["id"] = json!("evt/1");
        let escaped = serde_json::to_string(&json)
            .unwrap()
            .replace(
                &format!("\"{event}\""),
                &format!("\"{}\"", event.replacen('a', "\\u0061", 1)),
            )
            .replace("\"evt/1\"", "\"evt\\/1\"");
        assert!(escaped.contains("\\/"), "{escaped}");
        let parsed = WebhookEvent::parse(escaped.as_bytes()).unwrap().envelope;
        assert_eq!(parsed.event, event);
        assert_eq!(parsed.id.as_deref(), Some("evt/1"));
        assert_eq!(parsed.instance_id, plain.instance_id, "{event}");
        assert_eq!(parsed.user_id, plain.user_id, "{event}");
    }
    // A field of another type: refused, naming the field.
    let (_, raw) = recorded::EXAMPLES[0];
    let fields = [
        ("id", json!(42)),
        ("instanceId", json!({"a": 1})),
        ("userId", json!([1])),
        ("me", json!("me")),
    ];
    for (field, value) in fields {
        let mut json: Value = serde_json::from_str(raw).unwrap();
        json["data"][field] = value;
        let error = WebhookEvent::parse(json.to_string().as_bytes()).unwrap_err();
        match &error {
            ParseError::Envelope { path, message } => {
                assert_eq!(path, &format!("data.{field}"));
                // The ids are strings, and the message says so.
                let wanted = if field == "me" {
                    "expected struct"
                } else {
                    "expected a string"
                };
                assert!(message.contains(wanted), "{field}: {message}");
            }
            other => panic!("{field}: {other:?}"),
        }
        assert!(
            error.to_string().contains(&format!("`data.{field}`")),
            "{error}"
        );
    }
    // The same at the top level, where some senders put the instance.
    for field in ["instanceId", "userId"] {
        let mut json: Value = serde_json::from_str(raw).unwrap();
        json[field] = json!(7);
        match WebhookEvent::parse(json.to_string().as_bytes()).unwrap_err() {
            ParseError::Envelope { path, .. } => assert_eq!(path, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    // The event name itself of another type: no event name.
    let mut json: Value = serde_json::from_str(raw).unwrap();
    json["event"] = json!(1);
    assert_eq!(
        WebhookEvent::parse(json.to_string().as_bytes()).unwrap_err(),
        ParseError::NoEventName
    );
}

#[test]
fn unknown_payload_fields_are_kept() {
    let payload = json!({"id": "m1", "body": "hi", "newField": {"a": [1, "x"]}});
    let body = testing::event("message.any", "evt_x", "inst", payload.clone());
    let parsed = WebhookEvent::parse(body.as_bytes()).unwrap();
    let Payload::MessageAny(message) = parsed.payload() else {
        panic!("typed");
    };
    assert_eq!(message.body.as_deref(), Some("hi"));
    assert_eq!(
        parsed.payload_json(),
        Some(payload),
        "every field, typed or not"
    );
    for (_, raw) in recorded::EXAMPLES {
        let parsed = WebhookEvent::parse(raw.as_bytes()).unwrap();
        let json: Value = serde_json::from_str(raw).unwrap();
        assert_eq!(parsed.payload_json().as_ref(), json["data"].get("payload"));
    }
}

#[test]
fn other_events_are_kept_and_status_updates_are_recognised_as_inferred() {
    let body = testing::event("group.join", "evt_g", "inst", json!({"group": "g1"}));
    let parsed = WebhookEvent::parse(body.as_bytes()).unwrap();
    assert_eq!(parsed.envelope.event, "group.join");
    assert!(
        matches!(parsed.payload(), Payload::Unknown(Some(p)) if p["group"] == "g1"),
        "{:?}",
        parsed.payload()
    );

    let status = testing::session_status("evt_s", "inst", "WORKING");
    let parsed = WebhookEvent::parse(status.as_bytes()).unwrap();
    assert_eq!(parsed.status(), Some(&InstanceStatus::Working));
    let odd = testing::session_status("evt_s", "inst", "HIBERNATING");
    assert!(matches!(
        WebhookEvent::parse(odd.as_bytes()).unwrap().status(),
        Some(InstanceStatus::Unknown(s)) if s.as_str() == "HIBERNATING"
    ));
    let off = ParseOptions::default().infer_session_status(false);
    let parsed = WebhookEvent::parse_with(status.as_bytes(), off).unwrap();
    assert!(matches!(parsed.payload(), Payload::Unknown(Some(_))));
    assert_eq!(parsed.status(), None);
}

#[test]
fn a_payload_of_the_wrong_shape_names_its_path_and_keeps_the_envelope() {
    let mut json: Value =
        serde_json::from_str(recorded::example("presence.update").unwrap()).unwrap();
    json["data"]["payload"]["presences"][0]["lastSeen"] = json!("yesterday");
    let body = json.to_string();
    let parsed = WebhookEvent::parse(body.as_bytes()).unwrap();
    let Payload::Malformed(error) = parsed.payload() else {
        panic!("{:?}", parsed.payload());
    };
    assert_eq!(error.path, "presences[0].lastSeen");
    assert_eq!(error.event, "presence.update");
    assert!(
        error
            .to_string()
            .contains("`data.payload.presences[0].lastSeen`"),
        "{error}"
    );
    assert_eq!(parsed.envelope.id.as_deref(), json["data"]["id"].as_str());
    assert_eq!(parsed.envelope.raw, body);
}

#[test]
fn hostile_bodies_are_errors_not_panics() {
    let deep = "[".repeat(100_000);
    let bodies: [&[u8]; 6] = [
        b"",
        b"not json",
        b"{\"event\": \"message.any\", \"data\": \xff}",
        deep.as_bytes(),
        b"[1, 2]",
        b"{\"data\": {}}",
    ];
    for body in bodies {
        let error = WebhookEvent::parse(body).unwrap_err();
        assert!(
            matches!(error, ParseError::NotJson { .. } | ParseError::NoEventName),
            "{error:?}"
        );
    }
    assert_eq!(
        WebhookEvent::parse(b"{\"data\": {}}").unwrap_err(),
        ParseError::NoEventName
    );
}

#[test]
fn a_body_that_is_not_utf8_is_refused_where_its_first_bad_byte_is() {
    // Inside a string, after a line break: line 2, its 8th byte.
    let body = b"{\"event\":\n  \"mess\xffage.any\"}";
    assert_eq!(
        WebhookEvent::parse(body).unwrap_err(),
        ParseError::NotJson {
            line: 2,
            column: 8,
            message: "invalid UTF-8: invalid utf-8 sequence of 1 bytes from index 17".into(),
        }
    );
}

#[test]
fn the_payload_is_typed_when_asked_and_the_same_owned() {
    for (event, raw) in recorded::EXAMPLES {
        let parsed = WebhookEvent::parse(raw.as_bytes()).unwrap();
        let shown = format!("{:?}", parsed.payload());
        assert!(
            !matches!(parsed.payload(), Payload::Malformed(_)),
            "{event}"
        );
        assert_eq!(
            format!("{:?}", parsed.clone().into_payload()),
            shown,
            "{event}"
        );
        // Owned without having been asked for first: the same.
        let fresh = WebhookEvent::parse(raw.as_bytes()).unwrap();
        assert_eq!(format!("{:?}", fresh.into_payload()), shown, "{event}");
    }
}

/// A receiver on 127.0.0.1, as an application would mount it.
struct Served {
    url: String,
    events: tokio::sync::mpsc::Receiver<Delivery>,
}

async fn serve(config: ReceiverConfig) -> Served {
    let Receiver { router, events } = Receiver::new(config);
    let app = axum::Router::new().nest_service("/hooks", router);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Served { url, events }
}

fn secured() -> ReceiverConfig {
    ReceiverConfig::new(Verifier::new(WebhookSecret::new(SECRET)))
}

async fn post(url: &str, body: impl Into<reqwest::Body>, secrets: &[&str]) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body);
    for secret in secrets {
        request = request.header("authorization", *secret);
    }
    request.send().await.unwrap()
}

async fn answer(response: reqwest::Response) -> (u16, String) {
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn the_receiver_answers_each_case_as_documented() {
    let mut served = serve(secured()).await;
    let example = recorded::example("message.any").unwrap();
    let ok = (200, r#"{"status":"ok"}"#.to_owned());
    let unauthorized = (401, r#"{"error":"unauthorized"}"#.to_owned());

    assert_eq!(
        answer(post(&served.url, example, &[SECRET]).await).await,
        ok
    );
    let delivery = served.events.recv().await.unwrap();
    assert_eq!(delivery.event.envelope.raw, example);
    assert!(!delivery.duplicate);

    // The same event id again: answered 2xx, handed over once.
    assert_eq!(
        answer(post(&served.url, example, &[SECRET]).await).await,
        (200, r#"{"status":"duplicate"}"#.to_owned())
    );

    let mut last_byte_differs = SECRET.to_owned();
    last_byte_differs.pop();
    last_byte_differs.push('0');
    for secrets in [&[][..], &[last_byte_differs.as_str()], &[SECRET, SECRET]] {
        assert_eq!(
            answer(post(&served.url, example, secrets).await).await,
            unauthorized,
            "{secrets:?}"
        );
    }
    let huge = vec![b' '; 10 * 1024 * 1024];
    assert_eq!(post(&served.url, huge, &[SECRET]).await.status(), 413);
    assert_eq!(post(&served.url, "", &[SECRET]).await.status(), 400);
    assert_eq!(
        post(&served.url, "[".repeat(100_000), &[SECRET])
            .await
            .status(),
        400
    );
    assert_eq!(
        post(&served.url, &b"\xff\xfe"[..], &[SECRET])
            .await
            .status(),
        400
    );
    // Any event name is taken.
    let status = testing::session_status("evt_status_1", "inst", "FAILED");
    assert_eq!(answer(post(&served.url, status, &[SECRET]).await).await, ok);
    let delivery = served.events.recv().await.unwrap();
    assert_eq!(delivery.event.status(), Some(&InstanceStatus::Failed));
    assert!(
        served.events.try_recv().is_err(),
        "nothing else was handed over"
    );
}

/// The limit counts the body's bytes: a body of exactly the limit is taken;
/// one declared larger is refused before it is read, so a sender that
/// announces more than the limit and sends nothing is answered at once
/// instead of holding a connection open.
#[tokio::test]
async fn a_body_declared_over_the_limit_is_refused_before_it_is_read() {
    const LIMIT: usize = 1024;
    let mut served = serve(secured().body_limit(LIMIT)).await;
    let mut exactly = testing::event("message.any", "evt_pad", "inst", json!({}));
    exactly.push_str(&" ".repeat(LIMIT - exactly.len()));
    assert_eq!(post(&served.url, exactly, &[SECRET]).await.status(), 200);
    served.events.recv().await.unwrap();

    let address = served
        .url
        .trim_start_matches("http://")
        .trim_end_matches("/hooks");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /hooks HTTP/1.1\r\nhost: {address}\r\nauthorization: {SECRET}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n",
        LIMIT + 1
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(5), read_answer(&mut stream))
        .await
        .expect("answered without waiting for the body");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer.ends_with(r#"{"error":"body too large"}"#),
        "{answer}"
    );
}

/// What the server wrote, up to the end of a JSON answer (or the
/// connection's end).
async fn read_answer(stream: &mut tokio::net::TcpStream) -> String {
    let mut answer = Vec::new();
    let mut buffer = [0; 1024];
    while !answer.ends_with(b"}") {
        let read = stream.read(&mut buffer).await.unwrap();
        if read == 0 {
            break;
        }
        answer.extend_from_slice(&buffer[..read]);
    }
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn accepting_unauthenticated_requests_is_an_opt_in() {
    let mut served = serve(ReceiverConfig::new(Verifier::accept_unauthenticated())).await;
    let example = recorded::example("poll.vote").unwrap();
    assert_eq!(post(&served.url, example, &[]).await.status(), 200);
    assert_eq!(
        served.events.recv().await.unwrap().event.envelope.event,
        "poll.vote"
    );
}

#[tokio::test]
async fn a_full_channel_answers_503_and_the_retry_is_taken() {
    let mut served = serve(
        secured()
            .capacity(1)
            .handover_wait(Duration::from_millis(100)),
    )
    .await;
    let first = testing::event("message.any", "evt_a", "inst", json!({}));
    let second = testing::event("message.any", "evt_b", "inst", json!({}));
    assert_eq!(post(&served.url, first, &[SECRET]).await.status(), 200);
    let busy = post(&served.url, second.clone(), &[SECRET]).await;
    assert_eq!(busy.status(), 503);
    assert_eq!(busy.headers()["retry-after"], "1");
    served.events.recv().await.unwrap();
    assert_eq!(
        answer(post(&served.url, second, &[SECRET]).await).await,
        (200, r#"{"status":"ok"}"#.to_owned()),
        "the retry counts as the first delivery"
    );
    assert_eq!(
        served
            .events
            .recv()
            .await
            .unwrap()
            .event
            .envelope
            .id
            .as_deref(),
        Some("evt_b")
    );
}

#[tokio::test]
async fn duplicates_can_be_handed_over_marked() {
    let mut served = serve(secured().deliver_duplicates(true)).await;
    let example = recorded::example("message.ack").unwrap();
    for _ in 0..2 {
        assert_eq!(post(&served.url, example, &[SECRET]).await.status(), 200);
    }
    assert!(!served.events.recv().await.unwrap().duplicate);
    assert!(served.events.recv().await.unwrap().duplicate);
}

/// Everything a tracing subscriber is given, as text.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn no_secret_reaches_a_log_or_a_debug_print() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let guessed = "guessed-secret-value";
    tracing::subscriber::with_default(subscriber, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let served = serve(secured()).await;
            let example = recorded::example("message.any").unwrap();
            assert_eq!(post(&served.url, example, &[guessed]).await.status(), 401);
            assert_eq!(post(&served.url, "nope", &[SECRET]).await.status(), 400);
        });
    });
    let config = format!("{:?}", secured());
    let logged = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logged.contains("webhook refused")
            && logged.contains("the Authorization header is not the webhook secret"),
        "the refusal is logged with its reason: {logged}"
    );
    assert!(
        logged.contains("the body is not JSON"),
        "so is a body that is not JSON: {logged}"
    );
    for text in [&logged, &config] {
        assert!(!text.contains(SECRET) && !text.contains(guessed), "{text}");
    }
}

#[test]
fn test_helpers_build_what_the_receiver_takes() {
    let request: hypersender::webhooks::http::Request<hypersender::webhooks::bytes::Bytes> =
        testing::recorded("message.any", Some(SECRET));
    let verifier = Verifier::new(WebhookSecret::new(SECRET));
    assert_eq!(verifier.verify(request.headers()), Ok(()));
    let parsed = WebhookEvent::parse(request.body()).unwrap();
    assert_eq!(parsed.envelope.event, "message.any");
    let unsigned: hypersender::webhooks::http::Request<hypersender::webhooks::bytes::Bytes> =
        testing::recorded("message.any", None);
    assert!(verifier.verify(unsigned.headers()).is_err());
}
