//! Each operation of the spec with everything the generator derives from
//! it (a [`Plan`]): its builder's and catalog entry's names, which
//! parameters are method arguments and which are setters, the Rust type of
//! each value. The SDK layer and the catalog are written from plans.

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use proc_macro2::Ident;
use quote::format_ident;

use super::rust_types::{RustType, Signature};
use super::spec_model::{FieldModel, OperationModel, ParameterModel};
use crate::PrepareError;

/// Names a builder uses for itself; a body field with one of these names
/// gets a `body_` prefix.
const RESERVED: [&str; 4] = ["client", "send", "body", "new"];

/// One operation with everything the generator derives from it.
pub(crate) struct Plan<'a> {
    pub model: &'a OperationModel,
    /// The request builder's name (`CheckHealth`).
    pub builder: Ident,
    /// Its catalog entry (`CHECK_HEALTH`).
    pub catalog_const: Ident,
    /// What a success decodes into.
    pub success: RustType,
    /// Required path and query parameters: method arguments.
    pub arguments: Vec<Value<'a>>,
    /// Optional parameters, and required header ones: setters.
    pub options: Vec<Value<'a>>,
    pub body: Option<PlannedBody<'a>>,
}

/// A parameter as the SDK layer handles it.
pub(crate) struct Value<'a> {
    pub parameter: &'a ParameterModel,
    /// The builder's field and setter.
    pub field: Ident,
    pub ty: RustType,
}

/// A JSON body as the SDK layer handles it.
pub(crate) struct PlannedBody<'a> {
    /// The body's Rust type (`types::CreateInstanceRequest`).
    pub ty: RustType,
    pub fields: Vec<PlannedField<'a>>,
}

/// A body field: its setter and the type it takes.
pub(crate) struct PlannedField<'a> {
    pub model: &'a FieldModel,
    pub setter: Ident,
    pub ty: RustType,
}

/// The plan of every operation, matching each model to its signature.
pub(crate) fn plans<'a>(
    operations: &'a [OperationModel],
    signatures: &'a std::collections::BTreeMap<String, Signature>,
    file: &str,
) -> Result<Vec<Plan<'a>>, PrepareError> {
    operations
        .iter()
        .map(|model| {
            let label = format!("{} {}", model.method.to_uppercase(), model.path);
            let signature = signatures.get(&model.id).ok_or_else(|| {
                PrepareError::at(file, &label, "progenitor's input lost this operation")
            })?;
            Ok(plan(model, signature))
        })
        .collect()
}

fn plan<'a>(model: &'a OperationModel, signature: &Signature) -> Plan<'a> {
    let mut arguments = Vec::new();
    let mut options = Vec::new();
    for parameter in &model.parameters {
        let value = Value {
            parameter,
            field: rust_ident(&parameter.name.to_snake_case()),
            ty: signature
                .parameters
                .get(&parameter.name)
                .cloned()
                .unwrap_or(RustType::String),
        };
        let is_argument =
            parameter.required && matches!(parameter.location.as_str(), "path" | "query");
        if is_argument {
            arguments.push(value);
        } else {
            options.push(value);
        }
    }
    let taken: Vec<String> = options.iter().map(|o| o.field.to_string()).collect();
    let body = model.body.as_ref().map(|body| PlannedBody {
        ty: signature.body.clone().unwrap_or(RustType::Json),
        fields: body
            .fields
            .iter()
            .map(|field| {
                let mut setter = field.name.to_snake_case();
                if RESERVED.contains(&setter.as_str()) || taken.contains(&setter) {
                    setter = format!("body_{setter}");
                }
                PlannedField {
                    model: field,
                    setter: rust_ident(&setter),
                    ty: signature
                        .body_fields
                        .get(&field.name)
                        .cloned()
                        .unwrap_or(RustType::Json),
                }
            })
            .collect(),
    });
    Plan {
        model,
        builder: format_ident!("{}", model.id.to_upper_camel_case()),
        catalog_const: format_ident!("{}", model.id.to_shouty_snake_case()),
        success: signature.success.clone(),
        arguments,
        options,
        body,
    }
}

/// `name`, or `name_` when it is a Rust keyword.
fn rust_ident(name: &str) -> Ident {
    syn::parse_str::<Ident>(name).unwrap_or_else(|_| format_ident!("{name}_"))
}
