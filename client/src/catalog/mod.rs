//! Every operation of the API as data, generated from the spec: method,
//! path, parameters, body fields, the rules each value must meet, the
//! documented rate limit and the documented success example (or, where the
//! vendor documents only its properties' examples, one built from them).
//!
//! The request path checks the rules and keeps the limits from it, before
//! anything is sent; the CLI's `api` command, the mock server and the tests
//! read it, so an operation the vendor adds reaches all of them when the
//! crate is regenerated.
//!
//! ```
//! let health = hypersender::catalog::find("check_health").unwrap();
//! assert_eq!(health.path, "/{instance}/health");
//! assert!(health.check_parameter("instance", &serde_json::json!("..")).is_err());
//! ```

mod arguments;
pub(crate) mod model;
mod rules;

pub use crate::generated::catalog::*;
pub use crate::values::RateLimit;
pub use arguments::Arguments;
pub(crate) use arguments::unknown_operation;
pub use model::{
    Body, Field, Location, Method, Operation, Parameter, Problem, Rule, ValueKind, Violation,
};
pub(crate) use rules::invalid;
