//! Showing your own customer the QR code to scan: the library's onboarding
//! router (feature `onboarding`) mounted in your axum app, with a page of
//! yours that starts the flow and follows it.
//!
//! ```sh
//! HYPERSENDER_TOKEN=... cargo run -p hypersender-examples --example onboarding_router -- 127.0.0.1:8080
//! # then open http://127.0.0.1:8080/ (offline: `hypersender mock`, and
//! # HYPERSENDER_BASE_URL set to the URL it prints)
//! ```
//!
//! Needs `hypersender = { version = "...", features = ["onboarding"] }`,
//! `axum` and `tokio` (with `net`). The router authenticates nobody: put
//! your own login in front of it.

use axum::response::Html;
use axum::routing::get;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = hypersender::Client::from_env()?;
    let addr = std::env::args().nth(1).unwrap_or("127.0.0.1:8080".into());
    let app = axum::Router::new()
        .route("/", get(|| async { Html(PAGE) }))
        .nest("/onboarding", hypersender::onboarding::router(client));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("onboarding on http://{}/", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

/// Your page: a form, the QR code as an image, the status as it changes.
/// (Text from the flow is set with `textContent`, never as HTML.)
const PAGE: &str = r#"<!doctype html>
<meta charset="utf-8"><title>Connect your WhatsApp</title>
<form id="start"><input name="name" placeholder="Name" required>
<input name="phone" placeholder="+201234567890" required><button>Connect</button></form>
<p id="status"></p><img id="qr" alt="QR code" hidden>
<script>
document.getElementById("start").onsubmit = async (e) => {
  e.preventDefault();
  const answer = await fetch("onboarding/flows", { method: "POST", body: new URLSearchParams(new FormData(e.target)) });
  const flow = await answer.json();
  if (!answer.ok) return (document.getElementById("status").textContent = (flow.errors || [flow.message]).join("; "));
  const events = new EventSource("onboarding/" + flow.events);
  const show = (text) => (document.getElementById("status").textContent = text);
  events.addEventListener("qr_code", (m) => {
    const qr = document.getElementById("qr");
    qr.src = "onboarding/flows/" + flow.id + "/" + JSON.parse(m.data).image;
    qr.hidden = false;
  });
  events.addEventListener("status", (m) => show(JSON.parse(m.data).status));
  events.addEventListener("connected", () => { events.close(); document.getElementById("qr").hidden = true; show("Connected"); });
  events.addEventListener("gave_up", (m) => { events.close(); show("Gave up: " + JSON.parse(m.data).reason); });
};
</script>
"#;
