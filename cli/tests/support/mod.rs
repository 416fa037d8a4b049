//! What the CLI tests share: the binary run against a base URL (every run
//! checked for a leaked API token or a panic), a mock on its own runtime,
//! and golden files.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use hypersender::types::InstanceResponse;
use hypersender_mock_server::{MockConfig, MockServer};

/// The recorded List Instances response every test mock starts with
/// (`tests/fixtures/list_instances.json`), not the spec's example: the
/// golden files and the ids below stay valid when the vendor changes it.
pub const RECORDED_LIST: &str = include_str!("../../../tests/fixtures/list_instances.json");
/// The recorded WORKING instance.
pub const WORKING_ID: &str = "fa3d01c4-1234-4c0d-a12f-df319b612f8c";
/// The recorded SCAN_QR_CODE instance.
pub const WAITING_ID: &str = "c9a1dd76-5678-4f9d-9012-a5b78de100c3";
/// The API token the tests use; no output may ever contain it.
pub const API_TOKEN: &str = "7|cliTestApiTokenSecretPart0123456789";
/// The recorded WORKING instance's access token.
pub const ACCESS_TOKEN: &str = "234|3uB2pBST2H6If8twXIeUaeNu23VJ8XassYoOVJuva48388e1";

/// The recorded instances, decoded.
pub fn recorded_instances() -> Vec<InstanceResponse> {
    serde_json::from_str(RECORDED_LIST).expect("tests/fixtures/list_instances.json decodes")
}

/// An address where connections are refused, held for as long as the
/// returned socket lives: bound but never listening, so no parallel test
/// can take the port (as it can one a dropped listener freed).
pub fn refusing_address() -> (socket2::Socket, std::net::SocketAddr) {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    let any_port: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
    socket.bind(&any_port.into()).unwrap();
    let address = socket.local_addr().unwrap().as_socket().unwrap();
    (socket, address)
}

/// A mock on its own runtime, so tests can run the binary synchronously.
pub struct Mock {
    pub server: MockServer,
    runtime: tokio::runtime::Runtime,
}

impl Mock {
    /// A mock with the recorded instances.
    pub fn start(config: MockConfig) -> Self {
        Self::start_with(config, recorded_instances())
    }

    /// A mock with the spec's documented example, as `--mock` serves it.
    pub fn documented() -> Self {
        Self::start_with(
            MockConfig::default(),
            hypersender_mock_server::seed_instances().unwrap(),
        )
    }

    fn start_with(config: MockConfig, instances: Vec<InstanceResponse>) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let server = runtime
            .block_on(MockServer::start(
                config.token(API_TOKEN).instances(instances),
            ))
            .unwrap();
        Self { server, runtime }
    }

    /// Frozen at a fixed time, so created instances print the same each run.
    pub fn frozen() -> Self {
        let at = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        Self::start(MockConfig::default().frozen_clock(at))
    }

    /// Runs `future` on the mock's runtime.
    pub fn block_on<T>(&self, future: impl std::future::Future<Output = T>) -> T {
        self.runtime.block_on(future)
    }

    /// Runs the binary against this mock.
    pub fn run(&self, args: &[&str]) -> Run {
        against(&self.server.base_url(), args)
    }
}

/// Runs `hypersender --base-url <base_url> --token <API_TOKEN> args...`.
pub fn against(base_url: &str, args: &[&str]) -> Run {
    let mut all = vec!["--base-url", base_url, "--token", API_TOKEN];
    all.extend_from_slice(args);
    hypersender(&all, &[])
}

#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the binary with a clean environment plus `env`; checks that the
/// API token appears in no output.
pub fn hypersender(args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_hypersender"))
        .args(args)
        .env_remove("HYPERSENDER_TOKEN")
        .env_remove("HYPERSENDER_BASE_URL")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let run = Run {
        code: output.status.code().unwrap(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    };
    for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(
            !text.contains(API_TOKEN),
            "the API token leaked to {name}: {run:?}"
        );
        assert!(!text.contains("panicked"), "{run:?}");
    }
    run
}

/// Compares with tests/golden/<name>, or rewrites it with UPDATE_GOLDEN=1.
pub fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    assert_eq!(actual, expected, "output differs from {}", path.display());
}

pub fn succeeded(run: Run) -> Run {
    assert_eq!(run.code, 0, "{run:?}");
    run
}

/// Decodes the QR code drawn with half blocks in `stdout` (the light
/// modules drawn) with rqrr.
pub fn decode_drawn_qr(stdout: &str) -> String {
    const PIXELS: usize = 4;
    let lines: Vec<Vec<char>> = stdout
        .lines()
        .filter(|line| !line.is_empty() && line.chars().all(|c| "█▀▄ ".contains(c)))
        .map(|line| line.chars().collect())
        .collect();
    assert!(!lines.is_empty(), "no QR code drawn in:\n{stdout}");
    let width = lines[0].len();
    // Each character is two modules, top and bottom; light ones are drawn.
    let light = |row: usize, column: usize| {
        let c = lines[row / 2][column];
        if row.is_multiple_of(2) {
            c == '█' || c == '▀'
        } else {
            c == '█' || c == '▄'
        }
    };
    let (w, h) = (width * PIXELS, lines.len() * 2 * PIXELS);
    decode_pixels(w, h, |x, y| {
        if light(y / PIXELS, x / PIXELS) {
            255
        } else {
            0
        }
    })
}

