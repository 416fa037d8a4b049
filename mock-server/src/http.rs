//! HTTP in front of the store: routing, the bearer check, bodies and the
//! documented error responses (Laravel's shapes).

use std::convert::Infallible;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited as LimitedBody};
use hyper::body::Incoming;
use hyper::header::{ALLOW, AUTHORIZATION, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use hyper::{Method, Request, Response, StatusCode};
use hypersender::catalog::{self, Operation};
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
    pub(crate) log: Mutex<Vec<LoggedRequest>>,
    /// Where events go (`MockConfig::webhook_to`), if anywhere.
    pub(crate) outbox: Option<Arc<crate::webhooks::Outbox>>,
}

/// One request the mock answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// Mock time since the mock started.
    pub at: std::time::Duration,
    /// The method (`GET`).
    pub method: String,
    /// The path (`/api/whatsapp/v1/instances`), without the query.
    pub path: String,
    /// The status answered.
    pub status: u16,
}

impl Shared {
    pub(crate) fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        // A panic elsewhere cannot leave the store half-updated in a way
        // that matters to a mock; keep serving.
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn log(&self) -> std::sync::MutexGuard<'_, Vec<LoggedRequest>> {
        self.log.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

type Reply = Response<Full<Bytes>>;

/// What a request is for.
enum Route {
    /// An operation of the catalog, with its path parameters in order.
    Operation(&'static Operation, Vec<String>),
    /// The mock's control to play a phone scanning a QR code.
    Scan(String),
    /// The mock's control to post a message event about an instance.
    Message(String),
    /// The mock's control to make an instance's operations fail.
    Fail(String),
    /// The mock's control to end [`Route::Fail`].
    Recover(String),
}

/// The header that says an answer is the documented example, not behaviour.
pub const EXAMPLE_HEADER: &str = "x-hypersender-mock";

pub(crate) async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Reply, Infallible> {
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let reply = answer(&shared, request).await;
    let at = shared.store().clock().elapsed();
    shared.log().push(LoggedRequest {
        at,
        method,
        path,
        status: reply.status().as_u16(),
    });
    Ok(reply)
}

async fn answer(shared: &Arc<Shared>, request: Request<Incoming>) -> Reply {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path();
    let route = match match_path(&parts.method, path) {
        Matched::Route(route) => route,
        Matched::NotFound => return not_found(path),
        Matched::WrongMethod(allowed) => return method_not_allowed(&parts.method, path, &allowed),
    };
    if !authorized(&parts.headers, &shared.token) {
        return message(StatusCode::UNAUTHORIZED, "Unauthenticated.");
    }
    match route {
        Route::Scan(id) => outcome(
            StatusCode::OK,
            shared
                .store()
                .scan_outcome(&id)
                .map(|scanned| match scanned.reason() {
                    None => serde_json::json!({ "linked": true }),
                    Some(reason) => serde_json::json!({ "linked": false, "reason": reason }),
                }),
        ),
        Route::Message(id) => match read_json(body).await {
            Ok(asked) => post_message(shared, &id, &asked),
            Err(reply) => reply,
        },
        Route::Fail(id) => match read_json(body).await {
            Ok(asked) => fail(shared, &id, &asked),
            Err(reply) => reply,
        },
        Route::Recover(id) => outcome(
            StatusCode::OK,
            shared
                .store()
                .recover(&id)
                .map(|()| serde_json::json!({ "failing": null })),
        ),
        Route::Operation(operation, parameters) => {
            if let Err(refusal) = shared.store().throttle(operation) {
                return outcome::<()>(StatusCode::OK, Err(refusal));
            }
            if let Some(reply) = injected_failure(shared, operation, &parameters) {
                return reply;
            }
            let query = parts.uri.query().unwrap_or("");
            operation_reply(shared, operation, parameters, query, body).await
        }
    }
}

/// `POST /__mock/instances/{id}/fail` with an optional `{"status": 503}`
/// (the default): every operation naming the instance answers that status
/// until `POST /__mock/instances/{id}/recover`, for trying what a caller
/// does with a failing instance (a bulk restart's "retry failed").
fn fail(shared: &Shared, id: &str, asked: &Value) -> Reply {
    let status = match &asked["status"] {
        Value::Null => StatusCode::SERVICE_UNAVAILABLE.as_u16(),
        // Not a number, or out of range: the store refuses 0.
        given => given
            .as_u64()
            .and_then(|code| u16::try_from(code).ok())
            .unwrap_or(0),
    };
    outcome(
        StatusCode::OK,
        shared
            .store()
            .fail(id, status)
            .map(|()| serde_json::json!({ "failing": status })),
    )
}

/// The error an operation naming a failing instance answers, if it does.
fn injected_failure(shared: &Shared, operation: &Operation, values: &[String]) -> Option<Reply> {
    let status =
        instance_parameters(operation, values).find_map(|id| shared.store().failure(id))?;
    let status = StatusCode::from_u16(status).ok()?;
    Some(message(
        status,
        &format!(
            "{} (a failure injected by the mock).",
            status.canonical_reason().unwrap_or("Error")
        ),
    ))
}

/// `POST /__mock/instances/{id}/messages` with an optional
/// `{"event": "message.any", "body": "text"}`: queues that event (a
/// recorded example's shape) about the instance; 202 with its event id.
fn post_message(shared: &Shared, id: &str, asked: &Value) -> Reply {
    let Some(outbox) = &shared.outbox else {
        return message(
            StatusCode::CONFLICT,
            "This mock posts no webhooks: start it with --webhook-to URL.",
        );
    };
    let Some(phone) = shared.store().phone(id) else {
        return message(StatusCode::NOT_FOUND, "Instance not found.");
    };
    let event = asked["event"].as_str().unwrap_or("message.any");
    match outbox.message(event, id, &phone, asked["body"].as_str()) {
        Some(event_id) => json(
            StatusCode::ACCEPTED,
            &serde_json::json!({ "queued": event_id }),
        ),
        None => message(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!(
                "No recorded example of {event:?}: one of {}.",
                hypersender::webhooks::DOCUMENTED_EVENTS.join(", ")
            ),
        ),
    }
}

/// The hand-written behaviour of the five documented operations; any other
/// operation of the spec answers with its documented example.
async fn operation_reply(
    shared: &Shared,
    operation: &'static Operation,
    parameters: Vec<String>,
    query: &str,
    body: Incoming,
) -> Reply {
    let first = parameters.first().cloned().unwrap_or_default();
    match operation.id {
        "list_instances" => json(StatusCode::OK, &shared.store().list(&filters(query))),
        "create_instance" => match read_json(body).await {
            Ok(body) => outcome(StatusCode::CREATED, shared.store().create(operation, &body)),
            Err(reply) => reply,
        },
        "check_health" => outcome(StatusCode::OK, shared.store().health(&first)),
        "request_new_qr_code" => {
            outcome(StatusCode::OK, shared.store().request_new_qr_code(&first))
        }
        "restart_instance" => outcome(StatusCode::OK, shared.store().restart(&first)),
        _ if names_an_unknown_instance(shared, operation, &parameters) => {
            message(StatusCode::NOT_FOUND, "Instance not found.")
        }
        _ => documented_example(operation),
    }
}

/// Whether an operation without behaviour addresses an instance (its
/// `instance` path parameter, as every instance operation of the spec
/// does) that the mock does not have: the API answers those 404.
fn names_an_unknown_instance(shared: &Shared, operation: &Operation, values: &[String]) -> bool {
    instance_parameters(operation, values).any(|id| shared.store().status(id).is_none())
}

/// The values of an operation's `instance` path parameters.
fn instance_parameters<'a>(
    operation: &'a Operation,
    values: &'a [String],
) -> impl Iterator<Item = &'a str> {
    operation
        .path
        .split('/')
        .filter_map(|part| part.strip_prefix('{')?.strip_suffix('}'))
        .zip(values)
        .filter(|(name, _)| *name == "instance")
        .map(|(_, value)| value.as_str())
}

