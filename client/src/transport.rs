//! What progenitor's generated client calls for every request.

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};

use crate::generated;
use crate::retry::{self, RetryPolicy};

/// State the generated client carries for the hooks (progenitor's "inner type").
#[derive(Clone)]
pub(crate) struct Inner {
    pub(crate) retry: RetryPolicy,
    /// The API token, only to mask it should a server echo it back.
    pub(crate) api_token: String,
}

// progenitor's Client derives Debug, so Inner needs one; it hides the token.
impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inner")
            .field("retry", &self.retry)
            .field("api_token", &crate::secret::REDACTED)
            .finish()
    }
}

/// progenitor sends this header on every request; the Hypersender API never
/// asked for it, so it is removed.
const PROGENITOR_VERSION_HEADER: &str = "api-version";

impl ClientHooks<Inner> for generated::Client {
    async fn exec(
        &self,
        mut request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        request.headers_mut().remove(PROGENITOR_VERSION_HEADER);
        retry::execute(self.client(), request, &self.inner().retry).await
    }
}
