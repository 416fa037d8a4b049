//! Any request a hostile sender might post to the webhook receiver: the
//! first line is the `Authorization` header, the rest the body. Verified,
//! then parsed (the payload typed, and re-read as JSON): a value or an error,
//! never a panic.
#![no_main]

use hypersender::webhooks::http::{HeaderMap, HeaderValue, header::AUTHORIZATION};
use hypersender::webhooks::{Verifier, WebhookEvent, WebhookSecret};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let (header, body) = match input.iter().position(|b| *b == b'\n') {
        Some(at) => (&input[..at], &input[at + 1..]),
        None => (&[][..], input),
    };
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_bytes(header) {
        headers.insert(AUTHORIZATION, value);
    }
    let _ = Verifier::new(WebhookSecret::new("fuzz-secret")).verify(&headers);
    if let Ok(event) = WebhookEvent::parse(body) {
        let _ = event.payload();
        let _ = event.payload_json();
        let _ = event.status();
    }
});
