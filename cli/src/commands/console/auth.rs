//! Who may use the console, and what every answer carries.
//!
//! - A one-time login link: its token (256 random bits) is printed once,
//!   exchanged at `/login` for a session cookie (`HttpOnly`,
//!   `SameSite=Strict`) and then forgotten; the link never works twice, and
//!   the page it lands on is `/` (the token leaves the address bar).
//! - Every page but `/login`, `/metrics` and the assets needs the session
//!   (401 otherwise); every `POST` also needs the session's CSRF token in
//!   `X-CSRF-Token` (the pages carry it in a `<meta>`; a cookie alone is
//!   not enough) and an `Origin` that is the console's own.
//! - The `Host` must be the console's (a page of another site that rebinds
//!   its name to 127.0.0.1 is refused before anything else).
//! - Every answer: a Content-Security-Policy without inline scripts,
//!   `no-store` (pages hold QR codes), no referrer, no framing.
//!
//! Tokens are compared in constant time (`subtle`); none is logged.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use subtle::ConstantTimeEq;

use super::Console;
use super::refused::refused;

/// The session cookie's name.
pub const COOKIE: &str = "hypersender_console";

/// The header a state-changing request carries its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The Content-Security-Policy of every answer: scripts and styles from the
/// console's own files only (no inline script can run), images from the
/// console or `data:` (QR codes), connections to the console only.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The login token (until used) and the session it was exchanged for.
pub struct Auth {
    login: Mutex<Option<String>>,
    session: Mutex<Option<Session>>,
    /// The `Host` values the console answers to, when it is served on
    /// loopback (elsewhere the names it is reached by cannot be known).
    hosts: Option<Vec<String>>,
}

/// A browser's session: the cookie's value and its CSRF token.
#[derive(Clone)]
pub struct Session {
    id: String,
    /// What the session's pages send back in [`CSRF_HEADER`].
    pub csrf: String,
}

impl Auth {
    /// A console served on `bound`, with a fresh login token; `None` when
    /// the system has no randomness to give.
    pub fn new(bound: SocketAddr) -> Option<Self> {
        let port = bound.port();
        let hosts = bound.ip().is_loopback().then(|| {
            vec![
                format!("{bound}"),
                format!("localhost:{port}"),
                format!("127.0.0.1:{port}"),
                format!("[::1]:{port}"),
            ]
        });
        Some(Self {
            login: Mutex::new(Some(random_token()?)),
            session: Mutex::new(None),
            hosts,
        })
    }

    /// The one-time login link (call once, to print it).
    pub fn login_url(&self, bound: SocketAddr) -> String {
        let login = self.login.lock().unwrap_or_else(PoisonError::into_inner);
        format!(
            "http://{bound}/login?token={}",
            login.as_deref().unwrap_or_default()
        )
    }

    /// Exchanges the login token for a session, once.
    fn exchange(&self, token: &str) -> Option<Session> {
        let mut login = self.login.lock().unwrap_or_else(PoisonError::into_inner);
        let matches = login
            .as_deref()
            .is_some_and(|expected| bool::from(expected.as_bytes().ct_eq(token.as_bytes())));
        if !matches {
            return None;
        }
        let session = Session {
            id: random_token()?,
            csrf: random_token()?,
        };
        *login = None;
        *self.session.lock().unwrap_or_else(PoisonError::into_inner) = Some(session.clone());
        Some(session)
    }

    /// The session whose cookie `headers` carry.
    pub fn session(&self, headers: &HeaderMap) -> Option<Session> {
        let cookie = cookie(headers, COOKIE)?;
        let session = self.session.lock().unwrap_or_else(PoisonError::into_inner);
        session
            .as_ref()
            .filter(|s| bool::from(s.id.as_bytes().ct_eq(cookie.as_bytes())))
            .cloned()
    }

    fn known_host(&self, headers: &HeaderMap) -> bool {
        let Some(hosts) = &self.hosts else {
            return true;
        };
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
        host.is_some_and(|host| hosts.iter().any(|known| known == host))
    }
}

/// 256 random bits in hex.
fn random_token() -> Option<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The value of cookie `name` in `headers`.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// `/login?token=...`.
#[derive(serde::Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    token: String,
}

/// Exchanges the one-time token for the session cookie, then sends the
/// browser to `/`, so the token leaves its address bar and history.
pub async fn login(
    State(console): State<Arc<Console>>,
    Query(query): Query<LoginQuery>,
) -> Response {
    let Some(session) = console.auth.exchange(&query.token) else {
        return refused(
            StatusCode::UNAUTHORIZED,
            "This login link is wrong or was used already. A link works once: stop the console and start it again for a new one.",
        );
    };
    let cookie = format!("{COOKIE}={}; HttpOnly; SameSite=Strict; Path=/", session.id);
    let mut response = Redirect::to("/").into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// Lets a request through with a session (and, for a `POST`, its CSRF
/// token and the console's own origin); 401 or 403 otherwise.
pub async fn require_session(
    State(console): State<Arc<Console>>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(session) = console.auth.session(request.headers()) else {
        return refused(
            StatusCode::UNAUTHORIZED,
            "Not logged in. Open the login link that `hypersender console` printed (it works once).",
        );
    };
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let given = request
            .headers()
            .get(CSRF_HEADER)
            .map(HeaderValue::as_bytes)
            .unwrap_or_default();
        let token_ok = bool::from(session.csrf.as_bytes().ct_eq(given));
        if !token_ok || !console.auth.same_origin(request.headers()) {
            return refused(
                StatusCode::FORBIDDEN,
                "Refused: this request did not come from a console page (reload the page and try again).",
            );
        }
    }
    request.extensions_mut().insert(session);
    next.run(request).await
}

impl Auth {
    /// No `Origin` (not a browser's request), or `http://` and the `Host`
    /// the request was sent to (which [`guard`] checked).
    fn same_origin(&self, headers: &HeaderMap) -> bool {
        let text = |name| {
            headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
        };
        match headers.get(header::ORIGIN) {
            None => true,
            Some(_) => {
                let origin_host = text(header::ORIGIN).and_then(|o| o.strip_prefix("http://"));
                origin_host.is_some() && origin_host == text(header::HOST)
            }
        }
    }
}

/// Refuses a `Host` the console does not answer to (DNS rebinding), and
/// sets the headers every answer carries.
pub async fn guard(State(console): State<Arc<Console>>, request: Request, next: Next) -> Response {
    let mut response = if console.auth.known_host(request.headers()) {
        next.run(request).await
    } else {
        refused(
            StatusCode::MISDIRECTED_REQUEST,
            "This console answers only at the address it printed.",
        )
    };
    let headers = response.headers_mut();
    let fixed = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::CACHE_CONTROL, "no-store"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}
