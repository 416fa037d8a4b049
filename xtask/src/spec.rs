//! `spec refresh` and `spec check`.

use std::sync::Arc;

use hypersender_openapi::{OVERLAY_FILE, SPEC_FILE};
use serde_json::Value;

use crate::Outcome;
use crate::args::SpecArgs as SpecOptions;
use crate::fetch::{Fetcher, enterprise_pages};
use crate::files::{read, write_all_atomically};
use crate::merge::{self, Block};
use crate::provenance::{PROVENANCE_FILE_NAME, Provenance, SPEC_FILE_NAME};

/// The spec as the docs publish it now.
struct Published {
    spec: String,
    document: Value,
    provenance: Provenance,
    /// (path on the site, text) of every page read.
    pages: Vec<(String, String)>,
}

/// Fetches the index and every Enterprise page, and merges their blocks.
fn fetch_published(options: &SpecOptions) -> Result<Published, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async {
        let fetcher = Arc::new(Fetcher::new(options)?);
        let index = fetcher.index().await?;
        let paths = enterprise_pages(&index, &options.api_version);
        if paths.is_empty() {
            return Err(format!(
                "the index {}/llms.txt lists no pages under /{}/api-reference/enterprise/",
                options.docs_url, options.api_version
            ));
        }
        let pages = fetcher.pages(paths).await?;
        let mut blocks: Vec<Block> = pages
            .iter()
            .map(merge::parse_page)
            .collect::<Result<_, _>>()?;
        let (spec, document) = merge::merge(&mut blocks)?;
        let texts: Vec<(String, String)> = pages.into_iter().map(|p| (p.path, p.text)).collect();
        let provenance = Provenance::describe(&spec, &document, &blocks, &texts);
        Ok(Published {
            spec,
            document,
            provenance,
            pages: texts,
        })
    })
}

/// `spec refresh`: rewrite the vendored spec and its provenance.
pub fn refresh(options: &SpecOptions) -> Result<Outcome, String> {
    let published = fetch_published(options)?;
    let spec_path = options.openapi_dir.join(SPEC_FILE_NAME);
    let provenance_path = options.openapi_dir.join(PROVENANCE_FILE_NAME);
    let current = read(&provenance_path)
        .ok()
        .and_then(|text| Provenance::parse(&text).ok());
    let mut provenance = published.provenance;
    let unchanged = current
        .as_ref()
        .is_some_and(|c| c.same_content(&provenance))
        && read(&spec_path).ok().as_deref() == Some(published.spec.as_str());
    if let (true, Some(current)) = (unchanged, &current) {
        // Nothing changed: keep the date, so the files stay byte-identical.
        provenance.recorded = current.recorded.clone();
    }
    let mut files = vec![
        (spec_path.clone(), published.spec),
        (provenance_path, provenance.render()),
    ];
    files.extend(snapshot_files(options, &published.pages)?);
    write_all_atomically(&files)?;
    remove_vanished_pages(options, current.as_ref(), &provenance);
    println!(
        "{} {} from {} page(s) (info.version {})",
        if unchanged { "unchanged:" } else { "updated:" },
        spec_path.display(),
        provenance.pages.len(),
        provenance.info_version
    );
    report_overlay_overlaps(options, &published.document);
    Ok(Outcome::Ok)
}

/// Where a page is recorded: `openapi/docs-snapshot/docs.hypersender.com/<path>`.
fn snapshot_path(options: &SpecOptions, page_path: &str) -> std::path::PathBuf {
    options
        .openapi_dir
        .join("docs-snapshot")
        .join("docs.hypersender.com")
        .join(page_path.trim_start_matches('/'))
}

