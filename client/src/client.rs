//! Configuring a [`Client`]: the builder, the environment, and the
//! questions a client answers about its settings (base URL, retries, rate
//! limits by operation id).

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::Error;
use crate::runtime::limiter::Limiter;
use crate::runtime::{Client, RateLimits, RequestHeaders, RetryPolicy, Runtime};
use crate::values::{REDACTED, RateLimit};

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://app.hypersender.com/api/whatsapp/v1";
/// Environment variable [`Client::from_env`] reads the API token from.
pub const TOKEN_ENV: &str = "HYPERSENDER_TOKEN";
/// Environment variable [`Client::from_env`] reads an optional base URL from.
pub const BASE_URL_ENV: &str = "HYPERSENDER_BASE_URL";
/// `User-Agent` of every request (followed by the builder's
/// [`user_agent_suffix`](ClientBuilder::user_agent_suffix), if any).
pub const USER_AGENT: &str = concat!("hypersender-rust/", env!("CARGO_PKG_VERSION"));

/// Default largest response body: 10 MiB, over 30,000 listed instances.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 10 * 1024 * 1024;

const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

impl Client {
    /// A client of the production API with default settings.
    pub fn new(token: impl Into<String>) -> Result<Self, Error> {
        Self::builder(token).build()
    }

    /// A builder to set the base URL, timeouts and retries.
    pub fn builder(token: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            token: token.into(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            connect_timeout: None,
            timeout: None,
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            http_client: None,
            user_agent_suffix: None,
            default_headers: HeaderMap::new(),
            rate_limits: RateLimits::default(),
        }
    }

    /// A client configured from `HYPERSENDER_TOKEN` and, if set,
    /// `HYPERSENDER_BASE_URL`.
    pub fn from_env() -> Result<Self, Error> {
        Self::builder_from_env()?.build()
    }

    /// Like [`Client::from_env`], but returns the builder for more settings.
    pub fn builder_from_env() -> Result<ClientBuilder, Error> {
        let token = std::env::var(TOKEN_ENV).map_err(|e| {
            Error::Config(match e {
                std::env::VarError::NotPresent => format!(
                    "{TOKEN_ENV} is not set: export your Hypersender API token (Settings > API tokens in the Hypersender app) as {TOKEN_ENV}"
                ),
                std::env::VarError::NotUnicode(_) => format!("{TOKEN_ENV} is not valid UTF-8"),
            })
        })?;
        let builder = Self::builder(token);
        Ok(match base_url_from_env()? {
            Some(url) => builder.base_url(url),
            None => builder,
        })
    }

    /// How long until the client's rate limiter lets `operation` (an id of
    /// the [`catalog`](crate::catalog), `request_new_qr_code`) through: zero
    /// if it can be sent now, `None` for an unknown operation.
    pub fn rate_limit_delay(&self, operation: &str) -> Option<Duration> {
        let operation = crate::catalog::find(operation)?;
        Some(self.runtime().limiter.delay(operation))
    }

    /// Waits until the client's rate limiter lets `operation` (an id of
    /// the [`catalog`](crate::catalog)) through, whatever its mode (what
    /// the long flows do before a create, a new QR code or a restart, so
    /// they never meet a 429 of their own making). The wait is a tracing
    /// event when it starts and when it is over. An unknown operation, or
    /// one that may be sent now, does not wait.
    pub async fn rate_limit_wait(&self, operation: &str) {
        if let Some(operation) = crate::catalog::find(operation) {
            let wait = self.runtime().limiter.delay(operation);
            crate::runtime::limiter::pause(operation.id, wait).await;
        }
    }

    /// The limit the client keeps for `operation` (an id of the
    /// [`catalog`](crate::catalog)): the documented one, or the one set
    /// with [`RateLimits::with_limit`]; `None` when it keeps none or the
    /// operation is unknown.
    pub fn rate_limit(&self, operation: &str) -> Option<RateLimit> {
        let operation = crate::catalog::find(operation)?;
        self.runtime().limiter.settings().limit(operation)
    }
}

/// The base URL set in `HYPERSENDER_BASE_URL`, if any: unset and empty (or
/// blank) both mean "not set"; text that is not UTF-8 is an error. The one
/// reading of the variable, for [`Client::from_env`] and the CLI alike.
pub fn base_url_from_env() -> Result<Option<String>, Error> {
    match std::env::var(BASE_URL_ENV) {
        Ok(url) if !url.trim().is_empty() => Ok(Some(url.trim().to_owned())),
        Ok(_) | Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(Error::Config(format!("{BASE_URL_ENV} is not valid UTF-8")))
        }
    }
}

