//! The provenance record beside the vendored spec.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::args::DOCS_SITE;
use crate::merge::Block;

/// `openapi/hypersender-enterprise.provenance.json`. Field order is the
/// file's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    pub spec_file: String,
    pub spec_sha256: String,
    pub openapi: String,
    pub info_version: String,
    /// The date the spec last changed (UTC), kept when nothing changed.
    pub recorded: String,
    pub pages: Vec<PageRecord>,
}

/// One page the spec was built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRecord {
    /// Where the page lives on the docs site (even if a mirror served it).
    pub url: String,
    pub page_sha256: String,
    pub block_sha256: String,
    pub fence: String,
}

pub const SPEC_FILE_NAME: &str = "hypersender-enterprise.yaml";
pub const PROVENANCE_FILE_NAME: &str = "hypersender-enterprise.provenance.json";

pub fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Provenance {
    /// The record for `spec` built from `blocks` (whose pages are in `pages`).
    pub fn describe(
        spec: &str,
        document: &serde_json::Value,
        blocks: &[Block],
        page_texts: &[(String, String)],
    ) -> Self {
        let text_of = |page: &str| {
            page_texts
                .iter()
                .find(|(p, _)| p == page)
                .map_or("", |(_, t)| t.as_str())
        };
        let field = |pointer: &str| {
            document
                .pointer(pointer)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        Self {
            spec_file: SPEC_FILE_NAME.into(),
            spec_sha256: sha256(spec),
            openapi: field("/openapi"),
            info_version: field("/info/version"),
            recorded: chrono::Utc::now().date_naive().to_string(),
            pages: blocks
                .iter()
                .map(|block| PageRecord {
                    url: format!("{DOCS_SITE}{}", block.page),
                    page_sha256: sha256(text_of(&block.page)),
                    block_sha256: sha256(&block.yaml),
                    fence: block.fence.clone(),
                })
                .collect(),
        }
    }

    /// Equal but for the date.
    pub fn same_content(&self, other: &Self) -> bool {
        Self {
            recorded: String::new(),
            ..self.clone()
        } == Self {
            recorded: String::new(),
            ..other.clone()
        }
    }

    pub fn render(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("provenance serializes");
        text.push('\n');
        text
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        serde_json::from_str(text)
            .map_err(|e| format!("{PROVENANCE_FILE_NAME} is not a valid provenance record: {e}"))
    }
}
