//! The Rust type of every value an operation takes or returns, read from
//! progenitor's input (the document typify generates `types` from, where
//! every object a body or response needs is a component schema, see
//! `progenitor_input::hoist`): a reference is `types::<Schema>` (or the
//! crate's own type for a replaced schema), strings, numbers and booleans
//! are Rust's, arrays `Vec`s, anything else `serde_json::Value`.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};
use serde_json::Value;

use super::progenitor::{REPLACEMENTS, TypeSpace};
use crate::PrepareError;
use crate::crate_paths::root_type;
use crate::overlay::HTTP_METHODS;

const SCHEMAS_PREFIX: &str = "#/components/schemas/";

/// A Rust type of the generated API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RustType {
    String,
    Integer,
    Number,
    Boolean,
    /// Any JSON (`serde_json::Value`).
    Json,
    /// No body (`()`).
    Unit,
    /// `types::<Name>`.
    Generated(String),
    /// A replaced schema: the crate's own `crate::<Name>`.
    Root(String),
    Vec(Box<RustType>),
    Option(Box<RustType>),
}

impl RustType {
    pub fn is_string(&self) -> bool {
        *self == Self::String
    }

    /// Without an outer `Option`.
    pub fn required(self) -> Self {
        match self {
            Self::Option(inner) => *inner,
            other => other,
        }
    }
}

impl ToTokens for RustType {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let type_tokens = match self {
            Self::String => quote!(::std::string::String),
            Self::Integer => quote!(i64),
            Self::Number => quote!(f64),
            Self::Boolean => quote!(bool),
            Self::Json => quote!(::serde_json::Value),
            Self::Unit => quote!(()),
            Self::Generated(name) => {
                let name = format_ident!("{name}");
                quote!(types::#name)
            }
            Self::Root(name) => root_type(name).parse().expect("a root type is a Rust path"),
            Self::Vec(inner) => quote!(::std::vec::Vec<#inner>),
            Self::Option(inner) => quote!(::std::option::Option<#inner>),
        };
        tokens.extend(type_tokens);
    }
}

/// The types of one operation.
#[derive(Debug, Clone)]
pub(crate) struct Signature {
    /// Parameter name -> its value's type.
    pub parameters: BTreeMap<String, RustType>,
    /// The JSON body's type, if the operation takes one.
    pub body: Option<RustType>,
    /// Body field -> the type of its value.
    pub body_fields: BTreeMap<String, RustType>,
    /// What a success response decodes into.
    pub success: RustType,
}

/// Every operation's signature in `input` (progenitor's input), by
/// operationId; `space` is what typify made of its component schemas.
pub(crate) fn signatures(
    input: &Value,
    space: &TypeSpace,
    open_enums: &[String],
    file: &str,
) -> Result<BTreeMap<String, Signature>, PrepareError> {
    let reader = Reader {
        document: input,
        space,
        open_enums,
    };
    let mut signatures = BTreeMap::new();
    let Some(paths) = input.get("paths").and_then(Value::as_object) else {
        return Ok(signatures);
    };
    for (path, item) in paths {
        for method in HTTP_METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let label = format!("{} {path}", method.to_uppercase());
            let at = |message: String| PrepareError::at(file, &label, message);
            let id = operation
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let shared = item.get("parameters");
            let signature = reader.signature(operation, shared).map_err(at)?;
            signatures.insert(id.to_owned(), signature);
        }
    }
    Ok(signatures)
}

struct Reader<'a> {
    document: &'a Value,
    space: &'a TypeSpace,
    /// Types the generator writes into `types` itself.
    open_enums: &'a [String],
}