/// Settings for a [`Client`]; create it with [`Client::builder`].
///
/// Its Debug output never shows the API token.
#[derive(Clone)]
pub struct ClientBuilder {
    token: String,
    base_url: String,
    /// `None`: the default (10 s), or the given HTTP client's own.
    connect_timeout: Option<Duration>,
    /// `None`: the default (30 s), or the given HTTP client's own.
    timeout: Option<Duration>,
    retry: RetryPolicy,
    max_response_bytes: u64,
    http_client: Option<reqwest::Client>,
    user_agent_suffix: Option<String>,
    default_headers: HeaderMap,
    rate_limits: RateLimits,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("token", &REDACTED)
            .field("base_url", &self.base_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("http_client", &self.http_client.as_ref().map(|_| "(given)"))
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("rate_limits", &self.rate_limits)
            // Values may be credentials of the caller's own stack.
            .field(
                "default_headers",
                &self.default_headers.keys().collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl ClientBuilder {
    /// The API root, default [`DEFAULT_BASE_URL`]; point it at a mock server
    /// in tests. A trailing `/` is ignored.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// How long to wait for a connection (default 10 s). With
    /// [`http_client`](Self::http_client), set it on that client instead:
    /// both together are a configuration error.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How long one attempt of a request may take in all (default 30 s).
    /// With [`http_client`](Self::http_client) it applies to each request
    /// on top of that client's own timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// When GET requests are retried (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The largest response body accepted (default 10 MiB). A larger one
    /// fails with [`Error::ResponseTooLarge`] as soon as the limit is
    /// passed, so a hostile or broken server cannot grow memory without bound.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// How the documented rate limits are kept (default: GET waits for a
    /// free slot, other methods fail fast with [`Error::RateLimited`]; see
    /// [`RateLimits`]).
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.rate_limits = limits;
        self
    }

    /// Sends requests with your own [`reqwest::Client`]: its proxy, root
    /// certificates, connection pool, TLS settings and timeouts apply. The
    /// crate still adds, to every request, `Authorization`, `Accept`,
    /// `User-Agent` and the [`default_header`](Self::default_header)s, and
    /// keeps its retries, rate limits and size limit. Its own default
    /// headers are sent too, unless the crate sets the same name.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let http = hypersender::reqwest::Client::builder()
    ///     .proxy(hypersender::reqwest::Proxy::all("http://proxy.internal:3128")?)
    ///     .build()?;
    /// let client = hypersender::Client::builder("234|token").http_client(http).build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Appended to the `User-Agent` after a space
    /// (`hypersender-rust/0.1.0 my-service/2.3`), so the vendor's logs can
    /// tell your service apart.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// A header sent with every request (a tracing id, a tenant header for
    /// a gateway in front of the API). `Authorization`, `Accept` and
    /// `User-Agent` are the crate's own: setting them here is a
    /// configuration error at [`build`](Self::build).
    pub fn default_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.default_headers.append(name, value);
        self
    }

    /// Builds the client, checking the token, the base URL and the headers.
    pub fn build(self) -> Result<Client, Error> {
        let (base_url, base) = validate_base_url(&self.base_url)?;
        let user_agent = match self.user_agent_suffix.as_deref().map(str::trim) {
            Some(suffix) if !suffix.is_empty() => format!("{USER_AGENT} {suffix}"),
            _ => USER_AGENT.to_owned(),
        };
        let headers = RequestHeaders::new(&self.token, &user_agent, self.default_headers)?;
        let (http, per_request_timeout) = match self.http_client {
            Some(_) if self.connect_timeout.is_some() => {
                return Err(Error::Config(
                    "connect_timeout belongs to the reqwest::Client given to http_client: set it there"
                        .into(),
                ));
            }
            Some(client) => (client, self.timeout),
            None => (
                reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                    .timeout(self.timeout.unwrap_or(DEFAULT_TIMEOUT))
                    .build()
                    .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?,
                None,
            ),
        };
        Ok(Client::from_runtime(Runtime {
            http,
            base_url,
            base,
            headers,
            per_request_timeout,
            retry: self.retry,
            limiter: Limiter::new(self.rate_limits),
            max_response_bytes: self.max_response_bytes,
            api_token: self.token,
        }))
    }
}

/// Checks the URL and drops a trailing `/` (paths start with one): the URL
/// as text and parsed.
fn validate_base_url(base_url: &str) -> Result<(String, reqwest::Url), Error> {
    let url = reqwest::Url::parse(base_url)
        .map_err(|e| Error::Config(format!("base URL {base_url:?} is not a valid URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::Config(format!(
            "base URL {base_url:?} must use http or https"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(format!(
            "base URL {base_url:?} must not have a query or fragment"
        )));
    }
    let text = url.as_str().trim_end_matches('/').to_owned();
    Ok((text, url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked_and_normalised() {
        assert_eq!(
            validate_base_url("http://127.0.0.1:8080/api/").unwrap().0,
            "http://127.0.0.1:8080/api"
        );
        assert_eq!(
            validate_base_url(DEFAULT_BASE_URL).unwrap().0,
            DEFAULT_BASE_URL
        );
        for bad in ["", "ftp://x", "app.hypersender.com", "https://x/api?x=1"] {
            assert!(
                matches!(validate_base_url(bad), Err(Error::Config(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn tokens_are_checked_without_being_echoed() {
        let err = Client::new("   ").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid client configuration: the API token is empty"
        );
        let err = Client::new("12|abc\ndef").unwrap_err();
        assert!(!err.to_string().contains("abc"), "{err}");
    }

    #[test]
    fn debug_never_shows_the_token() {
        let builder = Client::builder("12|topSecretValue123");
        let client = builder.clone().build().unwrap();
        for text in [
            format!("{builder:?}"),
            format!("{client:?}"),
            format!("{client:#?}"),
        ] {
            assert!(!text.contains("topSecret"), "{text}");
            assert!(text.contains(REDACTED), "{text}");
        }
    }

    // Every request future can be spawned on a multi-threaded runtime.
    fn spawnable<T: Send + 'static>(_: &T) {}

    #[test]
    fn request_futures_are_send() {
        let client = Client::new("1|token").unwrap();
        let client: &'static Client = Box::leak(Box::new(client));
        spawnable(&client.list_instances().send());
        spawnable(&client.check_health("x").send());
        spawnable(
            &client
                .create_instance()
                .phone("+201234567890")
                .name("n")
                .send(),
        );
    }
}
