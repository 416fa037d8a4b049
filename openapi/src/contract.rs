//! The contract between the generator and the `hypersender` crate: every
//! name the generated code uses from the crate it is compiled into, defined
//! once here and written into the code only through `client_item` and
//! `root_type`.
//!
//! The client side is `client/src/contract.rs`, which defines or re-exports
//! each of [`CLIENT_ITEMS`] and [`CATALOG_TYPES`]; the crate root re-exports each of
//! [`ROOT_TYPES`]. A workspace test (`openapi/tests/contract.rs`) reads both
//! files and fails when either side renames one, and the two crates are
//! released in lockstep with exact (`=`) version requirements.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// Items of `crate::contract` that generated client code names, besides
/// the [`CATALOG_TYPES`].
pub const CLIENT_ITEMS: &[&str] = &[
    // progenitor's "inner type": the state its hooks read.
    "Inner",
    // The response pipeline every request builder's `send()` ends in.
    "send",
    // Checks made before anything is sent.
    "check_path_parameter",
    "check_parameter",
    "json_body",
    "to_json",
    // Dynamic calls by operation id (the CLI's `api` command).
    "Arguments",
    "unknown_operation",
    // The crate's error type.
    "Error",
    // Forward-compatible enums.
    "UnknownValue",
    "open_enum",
];

/// The operation catalog's types: items of `crate::contract` too, which the
/// generated `catalog` module re-exports.
pub const CATALOG_TYPES: &[&str] = &[
    "Operation",
    "Method",
    "Parameter",
    "Location",
    "Body",
    "Field",
    "Rule",
    "ValueKind",
    "RateLimit",
    "Violation",
    "Problem",
];

/// Whether generated code may name `crate::contract::<name>`: one of the
/// [`CLIENT_ITEMS`] or the [`CATALOG_TYPES`].
pub fn is_client_item(name: &str) -> bool {
    CLIENT_ITEMS.contains(&name) || CATALOG_TYPES.contains(&name)
}

/// Hand-written types at the crate root that replace component schemas
/// (see the generation settings); the typed mocks name them the same way.
pub const ROOT_TYPES: &[&str] = &["InstanceStatus", "Timestamp", "AccessToken", "QrCode"];

/// The path of one contract item, `crate::contract::<name>`.
///
/// # Panics
///
/// When [`is_client_item`] refuses `name`: a generator bug, caught by the
/// generator's own tests before any release.
pub(crate) fn client_item(name: &str) -> TokenStream {
    assert!(
        is_client_item(name),
        "`{name}` is in neither CLIENT_ITEMS nor CATALOG_TYPES of hypersender_openapi::contract"
    );
    let ident = format_ident!("{name}");
    quote!(crate::contract::#ident)
}

/// The path of a replacement type, `crate::<name>`, as a string for
/// progenitor's settings.
pub(crate) fn root_type(name: &str) -> String {
    assert!(
        ROOT_TYPES.contains(&name),
        "`{name}` is not in hypersender_openapi::contract::ROOT_TYPES"
    );
    format!("crate::{name}")
}
