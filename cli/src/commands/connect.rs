//! `instances connect`: the library's onboarding flow, drawn. On a terminal
//! a live screen shows the instance, its status, what the flow waits for
//! (a rate limit, counting down; a retry), the time left, and the QR code
//! with a countdown to its expiry, replaced in place when a fresh one
//! arrives and redrawn at once when the window is resized (or a note that
//! the window is too small for it). Elsewhere (a pipe, a file) each event
//! is one plain line, or one JSON line with `--json`.

use std::path::Path;
use std::pin::pin;
use std::process::ExitCode;
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use hypersender::types::InstanceWithQrCode;
use hypersender::{Client, ConnectEvent, ConnectOptions, GiveUpReason, QrCode};
use hypersender_mock_server::MockServer;
use tokio::time::Instant;

use crate::args::{ConnectArgs, Global};
use crate::checks;
use crate::failure::{EXIT_INSTANCE_FAILED, EXIT_TIMED_OUT, Failure};
use crate::interrupt::{self, EXIT_INTERRUPTED};
use crate::notices;
use crate::output::{HEALTH_FIELDS, prepare, print_object};
use crate::qr_terminal;
use crate::terminal::{self, LiveScreen, Resizes, Style, escape};

/// Connects, draws, and exits 0 (WORKING), 3 (timed out), 5 (FAILED),
/// 130 (interrupted) or as the error says.
pub async fn run(
    client: &Client,
    global: &Global,
    args: &ConnectArgs,
    mock: Option<&MockServer>,
) -> Result<ExitCode, Failure> {
    checks::new_instance(&args.instance)?;
    if let Some(path) = &args.qr.qr_png {
        crate::output::check_writable(path)?;
    }
    let options = ConnectOptions::default()
        .timeout(args.timeout)
        .qr_lifetime(args.qr_lifetime.qr_lifetime);
    let scanner = Scanner::new(mock, args.mock_scan_after);
    if mock.is_some() && args.mock_scan_after.is_none() {
        terminal::err_line(
            "note: nobody can scan an embedded mock's QR code; add --mock-scan-after 5s to have its phone scan it",
        );
    }
    let flow = client.connect(args.instance.desired(), options.clone());
    show(flow, global, &options, args.qr.qr_png.as_deref(), scanner).await
}

/// The flow of an instance `apply` just created: its own QR code first.
pub async fn created(
    client: &Client,
    global: &Global,
    created: InstanceWithQrCode,
) -> Result<ExitCode, Failure> {
    let options = ConnectOptions::default();
    let flow = client.connect_created(created, options.clone());
    show(flow, global, &options, None, Scanner::new(None, None)).await
}

/// The embedded mock's phone, scanning each code after a delay.
struct Scanner<'a> {
    mock: Option<&'a MockServer>,
    after: Option<Duration>,
    /// The code to scan, and when.
    due: Option<(String, Instant)>,
}

impl<'a> Scanner<'a> {
    fn new(mock: Option<&'a MockServer>, after: Option<Duration>) -> Self {
        Self {
            mock,
            after: mock.and(after),
            due: None,
        }
    }

    fn code_shown(&mut self, instance_id: &str) {
        if let Some(after) = self.after {
            self.due = Some((instance_id.to_owned(), Instant::now() + after));
        }
    }

    /// Resolves when a scan is due (never when none is).
    async fn due(&self) {
        match &self.due {
            Some((_, at)) => tokio::time::sleep_until(*at).await,
            None => std::future::pending().await,
        }
    }

    fn scan(&mut self) {
        if let (Some(mock), Some((id, _))) = (self.mock, self.due.take()) {
            mock.scan(&id);
        }
    }
}

/// Follows `flow`, drawn, until it ends or is interrupted.
async fn show(
    flow: impl Stream<Item = ConnectEvent>,
    global: &Global,
    options: &ConnectOptions,
    qr_png: Option<&Path>,
    mut scanner: Scanner<'_>,
) -> Result<ExitCode, Failure> {
    interrupt::handled_by_command();
    let mut view = View::new(global, qr_png, options);
    let mut flow = pin!(flow);
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut resizes = Resizes::watch();
    loop {
        tokio::select! {
            event = flow.next() => match event {
                Some(event) => {
                    if let ConnectEvent::QrCode { instance_id, .. } = &event {
                        scanner.code_shown(instance_id);
                    }
                    if let Some(code) = view.show(event)? {
                        return Ok(code);
                    }
                }
                None => return Ok(ExitCode::SUCCESS),
            },
            () = scanner.due() => scanner.scan(),
            _ = tick.tick(), if view.live => view.draw(),
            () = resizes.next(), if view.live => view.draw(),
            () = interrupt::pressed() => return Ok(view.interrupted()),
        }
    }
}