/// An operation without hand-written behaviour: its success status with the
/// catalog's example (documented, or built from its properties' examples),
/// or no body when the response has none; said so in [`EXAMPLE_HEADER`].
fn documented_example(operation: &Operation) -> Reply {
    example_reply(operation.success_status, operation.success_example)
}

fn example_reply(status: u16, example: Option<&str>) -> Reply {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let example = example.and_then(|text| serde_json::from_str::<Value>(text).ok());
    let mut reply = match example {
        Some(example) => json(status, &example),
        None => empty(status),
    };
    reply.headers_mut().insert(
        EXAMPLE_HEADER,
        HeaderValue::from_static("documented-example"),
    );
    reply
}

enum Matched {
    Route(Route),
    NotFound,
    /// The path exists with these methods only.
    WrongMethod(String),
}

/// The route of a request. Unknown paths get 404 and known paths with the
/// wrong method 405, before any authentication (as Laravel does).
fn match_path(method: &Method, path: &str) -> Matched {
    if let Some(rest) = path.strip_prefix(CONTROL_PATH) {
        return match_control(method, &split(rest));
    }
    let Some(rest) = path.strip_prefix(BASE_PATH) else {
        return Matched::NotFound;
    };
    let segments = split(rest);
    let candidates: Vec<(&'static Operation, Vec<String>)> = catalog::OPERATIONS
        .iter()
        .filter_map(|operation| {
            template_match(operation.path, &segments).map(|values| (operation, values))
        })
        .collect();
    if let Some((operation, values)) = candidates
        .iter()
        .find(|(operation, _)| operation.method.as_str() == method.as_str())
    {
        return Matched::Route(Route::Operation(operation, values.clone()));
    }
    if candidates.is_empty() {
        return Matched::NotFound;
    }
    let allowed: Vec<&str> = candidates
        .iter()
        .map(|(op, _)| op.method.as_str())
        .collect();
    Matched::WrongMethod(allowed.join(", "))
}

/// The mock's controls: `POST /__mock/instances/{id}/ACTION`.
fn match_control(method: &Method, segments: &[String]) -> Matched {
    let [instances, id, action] = segments else {
        return Matched::NotFound;
    };
    if instances != "instances" {
        return Matched::NotFound;
    }
    let control: fn(String) -> Route = match action.as_str() {
        "scan" => Route::Scan,
        "messages" => Route::Message,
        "fail" => Route::Fail,
        "recover" => Route::Recover,
        _ => return Matched::NotFound,
    };
    if method != Method::POST {
        return Matched::WrongMethod("POST".into());
    }
    Matched::Route(control(id.clone()))
}

/// The values of `template`'s `{parameters}` if `segments` fit it.
fn template_match(template: &str, segments: &[String]) -> Option<Vec<String>> {
    let parts: Vec<&str> = template.trim_matches('/').split('/').collect();
    if parts.len() != segments.len() {
        return None;
    }
    let mut values = Vec::new();
    for (part, segment) in parts.iter().zip(segments) {
        if part.starts_with('{') && part.ends_with('}') {
            values.push(segment.clone());
        } else if part != segment {
            return None;
        }
    }
    Some(values)
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
fn invalid(errors: Vec<(String, String)>) -> ErrorBody {
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
        body.errors.entry(field).or_default().push(text);
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

fn method_not_allowed(method: &Method, path: &str, allowed: &str) -> Reply {
    let mut reply = message(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!(
            "The {method} method is not supported for route {}. Supported methods: {allowed}.",
            path.trim_start_matches('/')
        ),
    );
    if let Ok(allow) = HeaderValue::from_str(allowed) {
        reply.headers_mut().insert(ALLOW, allow);
    }
    reply
}

fn message(status: StatusCode, text: &str) -> Reply {
    json(status, &serde_json::json!({ "message": text }))
}

fn empty(status: StatusCode) -> Reply {
    let mut reply = Response::new(Full::new(Bytes::new()));
    *reply.status_mut() = status;
    reply
}

fn json<T: Serialize>(status: StatusCode, value: &T) -> Reply {
    // The mock plays the server, which sends instance tokens in full. The
    // mock's own types always serialize.
    let body = hypersender::with_exposed_secrets(|| serde_json::to_vec(value)).unwrap_or_default();
    let mut reply = Response::new(Full::new(Bytes::from(body)));
    *reply.status_mut() = status;
    reply
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    reply
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt;

    use super::*;

    async fn body_of(reply: Reply) -> Vec<u8> {
        reply
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec()
    }

    #[tokio::test]
    async fn an_operation_without_behaviour_answers_its_example_or_no_body() {
        let reply = example_reply(201, Some(r#"{"message":"bye"}"#));
        assert_eq!(reply.status(), StatusCode::CREATED);
        assert_eq!(reply.headers()[EXAMPLE_HEADER], "documented-example");
        assert_eq!(reply.headers()[CONTENT_TYPE], "application/json");
        assert_eq!(body_of(reply).await, br#"{"message":"bye"}"#);
        let reply = example_reply(204, None);
        assert_eq!(reply.status(), StatusCode::NO_CONTENT);
        assert_eq!(reply.headers()[EXAMPLE_HEADER], "documented-example");
        assert!(body_of(reply).await.is_empty());
    }
}