/// The pages read, to be recorded beside the spec they produced (the
/// evidence behind the provenance hashes, and what the offline drift check
/// in CI serves).
fn snapshot_files(
    options: &SpecOptions,
    pages: &[(String, String)],
) -> Result<Vec<(std::path::PathBuf, String)>, String> {
    pages
        .iter()
        .map(|(path, text)| {
            let target = snapshot_path(options, path);
            let folder = target.parent().expect("pages have a folder");
            std::fs::create_dir_all(folder)
                .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
            Ok((target, text.clone()))
        })
        .collect()
}

/// Deletes the recorded copies of pages the site no longer lists.
fn remove_vanished_pages(options: &SpecOptions, before: Option<&Provenance>, now: &Provenance) {
    for page in before.map(|p| p.pages.as_slice()).unwrap_or_default() {
        if !now.pages.iter().any(|p| p.url == page.url) {
            let path = page.url.trim_start_matches(crate::args::DOCS_SITE);
            let _ = std::fs::remove_file(snapshot_path(options, path));
        }
    }
}

/// Lists local overlay entries the vendor now publishes (they must go).
fn report_overlay_overlaps(options: &SpecOptions, document: &Value) {
    let overlay = read(&options.openapi_dir.join("local-overlay.yaml")).and_then(|text| {
        hypersender_openapi::yaml::parse(OVERLAY_FILE, &text).map_err(|e| e.to_string())
    });
    let found = overlay.and_then(|overlay| {
        hypersender_openapi::overlay::redefinitions(document, SPEC_FILE, &overlay, OVERLAY_FILE)
            .map_err(|e| e.to_string())
    });
    match found {
        Ok(overlaps) if overlaps.is_empty() => {}
        Ok(overlaps) => {
            eprintln!(
                "the vendor now publishes what the local overlay defines; remove these entries from {OVERLAY_FILE}:"
            );
            for overlap in overlaps {
                eprintln!("  {overlap}");
            }
        }
        Err(message) => eprintln!(
            "warning: the local overlay no longer applies to the refreshed spec: {message}"
        ),
    }
}

/// `spec check`: compare without writing.
pub fn check(options: &SpecOptions) -> Result<Outcome, String> {
    let published = fetch_published(options)?;
    let spec_path = options.openapi_dir.join(SPEC_FILE_NAME);
    let vendored = read(&spec_path)?;
    let vendored_provenance =
        Provenance::parse(&read(&options.openapi_dir.join(PROVENANCE_FILE_NAME))?)?;
    if vendored == published.spec && vendored_provenance.same_content(&published.provenance) {
        println!(
            "no drift: {} matches {} page(s)",
            spec_path.display(),
            published.provenance.pages.len()
        );
        return Ok(Outcome::Ok);
    }
    println!(
        "drift: the published spec differs from {}",
        spec_path.display()
    );
    for line in page_changes(&vendored_provenance, &published.provenance) {
        println!("  {line}");
    }
    print!(
        "{}",
        similar::TextDiff::from_lines(&vendored, &published.spec)
            .unified_diff()
            .context_radius(3)
            .header(
                &format!("vendored/{SPEC_FILE_NAME}"),
                &format!("published/{SPEC_FILE_NAME}")
            )
    );
    println!("run `cargo xtask spec refresh` to update the vendored files");
    Ok(Outcome::Drift)
}

/// Which pages appeared, vanished or changed between two records.
fn page_changes(vendored: &Provenance, published: &Provenance) -> Vec<String> {
    let mut lines = Vec::new();
    for page in &published.pages {
        match vendored.pages.iter().find(|p| p.url == page.url) {
            None => lines.push(format!("appeared: {}", page.url)),
            Some(old) if old.block_sha256 != page.block_sha256 => {
                lines.push(format!("changed:  {}", page.url))
            }
            Some(old) if old != page => {
                lines.push(format!("changed (outside the OpenAPI block): {}", page.url))
            }
            Some(_) => {}
        }
    }
    for page in &vendored.pages {
        if !published.pages.iter().any(|p| p.url == page.url) {
            lines.push(format!("vanished: {}", page.url));
        }
    }
    lines
}
