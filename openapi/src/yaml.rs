//! YAML text to a JSON value, the form every later step works on.

use serde_json::{Map, Value};
use yaml_serde::Value as Yaml;

use crate::PrepareError;

/// Parses YAML (or JSON, which is YAML) into a JSON value. Mapping keys that
/// YAML reads as numbers or booleans (an unquoted `200:` response code) become
/// strings, as OpenAPI means them.
pub fn parse(file: &str, text: &str) -> Result<Value, PrepareError> {
    let yaml: Yaml = yaml_serde::from_str(text)
        .map_err(|e| PrepareError::in_file(file, format!("not valid YAML: {e}")))?;
    let value = to_json(file, "", yaml)?;
    if !value.is_object() {
        return Err(PrepareError::in_file(file, "the document is not a mapping"));
    }
    Ok(value)
}

fn to_json(file: &str, pointer: &str, yaml: Yaml) -> Result<Value, PrepareError> {
    Ok(match yaml {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => number_to_json(file, pointer, &n)?,
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| to_json(file, &format!("{pointer}/{i}"), item))
                .collect::<Result<_, _>>()?,
        ),
        Yaml::Mapping(mapping) => {
            let mut object = Map::new();
            for (key, value) in mapping {
                let key = key_to_string(file, pointer, key)?;
                let child = to_json(file, &format!("{pointer}/{}", escape_pointer(&key)), value)?;
                object.insert(key, child);
            }
            Value::Object(object)
        }
        Yaml::Tagged(tagged) => {
            return Err(PrepareError::at(
                file,
                pointer_or_root(pointer),
                format!(
                    "YAML tag {} is not allowed in an OpenAPI document",
                    tagged.tag
                ),
            ));
        }
    })
}

fn number_to_json(
    file: &str,
    pointer: &str,
    n: &yaml_serde::Number,
) -> Result<Value, PrepareError> {
    let json = if let Some(i) = n.as_i64() {
        Some(serde_json::Number::from(i))
    } else if let Some(u) = n.as_u64() {
        Some(serde_json::Number::from(u))
    } else {
        n.as_f64().and_then(serde_json::Number::from_f64)
    };
    json.map(Value::Number).ok_or_else(|| {
        PrepareError::at(
            file,
            pointer_or_root(pointer),
            format!("number {n} has no JSON form"),
        )
    })
}

fn key_to_string(file: &str, pointer: &str, key: Yaml) -> Result<String, PrepareError> {
    match key {
        Yaml::String(s) => Ok(s),
        Yaml::Number(n) => Ok(n.to_string()),
        Yaml::Bool(b) => Ok(b.to_string()),
        other => Err(PrepareError::at(
            file,
            pointer_or_root(pointer),
            format!("mapping key {other:?} is not a string"),
        )),
    }
}

/// Escapes one JSON pointer segment (RFC 6901).
pub fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn pointer_or_root(pointer: &str) -> &str {
    if pointer.is_empty() { "/" } else { pointer }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numeric_keys_become_strings() {
        let value = parse("f.yaml", "responses:\n  200:\n    description: ok\n").unwrap();
        assert_eq!(value, json!({"responses": {"200": {"description": "ok"}}}));
    }

    #[test]
    fn invalid_yaml_names_the_file() {
        let err = parse("openapi/x.yaml", "a: [1, 2\n").unwrap_err();
        assert_eq!(err.file, "openapi/x.yaml");
        assert!(
            err.to_string()
                .starts_with("openapi/x.yaml: not valid YAML"),
            "{err}"
        );
    }

    #[test]
    fn a_scalar_document_is_rejected() {
        let err = parse("f.yaml", "just text").unwrap_err();
        assert_eq!(err.to_string(), "f.yaml: the document is not a mapping");
    }

    #[test]
    fn tags_are_rejected_with_their_pointer() {
        let err = parse("f.yaml", "a:\n  b: !custom 1\n").unwrap_err();
        assert_eq!(err.location.as_deref(), Some("/a/b"));
    }

    #[test]
    fn key_order_is_preserved() {
        let value = parse("f.yaml", "z: 1\na: 2\nm: 3\n").unwrap();
        let keys: Vec<_> = value.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["z", "a", "m"]);
    }
}
