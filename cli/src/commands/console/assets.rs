//! The console's only script and stylesheet, embedded in the binary (no
//! CDN, no build step); served from the console itself, which the
//! Content-Security-Policy allows and nothing else.

use axum::http::header;
use axum::response::IntoResponse;

/// `/assets/console.js`.
pub async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("assets/console.js"),
    )
}

/// `/assets/console.css`.
pub async fn style() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("assets/console.css"),
    )
}
