//! The generated files committed to the repository (the golden files), so
//! that a reviewer sees what a spec change does to the Rust API, and a
//! consumer of the published crates compiles them without the generator.
//!
//! `cargo xtask codegen --check` compares them with what the spec and the
//! overlay produce now, `cargo xtask codegen --bless` rewrites them, and a
//! workspace test fails on a stale one.

use std::path::{Path, PathBuf};

use crate::{PrepareError, Source};

/// One committed generated file.
#[derive(Clone, Copy)]
pub struct GoldenFile {
    /// Path relative to the workspace root.
    pub path: &'static str,
    /// What it is, for messages.
    pub what: &'static str,
    generate: fn(Source<'_>, Source<'_>) -> Result<String, PrepareError>,
}

impl std::fmt::Debug for GoldenFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GoldenFile")
            .field("path", &self.path)
            .field("what", &self.what)
            .finish_non_exhaustive()
    }
}

impl GoldenFile {
    /// Its content as generated from `spec` and `overlay` now.
    pub fn generate(&self, spec: Source<'_>, overlay: Source<'_>) -> Result<String, PrepareError> {
        (self.generate)(spec, overlay)
    }

    /// The file name alone (`client.rs`).
    pub fn file_name(&self) -> &'static str {
        self.path.rsplit('/').next().unwrap_or(self.path)
    }
}

/// The do-not-edit header of the JSON golden file (JSON has no comments;
/// OpenAPI allows `x-` keys at the root).
pub const JSON_HEADER_KEY: &str = "x-generated";

/// The contract document as committed: pretty JSON, one trailing newline,
/// the do-not-edit header as its first key.
fn contract_json(spec: Source<'_>, overlay: Source<'_>) -> Result<String, PrepareError> {
    let document = crate::prepare_contract(spec, overlay)?;
    let mut with_header = serde_json::Map::new();
    let header = crate::GENERATED_HEADER
        .lines()
        .map(|line| line.trim_start_matches("// "))
        .collect::<Vec<_>>()
        .join(" ");
    with_header.insert(JSON_HEADER_KEY.into(), serde_json::Value::String(header));
    with_header.extend(document.as_object().cloned().unwrap_or_default());
    let text = serde_json::to_string_pretty(&with_header)
        .map_err(|e| PrepareError::in_file(spec.name, format!("cannot write JSON: {e}")))?;
    Ok(text + "\n")
}

fn httpmock_for_hypersender(spec: Source<'_>, overlay: Source<'_>) -> Result<String, PrepareError> {
    crate::httpmock_source(spec, overlay, "hypersender")
}

/// The client, the client's typed mocks, and the contract document.
pub const FILES: [GoldenFile; 3] = [
    GoldenFile {
        path: "client/generated/client.rs",
        what: "the generated client",
        generate: crate::client_source,
    },
    GoldenFile {
        path: "httpmock/generated/httpmock.rs",
        what: "the generated typed mocks",
        generate: httpmock_for_hypersender,
    },
    GoldenFile {
        path: "openapi/generated/openapi.json",
        what: "the contract document (OpenAPI 3.0, for other tools)",
        generate: contract_json,
    },
];

/// The golden file at `path` (workspace-relative), if there is one.
pub fn find(path: &str) -> Option<&'static GoldenFile> {
    FILES.iter().find(|file| file.path == path)
}

/// The workspace root this crate sits in (its parent folder).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// How a golden file compares with what the inputs generate now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freshness {
    /// Identical.
    Fresh,
    /// Different: the committed text and the generated text.
    Stale {
        /// What is committed (empty if the file is missing).
        committed: String,
        /// What the spec and overlay generate now.
        generated: String,
    },
}

/// Compares every golden file under `root` with what `spec` and `overlay`
/// generate.
pub fn compare(
    root: &Path,
    spec: Source<'_>,
    overlay: Source<'_>,
) -> Result<Vec<(GoldenFile, Freshness)>, String> {
    FILES
        .iter()
        .map(|file| {
            let generated = file.generate(spec, overlay).map_err(|e| e.to_string())?;
            let committed = std::fs::read_to_string(root.join(file.path)).unwrap_or_default();
            let freshness = if committed == generated {
                Freshness::Fresh
            } else {
                Freshness::Stale {
                    committed,
                    generated,
                }
            };
            Ok((*file, freshness))
        })
        .collect()
}

/// Writes every golden file under `root` that differs; returns their paths.
/// Each is written to a temporary file first, then renamed, so a failure
/// never leaves half a file.
pub fn bless(root: &Path, spec: Source<'_>, overlay: Source<'_>) -> Result<Vec<PathBuf>, String> {
    let mut written = Vec::new();
    for (file, freshness) in compare(root, spec, overlay)? {
        let Freshness::Stale { generated, .. } = freshness else {
            continue;
        };
        let path = root.join(file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        let temporary = path.with_extension("tmp");
        std::fs::write(&temporary, generated)
            .and_then(|()| std::fs::rename(&temporary, &path))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
