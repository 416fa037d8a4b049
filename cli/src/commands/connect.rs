//! `instances connect`: the library's onboarding flow, drawn. On a terminal
//! the QR code is drawn with a countdown to its expiry and redrawn in place
//! when a fresh one arrives; elsewhere (a pipe, a file) each event is one
//! plain line, or one JSON line with `--json`.

use std::path::Path;
use std::pin::pin;
use std::process::ExitCode;
use std::time::Duration;

use futures_util::StreamExt;
use hypersender::{Client, ConnectEvent, ConnectOptions, ConnectRequest, GiveUpReason, QrCode};

use crate::args::{ConnectArgs, Global};
use crate::failure::{EXIT_INSTANCE_FAILED, EXIT_TIMED_OUT, Failure};
use crate::output::{HEALTH_FIELDS, prepare, print_object};
use crate::qr_terminal;
use crate::terminal::{self, LiveScreen, Style, escape};

/// Connects, draws, and exits 0 (WORKING), 3 (timed out), 5 (FAILED) or
/// as the error says.
pub async fn run(
    client: &Client,
    global: &Global,
    args: &ConnectArgs,
) -> Result<ExitCode, Failure> {
    let request = args.instance.desired();
    let options = ConnectOptions::default()
        .timeout(args.timeout)
        .qr_lifetime(args.qr_lifetime);
    flow(client, global, request, options, args.qr.qr_png.as_deref()).await
}

/// The connect flow of `request`, drawn (also run by `apply --connect`).
pub async fn flow(
    client: &Client,
    global: &Global,
    request: ConnectRequest,
    options: ConnectOptions,
    qr_png: Option<&Path>,
) -> Result<ExitCode, Failure> {
    let mut view = View::new(global, qr_png, options.clone());
    let mut flow = pin!(client.connect(request, options));
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            event = flow.next() => match event {
                Some(event) => {
                    if let Some(code) = view.show(event)? {
                        return Ok(code);
                    }
                }
                None => return Ok(ExitCode::SUCCESS),
            },
            _ = tick.tick(), if view.live => view.draw(),
        }
    }
}

/// What is on screen (live) or printed (plain, JSON).
struct View<'a> {
    global: &'a Global,
    qr_png: Option<&'a Path>,
    timeout: Duration,
    /// Redraw in place: stdout is a terminal and the output is not JSON.
    live: bool,
    instance: String,
    status: String,
    qr: Option<(QrCode, u32, String)>,
    warnings: Vec<String>,
    screen: LiveScreen,
}

impl<'a> View<'a> {
    fn new(global: &'a Global, qr_png: Option<&'a Path>, options: ConnectOptions) -> Self {
        Self {
            global,
            qr_png,
            timeout: options.timeout_duration(),
            live: terminal::stdout_is_terminal() && !global.json,
            instance: String::new(),
            status: "-".into(),
            qr: None,
            warnings: Vec::new(),
            screen: LiveScreen::default(),
        }
    }

    /// Shows one event; `Some(code)` when it ends the command.
    fn show(&mut self, event: ConnectEvent) -> Result<Option<ExitCode>, Failure> {
        if self.global.json {
            terminal::out_json_line(&event_json(&event, self.global.show_secrets));
        }
        match event {
            ConnectEvent::Created(created) => {
                self.instance = format!("{} ({})", created.name, created.id);
                self.say(&format!("created {}", self.instance));
            }
            ConnectEvent::Reused {
                instance,
                differences,
            } => {
                self.instance = format!("{} ({})", instance.name, instance.id);
                for difference in differences {
                    self.warn(format!(
                        "warning: {} has {} {}, not {}; the API cannot change it",
                        self.instance, difference.field, difference.actual, difference.wanted
                    ));
                }
                self.say(&format!(
                    "reusing {}, which is {}",
                    self.instance, instance.status
                ));
            }
            ConnectEvent::Status { status, .. } => {
                self.status = status.to_string();
                self.say(&format!("status {status}"));
            }
            ConnectEvent::Restarted { .. } => {
                self.say("FAILED: restarted it; a fresh QR code follows")
            }
            ConnectEvent::QrCode {
                qr_code, number, ..
            } => self.new_qr_code(qr_code, number)?,
            ConnectEvent::Connected(health) => {
                self.qr = None;
                self.status = health.status.to_string();
                self.draw();
                if !self.global.json {
                    terminal::err_line("connected");
                    print_object(self.global, &health, HEALTH_FIELDS);
                }
                return Ok(Some(ExitCode::SUCCESS));
            }
            ConnectEvent::GaveUp { reason, .. } => return self.gave_up(reason).map(Some),
            _ => {}
        }
        Ok(None)
    }

