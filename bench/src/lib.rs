//! Shared pieces of the benchmarks: a keep-alive loopback server answering
//! every request with one fixed response, and a large list body.

use std::sync::Arc;

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
