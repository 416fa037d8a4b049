//! What a request builder checks before anything is sent: every value
//! against the rule the catalog (the spec) gives it. One failure or many,
//! the result is one [`Error::InvalidRequest`] naming each value.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::catalog_types::{Operation, Problem, Violation};
use crate::error::Error;
use crate::secret::with_exposed_secrets;

/// A path parameter: its rule, and a usable path segment (not empty, `.`
/// or `..`, which every URL parser would resolve to another URL).
pub(crate) fn check_path_parameter<T: Serialize + ?Sized>(
    operation: &Operation,
    name: &str,
    value: &T,
) -> Result<(), Error> {
    operation
        .check_typed_parameter(name, &to_json(value))
        .map_err(|violation| invalid(operation, &[violation]))
}

/// A query or header parameter, when set.
pub(crate) fn check_parameter<T: Serialize>(
    operation: &Operation,
    name: &str,
    value: Option<&T>,
) -> Result<(), Error> {
    match value {
        Some(value) => check_path_parameter(operation, name, value),
        None => Ok(()),
    }
}

/// The JSON body: every field against its rule (required ones present),
/// then decoded into the operation's body type.
pub(crate) fn json_body<T: DeserializeOwned>(
    operation: &Operation,
    body: Value,
) -> Result<T, Error> {
    let violations = operation.check_body(&body);
    if !violations.is_empty() {
        return Err(invalid(operation, &violations));
    }
    serde_json::from_value(body).map_err(|e| Error::InvalidRequest {
        operation: operation.id,
        message: format!("the body does not fit the operation's body type: {e}"),
    })
}

/// A value as JSON, secrets included (it is being sent, not shown).
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> Value {
    // The crate's own request types always serialize.
    with_exposed_secrets(|| serde_json::to_value(value)).unwrap_or(Value::Null)
}

/// One error naming every violation, each with what the value is (from the
/// spec's description) where a pattern alone would not say.
pub(crate) fn invalid(operation: &Operation, violations: &[Violation]) -> Error {
    let message = violations
        .iter()
        .map(|violation| {
            let description = match violation.problem {
                Problem::Pattern(_) | Problem::Format(_) => operation
                    .parameter(&violation.name)
                    .map(|p| p.description)
                    .or_else(|| operation.field(&violation.name).map(|f| f.description))
                    .filter(|d| !d.is_empty()),
                _ => None,
            };
            match description {
                Some(description) => format!("{violation} ({})", description.trim_end_matches('.')),
                None => violation.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    Error::InvalidRequest {
        operation: operation.id,
        message,
    }
}
