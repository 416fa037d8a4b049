//! What a developer would write by hand for `GET /instances`: the baseline
//! the generated client is measured against (call overhead, decoding, build
//! cost). Same fields, `String` timestamps and status, no retries, no
//! redaction, no size limit.

use serde::{Deserialize, Serialize};

/// One instance, as plain strings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    /// Instance UUID.
    pub id: String,
    /// Instance name.
    pub name: String,
    /// E.164 phone number.
    pub phone: String,
    /// Always `whatsapp`.
    pub service_type: String,
    /// Status text.
    pub status: String,
    /// Access token, null until connected.
    pub access_token: Option<String>,
    /// Creation time as sent.
    pub created_at: String,
}

impl Instance {
    /// `created_at` as a chrono value (the documented offset-less form).
    pub fn created(&self) -> Option<chrono::NaiveDateTime> {
        chrono::NaiveDateTime::parse_from_str(&self.created_at, "%Y-%m-%dT%H:%M:%S").ok()
    }
}

/// A bearer-token client of one base URL.
#[derive(Clone)]
pub struct Baseline {
    http: reqwest::Client,
    base_url: String,
    token: String,
}

impl Baseline {
    /// A client of `base_url` sending `token`.
    pub fn new(base_url: &str, token: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base_url: base_url.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
        }
    }

    /// `GET /instances`, optionally filtered by status.
    pub async fn list_instances(
        &self,
        status: Option<&str>,
    ) -> Result<Vec<Instance>, reqwest::Error> {
        let mut request = self
            .http
            .get(format!("{}/instances", self.base_url))
            .bearer_auth(&self.token);
        if let Some(status) = status {
            request = request.query(&[("filter[status]", status)]);
        }
        request.send().await?.error_for_status()?.json().await
    }
}
