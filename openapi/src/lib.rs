//! The Hypersender Enterprise OpenAPI document and what the workspace
//! generates from it.
//!
//! Data flow (one module per step, each with unit tests of its rewrites):
//!
//! ```text
//! hypersender-enterprise.yaml ─┐   (vendored byte for byte, OpenAPI 3.1)
//!                              ├─ overlay ─> downgrade ─> operation ids ═> contract document (OpenAPI 3.0, every rule kept)
//! local-overlay.yaml ──────────┘  (Overlay 1.0) (3.1 → 3.0)                      │
//!                                                         progenitor_input ─> progenitor's input
//!                                                                                  │
//!                                          codegen (progenitor's types + SDK layer) ─> golden files
//! ```
//!
//! The golden files ([`golden::FILES`]) are committed; the `hypersender`
//! and `hypersender-httpmock` build scripts regenerate them in this
//! workspace (their `codegen` feature, see [`build_script`]), the xtask
//! checks and blesses them, and consumers of the published crates compile
//! the committed copies without this crate.

pub mod build_script;
mod codegen;
pub mod crate_paths;
mod downgrade;
mod error;
pub mod golden;
pub mod overlay;
mod progenitor_input;
pub mod yaml;

pub use codegen::GENERATED_HEADER;
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

/// The contract document: the vendored spec with the overlay applied,
/// rewritten to OpenAPI 3.0.3, every operation with an `operationId`.
/// Every documented rule, example and error response is in it; it is what
/// other OpenAPI tools should read (`cargo xtask codegen --out DIR` writes
/// it, and so does the golden file `openapi/generated/openapi.json`).
pub fn prepare_contract(
    spec: Source<'_>,
    overlay: Source<'_>,
) -> Result<serde_json::Value, PrepareError> {
    let mut document = yaml::parse(spec.name, spec.text)?;
    let overlay_doc = yaml::parse(overlay.name, overlay.text)?;
    overlay::apply(&mut document, spec.name, &overlay_doc, overlay.name)?;
    downgrade::to_openapi_30(&mut document, spec.name)?;
    progenitor_input::assign_operation_ids(&mut document, spec.name)?;
    Ok(document)
}

/// progenitor's input, derived from the contract document: as JSON and
/// parsed into openapiv3 types.
pub fn prepare_for_progenitor(
    spec: Source<'_>,
    overlay: Source<'_>,
) -> Result<(serde_json::Value, openapiv3::OpenAPI), PrepareError> {
    let contract = prepare_contract(spec, overlay)?;
    let (json, parsed) = for_progenitor(&contract, spec.name)?;
    Ok((json, parsed))
}

fn for_progenitor(
    contract: &serde_json::Value,
    file: &str,
) -> Result<(serde_json::Value, openapiv3::OpenAPI), PrepareError> {
    let mut document = contract.clone();
    progenitor_input::adapt(&mut document, file)?;
    let parsed = to_openapiv3(file, document.clone())?;
    Ok((document, parsed))
}

/// The Rust source of the client (`client/generated/client.rs`).
pub fn client_source(spec: Source<'_>, overlay: Source<'_>) -> Result<String, PrepareError> {
    let contract = prepare_contract(spec, overlay)?;
    let (input, parsed) = for_progenitor(&contract, spec.name)?;
    codegen::client(&contract, &input, &parsed, spec.name)
}

/// The Rust source of the typed httpmock mocks (`httpmock/generated/httpmock.rs`),
/// from the same preparation and settings as [`client_source`], for a crate
/// that depends on the client as `client_crate`.
pub fn httpmock_source(
    spec: Source<'_>,
    overlay: Source<'_>,
    client_crate: &str,
) -> Result<String, PrepareError> {
    let (input, parsed) = prepare_for_progenitor(spec, overlay)?;
    codegen::httpmock(&input, &parsed, spec.name, client_crate)
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
