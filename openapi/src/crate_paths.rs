//! Every path of the `hypersender` crate that generated client code names,
//! defined once here and written into the code only through `crate_path`
//! and `root_type`.
//!
//! The generated code sits in its own module (`hypersender::generated`,
//! from `client/generated/client.rs`) and names its own items relatively;
//! what it needs of the hand-written crate is the [`CRATE_PATHS`] (the
//! request path, the catalog's model, the crate's error) and the
//! [`ROOT_TYPES`] that stand for schemas of the spec. Compiling the golden
//! client proves the crate provides them; the workspace test
//! `openapi/tests/crate_paths.rs` proves the generated code names nothing
//! else and every listed path is used.

use proc_macro2::TokenStream;

/// Items of the `hypersender` crate, below `crate::`, that generated code
/// names.
pub const CRATE_PATHS: &[&str] = &[
    // The client every request builder borrows (and its request path's
    // state), and the crate's error.
    "Client",
    "Client::runtime",
    "Error",
    // The request path: what a builder hands over, the one function every
    // `send()` ends in, and a value as the JSON it is sent as.
    "runtime::Request",
    "runtime::execute",
    "runtime::to_json",
    // Calls by operation id (the CLI's `api` command).
    "catalog::Arguments",
    "catalog::unknown_operation",
    // The catalog's model, which the generated catalog entries are made of.
    "catalog::model::Operation",
    "catalog::model::Method",
    "catalog::model::Parameter",
    "catalog::model::Location",
    "catalog::model::Body",
    "catalog::model::Field",
    "catalog::model::Rule",
    "catalog::model::ValueKind",
    "values::RateLimit",
    // Forward-compatible enums.
    "values::UnknownValue",
    "values::open_enum",
];

/// Hand-written types at the crate root that stand for component schemas
/// of the spec (see the generation settings); the typed mocks name them the
/// same way. (The open enums, which also stand for schemas, are generated
/// into `types`.)
pub const ROOT_TYPES: &[&str] = &["Timestamp", "AccessToken", "QrCode", "ErrorBody"];

/// The module the generated code is compiled into, in the client and in
/// the typed mocks alike (`crate::generated`); generated code names its own
/// items through it (`crate::generated::types::InstanceStatus`, an open
/// enum, from typify's types and the mocks alike).
pub const GENERATED_MODULE: &str = "generated";

/// The tokens of `crate::<path>` for one of the [`CRATE_PATHS`].
///
/// # Panics
///
/// When `path` is not listed: a generator bug, caught by the generator's
/// own tests before any release.
pub(crate) fn crate_path(path: &str) -> TokenStream {
    assert!(
        CRATE_PATHS.contains(&path),
        "`{path}` is not in hypersender_openapi::crate_paths::CRATE_PATHS"
    );
    format!("crate::{path}")
        .parse()
        .expect("a listed path is a Rust path")
}

/// The path of a root type, `crate::<name>`, as a string for progenitor's
/// settings.
pub(crate) fn root_type(name: &str) -> String {
    assert!(
        ROOT_TYPES.contains(&name),
        "`{name}` is not in hypersender_openapi::crate_paths::ROOT_TYPES"
    );
    format!("crate::{name}")
}
