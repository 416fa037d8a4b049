//! Every name the generated code (`client/generated/client.rs`) uses from
//! this crate, in one place. The generator writes `crate::contract::<name>`
//! and nothing else of ours; its list is
//! `hypersender_openapi::contract::CLIENT_ITEMS`, and the workspace test
//! `openapi/tests/contract.rs` fails if this file and that list disagree.
//! (The replacement types at the crate root, `InstanceStatus`, `Timestamp`,
//! `AccessToken` and `QrCode`, are the other half of the contract.)

// progenitor's inner type: the state its hooks read.
pub(crate) use crate::transport::Inner;
// The response pipeline.
pub(crate) use crate::pipeline::send;
// The checks before sending.
pub(crate) use crate::checks::{check_parameter, check_path_parameter, json_body, to_json};
// Calls by name.
pub use crate::dynamic::Arguments;
pub(crate) use crate::dynamic::unknown_operation;
// The catalog's types, re-exported by the generated `catalog` module.
pub use crate::catalog_types::{
    Body, Field, Location, Method, Operation, Parameter, Problem, RateLimit, Rule, ValueKind,
    Violation,
};
// The crate's error type.
pub use crate::error::Error;
// Forward-compatible enums generated from the spec's enum schemas.
pub(crate) use crate::open_enum::{UnknownValue, open_enum};
