//! Building a configured [`Client`].

use std::fmt;
use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue};

use crate::error::Error;
use crate::generated;
use crate::redact::Redactor;
use crate::retry::RetryPolicy;
use crate::secret::REDACTED;
use crate::transport::Inner;

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://app.hypersender.com/api/whatsapp/v1";
/// Environment variable [`Client::from_env`] reads the API token from.
pub const TOKEN_ENV: &str = "HYPERSENDER_TOKEN";
/// Environment variable [`Client::from_env`] reads an optional base URL from.
pub const BASE_URL_ENV: &str = "HYPERSENDER_BASE_URL";
/// `User-Agent` of every request.
pub const USER_AGENT: &str = concat!("hypersender-rust/", env!("CARGO_PKG_VERSION"));

/// Default largest response body: 10 MiB, over 30,000 listed instances.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 10 * 1024 * 1024;

const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// A client of the Hypersender Enterprise API. Cheap to clone; clones share
/// one connection pool.
///
/// Its Debug output never shows the API token.
#[derive(Clone)]
pub struct Client {
    pub(crate) generated: generated::Client,
}

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
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
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

    /// The base URL every path is appended to.
    pub fn base_url(&self) -> &str {
        &self.generated.baseurl
    }

    /// The retry policy of GET requests.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.generated.inner.retry
    }

    pub(crate) fn redactor(&self) -> Redactor<'_> {
        Redactor {
            api_token: &self.generated.inner.api_token,
        }
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

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("token", &REDACTED)
            .field("retry_policy", self.retry_policy())
            .finish()
    }
}

/// Settings for a [`Client`]; create it with [`Client::builder`].
///
/// Its Debug output never shows the API token.
#[derive(Clone)]
pub struct ClientBuilder {
    token: String,
    base_url: String,
    connect_timeout: Duration,
    timeout: Duration,
    retry: RetryPolicy,
    max_response_bytes: u64,
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

    /// How long to wait for a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one attempt of a request may take in all (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
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

    /// Builds the client, checking the token and the base URL.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = validate_base_url(&self.base_url)?;
        let http = reqwest::Client::builder()
            .default_headers(default_headers(&self.token)?)
            .user_agent(USER_AGENT)
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        let inner = Inner {
            retry: self.retry,
            max_response_bytes: self.max_response_bytes,
            api_token: self.token,
        };
        Ok(Client {
            generated: generated::Client::new_with_client(&base_url, http, inner),
        })
    }
}

fn default_headers(token: &str) -> Result<HeaderMap, Error> {
    let token = token.trim();
    if token.is_empty() {
        return Err(Error::Config("the API token is empty".into()));
    }
    let mut authorization = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
        Error::Config(
            "the API token contains characters that cannot be sent in an HTTP header".into(),
        )
    })?;
    // Sensitive values are masked in reqwest's and http's Debug output.
    authorization.set_sensitive(true);
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, authorization);
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    Ok(headers)
}

/// Checks the URL and drops a trailing `/` (paths start with one).
fn validate_base_url(base_url: &str) -> Result<String, Error> {
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
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked_and_normalised() {
        assert_eq!(
            validate_base_url("http://127.0.0.1:8080/api/").unwrap(),
            "http://127.0.0.1:8080/api"
        );
        assert_eq!(
            validate_base_url(DEFAULT_BASE_URL).unwrap(),
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
}
