//! The short page of a refused or missing request: no session needed, no
//! script, the reason in words.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, html};

/// A short page for a refused or missing request (no session needed).
pub fn refused(status: StatusCode, message: &str) -> Response {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "Hypersender console" }
                link rel="stylesheet" href="/assets/console.css";
            }
            body { main { h1 { (status.as_u16()) " " (status.canonical_reason().unwrap_or_default()) } p.refused { (message) } } }
        }
    };
    (status, Html(page.into_string())).into_response()
}
