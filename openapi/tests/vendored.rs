//! The vendored spec is exactly the recorded page's OpenAPI block, and the
//! provenance record describes both truthfully.

use hypersender_openapi::docs_page::extract_openapi_block;
use serde::Deserialize;
use sha2::{Digest, Sha256};

const RECORDED_PAGE: &str = include_str!(
    "../docs-snapshot/docs.hypersender.com/v1/api-reference/enterprise/instance-management/list-instances.md"
);

#[derive(Deserialize)]
struct Provenance {
    spec_file: String,
    spec_sha256: String,
    openapi: String,
    info_version: String,
    recorded: String,
    pages: Vec<Page>,
}

#[derive(Deserialize)]
struct Page {
    url: String,
    page_sha256: String,
    block_sha256: String,
    fence: String,
}

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn provenance() -> Provenance {
    serde_json::from_str(hypersender_openapi::PROVENANCE)
        .expect("the provenance record is valid JSON")
}

#[test]
fn the_vendored_spec_is_the_recorded_block_byte_for_byte() {
    let block = extract_openapi_block(RECORDED_PAGE).unwrap();
    assert_eq!(block.yaml, hypersender_openapi::VENDORED_SPEC);
    assert_eq!((block.method, block.path), ("GET", "/instances"));
}

#[test]
fn the_provenance_hashes_match_the_files() {
    let record = provenance();
    assert_eq!(record.spec_file, "hypersender-enterprise.yaml");
    assert_eq!(
        record.spec_sha256,
        sha256(hypersender_openapi::VENDORED_SPEC)
    );
    let [page] = record.pages.as_slice() else {
        panic!("one recorded page")
    };
    assert_eq!(
        page.url,
        "https://docs.hypersender.com/v1/api-reference/enterprise/instance-management/list-instances.md"
    );
    assert_eq!(page.page_sha256, sha256(RECORDED_PAGE));
    assert_eq!(page.block_sha256, record.spec_sha256);
    let fence_line = RECORDED_PAGE
        .lines()
        .find(|l| l.starts_with("````yaml"))
        .unwrap();
    assert_eq!(format!("````{}", page.fence), fence_line);
    assert!(chrono_like_date(&record.recorded), "{}", record.recorded);
}

#[test]
fn the_provenance_versions_match_the_spec() {
    let record = provenance();
    let spec =
        hypersender_openapi::yaml::parse("spec", hypersender_openapi::VENDORED_SPEC).unwrap();
    assert_eq!(spec["openapi"], record.openapi.as_str());
    assert_eq!(spec["info"]["version"], record.info_version.as_str());
}

fn chrono_like_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() == 3
        && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()))
        && parts[0].len() == 4
}
