//! The error body of the platform behind the API (Laravel).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The error body of the platform (Laravel): a message and, on 422, one
/// list of messages per invalid field.
///
/// It stands for the spec's `ErrorBody` schema (the Enterprise docs do not
/// document error bodies, so every field is optional), hand-written so that
/// the crate's [`Error`](crate::Error) carries it without naming a
/// generated type; a test checks it against the schema.
///
/// ```
/// let body: hypersender::ErrorBody = serde_json::from_str(
///     r#"{"message": "The given data was invalid.", "errors": {"phone": ["The phone field is required."]}}"#,
/// ).unwrap();
/// assert_eq!(body.errors["phone"], ["The phone field is required."]);
/// ```
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq)]
pub struct ErrorBody {
    /// Validation messages keyed by field name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: BTreeMap<String, Vec<String>>,
    /// Human-readable summary of the error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}
