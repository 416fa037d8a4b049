//! The offline webhook loop: the stateful mock posts status changes and
//! message events to a receiver of the library's, through a front that
//! fails the first attempts, so retries (same event id) are seen too.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hypersender::InstanceStatus;
use hypersender::webhooks::receiver::{Delivery, Receiver, ReceiverConfig};
use hypersender::webhooks::{Payload, Verifier, WebhookEvent, WebhookSecret, recorded};
use hypersender_mock_server::{CONTROL_PATH, DEFAULT_TOKEN, MockConfig, MockServer};

const SECRET: &str = "loop-secret-42";

/// What reached the front: every attempt's body, in order.
#[derive(Clone, Default)]
struct Front {
    attempts: Arc<Mutex<Vec<String>>>,
    fail_first: Arc<AtomicUsize>,
}

async fn front(
    axum::extract::State(front): axum::extract::State<Front>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    front
        .attempts
        .lock()
        .unwrap()
        .push(String::from_utf8_lossy(&bytes).into_owned());
    let failing = front
        .fail_first
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if failing {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

async fn receiver(fail_first: usize) -> (String, Front, tokio::sync::mpsc::Receiver<Delivery>) {
    let Receiver { router, events } = Receiver::new(ReceiverConfig::new(Verifier::new(
        WebhookSecret::new(SECRET),
    )));
    let state = Front {
        fail_first: Arc::new(AtomicUsize::new(fail_first)),
        ..Front::default()
    };
    let app = router.layer(axum::middleware::from_fn_with_state(state.clone(), front));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, state, events)
}

async fn next(events: &mut tokio::sync::mpsc::Receiver<Delivery>) -> WebhookEvent {
    tokio::time::timeout(Duration::from_secs(20), events.recv())
        .await
        .expect("a delivery within 20 s")
        .unwrap()
        .event
}

fn waiting_instance() -> String {
    hypersender_mock_server::seed_instances()
        .unwrap()
        .into_iter()
        .find(|i| i.status == InstanceStatus::ScanQrCode)
        .expect("the documented list has a SCAN_QR_CODE instance")
        .id
}

#[tokio::test]
async fn a_scan_is_posted_as_a_status_event_and_a_failed_delivery_is_retried_with_its_id() {
    let (url, front, mut events) = receiver(2).await;
    let mock = MockServer::start(MockConfig::default().webhook_to(&url, Some(SECRET.into())))
        .await
        .unwrap();
    let id = waiting_instance();
    // Let the mock take its first look at the statuses, then scan.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(mock.scan(&id));
    let event = next(&mut events).await;
    assert_eq!(event.envelope.event, "session.status");
    assert_eq!(event.envelope.instance_id.as_deref(), Some(id.as_str()));
    assert_eq!(event.status(), Some(&InstanceStatus::Working));
    let attempts = front.attempts.lock().unwrap().clone();
    assert_eq!(attempts.len(), 3, "two failed attempts, then the delivery");
    assert!(
        attempts.iter().all(|body| *body == event.envelope.raw),
        "each retry is the same delivery, its event id kept"
    );
}

#[tokio::test]
async fn message_events_are_posted_on_request_in_a_recorded_shape() {
    let (url, _front, mut events) = receiver(0).await;
    let mock = MockServer::start(MockConfig::default().webhook_to(&url, Some(SECRET.into())))
        .await
        .unwrap();
    let id = waiting_instance();
    let control = format!(
        "http://{}{CONTROL_PATH}/instances/{id}/messages",
        mock.addr()
    );
    let client = reqwest::Client::new();
    let queued = client
        .post(&control)
        .bearer_auth(DEFAULT_TOKEN)
        .body(r#"{"event": "message.any", "body": "hello from the mock"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status(), 202);
    let event = next(&mut events).await;
    assert_eq!(event.envelope.event, "message.any");
    assert_eq!(event.envelope.instance_id.as_deref(), Some(id.as_str()));
    let Payload::MessageAny(message) = event.payload() else {
        panic!("{:?}", event.payload());
    };
    assert_eq!(message.body.as_deref(), Some("hello from the mock"));
    // Every other field is the recorded example's.
    let recorded =
        WebhookEvent::parse(recorded::example("message.any").unwrap().as_bytes()).unwrap();
    let Payload::MessageAny(example) = recorded.into_payload() else {
        panic!("typed");
    };
    assert_eq!(message.ack_name, example.ack_name);
    assert_eq!(message.engine_data, example.engine_data);

    let unknown = client
        .post(&control)
        .bearer_auth(DEFAULT_TOKEN)
        .body(r#"{"event": "call.received"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 422);
}

#[tokio::test]
async fn without_a_target_the_mock_posts_nothing() {
    let mock = MockServer::start(MockConfig::default()).await.unwrap();
    let answer = reqwest::Client::new()
        .post(format!(
            "http://{}{CONTROL_PATH}/instances/{}/messages",
            mock.addr(),
            waiting_instance()
        ))
        .bearer_auth(DEFAULT_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 409);
}
