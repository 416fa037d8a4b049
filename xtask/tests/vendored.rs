//! The vendored spec is exactly what the recorded pages publish, and the
//! provenance record describes them truthfully. (`cargo xtask spec refresh`
//! rewrites all three together.)

// The page reader of the refresh itself (xtask is a binary crate).
#[path = "../src/docs_page.rs"]
#[allow(dead_code)]
mod docs_page;

use docs_page::extract_openapi_block;
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The recorded copy of a page of the docs site.
fn recorded_page(url: &str) -> String {
    let path = url
        .strip_prefix("https://docs.hypersender.com/")
        .expect("a docs.hypersender.com URL");
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../openapi/docs-snapshot/docs.hypersender.com")
        .join(path);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{} is recorded: {e}", file.display()))
}

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
fn a_single_page_spec_is_its_block_byte_for_byte() {
    let record = provenance();
    if let [page] = record.pages.as_slice() {
        let text = recorded_page(&page.url);
        assert_eq!(
            extract_openapi_block(&text).unwrap().yaml,
            hypersender_openapi::VENDORED_SPEC
        );
    } else {
        assert!(record.pages.len() > 1, "at least one page");
    }
}

#[test]
fn the_provenance_hashes_match_the_files() {
    let record = provenance();
    assert_eq!(record.spec_file, "hypersender-enterprise.yaml");
    assert_eq!(
        record.spec_sha256,
        sha256(hypersender_openapi::VENDORED_SPEC)
    );
    assert!(record.pages.iter().any(|p| {
        p.url
            .ends_with("/enterprise/instance-management/list-instances.md")
    }));
    for page in &record.pages {
        let text = recorded_page(&page.url);
        assert_eq!(page.page_sha256, sha256(&text), "{}", page.url);
        let block = extract_openapi_block(&text).unwrap();
        assert_eq!(page.block_sha256, sha256(block.yaml), "{}", page.url);
        assert_eq!(
            page.fence,
            format!("yaml {} {} {}", block.source_file, block.method, block.path)
        );
    }
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