/// What is on screen (live) or printed (plain, JSON).
struct View<'a> {
    global: &'a Global,
    qr_png: Option<&'a Path>,
    timeout: Duration,
    /// When the flow gives up (waits for rate limits come on top).
    deadline: Instant,
    /// Redraw in place: stdout is a terminal and the output is not JSON.
    live: bool,
    instance: String,
    status: String,
    qr: Option<(QrCode, u32, String)>,
    /// The limit holds the next QR code back: since when, and until when.
    fresh_qr_wait: Option<(Instant, Instant)>,
    warnings: Vec<String>,
    screen: LiveScreen,
}

impl<'a> View<'a> {
    fn new(global: &'a Global, qr_png: Option<&'a Path>, options: &ConnectOptions) -> Self {
        let live = terminal::stdout_is_terminal() && !global.json;
        notices::set_live(live);
        Self {
            global,
            qr_png,
            timeout: options.timeout_duration(),
            deadline: Instant::now() + options.timeout_duration(),
            live,
            instance: String::new(),
            status: "-".into(),
            qr: None,
            fresh_qr_wait: None,
            warnings: Vec::new(),
            screen: LiveScreen::default(),
        }
    }

    /// Leaves the live screen, for the command's last lines.
    fn finish(&mut self) {
        self.screen.close();
        notices::set_live(false);
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
            ConnectEvent::Status {
                status,
                instance_id,
            } => {
                if self.instance.is_empty() {
                    self.instance = instance_id;
                }
                self.status = status.to_string();
                self.say(&format!("status {status}"));
            }
            ConnectEvent::Restarted { .. } => self.say("restarted it; a fresh QR code follows"),
            ConnectEvent::QrCodeExpired {
                number, fresh_in, ..
            } => self.qr_code_expired(number, fresh_in),
            ConnectEvent::QrCode {
                qr_code, number, ..
            } => self.new_qr_code(qr_code, number)?,
            ConnectEvent::Connected(health) => {
                self.finish();
                if !self.global.json {
                    terminal::err_line("connected");
                    print_object(self.global, &health, HEALTH_FIELDS);
                }
                return Ok(Some(ExitCode::SUCCESS));
            }
            ConnectEvent::GaveUp { reason, .. } => {
                self.finish();
                return self.gave_up(reason).map(Some);
            }
            _ => {}
        }
        Ok(None)
    }

    /// A warning: a line of the live screen (stderr would be drawn over),
    /// else a line on stderr.
    fn warn(&mut self, line: String) {
        if self.live {
            self.warnings.push(line);
        } else {
            terminal::err_line(&line);
        }
    }

    /// A status line: on the live screen, or printed (plain output).
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

    /// The code expired and the limit holds the next back: the wait is
    /// shown counting down (live) or said when it starts and ends (plain),
    /// and does not count against the timeout.
    fn qr_code_expired(&mut self, number: u32, fresh_in: Duration) {
        let now = Instant::now();
        self.deadline += fresh_in;
        self.fresh_qr_wait = Some((now, now + fresh_in));
        if self.live {
            self.draw();
        } else if !self.global.json {
            terminal::err_line(&format!(
                "QR code {number} expired; {}",
                notices::waiting_words(&fresh_qr_code_words(), fresh_in)
            ));
        }
    }

    /// The end of a wait for a fresh code, said off a live screen.
    fn fresh_qr_wait_over(&mut self) {
        if let Some((since, _)) = self.fresh_qr_wait.take()
            && !self.live
            && !self.global.json
        {
            terminal::err_line(&format!(
                "waited {} s for the rate limit: {}",
                since.elapsed().as_secs(),
                fresh_qr_code_words()
            ));
        }
    }

    fn new_qr_code(&mut self, qr_code: QrCode, number: u32) -> Result<(), Failure> {
        self.fresh_qr_wait_over();
        let png = qr_code.png().map_err(qr_terminal::QrImageError::from);
        let saved = match (self.qr_png, &png) {
            (Some(path), Ok(png)) => std::fs::write(path, png)
                .map_err(|e| Failure::Local(format!("cannot write {}: {e}", path.display()))),
            _ => Ok(()),
        };
        let drawing = png
            .and_then(|png| qr_terminal::read(&png))
            .map(|code| qr_terminal::render(&code, self.live))
            .map_err(Failure::Qr)?;
        if !self.global.json {
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
        }
        // The code is shown before the file's failure ends the command.
        if saved.is_err() {
            self.finish();
        }
        saved
    }

    /// Redraws the live screen: instance, status, what the flow waits for,
    /// the time left, and the QR code with its countdown (or why it is not
    /// shown).
    fn draw(&mut self) {
        if !self.live {
            return;
        }
        let (columns, rows) = LiveScreen::size();
        let left = self.deadline.saturating_duration_since(Instant::now());
        let mut text = vec![
            format!("Instance  {}", escape(&self.instance, Style::Text)),
            format!("Status    {}", escape(&self.status, Style::Text)),
            format!(
                "Time left {} (gives up then; rate-limit waits come on top)",
                minutes(left)
            ),
        ];
        let notes = [notices::current_wait(), notices::last_retry()];
        text.extend(notes.into_iter().flatten().map(|n| escape(&n, Style::Text)));
        text.extend(self.warnings.iter().map(|w| escape(w, Style::Text)));
        // Words wrap at the window's width (a line cut short would hide
        // what it says); only the QR code is never wrapped.
        let mut lines = terminal::wrap(&text, columns);
        if let Some((qr_code, number, drawing)) = &self.qr {
            let caption = terminal::wrap(&[self.qr_caption(qr_code, *number)], columns);
            let code_lines: Vec<&str> = drawing.lines().collect();
            let width = code_lines
                .first()
                .map_or(0, |line| console::measure_text_width(line));
            let needed = lines.len() + code_lines.len() + caption.len() + 2;
            lines.push(String::new());
            if qr_code.time_left().is_zero() {
                // An expired code cannot be scanned: not drawn.
            } else if width > columns || needed > rows {
                lines.extend(terminal::wrap(
                    &[
                        format!("The window is too small for QR code {number}:"),
                        format!("it needs {width}x{needed}, this one is {columns}x{rows}."),
                        "Enlarge it (the code is drawn again at once), or save the code with --qr-png FILE.".to_owned(),
                    ],
                    columns,
                ));
            } else {
                lines.extend(code_lines.into_iter().map(str::to_owned));
                lines.push(String::new());
            }
            lines.extend(caption);
        }
        self.screen.draw(&lines);
    }

    /// The line under the QR code: its countdown, or what the next waits for.
    fn qr_caption(&self, qr_code: &QrCode, number: u32) -> String {
        let expires = qr_code.time_left().as_secs();
        if expires > 0 {
            return format!(
                "QR code {number}: expires in {expires:>2} s. Scan it in WhatsApp (Settings > Linked Devices)."
            );
        }
        match self.fresh_qr_wait {
            Some((_, until)) => format!(
                "QR code {number} expired; {}",
                notices::waiting_words(
                    &fresh_qr_code_words(),
                    until.saturating_duration_since(Instant::now())
                )
            ),
            None => format!("QR code {number} expired; a fresh one is on its way"),
        }
    }

    /// Ctrl-C: what was done, and how to go on.
    fn interrupted(&mut self) -> ExitCode {
        self.finish();
        let line = if self.instance.is_empty() {
            "interrupted before an instance was found or created; nothing was changed".to_owned()
        } else {
            format!(
                "interrupted: {} is {}; run the same command again to go on connecting it (it is reused)",
                self.instance, self.status
            )
        };
        terminal::err_line(&line);
        ExitCode::from(EXIT_INTERRUPTED)
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

impl Drop for View<'_> {
    fn drop(&mut self) {
        notices::set_live(false);
    }
}

/// `4:05`.
fn minutes(left: Duration) -> String {
    let seconds = left.as_secs();
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// One event as a JSON line: `{"event": "qr_code", ...}`.
/// The operation a fresh code waits for, in the one wording of waits.
fn fresh_qr_code_words() -> String {
    notices::operation_words(hypersender::catalog::REQUEST_NEW_QR_CODE.id)
}

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
        ConnectEvent::QrCodeExpired {
            instance_id,
            number,
            fresh_in,
        } => json!({
            "event": "qr_code_expired", "instance_id": instance_id, "number": number,
            "fresh_in_s": fresh_in.as_secs_f64().ceil() as u64,
        }),
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
