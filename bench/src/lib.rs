//! Shared pieces of the benchmarks: a keep-alive loopback server answering
//! every request with one fixed response, and a large list body.

pub mod fleet;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A token of the documented shape.
pub const TOKEN: &str = "234|3uB2pBST2H6If8twXIeUaeNu23VJ8XassYoOVJuva48388e1";

/// Starts a loopback HTTP/1.1 server answering every request on every
/// keep-alive connection with `body` (JSON); returns its base URL.
pub async fn serve_fixed(body: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let response: Arc<[u8]> = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
    .into();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let response = Arc::clone(&response);
            tokio::spawn(async move {
                let mut buffer = vec![0u8; 16 * 1024];
                let mut pending = Vec::new();
                loop {
                    let Ok(read) = stream.read(&mut buffer).await else {
                        return;
                    };
                    if read == 0 {
                        return;
                    }
                    pending.extend_from_slice(&buffer[..read]);
                    // GET requests have no body: each blank line ends one request.
                    while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                        pending.drain(..end + 4);
                        if stream.write_all(&response).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    base_url
}

/// A list response of `count` instances in the documented shape.
pub fn instance_list(count: usize) -> String {
    let statuses = [
        "WORKING",
        "SCAN_QR_CODE",
        "STOPPED",
        "STARTING",
        "FAILED",
        "PENDING",
    ];
    let items: Vec<serde_json::Value> = (0..count)
        .map(|i| {
            serde_json::json!({
                "id": format!("fa3d01c4-1234-4c0d-a12f-{i:012x}"),
                "name": format!("Instance{i}"),
                "phone": format!("+2012{i:08}"),
                "service_type": "whatsapp",
                "status": statuses[i % statuses.len()],
                "access_token": if i % 2 == 0 { serde_json::Value::String(format!("{i}|3uB2pBST2H6If8twXIeUaeNu23VJ8XassYoOVJuva48388e1")) } else { serde_json::Value::Null },
                "created_at": format!("2025-05-{:02}T10:12:{:02}", i % 28 + 1, i % 60),
            })
        })
        .collect();
    serde_json::Value::Array(items).to_string()
}

/// A global allocator that counts live bytes and their peak; declare it with
/// `#[global_allocator] static ALLOCATOR: Counting = Counting;`.
pub struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call unchanged to the system allocator; it only
// counts sizes in atomics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
        PEAK.fetch_max(now, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Starts measuring: the peak is reset to the bytes live now.
pub fn peak_reset() -> usize {
    let base = CURRENT.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    base
}

/// The peak bytes above `base` since [`peak_reset`] returned it.
pub fn peak_since(base: usize) -> usize {
    PEAK.load(Ordering::SeqCst).saturating_sub(base)
}

/// Peak bytes allocated above the starting point while `work` runs.
pub fn peak_during<T>(work: impl FnOnce() -> T) -> (usize, T) {
    let base = peak_reset();
    let result = work();
    (peak_since(base), result)
}
