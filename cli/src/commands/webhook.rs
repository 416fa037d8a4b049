//! `hypersender webhook listen`: the library's receiver on a local port,
//! showing what arrives (a live table on a terminal, JSON Lines otherwise); `hypersender webhook send`: a delivery, as
//! Hypersender would post it, to an endpoint of the user's.

use std::process::ExitCode;

use hypersender::webhooks::receiver::{Delivery, Receiver, ReceiverConfig};
use hypersender::webhooks::{DOCUMENTED_EVENTS, Verifier, WebhookSecret, recorded};
use serde_json::json;

use super::listen_screen::ListenScreen;
use crate::args::{Global, ListenArgs, SendArgs};
use crate::failure::Failure;
use crate::interrupt::{self, EXIT_INTERRUPTED};
use crate::terminal::{self, Resizes, Style, escape};

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
    let banner = format!(
        "listening for webhooks on http://{addr}/ ({}); Ctrl-C to stop",
        if verifier.is_unauthenticated() {
            "accepting unauthenticated deliveries"
        } else {
            "the secret is required"
        }
    );
    terminal::err_line(&banner);
    interrupt::handled_by_command();
    let forward = args
        .forward_to
        .as_deref()
        .map(|url| (url, args.secret.secret.clone()));
    let mut screen =
        (terminal::stdout_is_terminal() && !global.json).then(|| ListenScreen::new(banner));
    let mut resizes = Resizes::watch();
    // A burst of deliveries is drawn once per tick, not once each.
    let mut tick = tokio::time::interval(REDRAW_EVERY);
    let (mut accepted, mut duplicates, mut dirty) = (0usize, 0usize, true);
    loop {
        tokio::select! {
            delivery = events.recv() => {
                let Some(delivery) = delivery else { break };
                if delivery.duplicate { duplicates += 1 } else { accepted += 1 }
                match &mut screen {
                    Some(screen) => { screen.record(&delivery); dirty = true; }
                    None => print_delivery(&delivery),
                }
                if let (Some((url, secret)), false) = (&forward, delivery.duplicate)
                    && let Err(problem) = forward_one(url, secret.as_deref(), &delivery).await
                {
                    match &mut screen {
                        Some(screen) => screen.note(problem),
                        None => terminal::err_line(&problem),
                    }
                }
            }
            _ = tick.tick(), if dirty && screen.is_some() => {
                if let Some(screen) = &mut screen { screen.draw(); }
                dirty = false;
            }
            () = resizes.next(), if screen.is_some() => dirty = true,
            () = interrupt::pressed() => break,
        }
    }
    if let Some(screen) = &mut screen {
        screen.close();
    }
    terminal::err_line(&format!(
        "stopped listening after {accepted} event(s) and {duplicates} duplicate(s)"
    ));
    Ok(ExitCode::from(EXIT_INTERRUPTED))
}

/// How often the live table is redrawn at most.
const REDRAW_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

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

/// One delivery as a JSON line (off a terminal, or with --json), escaped
/// as JSON.
fn print_delivery(delivery: &Delivery) {
    let envelope = &delivery.event.envelope;
    let status = delivery.event.status().map(|s| s.as_str().to_owned());
    terminal::out_json_line(&json!({
        "event": envelope.event,
        "id": envelope.id,
        "instance_id": envelope.instance_id,
        "user_id": envelope.user_id,
        "status": status,
        "duplicate": delivery.duplicate,
        "received_at": delivery.received_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    }));
}

/// Posts `delivery`'s body on to `url`; what went wrong, if anything.
async fn forward_one(url: &str, secret: Option<&str>, delivery: &Delivery) -> Result<(), String> {
    let mut request = hypersender::reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(delivery.event.envelope.raw.clone());
    if let Some(secret) = secret {
        request = request.header("authorization", secret);
    }
    match request.send().await {
        Ok(answer) if answer.status().is_success() => Ok(()),
        Ok(answer) => Err(format!("forwarding: {url} answered {}", answer.status())),
        Err(error) => Err(format!("forwarding: cannot reach {url}: {error}")),
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
