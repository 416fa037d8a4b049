//! The code generated from the spec (`client/generated/client.rs`): the
//! request and response types, a request builder and a `Client` method per
//! operation, `Client::call`, the catalog's entries and the open enums.
//!
//! With the `codegen` feature (this workspace) the build script regenerates
//! it from the vendored spec and the overlay; without it (every consumer)
//! the committed golden copy is compiled. Either way it is never edited by
//! hand: see "How the spec becomes code" in the README.

#[cfg(feature = "codegen")]
include!(concat!(env!("OUT_DIR"), "/client.rs"));
#[cfg(not(feature = "codegen"))]
include!("../generated/client.rs");
