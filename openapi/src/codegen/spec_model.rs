//! What the generator needs to know about each operation, read from the
//! contract document (the prepared OpenAPI 3.0 document before it is adapted
//! for progenitor, so every documented constraint is still in it).
//!
//! `$ref`s to `#/components/...` are followed; an `allOf` of one schema and
//! the nullable union `oneOf: [S, {nullable null}]` read as `S`.

use serde_json::{Map, Value};

use crate::PrepareError;
use crate::overlay::HTTP_METHODS;

/// Name of the extension that records an operation's documented rate limit:
/// `x-rate-limit: {requests: 5, per: 60s}`.
pub const RATE_LIMIT_EXTENSION: &str = "x-rate-limit";

/// Name of the extension that says a value's rule in words, for messages
/// (`x-rule-words: a + and 7 to 15 digits, the first not 0`).
pub const RULE_WORDS_EXTENSION: &str = "x-rule-words";

/// One operation, as the generator uses it.
#[derive(Debug, Clone)]
pub(crate) struct OperationModel {
    pub id: String,
    /// Lower case, as in the document (`get`).
    pub method: String,
    pub path: String,
    pub summary: String,
    pub description: String,
    pub parameters: Vec<ParameterModel>,
    pub body: Option<BodyModel>,
    /// (requests, per seconds)
    pub rate_limit: Option<(u32, u64)>,
    pub success_status: u16,
    /// The documented success example, as compact JSON.
    pub success_example: Option<String>,
}

/// A path, query or header parameter.
#[derive(Debug, Clone)]
pub(crate) struct ParameterModel {
    pub name: String,
    /// `path`, `query`, `header` or `cookie`.
    pub location: String,
    pub required: bool,
    pub description: String,
    pub rule: RuleModel,
    /// A value, as compact JSON: the documented example, else one built
    /// from the schema.
    pub example: Option<String>,
}

/// A JSON request body.
#[derive(Debug, Clone)]
pub(crate) struct BodyModel {
    pub required: bool,
    /// A body, as compact JSON: the documented example, else one built from
    /// the properties' examples.
    pub example: Option<String>,
    /// The properties of an object body, in document order; empty for any
    /// other body.
    pub fields: Vec<FieldModel>,
}

/// One property of an object body.
#[derive(Debug, Clone)]
pub(crate) struct FieldModel {
    pub name: String,
    pub required: bool,
    pub description: String,
    pub rule: RuleModel,
}

/// The constraints a value must meet, as the schema states them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RuleModel {
    /// `string`, `integer`, `number`, `boolean`, `array`, `object`, or
    /// empty when the schema names no type.
    pub kind: String,
    pub nullable: bool,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub pattern: Option<String>,
    pub format: Option<String>,
    pub values: Vec<String>,
    /// The rule in words, for messages (`x-rule-words`).
    pub words: Option<String>,
}

/// Reads every operation of `document` (named `file` in errors), in
/// document order.
pub(crate) fn operations(
    document: &Value,
    file: &str,
) -> Result<Vec<OperationModel>, PrepareError> {
    let reader = Reader { document, file };
    let mut operations = Vec::new();
    let Some(paths) = document.get("paths").and_then(Value::as_object) else {
        return Ok(operations);
    };
    for (path, item) in paths {
        let item = reader.resolve(item);
        let shared = item.get("parameters");
        for method in HTTP_METHODS {
            if let Some(operation) = item.get(method).and_then(Value::as_object) {
                operations.push(reader.operation(path, method, operation, shared)?);
            }
        }
    }
    Ok(operations)
}

struct Reader<'a> {
    document: &'a Value,
    file: &'a str,
}

impl<'a> Reader<'a> {
    /// Follows local `$ref`s (a chain of them too); an unresolvable one is
    /// returned as it is.
    fn resolve(&self, mut value: &'a Value) -> &'a Value {
        for _ in 0..16 {
            let Some(target) = value.get("$ref").and_then(Value::as_str) else {
                return value;
            };
            match target
                .strip_prefix('#')
                .and_then(|pointer| self.document.pointer(pointer))
            {
                Some(found) => value = found,
                None => return value,
            }
        }
        value
    }

    /// A schema with refs followed, `allOf: [S]` and nullable unions read as
    /// `S`; the second value says whether null is allowed.
    fn schema(&self, schema: &'a Value) -> (&'a Value, bool) {
        let schema = self.resolve(schema);
        let mut nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true);
        for combinator in ["allOf", "oneOf", "anyOf"] {
            let Some(members) = schema.get(combinator).and_then(Value::as_array) else {
                continue;
            };
            let non_null: Vec<&Value> = members
                .iter()
                .filter(|member| !is_null_only(self.resolve(member)))
                .collect();
            if let [single] = non_null.as_slice() {
                nullable |= non_null.len() < members.len();
                let (inner, inner_nullable) = self.schema(single);
                return (inner, nullable || inner_nullable);
            }
        }
        (schema, nullable)
    }