    /// A status line: on the live screen, or printed (plain output).
    /// A warning: a line of the live screen (stderr would be drawn over),
    /// else a line on stderr.
    fn warn(&mut self, line: String) {
        if self.live {
            self.warnings.push(line);
        } else {
            terminal::err_line(&line);
        }
    }

    fn say(&mut self, line: &str) {
        if self.global.json {
            return;
        }
        if self.live {
            self.draw();
        } else {
            terminal::out_line(line);
        }
    }

    fn new_qr_code(&mut self, qr_code: QrCode, number: u32) -> Result<(), Failure> {
        let png = qr_code.png().map_err(qr_terminal::QrImageError::from);
        if let (Some(path), Ok(png)) = (self.qr_png, &png) {
            std::fs::write(path, png)
                .map_err(|e| Failure::Local(format!("cannot write {}: {e}", path.display())))?;
        }
        let drawing = png
            .and_then(|png| qr_terminal::read(&png))
            .map(|code| qr_terminal::render(&code, self.live))
            .map_err(Failure::Qr)?;
        if self.global.json {
            return Ok(());
        }
        if self.live {
            self.qr = Some((qr_code, number, drawing));
            self.draw();
        } else {
            terminal::out_line(&format!(
                "QR code {number} (expires in {} s); scan it in WhatsApp (Settings > Linked Devices):",
                qr_code.time_left().as_secs()
            ));
            terminal::trusted_block(&format!("{drawing}\n"));
        }
        Ok(())
    }

    /// Redraws the live screen over the last one: instance, status, QR code
    /// and its countdown.
    fn draw(&mut self) {
        if !self.live {
            return;
        }
        let mut lines = vec![
            format!("Instance  {}", escape(&self.instance, Style::Text)),
            format!("Status    {}", escape(&self.status, Style::Text)),
        ];
        lines.extend(self.warnings.iter().map(|w| escape(w, Style::Text)));
        if let Some((qr_code, number, drawing)) = &self.qr {
            lines.push(String::new());
            lines.extend(drawing.lines().map(str::to_owned));
            lines.push(String::new());
            let left = qr_code.time_left().as_secs();
            lines.push(if left == 0 {
                format!("QR code {number} expired; a fresh one is on its way")
            } else {
                format!("QR code {number}: expires in {left:>2} s. Scan it in WhatsApp (Settings > Linked Devices).")
            });
        }
        self.screen.draw(&lines);
    }

    fn gave_up(&mut self, reason: GiveUpReason) -> Result<ExitCode, Failure> {
        match reason {
            GiveUpReason::TimedOut(last) => {
                let last = last.map_or_else(|| "unknown".to_owned(), |s| s.to_string());
                terminal::err_line(&format!(
                    "timed out after {} s; the instance is {last}",
                    self.timeout.as_secs()
                ));
                Ok(ExitCode::from(EXIT_TIMED_OUT))
            }
            GiveUpReason::Failed { restarts } => {
                terminal::err_line(&format!(
                    "the instance is FAILED after {restarts} restart(s): check the dashboard or contact support"
                ));
                Ok(ExitCode::from(EXIT_INSTANCE_FAILED))
            }
            GiveUpReason::Error(error) => Err(Failure::Shared(error)),
            other => {
                terminal::err_line(&format!("gave up: {other}"));
                Ok(ExitCode::FAILURE)
            }
        }
    }
}

/// One event as a JSON line: `{"event": "qr_code", ...}`.
fn event_json(event: &ConnectEvent, show_secrets: bool) -> serde_json::Value {
    use serde_json::json;
    match event {
        ConnectEvent::Created(instance) => {
            json!({"event": "created", "instance": prepare(instance, show_secrets)})
        }
        ConnectEvent::Reused {
            instance,
            differences,
        } => json!({
            "event": "reused", "instance": prepare(instance, show_secrets),
            "differences": differences,
        }),
        ConnectEvent::QrCode {
            instance_id,
            qr_code,
            number,
        } => json!({
            "event": "qr_code", "instance_id": instance_id, "number": number,
            "expires_in_s": qr_code.time_left().as_secs(), "qr_code": qr_code.base64()
        }),
        ConnectEvent::Status {
            instance_id,
            status,
        } => json!({"event": "status", "instance_id": instance_id, "status": status}),
        ConnectEvent::Restarted { instance_id } => {
            json!({"event": "restarted", "instance_id": instance_id})
        }
        ConnectEvent::Connected(health) => {
            json!({"event": "connected", "health": prepare(health, show_secrets)})
        }
        ConnectEvent::GaveUp {
            instance_id,
            reason,
        } => json!({"event": "gave_up", "instance_id": instance_id, "reason": reason.to_string()}),
        _ => json!({"event": "other"}),
    }
}
