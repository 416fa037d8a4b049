//! The Hypersender Enterprise OpenAPI document and its preparation for progenitor.
//!
//! Data flow (one module per step, each with unit tests of its rewrites):
//!
//! ```text
//! hypersender-enterprise.yaml ─┐            (vendored byte for byte, OpenAPI 3.1)
//!                              ├─ overlay ─> downgrade ─> progenitor_input ─> codegen ─> Rust source
//! local-overlay.yaml ──────────┘  (Overlay 1.0)  (3.1 → 3.0)  (operationIds, headers)   (progenitor + SDK layer)
//! ```
//!
//! The `hypersender` crate's build script, the xtask and the tests all call
//! [`prepare`] and [`codegen::generate`]: there is no second copy of either.

pub mod codegen;
pub mod docs_page;
pub mod downgrade;
mod error;
pub mod overlay;
pub mod progenitor_input;
pub mod yaml;

pub use error::PrepareError;

/// Repository-relative name of the vendored spec, used in messages.
pub const SPEC_FILE: &str = "openapi/hypersender-enterprise.yaml";
/// Repository-relative name of the local overlay, used in messages.
pub const OVERLAY_FILE: &str = "openapi/local-overlay.yaml";
/// Repository-relative name of the provenance record.
pub const PROVENANCE_FILE: &str = "openapi/hypersender-enterprise.provenance.json";

/// The vendored spec, exactly as the docs site published it.
pub const VENDORED_SPEC: &str = include_str!("../hypersender-enterprise.yaml");
/// The local additions and fixes (OpenAPI Overlay 1.0).
pub const LOCAL_OVERLAY: &str = include_str!("../local-overlay.yaml");
/// Where the vendored spec came from (page URLs, hashes, date).
pub const PROVENANCE: &str = include_str!("../hypersender-enterprise.provenance.json");

/// Absolute paths of every input file, for `cargo:rerun-if-changed`.
pub fn input_paths() -> [std::path::PathBuf; 3] {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        dir.join("hypersender-enterprise.yaml"),
        dir.join("local-overlay.yaml"),
        dir.join("hypersender-enterprise.provenance.json"),
    ]
}

/// One named input document: its text and the file name used in messages.
#[derive(Clone, Copy, Debug)]
pub struct Source<'a> {
    /// The file name reported in errors.
    pub name: &'a str,
    /// The document text.
    pub text: &'a str,
}

impl Source<'static> {
    /// The vendored spec compiled into this crate.
    pub const VENDORED: Source<'static> = Source {
        name: SPEC_FILE,
        text: VENDORED_SPEC,
    };
    /// The local overlay compiled into this crate.
    pub const OVERLAY: Source<'static> = Source {
        name: OVERLAY_FILE,
        text: LOCAL_OVERLAY,
    };
}

/// Runs the whole preparation: parse both files, apply the overlay, rewrite
/// 3.1 constructs to 3.0, adapt the result for progenitor, and parse it as
/// an OpenAPI 3.0 document.
pub fn prepare(spec: Source<'_>, overlay: Source<'_>) -> Result<openapiv3::OpenAPI, PrepareError> {
    let document = prepare_json(spec, overlay)?;
    to_openapiv3(spec.name, document)
}

/// Everything the build script does but writing the file: prepare the two
/// documents and generate the formatted Rust source of the client.
pub fn client_source(spec: Source<'_>, overlay: Source<'_>) -> Result<String, PrepareError> {
    let prepared = prepare(spec, overlay)?;
    codegen::generate(&prepared, spec.name)
}

/// What the mock crate's build script does: the typed httpmock mocks, from
/// the same preparation and settings as [`client_source`].
pub fn httpmock_source(
    spec: Source<'_>,
    overlay: Source<'_>,
    client_crate: &str,
) -> Result<String, PrepareError> {
    let prepared = prepare(spec, overlay)?;
    codegen::generate_httpmock(&prepared, spec.name, client_crate)
}

/// Like [`prepare`], but stops before the typed parse: the prepared OpenAPI
/// 3.0 document as JSON (what `cargo xtask codegen` writes for review).
pub fn prepare_json(
    spec: Source<'_>,
    overlay: Source<'_>,
) -> Result<serde_json::Value, PrepareError> {
    let mut document = yaml::parse(spec.name, spec.text)?;
    let overlay_doc = yaml::parse(overlay.name, overlay.text)?;
    overlay::apply(&mut document, spec.name, &overlay_doc, overlay.name)?;
    downgrade::to_openapi_30(&mut document, spec.name)?;
    progenitor_input::adapt(&mut document, spec.name)?;
    Ok(document)
}

/// Parses a prepared document into openapiv3 types, naming the JSON path of
/// the first value that does not fit.
fn to_openapiv3(
    file: &str,
    document: serde_json::Value,
) -> Result<openapiv3::OpenAPI, PrepareError> {
    serde_path_to_error::deserialize(document).map_err(|e| {
        PrepareError::at(
            file,
            format!("/{}", e.path()).replace('.', "/"),
            format!(
                "not a valid OpenAPI 3.0 document after preparation: {}",
                e.inner()
            ),
        )
    })
}