    fn rule(&self, schema: Option<&'a Value>) -> RuleModel {
        let Some(schema) = schema else {
            return RuleModel::default();
        };
        let (schema, nullable) = self.schema(schema);
        let text = |key: &str| schema.get(key).and_then(Value::as_str).map(str::to_owned);
        let number = |key: &str| schema.get(key).and_then(Value::as_u64);
        RuleModel {
            kind: text("type").unwrap_or_default(),
            nullable,
            min_length: number("minLength"),
            max_length: number("maxLength"),
            pattern: text("pattern"),
            format: text("format"),
            words: text(RULE_WORDS_EXTENSION),
            values: schema
                .get("enum")
                .and_then(Value::as_array)
                .map(|values| {
                    values
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    fn operation(
        &self,
        path: &str,
        method: &str,
        operation: &'a Map<String, Value>,
        shared_parameters: Option<&'a Value>,
    ) -> Result<OperationModel, PrepareError> {
        let label = format!("{} {path}", method.to_uppercase());
        let text = |key: &str| {
            operation
                .get(key)
                .and_then(Value::as_str)
                .map(|s| s.trim().to_owned())
                .unwrap_or_default()
        };
        let id = operation
            .get("operationId")
            .and_then(Value::as_str)
            .ok_or_else(|| PrepareError::at(self.file, &label, "the operation has no operationId"))?
            .to_owned();
        let (success_status, success) = success_response(operation);
        Ok(OperationModel {
            id,
            method: method.to_owned(),
            path: path.to_owned(),
            summary: text("summary"),
            description: text("description"),
            parameters: self.parameters(shared_parameters, operation.get("parameters")),
            body: self.body(operation.get("requestBody")),
            rate_limit: rate_limit(operation.get(RATE_LIMIT_EXTENSION), self.file, &label)?,
            success_status,
            success_example: success.and_then(|response| self.example(response)),
        })
    }

    /// Path-level parameters, then the operation's (which win on a clash).
    fn parameters(&self, shared: Option<&'a Value>, own: Option<&'a Value>) -> Vec<ParameterModel> {
        let mut parameters: Vec<ParameterModel> = Vec::new();
        let all = [shared, own]
            .into_iter()
            .flatten()
            .filter_map(Value::as_array)
            .flatten();
        for parameter in all {
            let parameter = self.resolve(parameter);
            let text = |key: &str| {
                parameter
                    .get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let model = ParameterModel {
                name: text("name"),
                location: text("in"),
                required: parameter.get("required").and_then(Value::as_bool) == Some(true)
                    || text("in") == "path",
                description: text("description").trim().to_owned(),
                rule: self.rule(parameter.get("schema")),
                example: parameter
                    .get("example")
                    .cloned()
                    .or_else(|| self.built_example(parameter.get("schema")?, 0))
                    .map(|example| example.to_string()),
            };
            parameters.retain(|p| !(p.name == model.name && p.location == model.location));
            if !crate::progenitor_input::is_client_supplied(&model.name, &model.location) {
                parameters.push(model);
            }
        }
        parameters
    }

    fn body(&self, request_body: Option<&'a Value>) -> Option<BodyModel> {
        let request_body = self.resolve(request_body?);
        let media = request_body.pointer("/content/application~1json")?;
        let schema = media.get("schema")?;
        let example = media
            .get("example")
            .cloned()
            .or_else(|| self.built_example(schema, 0))
            .map(|example| example.to_string());
        let (schema, _) = self.schema(schema);
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let fields = schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|properties| {
                properties
                    .iter()
                    .map(|(name, property)| FieldModel {
                        name: name.clone(),
                        required: required.contains(&name.as_str()),
                        description: self.description(property),
                        rule: self.rule(Some(property)),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(BodyModel {
            required: request_body.get("required").and_then(Value::as_bool) == Some(true),
            example,
            fields,
        })
    }

    /// A schema's own description, or that of the schema it refers to.
    pub(crate) fn description(&self, schema: &'a Value) -> String {
        let own = schema.get("description").and_then(Value::as_str);
        let referred = || {
            self.schema(schema)
                .0
                .get("description")
                .and_then(Value::as_str)
        };
        own.or_else(referred).unwrap_or_default().trim().to_owned()
    }

    /// The documented example of a response: its own `example`, the first of
    /// its `examples`, its schema's `example`, or else one built from the
    /// schema (see [`Reader::built_example`]).
    fn example(&self, response: &'a Value) -> Option<String> {
        let media = self
            .resolve(response)
            .pointer("/content/application~1json")?;
        let documented = media
            .get("example")
            .or_else(|| {
                media
                    .get("examples")
                    .and_then(Value::as_object)
                    .and_then(|examples| examples.values().next())
                    .map(|example| self.resolve(example))
                    .and_then(|example| example.get("value"))
            })
            .cloned();
        let example = documented.or_else(|| self.built_example(media.get("schema")?, 0))?;
        Some(example.to_string())
    }

    /// An example of `schema`, as mock servers such as Prism build one: its
    /// own `example`, else (an object) each property's example, else (an
    /// array) one item's; where the spec gives none, the first documented
    /// value of an enum or a placeholder of the type (`"string"`, `0`,
    /// `true`). The vendor documents some responses only by their
    /// properties' examples (`InstanceResponse`); this gives those an
    /// example too, so the mock and the tests can answer them.
    fn built_example(&self, schema: &'a Value, depth: usize) -> Option<Value> {
        const DEEPEST: usize = 16;
        let (schema, nullable) = self.schema(schema);
        if let Some(example) = schema.get("example") {
            return Some(example.clone());
        }
        if let Some(first) = schema
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|values| values.first())
            .cloned()
        {
            return Some(first);
        }
        if depth >= DEEPEST {
            return None;
        }
        let kind = schema.get("type").and_then(Value::as_str);
        let example = match kind {
            Some("string") => Value::String("string".into()),
            Some("integer") | Some("number") => Value::from(0),
            Some("boolean") => Value::Bool(true),
            Some("array") => Value::Array(
                schema
                    .get("items")
                    .and_then(|items| self.built_example(items, depth + 1))
                    .into_iter()
                    .collect(),
            ),
            _ if schema.get("properties").is_some() || kind == Some("object") => {
                let properties = schema.get("properties").and_then(Value::as_object);
                let fields = properties
                    .into_iter()
                    .flatten()
                    .filter_map(|(name, property)| {
                        Some((name.clone(), self.built_example(property, depth + 1)?))
                    });
                Value::Object(fields.collect())
            }
            _ if nullable => Value::Null,
            _ => return None,
        };
        Some(example)
    }
}

/// `{type: <any>, nullable: true, enum: [null]}`: the 3.0 form of 3.1's
/// `{type: 'null'}`.
pub(crate) fn is_null_only(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
        || schema.get("enum").and_then(Value::as_array) == Some(&vec![Value::Null])
}

/// The lowest documented 2xx status and its response.
fn success_response(operation: &Map<String, Value>) -> (u16, Option<&Value>) {
    operation
        .get("responses")
        .and_then(Value::as_object)
        .and_then(|responses| {
            responses
                .iter()
                .filter_map(|(status, response)| {
                    let code = status.parse::<u16>().ok()?;
                    (200..300).contains(&code).then_some((code, response))
                })
                .min_by_key(|(code, _)| *code)
        })
        .map_or((200, None), |(code, response)| (code, Some(response)))
}

/// Reads `x-rate-limit: {requests: N, per: 60s}` (`per` in seconds: `60`,
/// `60s` or `1m`).
fn rate_limit(
    extension: Option<&Value>,
    file: &str,
    label: &str,
) -> Result<Option<(u32, u64)>, PrepareError> {
    let Some(extension) = extension else {
        return Ok(None);
    };
    let invalid = |why: &str| {
        PrepareError::at(
            file,
            label,
            format!("{RATE_LIMIT_EXTENSION} {why}: expected {{requests: N, per: 60s}}"),
        )
    };
    let requests = extension
        .get("requests")
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| invalid("needs `requests`, a whole number above 0"))?;
    let per = match extension.get("per") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(text)) => parse_period(text),
        _ => None,
    }
    .filter(|seconds| *seconds > 0)
    .ok_or_else(|| invalid("needs `per`, a period such as 60s or 1m"))?;
    Ok(Some((requests, per)))
}

fn parse_period(text: &str) -> Option<u64> {
    let text = text.trim();
    if let Some(minutes) = text.strip_suffix('m') {
        return minutes.trim().parse::<u64>().ok()?.checked_mul(60);
    }
    text.strip_suffix('s').unwrap_or(text).trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn document() -> Value {
        json!({
            "openapi": "3.0.3",
            "paths": {
                "/{instance}/thing": {
                    "parameters": [{"$ref": "#/components/parameters/Instance"}],
                    "post": {
                        "operationId": "make_thing",
                        "summary": " Make Thing ",
                        "x-rate-limit": {"requests": 5, "per": "1m"},
                        "parameters": [{"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 3}}],
                        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                        "responses": {
                            "404": {"description": "no"},
                            "201": {"description": "made", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                            "200": {"description": "made", "content": {"application/json": {"example": {"a": 1}}}}
                        }
                    }
                }
            },
            "components": {
                "parameters": {"Instance": {"name": "instance", "in": "path", "description": "Id", "schema": {"type": "string"}}},
                "schemas": {
                    "Phone": {"type": "string", "pattern": "^\\+[0-9]+$", "description": "A phone"},
                    "Thing": {
                        "type": "object",
                        "required": ["phone"],
                        "properties": {
                            "phone": {"$ref": "#/components/schemas/Phone"},
                            "note": {"oneOf": [{"$ref": "#/components/schemas/Phone"}, {"type": "string", "nullable": true, "enum": [null]}]}
                        }
                    }
                }
            }
        })
    }

    #[test]
    fn an_operation_is_read_with_refs_followed() {
        let operations = operations(&document(), "spec.yaml").unwrap();
        let [op] = operations.as_slice() else {
            panic!("{operations:?}")
        };
        assert_eq!(op.id, "make_thing");
        assert_eq!(op.summary, "Make Thing");
        assert_eq!(op.rate_limit, Some((5, 60)));
        assert_eq!(op.success_status, 200);
        assert_eq!(op.success_example.as_deref(), Some(r#"{"a":1}"#));
        let names: Vec<_> = op
            .parameters
            .iter()
            .map(|p| (p.name.as_str(), p.location.as_str(), p.required))
            .collect();
        assert_eq!(names, [("instance", "path", true), ("q", "query", false)]);
        assert_eq!(op.parameters[1].rule.max_length, Some(3));
        let body = op.body.as_ref().unwrap();
        assert!(body.required);
        assert_eq!(body.fields[0].name, "phone");
        assert!(body.fields[0].required);
        assert_eq!(body.fields[0].description, "A phone");
        assert_eq!(body.fields[0].rule.pattern.as_deref(), Some("^\\+[0-9]+$"));
        assert_eq!(body.fields[1].name, "note");
        assert!(body.fields[1].rule.nullable);
        assert_eq!(body.fields[1].rule.kind, "string");
    }

    /// The vendor documents some responses only by their properties'
    /// examples: the catalog's example is built from them, as Prism does.
    #[test]
    fn a_response_without_an_example_gets_one_built_from_its_properties() {
        let document = json!({
            "openapi": "3.0.3",
            "paths": {"/{instance}/logout": {"post": {
                "operationId": "logout_instance",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Why"}}}},
                "responses": {
                    "200": {"content": {"application/json": {"schema": {"type": "object", "properties": {
                        "message": {"type": "string", "example": "bye"},
                        "state": {"type": "string", "enum": ["OFF", "ON"]},
                        "count": {"type": "integer"},
                        "owner": {"$ref": "#/components/schemas/Owner"},
                        "tags": {"type": "array", "items": {"type": "string", "example": "a"}},
                        "gone": {"type": "string", "nullable": true, "enum": [null]}
                    }}}}},
                    "204": {"description": "none"}
                }
            }}, "/nothing": {"get": {"operationId": "nothing", "responses": {"204": {"description": "no body"}}}}},
            "components": {"schemas": {
                "Owner": {"type": "object", "properties": {"name": {"type": "string", "example": "Ann"}}},
                "Why": {"type": "object", "properties": {"reason": {"type": "string", "example": "moving"}}}
            }}
        });
        let operations = operations(&document, "spec.yaml").unwrap();
        let example: Value =
            serde_json::from_str(operations[0].success_example.as_deref().unwrap()).unwrap();
        assert_eq!(
            example,
            json!({"message": "bye", "state": "OFF", "count": 0, "owner": {"name": "Ann"}, "tags": ["a"], "gone": null})
        );
        assert_eq!(
            operations[0].body.as_ref().unwrap().example.as_deref(),
            Some(r#"{"reason":"moving"}"#)
        );
        assert_eq!(operations[1].success_example, None, "no body, no example");
    }

    #[test]
    fn bad_rate_limits_name_the_operation() {
        for bad in [
            json!({"requests": 0, "per": "60s"}),
            json!({"requests": 5}),
            json!({"requests": 5, "per": "soon"}),
        ] {
            let err = rate_limit(Some(&bad), "overlay.yaml", "POST /x").unwrap_err();
            assert_eq!(err.location.as_deref(), Some("POST /x"), "{bad}");
            assert!(err.message.starts_with("x-rate-limit"), "{err}");
        }
        assert_eq!(
            rate_limit(Some(&json!({"requests": 1, "per": 90})), "f", "l").unwrap(),
            Some((1, 90))
        );
    }
}
