//! Running progenitor with the one set of settings: the request and
//! response types (its typify type space, from the component schemas), and
//! the typed httpmock mocks.
//!
//! The generator uses progenitor's public API only and never parses
//! progenitor's client back. Two places depend on what progenitor's output
//! looks like, and each has a test that names it, so an upgrade that changes
//! them fails there first:
//!
//! 1. [`TypeSpace::names`]: every component schema becomes a type of that
//!    name in `types` (the SDK layer writes `types::<Schema>`);
//!    `component_schemas_are_types_of_the_same_name` checks it.
//! 2. `config_fn(when, then)`: the typed mocks call the test's closure this
//!    way, and [`super::expose_secrets_in_mocks`] wraps that call;
//!    `every_mock_runs_its_closure_with_secrets_exposed` checks it.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

use openapiv3::OpenAPI;
use proc_macro2::TokenStream;
use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle, TypeImpl};

use crate::PrepareError;
use crate::crate_paths;

/// Component schemas replaced by hand-written types at the `hypersender`
/// crate's root: (schema name, traits the type implements). (String enum
/// schemas are replaced too, by the generated open enums in `types`.)
pub const REPLACEMENTS: [(&str, &[TypeImpl]); 4] = [
    // Keeps the raw text of a timestamp in an unexpected shape.
    ("Timestamp", &[TypeImpl::Display, TypeImpl::FromStr]),
    // Secret: redacted in Debug, masked when serialized, no Display.
    ("AccessToken", &[]),
    // The PNG behind the base64, checked when read, short in Debug.
    ("QrCode", &[]),
    // The platform's error body, which the crate's error type carries (so
    // the error type names no generated type).
    ("ErrorBody", &[TypeImpl::Default]),
];

/// The one set of progenitor settings every output is generated with, for
/// a spec whose `open_enums` (see `open_enums::names`) the generator writes
/// itself.
///
/// The positional interface turns typify's struct builders off: the SDK
/// layer writes the request builders, so `types` holds only what users
/// see. Nothing uses progenitor's own client.
pub fn generation_settings(open_enums: &[String]) -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Positional)
        .with_tag(TagStyle::Merged)
        .with_derive("PartialEq")
        // Deterministic order in Debug output and re-encoded JSON.
        .with_map_type("::std::collections::BTreeMap");
    for (schema, impls) in REPLACEMENTS {
        settings.with_replacement(
            schema,
            crate_paths::root_type(schema),
            impls.iter().cloned(),
        );
    }
    // Forward compatible: an unknown value decodes instead of failing.
    for schema in open_enums {
        settings.with_replacement(
            schema,
            format!("crate::{}::types::{schema}", crate_paths::GENERATED_MODULE),
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    settings
}

/// The types progenitor (typify) generates for the component schemas of
/// `spec`: the body of the `types` module, and the names of its types.
pub(crate) struct TypeSpace {
    pub tokens: TokenStream,
    names: BTreeSet<String>,
}

impl TypeSpace {
    /// Whether `types` has a type called `name`.
    pub fn names(&self, name: &str) -> bool {
        self.names.contains(name)
    }
}

/// Runs progenitor on `spec` (so that it validates the document and refuses
/// what it cannot generate), and takes its type space: the component
/// schemas, which are all the SDK layer names (see `progenitor_input`).
/// progenitor's client itself is not used.
pub(crate) fn types(
    spec: &OpenAPI,
    open_enums: &[String],
    file: &str,
) -> Result<TypeSpace, PrepareError> {
    let mut generator = Generator::new(&generation_settings(open_enums));
    without_panics(|| generator.generate_tokens(spec))
        .map_err(|reason| PrepareError::in_file(file, reason))?;
    let type_space = generator.get_type_space();
    Ok(TypeSpace {
        tokens: type_space.to_stream(),
        names: type_space.iter_types().map(|t| t.name()).collect(),
    })
}

/// progenitor's typed httpmock mocks for `spec`, for a crate that depends
/// on the client as `client_crate`.
pub(crate) fn httpmock(
    spec: &OpenAPI,
    open_enums: &[String],
    file: &str,
    client_crate: &str,
) -> Result<syn::File, PrepareError> {
    let mut generator = Generator::new(&generation_settings(open_enums));
    let tokens = without_panics(|| generator.httpmock(spec, client_crate))
        .map_err(|reason| PrepareError::in_file(file, reason))?;
    syn::parse2(tokens).map_err(|e| {
        PrepareError::in_file(file, format!("progenitor produced unparseable mocks: {e}"))
    })
}

/// Runs a progenitor call, turning both its errors and its panics (it has
/// `todo!()`s and `unwrap()`s for inputs it does not support) into messages.
pub(crate) fn without_panics<T>(
    run: impl FnOnce() -> Result<T, progenitor::Error>,
) -> Result<T, String> {
    match catch_unwind(AssertUnwindSafe(run)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(format!("progenitor cannot generate a client: {e}")),
        Err(panic) => {
            let reason = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "unknown reason".into());
            Err(format!("progenitor failed on this spec: {reason}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progenitor_panics_become_messages() {
        let panicking =
            || -> Result<(), progenitor::Error> { panic!("not yet implemented: {}", "upgrade") };
        assert_eq!(
            without_panics(panicking),
            Err("progenitor failed on this spec: not yet implemented: upgrade".into())
        );
        let static_panic = || -> Result<(), progenitor::Error> { panic!("static") };
        assert_eq!(
            without_panics(static_panic),
            Err("progenitor failed on this spec: static".into())
        );
        let failing = || -> Result<(), progenitor::Error> {
            Err(progenitor::Error::InvalidPath("/x".into()))
        };
        assert_eq!(
            without_panics(failing),
            Err("progenitor cannot generate a client: invalid operation path /x".into())
        );
    }

    /// Upgrade place 1 (see the module docs).
    #[test]
    fn component_schemas_are_types_of_the_same_name() {
        let spec: OpenAPI = serde_json::from_value(serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {},
            "components": {"schemas": {
                "MadeUpThing": {"type": "object", "properties": {"a": {"type": "string"}}},
                "OtherThingResponse": {"type": "object", "properties": {
                    "thing": {"$ref": "#/components/schemas/MadeUpThing"},
                    "status": {"$ref": "#/components/schemas/InstanceStatus"}
                }},
                "InstanceStatus": {"type": "string", "enum": ["A"]}
            }}
        }))
        .unwrap();
        let space = types(&spec, &["InstanceStatus".to_owned()], "spec.yaml").unwrap();
        assert!(space.names("MadeUpThing"));
        assert!(space.names("OtherThingResponse"));
        let text = space.tokens.to_string();
        assert!(text.contains("pub struct MadeUpThing"), "{text}");
        assert!(
            text.contains("pub thing : :: std :: option :: Option < MadeUpThing >"),
            "component types name each other by name: {text}"
        );
        assert!(
            text.contains("crate :: generated :: types :: InstanceStatus"),
            "open enums are the generator's own: {text}"
        );
        assert!(
            !text.contains("pub struct InstanceStatus") && !text.contains("pub mod builder"),
            "no replaced type and no typify builders: {text}"
        );
    }
}
