//! Receiving one webhook: verify + parse + dedupe of the recorded
//! `message.any` example, its payload typed (what an application that reads
//! it pays), against parsing the same body into a `serde_json::Value` (what
//! a receiver does with no SDK at all); and the same without the typed
//! payload (what the receiver does before it answers).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hypersender::webhooks::http::{HeaderMap, HeaderValue, header::AUTHORIZATION};
use hypersender::webhooks::{
    MemorySeen, Payload, SeenEvents, Verifier, WebhookEvent, WebhookSecret, recorded,
};

fn receive(c: &mut Criterion) {
    let body = recorded::example("message.any").unwrap().as_bytes();
    let secret = "whsec-benchmark-0123456789abcdef";
    let verifier = Verifier::new(WebhookSecret::new(secret));
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, HeaderValue::from_static(secret));
    let seen = MemorySeen::default();
    let mut group = c.benchmark_group("webhook message.any");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("serde_json::Value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(body).unwrap())
    });
    let receive = || {
        verifier.verify(&headers).unwrap();
        let event = WebhookEvent::parse(body).unwrap();
        let id = event.envelope.id.as_deref().unwrap();
        // A first delivery each time: remembered, then forgotten.
        assert!(seen.first_delivery(id));
        seen.forget(id);
        event
    };
    group.bench_function("verify + parse + dedupe, payload typed", |b| {
        b.iter(|| {
            let event = receive();
            assert!(matches!(event.payload(), Payload::MessageAny(_)));
            event
        })
    });
    group.bench_function("verify + parse + dedupe, envelope only", |b| {
        b.iter(receive)
    });
    group.finish();
}

criterion_group!(benches, receive);
criterion_main!(benches);
