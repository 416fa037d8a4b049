//! A raw TCP server that misbehaves on purpose, one scripted behaviour per
//! server. It listens on 127.0.0.1 only, counts requests, bounds every loop in
//! bytes and time, and stops when dropped.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the server answers every request. (Fields are the obvious sizes,
/// durations and response parts.)
#[allow(missing_docs)]
#[derive(Clone, Debug)]
pub enum Behavior {
    /// Sends the status line and headers (announcing `content_length`
    /// bytes), then nothing for `stall`, then closes.
    StallAfterHeaders {
        content_length: u64,
        stall: Duration,
    },
    /// Answers `status`, announces `content_length` bytes, sends `sent` of
    /// them, closes.
    CloseMidBody {
        status: u16,
        content_length: u64,
        sent: usize,
    },
    /// Sends `total` bytes of a JSON-looking body in 64 KiB chunks, with a
    /// `Content-Length` or chunked encoding.
    Huge { total: u64, declare_length: bool },
    /// A complete response.
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Answers with the request it received, as the body of a 500.
    EchoRequestAs500,
    /// The nth request gets the nth (status, JSON body); the last repeats.
    /// For a race a server cannot be made to lose on its own schedule.
    Sequence(Vec<(u16, String)>),
}

/// A running misbehaving server.
pub struct HostileServer {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// When each request arrived, on tokio's clock.
    arrivals: Arc<Mutex<Vec<Instant>>>,
    body_bytes_written: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl HostileServer {
    /// The race where another client creates the same name between our
    /// list and our create: the first list finds nothing, the create is
    /// refused (422, name taken), the next list finds the winner, an
    /// instance called `name` (SCAN_QR_CODE, id `race-winner-id`).
    pub async fn name_taken_race(name: &str, phone: &str) -> Self {
        let winner = serde_json::json!([{
            "id": "race-winner-id", "name": name, "phone": phone,
            "service_type": "whatsapp", "status": "SCAN_QR_CODE", "access_token": null,
            "created_at": "2025-05-26T10:12:45"
        }]);
        let taken = serde_json::json!({
            "message": "The name has already been taken.",
            "errors": {"name": ["The name has already been taken."]}
        });
        Self::start(Behavior::Sequence(vec![
            (200, "[]".to_owned()),
            (422, taken.to_string()),
            (200, winner.to_string()),
        ]))
        .await
    }

    /// Starts a server answering every request with `behavior`.
    pub async fn start(behavior: Behavior) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let arrivals = Arc::new(Mutex::new(Vec::new()));
        let body_bytes_written = Arc::new(AtomicU64::new(0));
        let (log, written) = (Arc::clone(&arrivals), Arc::clone(&body_bytes_written));
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (behavior, log, written) =
                    (behavior.clone(), Arc::clone(&log), Arc::clone(&written));
                tokio::spawn(async move {
                    let _ = serve(stream, behavior, log, written).await;
                });
            }
        });
        Self {
            base_url,
            arrivals,
            body_bytes_written,
            task,
        }
    }

    /// Requests received so far.
    pub fn requests(&self) -> usize {
        self.arrivals().len()
    }

    /// When each request so far arrived, on tokio's clock (so a test with
    /// a paused clock sees the client's pacing exactly).
    pub fn arrivals(&self) -> Vec<Instant> {
        self.arrivals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Body bytes the server managed to write before the client hung up.
    pub fn body_bytes_written(&self) -> u64 {
        self.body_bytes_written.load(Ordering::SeqCst)
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads one request head; `None` when the client closed first.
async fn read_head(stream: &mut TcpStream) -> std::io::Result<Option<String>> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await? == 0 || head.len() > 64 * 1024 {
            return Ok(None);
        }
        head.push(byte[0]);
    }
    Ok(Some(String::from_utf8_lossy(&head).into_owned()))
}

