//! Calling an operation by name with values given as text: what the CLI's
//! `hypersender api` command does, through the same request builders as
//! the typed methods ([`Client::call`](crate::Client::call)).

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::model::{Location, Operation, Problem, ValueKind, Violation};
use super::rules::invalid;
use crate::error::Error;

/// The values of one call by name: parameters and body fields by their
/// names in the spec (`instance`, `filter[status]`, `phone`), and
/// optionally a whole JSON body that named body fields are laid over.
///
/// ```
/// use hypersender::Arguments;
///
/// let arguments = Arguments::new()
///     .value("filter[status]", "WORKING")
///     .value("filter[name]", "shop");
/// assert_eq!(arguments.get("filter[status]"), Some("WORKING"));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Arguments {
    values: BTreeMap<String, String>,
    body: Option<Value>,
}

impl Arguments {
    /// No values.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the parameter or body field `name` to `value` (text; a body
    /// field whose type is not a string is read as JSON).
    pub fn value(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.values.insert(name.into(), value.into());
        self
    }

    /// Sets the whole JSON body; named body fields given with
    /// [`value`](Self::value) replace its fields of the same name.
    pub fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// The text given for `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Every name is the operation's, every required parameter is given,
    /// and each parameter meets its rule (documented values included).
    pub(crate) fn check(&self, operation: &Operation) -> Result<(), Error> {
        let mut violations: Vec<Violation> = self
            .values
            .keys()
            .filter(|name| operation.parameter(name).is_none() && operation.field(name).is_none())
            .map(|name| violation(name, Problem::Unknown))
            .collect();
        for parameter in operation.parameters {
            let outcome = match self.values.get(parameter.name) {
                None if parameter.required => Err(violation(parameter.name, Problem::Missing)),
                None => Ok(()),
                Some(text) => {
                    operation.check_parameter(parameter.name, &as_json(parameter.rule.kind, text))
                }
            };
            violations.extend(outcome.err());
        }
        if operation.body.is_none() && self.body.is_some() {
            violations.push(violation("body", Problem::Unknown));
        }
        if violations.is_empty() {
            Ok(())
        } else {
            Err(invalid(operation, &violations))
        }
    }

    /// A required value, decoded into the builder's type.
    pub(crate) fn required<T: DeserializeOwned>(
        &self,
        operation: &Operation,
        name: &str,
    ) -> Result<T, Error> {
        self.optional(operation, name)?
            .ok_or_else(|| invalid(operation, &[violation(name, Problem::Missing)]))
    }

    /// An optional value, decoded into the builder's type.
    pub(crate) fn optional<T: DeserializeOwned>(
        &self,
        operation: &Operation,
        name: &str,
    ) -> Result<Option<T>, Error> {
        let Some(text) = self.values.get(name) else {
            return Ok(None);
        };
        let kind = operation
            .parameter(name)
            .map_or(ValueKind::String, |p| p.rule.kind);
        serde_json::from_value(as_json(kind, text))
            .map(Some)
            .map_err(|_| invalid(operation, &[violation(name, Problem::WrongType(kind))]))
    }

    /// The JSON body: the whole body given, with named body fields laid over.
    pub(crate) fn body_json(&self, operation: &Operation) -> Result<Value, Error> {
        let mut body = self
            .body
            .clone()
            .unwrap_or_else(|| Value::Object(Map::new()));
        let Some(fields) = body.as_object_mut() else {
            return Err(invalid(
                operation,
                &[violation("body", Problem::WrongType(ValueKind::Object))],
            ));
        };
        for (name, text) in &self.values {
            if let Some(field) = operation.field(name)
                && operation
                    .parameter(name)
                    .is_none_or(|p| p.location != Location::Path)
            {
                fields.insert(name.clone(), as_json(field.rule.kind, text));
            }
        }
        Ok(body)
    }
}

/// Text as the JSON value of its kind: a string stays a string; anything
/// else is read as JSON, falling back to the text.
fn as_json(kind: ValueKind, text: &str) -> Value {
    match kind {
        ValueKind::String => Value::String(text.to_owned()),
        _ => serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned())),
    }
}

fn violation(name: &str, problem: Problem) -> Violation {
    Violation {
        name: name.to_owned(),
        problem,
    }
}

/// The error for an operation id that is none of `operations` (the
/// catalog's, which the generated `Client::call` passes).
pub(crate) fn unknown_operation(name: &str, operations: &[Operation]) -> Error {
    let known: Vec<&str> = operations.iter().map(|op| op.id).collect();
    Error::InvalidRequest {
        operation: "call",
        message: format!(
            "unknown operation {name:?}; the operations are: {}",
            known.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::catalog::model::{Body, Field, Method, Parameter, Rule};

    const TEXT: Rule = Rule {
        kind: ValueKind::String,
        nullable: false,
        min_length: None,
        max_length: None,
        pattern: None,
        format: None,
        values: &[],
        words: None,
    };

    const fn parameter(name: &'static str, location: Location) -> Parameter {
        Parameter {
            name,
            location,
            required: false,
            description: "",
            rule: TEXT,
            example: None,
        }
    }

    const fn field(name: &'static str) -> Field {
        Field {
            name,
            required: false,
            description: "",
            rule: TEXT,
        }
    }

    /// A body with fields named like the operation's path and query
    /// parameters (none of today's operations has one; a vendor's may).
    const SHARED_NAMES: Operation = Operation {
        id: "update_instance",
        method: Method::Post,
        path: "/{instance}/update",
        summary: "",
        description: "",
        parameters: &[
            parameter("instance", Location::Path),
            parameter("mode", Location::Query),
        ],
        body: Some(Body {
            required: true,
            fields: &[field("instance"), field("mode"), field("label")],
            example: None,
        }),
        rate_limit: None,
        success_status: 200,
        success_example: None,
    };

    #[test]
    fn a_value_named_like_a_path_parameter_fills_the_path_only() {
        let arguments = Arguments::new()
            .value("instance", "a1")
            .value("mode", "fast")
            .value("label", "x");
        assert_eq!(
            arguments.body_json(&SHARED_NAMES).unwrap(),
            json!({"mode": "fast", "label": "x"}),
            "a query parameter's namesake is a body field too"
        );
    }
}