impl Reader<'_> {
    fn signature(&self, operation: &Value, shared: Option<&Value>) -> Result<Signature, String> {
        let mut parameters = BTreeMap::new();
        let all = [shared, operation.get("parameters")]
            .into_iter()
            .flatten()
            .filter_map(Value::as_array)
            .flatten();
        for parameter in all {
            let parameter = self.resolve(parameter);
            let name = parameter
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let ty = match parameter.get("schema") {
                Some(schema) => self.rust_type(schema)?.required(),
                None => RustType::String,
            };
            parameters.insert(name.to_owned(), ty);
        }
        let body_schema = operation
            .get("requestBody")
            .map(|body| self.resolve(body))
            .and_then(|body| body.pointer("/content/application~1json/schema"));
        let (body, body_fields) = match body_schema {
            Some(schema) => (
                Some(self.rust_type(schema)?.required()),
                self.fields(schema)?,
            ),
            None => (None, BTreeMap::new()),
        };
        let success_schema = success_response(operation)
            .map(|response| self.resolve(response))
            .and_then(|response| response.pointer("/content/application~1json/schema"));
        let success = match success_schema {
            Some(schema) => self.rust_type(schema)?,
            None => RustType::Unit,
        };
        Ok(Signature {
            parameters,
            body,
            body_fields,
            success,
        })
    }

    /// The properties of an object schema (through its reference) and the
    /// type a setter takes for each.
    fn fields(&self, schema: &Value) -> Result<BTreeMap<String, RustType>, String> {
        let schema = self.resolve(schema);
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            return Ok(BTreeMap::new());
        };
        properties
            .iter()
            .map(|(name, property)| Ok((name.clone(), self.rust_type(property)?.required())))
            .collect()
    }

    fn rust_type(&self, schema: &Value) -> Result<RustType, String> {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            return self.named(reference);
        }
        let nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true);
        let inner = match schema
            .get("allOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            Some([single]) => self.rust_type(single)?,
            _ => self.plain(schema)?,
        };
        Ok(if nullable {
            RustType::Option(Box::new(inner.required()))
        } else {
            inner
        })
    }

    fn plain(&self, schema: &Value) -> Result<RustType, String> {
        Ok(match schema.get("type").and_then(Value::as_str) {
            Some("string") => RustType::String,
            Some("integer") => RustType::Integer,
            Some("number") => RustType::Number,
            Some("boolean") => RustType::Boolean,
            Some("array") => match schema.get("items") {
                Some(items) => RustType::Vec(Box::new(self.rust_type(items)?)),
                None => RustType::Vec(Box::new(RustType::Json)),
            },
            _ => RustType::Json,
        })
    }

    fn named(&self, reference: &str) -> Result<RustType, String> {
        let Some(name) = reference.strip_prefix(SCHEMAS_PREFIX) else {
            return Err(format!("`{reference}` is not a component schema"));
        };
        if REPLACEMENTS.iter().any(|(replaced, _)| *replaced == name) {
            return Ok(RustType::Root(name.to_owned()));
        }
        if self.space.names(name) || self.open_enums.iter().any(|e| e == name) {
            Ok(RustType::Generated(name.to_owned()))
        } else {
            // Upgrade place 1 (see `progenitor`): typify must name a
            // component schema's type after the schema.
            Err(format!(
                "progenitor generated no type `{name}` for the component schema `{name}`; \
                 see openapi/src/codegen/progenitor.rs"
            ))
        }
    }

    fn resolve<'b>(&'b self, value: &'b Value) -> &'b Value {
        let mut value = value;
        for _ in 0..16 {
            let Some(target) = value.get("$ref").and_then(Value::as_str) else {
                break;
            };
            match target
                .strip_prefix('#')
                .and_then(|pointer| self.document.pointer(pointer))
            {
                Some(found) => value = found,
                None => break,
            }
        }
        value
    }
}

/// The lowest documented 2xx response.
fn success_response(operation: &Value) -> Option<&Value> {
    operation
        .get("responses")?
        .as_object()?
        .iter()
        .filter_map(|(status, response)| Some((status.parse::<u16>().ok()?, response)))
        .filter(|(code, _)| (200..300).contains(code))
        .min_by_key(|(code, _)| *code)
        .map(|(_, response)| response)
}
