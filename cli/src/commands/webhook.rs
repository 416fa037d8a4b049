//! `hypersender webhook listen`: the library's receiver on a local port,
//! printing what arrives; `hypersender webhook send`: a delivery, as
//! Hypersender would post it, to an endpoint of the user's.

use std::process::ExitCode;

use hypersender::webhooks::receiver::{Delivery, Receiver, ReceiverConfig};
use hypersender::webhooks::{DOCUMENTED_EVENTS, Verifier, WebhookSecret, recorded};
use serde_json::json;

use crate::args::{Global, ListenArgs, SendArgs};
use crate::failure::Failure;
use crate::interrupt::{self, EXIT_INTERRUPTED};
use crate::terminal::{self, Style, escape};

/// Listens until Ctrl-C (exit 130 with a count of what arrived).
pub async fn listen(global: &Global, args: &ListenArgs) -> Result<ExitCode, Failure> {
    let verifier = match (&args.secret.secret, args.accept_unauthenticated) {
        (Some(secret), _) if !secret.is_empty() => Verifier::new(WebhookSecret::new(secret)),
        (_, true) => Verifier::accept_unauthenticated(),
        _ => {
            return Err(Failure::BadInput(
                "give the webhook secret (--secret or HYPERSENDER_WEBHOOK_SECRET), or --accept-unauthenticated".into(),
            ));
        }
    };
    let (addr, mut events) = serve_receiver(
        args.addr,
        ReceiverConfig::new(verifier.clone()).deliver_duplicates(true),
    )
    .await?;
    terminal::err_line(&format!(
        "listening for webhooks on http://{addr}/ ({}); Ctrl-C to stop",
        if verifier.is_unauthenticated() {
            "accepting unauthenticated deliveries"
        } else {
            "the secret is required"
        }
    ));
    interrupt::handled_by_command();
    let forward = args
        .forward_to
        .as_deref()
        .map(|url| (url, args.secret.secret.clone()));
    let (mut accepted, mut duplicates) = (0usize, 0usize);
    loop {
        tokio::select! {
            delivery = events.recv() => {
                let Some(delivery) = delivery else { break };
                if delivery.duplicate { duplicates += 1 } else { accepted += 1 }
                print_delivery(global, &delivery);
                if let (Some((url, secret)), false) = (&forward, delivery.duplicate) {
                    forward_one(url, secret.as_deref(), &delivery).await;
                }
            }
            () = interrupt::pressed() => break,
        }
    }
    terminal::err_line(&format!(
        "stopped listening after {accepted} event(s) and {duplicates} duplicate(s)"
    ));
    Ok(ExitCode::from(EXIT_INTERRUPTED))
}

/// The library's webhook receiver, served on `addr` (port 0: a free one)
/// until the command ends: where it listens, and its deliveries.
pub async fn serve_receiver(
    addr: std::net::SocketAddr,
    config: ReceiverConfig,
) -> Result<(std::net::SocketAddr, tokio::sync::mpsc::Receiver<Delivery>), Failure> {
    let cannot = |e: std::io::Error| Failure::Local(format!("cannot listen on {addr}: {e}"));
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(cannot)?;
    let bound = listener.local_addr().map_err(cannot)?;
    let Receiver { router, events } = Receiver::new(config);
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok((bound, events))
}

/// One delivery: a JSON line off a terminal (or with --json), else a line
/// of aligned columns; server text goes through the terminal's gate.
fn print_delivery(global: &Global, delivery: &Delivery) {
    let envelope = &delivery.event.envelope;
    let status = delivery.event.status().map(|s| s.as_str().to_owned());
    if global.json || !terminal::stdout_is_terminal() {
        terminal::out_json_line(&json!({
            "event": envelope.event,
            "id": envelope.id,
            "instance_id": envelope.instance_id,
            "user_id": envelope.user_id,
            "status": status,
            "duplicate": delivery.duplicate,
            "received_at": delivery.received_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        }));
        return;
    }
    let line = format!(
        "{}  {:<18}  {:<38}  {}{}{}",
        delivery.received_at.format("%H:%M:%S"),
        envelope.event,
        envelope.instance_id.as_deref().unwrap_or("-"),
        envelope.id.as_deref().unwrap_or("(no id)"),
        status.map_or_else(String::new, |s| format!("  {s}")),
        if delivery.duplicate {
            "  (duplicate)"
        } else {
            ""
        },
    );
    terminal::out_line(&escape(&line, Style::Text));
}

async fn forward_one(url: &str, secret: Option<&str>, delivery: &Delivery) {
    let mut request = hypersender::reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(delivery.event.envelope.raw.clone());
    if let Some(secret) = secret {
        request = request.header("authorization", secret);
    }
    match request.send().await {
        Ok(answer) if answer.status().is_success() => {}
        Ok(answer) => {
            terminal::err_line(&format!("forwarding: {url} answered {}", answer.status()))
        }
        Err(error) => terminal::err_line(&format!("forwarding: cannot reach {url}: {error}")),
    }
}

/// Posts one delivery; exit 0 if it was answered 2xx, 1 otherwise.
pub async fn send(args: &SendArgs) -> Result<ExitCode, Failure> {
    let body = match args.event.strip_prefix('@') {
        Some(path) => {
            std::fs::read(path).map_err(|e| Failure::Local(format!("cannot read {path}: {e}")))?
        }
        None => recorded::example(&args.event)
            .ok_or_else(|| {
                Failure::BadInput(format!(
                    "{:?} has no recorded example; one of {}, or @FILE",
                    args.event,
                    DOCUMENTED_EVENTS.join(", ")
                ))
            })?
            .as_bytes()
            .to_vec(),
    };
    let mut request = hypersender::reqwest::Client::new()
        .post(&args.to)
        .header("content-type", "application/json")
        .body(body);
    if let Some(secret) = &args.secret.secret {
        request = request.header("authorization", secret);
    }
    let answer = request
        .send()
        .await
        .map_err(|e| Failure::Wait(format!("cannot post to {}: {e}", args.to)))?;
    let status = answer.status();
    let text = answer.text().await.unwrap_or_default();
    terminal::out_line(&escape(&format!("HTTP {status}: {text}"), Style::Text));
    Ok(if status.is_success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