/// Decodes the QR code in a PNG with rqrr.
pub fn decode_png_qr(png: &[u8]) -> String {
    let mut reader = png::Decoder::new(std::io::Cursor::new(png))
        .read_info()
        .unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    let width = info.width as usize;
    decode_pixels(width, info.height as usize, |x, y| pixels[y * width + x])
}

/// Decodes the one QR code in a grayscale image with rqrr.
pub fn decode_pixels(width: usize, height: usize, luma: impl FnMut(usize, usize) -> u8) -> String {
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, luma);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "exactly one QR code in the image");
    grids[0].decode().unwrap().1
}

/// A tmux session running one command in a terminal of its own, so a test
/// can read what a person would see (`capture-pane`). Killed on drop, also
/// when an assertion fails.
pub struct Tmux {
    session: String,
}

impl Tmux {
    /// Runs `command` in a new detached session of `width` x `height`.
    pub fn start(command: &str, width: u16, height: u16) -> Self {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let number = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let session = format!("hypersender-test-{}-{number}", std::process::id());
        let (width, height) = (width.to_string(), height.to_string());
        let status = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &session,
                "-x",
                &width,
                "-y",
                &height,
                command,
            ])
            .status()
            .expect("tmux is installed (.ci/run installs it)");
        assert!(status.success());
        Self { session }
    }

    /// What the terminal shows now.
    pub fn screen(&self) -> String {
        let output = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Resizes the window (the program gets SIGWINCH).
    pub fn resize(&self, width: u16, height: u16) {
        let status = Command::new("tmux")
            .args([
                "resize-window",
                "-t",
                &self.session,
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
            ])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Presses keys (`C-c` for Ctrl-C).
    pub fn keys(&self, keys: &str) {
        let status = Command::new("tmux")
            .args(["send-keys", "-t", &self.session, keys])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits until `done` holds for the screen, and returns that screen;
    /// `what` names the wait in the failure, with the last screen.
    pub fn wait_until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            assert!(Instant::now() < deadline, "never showed {what}:\n{screen}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until the screen shows `text`, and returns that screen.
    pub fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "never showed {text:?}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .status();
    }
}

/// A child process killed (and reaped) on drop, also when an assertion
/// fails, so a failing test never leaves a mock serving in the background.
pub struct Spawned(pub std::process::Child);

impl Spawned {
    /// `hypersender args...` with stdout piped and no token in the
    /// environment.
    pub fn hypersender(args: &[&str]) -> Self {
        let child = Command::new(env!("CARGO_BIN_EXE_hypersender"))
            .args(args)
            .env_remove("HYPERSENDER_TOKEN")
            .env_remove("HYPERSENDER_BASE_URL")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        Self(child)
    }

    /// The next `count` lines of stdout (the child keeps running).
    pub fn lines(&mut self, count: usize) -> Vec<String> {
        read_lines(self.0.stdout.as_mut().unwrap(), count)
    }

    /// The next `count` lines of stderr (the child keeps running).
    pub fn err_lines(&mut self, count: usize) -> Vec<String> {
        read_lines(self.0.stderr.as_mut().unwrap(), count)
    }
}

/// The next `count` lines of `stream`.
fn read_lines(stream: &mut impl std::io::Read, count: usize) -> Vec<String> {
    // Byte by byte: a buffered reader dropped between calls would take
    // lines that a later call should see.
    let mut lines = Vec::new();
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while lines.len() < count {
        if stream.read(&mut byte).unwrap() == 0 {
            panic!("the stream ended after {lines:?}");
        }
        if byte[0] == b'\n' {
            lines.push(String::from_utf8_lossy(&line).into_owned());
            line.clear();
        } else {
            line.push(byte[0]);
        }
    }
    lines
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Every instance the mock lists now.
pub fn listed(mock: &Mock) -> Vec<InstanceResponse> {
    mock.block_on(async {
        hypersender::Client::builder(API_TOKEN)
            .base_url(mock.server.base_url())
            .build()
            .unwrap()
            .list_instances()
            .send()
            .await
            .unwrap()
    })
}

/// The id of the instance named `name`, once a command running beside the
/// test has created it (waits up to 20 s).
pub fn created_id(mock: &Mock, name: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(instance) = listed(mock).into_iter().find(|i| i.name == name) {
            return instance.id;
        }
        assert!(Instant::now() < deadline, "{name} was never created");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A port nobody answers on that records whether anything connected.
pub struct Silent(std::net::TcpListener);

impl Silent {
    pub fn new() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        Self(listener)
    }

    pub fn url(&self) -> String {
        format!("http://{}/api/whatsapp/v1", self.0.local_addr().unwrap())
    }

    pub fn was_contacted(&self) -> bool {
        self.0.accept().is_ok()
    }
}