async fn serve(
    mut stream: TcpStream,
    behavior: Behavior,
    arrivals: Arc<Mutex<Vec<Instant>>>,
    written: Arc<AtomicU64>,
) -> std::io::Result<()> {
    while let Some(head) = read_head(&mut stream).await? {
        let index = {
            let mut arrivals = arrivals.lock().unwrap_or_else(PoisonError::into_inner);
            arrivals.push(Instant::now());
            arrivals.len() - 1
        };
        skip_body(&mut stream, &head).await?;
        match &behavior {
            Behavior::StallAfterHeaders {
                content_length,
                stall,
            } => {
                stream
                    .write_all(json_head(200, Some(*content_length), &[]).as_bytes())
                    .await?;
                tokio::time::sleep(*stall).await;
                return Ok(());
            }
            Behavior::CloseMidBody {
                status,
                content_length,
                sent,
            } => {
                stream
                    .write_all(json_head(*status, Some(*content_length), &[]).as_bytes())
                    .await?;
                stream
                    .write_all(&b"[{\"id\":\"x\"".repeat(*sent / 10 + 1)[..*sent])
                    .await?;
                return Ok(());
            }
            Behavior::Huge {
                total,
                declare_length,
            } => {
                let length = declare_length.then_some(*total);
                stream
                    .write_all(json_head(200, length, &[]).as_bytes())
                    .await?;
                return write_huge(&mut stream, *total, *declare_length, &written).await;
            }
            Behavior::Respond {
                status,
                headers,
                body,
            } => {
                let mut head = json_head(*status, Some(body.len() as u64), headers);
                head.push_str(body);
                stream.write_all(head.as_bytes()).await?;
            }
            Behavior::Sequence(answers) => {
                let (status, body) = &answers[index.min(answers.len() - 1)];
                let mut response = json_head(*status, Some(body.len() as u64), &[]);
                response.push_str(body);
                stream.write_all(response.as_bytes()).await?;
            }
            Behavior::EchoRequestAs500 => {
                let mut response = json_head(500, Some(head.len() as u64), &[]);
                response.push_str(&head);
                stream.write_all(response.as_bytes()).await?;
            }
        }
    }
    Ok(())
}

/// Reads and drops the body a request head announces (`Content-Length`).
async fn skip_body(stream: &mut TcpStream, head: &str) -> std::io::Result<()> {
    let length = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .unwrap_or(0)
        .min(1024 * 1024);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).await.map(drop)
}

fn json_head(status: u16, content_length: Option<u64>, extra: &[(String, String)]) -> String {
    let mut head = format!("HTTP/1.1 {status} Scripted\r\n");
    let has_content_type = extra
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("content-type"));
    if !has_content_type {
        head.push_str("content-type: application/json\r\n");
    }
    match content_length {
        Some(length) => head.push_str(&format!("content-length: {length}\r\n")),
        None => head.push_str("transfer-encoding: chunked\r\n"),
    }
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    head
}

/// Writes up to `total` body bytes; stops at the first write error (the
/// client hung up), so the loop is bounded either way.
async fn write_huge(
    stream: &mut TcpStream,
    total: u64,
    declare_length: bool,
    written: &AtomicU64,
) -> std::io::Result<()> {
    let chunk = vec![b' '; 64 * 1024];
    let mut sent = 0u64;
    while sent < total {
        let size = chunk.len().min((total - sent) as usize);
        let result = if declare_length {
            stream.write_all(&chunk[..size]).await
        } else {
            let mut framed = format!("{size:x}\r\n").into_bytes();
            framed.extend_from_slice(&chunk[..size]);
            framed.extend_from_slice(b"\r\n");
            stream.write_all(&framed).await
        };
        if result.is_err() {
            return Ok(());
        }
        sent += size as u64;
        written.store(sent, Ordering::SeqCst);
    }
    if !declare_length {
        stream.write_all(b"0\r\n\r\n").await?;
    }
    Ok(())
}
