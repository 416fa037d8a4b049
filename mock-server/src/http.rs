//! HTTP in front of the store: routing, the bearer check, bodies and the
//! documented error responses (Laravel's shapes).

use std::convert::Infallible;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited as LimitedBody};
use hyper::body::Incoming;
use hyper::header::{ALLOW, AUTHORIZATION, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use hyper::{Method, Request, Response, StatusCode};
use hypersender::types::ErrorBody;
use serde::Serialize;
use serde_json::Value;

use crate::state::{Filters, Refusal, Store};

/// Where the API lives on the server, as on app.hypersender.com.
pub const BASE_PATH: &str = "/api/whatsapp/v1";
/// Where the mock's own controls live (not part of the API).
pub const CONTROL_PATH: &str = "/__mock";
/// Larger request bodies are refused; create's is a few hundred bytes.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// What every connection shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) store: Mutex<Store>,
    pub(crate) token: String,
}

impl Shared {
    pub(crate) fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        // A panic elsewhere cannot leave the store half-updated in a way
        // that matters to a mock; keep serving.
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

type Reply = Response<Full<Bytes>>;

/// The operations, plus the mock's control to simulate a QR scan.
enum Route {
    List,
    Create,
    Health(String),
    NewQrCode(String),
    Restart(String),
    Scan(String),
}

pub(crate) async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Reply, Infallible> {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path();
    let route = match match_path(path) {
        None => return Ok(not_found(path)),
        Some((allowed, _)) if parts.method.as_str() != allowed => {
            return Ok(method_not_allowed(&parts.method, path, allowed));
        }
        Some((_, route)) => route,
    };
    if !authorized(&parts.headers, &shared.token) {
        return Ok(message(StatusCode::UNAUTHORIZED, "Unauthenticated."));
    }
    let reply = match route {
        Route::List => {
            let filters = filters(parts.uri.query().unwrap_or(""));
            json(StatusCode::OK, &shared.store().list(&filters))
        }
        Route::Create => match read_json(body).await {
            Ok(body) => outcome(StatusCode::CREATED, shared.store().create(&body)),
            Err(reply) => reply,
        },
        Route::Health(id) => outcome(StatusCode::OK, shared.store().health(&id)),
        Route::NewQrCode(id) => outcome(StatusCode::OK, shared.store().request_new_qr_code(&id)),
        Route::Restart(id) => outcome(StatusCode::OK, shared.store().restart(&id)),
        Route::Scan(id) => outcome(
            StatusCode::OK,
            shared
                .store()
                .scan(&id)
                .map(|linked| serde_json::json!({ "linked": linked })),
        ),
    };
    Ok(reply)
}

/// The route and the one method it takes. Unknown paths get 404 and
/// known paths with the wrong method 405, before any authentication (as
/// Laravel does).
fn match_path(path: &str) -> Option<(&'static str, Route)> {
    if let Some(rest) = path.strip_prefix(CONTROL_PATH) {
        return match split(rest).as_slice() {
            [instances, id, scan] if instances == "instances" && scan == "scan" => {
                Some(("POST", Route::Scan(id.clone())))
            }
            _ => None,
        };
    }
    match split(path.strip_prefix(BASE_PATH)?).as_slice() {
        [op] if op == "instances" => Some(("GET", Route::List)),
        [op] if op == "create-instance" => Some(("POST", Route::Create)),
        [id, op] if op == "health" => Some(("GET", Route::Health(id.clone()))),
        [id, op] if op == "request-new-qr-code" => Some(("POST", Route::NewQrCode(id.clone()))),
        [id, op] if op == "restart" => Some(("POST", Route::Restart(id.clone()))),
        _ => None,
    }
}

/// Path segments, percent-decoded; a trailing slash is ignored.
fn split(rest: &str) -> Vec<String> {
    rest.trim_start_matches('/')
        .trim_end_matches('/')
        .split('/')
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect()
}

fn authorized(headers: &hyper::HeaderMap, token: &str) -> bool {
    headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .is_some_and(|given| given == token)
}

/// The `filter[...]` query parameters; others are ignored.
fn filters(query: &str) -> Filters {
    let mut filters = Filters::default();
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let slot = match key.as_ref() {
            "filter[uuid]" => &mut filters.uuid,
            "filter[name]" => &mut filters.name,
            "filter[phone]" => &mut filters.phone,
            "filter[status]" => &mut filters.status,
            _ => continue,
        };
        *slot = Some(value.into_owned());
    }
    filters
}

/// The body as JSON; one that is not JSON reads as no input (Laravel).
async fn read_json(body: Incoming) -> Result<Value, Reply> {
    match LimitedBody::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(serde_json::from_slice(&collected.to_bytes()).unwrap_or(Value::Null)),
        Err(_) => Err(message(
            StatusCode::PAYLOAD_TOO_LARGE,
            "The request body is too large.",
        )),
    }
}

fn outcome<T: Serialize>(status: StatusCode, result: Result<T, Refusal>) -> Reply {
    match result {
        Ok(value) => json(status, &value),
        Err(Refusal::NotFound) => message(StatusCode::NOT_FOUND, "Instance not found."),
        Err(Refusal::TooManyRequests(limited)) => {
            let mut reply = message(StatusCode::TOO_MANY_REQUESTS, "Too Many Attempts.");
            let headers = reply.headers_mut();
            headers.insert(RETRY_AFTER, limited.retry_after_secs.into());
            headers.insert("x-ratelimit-limit", limited.limit.into());
            headers.insert("x-ratelimit-remaining", 0u32.into());
            reply
        }
        Err(Refusal::Invalid(errors)) => json(StatusCode::UNPROCESSABLE_ENTITY, &invalid(errors)),
    }
}

/// Laravel's 422 body: the first message (plus how many more), and every
/// message per field.
fn invalid(errors: Vec<(&'static str, String)>) -> ErrorBody {
    let summary = match errors.len() {
        0 => "The given data was invalid.".to_owned(),
        1 => errors[0].1.clone(),
        2 => format!("{} (and 1 more error)", errors[0].1),
        n => format!("{} (and {} more errors)", errors[0].1, n - 1),
    };
    let mut body = ErrorBody {
        message: Some(summary),
        ..ErrorBody::default()
    };
    for (field, text) in errors {
        body.errors.entry(field.to_owned()).or_default().push(text);
    }
    body
}

fn not_found(path: &str) -> Reply {
    message(
        StatusCode::NOT_FOUND,
        &format!(
            "The route {} could not be found.",
            path.trim_start_matches('/')
        ),
    )
}

fn method_not_allowed(method: &Method, path: &str, allowed: &'static str) -> Reply {
    let mut reply = message(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!(
            "The {method} method is not supported for route {}. Supported methods: {allowed}.",
            path.trim_start_matches('/')
        ),
    );
    reply
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allowed));
    reply
}

fn message(status: StatusCode, text: &str) -> Reply {
    json(status, &serde_json::json!({ "message": text }))
}

fn json<T: Serialize>(status: StatusCode, value: &T) -> Reply {
    // The mock's own types always serialize.
    let body = serde_json::to_vec(value).unwrap_or_default();
    let mut reply = Response::new(Full::new(Bytes::from(body)));
    *reply.status_mut() = status;
    reply
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    reply
}
