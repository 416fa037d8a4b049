//! The public API generated around progenitor's client, the same shape for
//! every operation, present and future:
//!
//! - `Client::<operation>(required parameters)`: path parameters (and
//!   required query parameters) are arguments, so none can be forgotten;
//! - a request builder per operation with a setter per optional parameter
//!   and per body field (strings take `impl Into<String>`, other values
//!   their own type), `Debug` and `Clone`, whose `send()` checks the
//!   documented rules, waits for the rate limiter, and returns the crate's
//!   own error;
//! - `catalog`: every operation's method, path, parameters, rules, rate
//!   limit and documented example, as data (the CLI's `api` command, the
//!   limiter and the mock all read it);
//! - `Client::call(operation, arguments)`: the same builders driven by name,
//!   for the CLI's `api` command.

use heck::{ToShoutySnakeCase, ToSnakeCase};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use syn::Type;

use super::progenitor_output::{BuilderShape, Output, is_string, type_text};
use super::spec_model::{BodyModel, OperationModel, ParameterModel, RuleModel};
use crate::PrepareError;
use crate::contract::{CATALOG_TYPES, client_item};

/// Names a builder uses for itself; a body field with one of these names
/// gets a `body_` prefix.
const RESERVED: [&str; 4] = ["client", "send", "body", "new"];

/// One operation with everything the generator derives from it.
struct Plan<'a> {
    model: &'a OperationModel,
    shape: &'a BuilderShape,
    /// `catalog::CHECK_HEALTH`
    catalog_const: Ident,
    /// Required path and query parameters: method arguments.
    arguments: Vec<Value<'a>>,
    /// Optional query and header parameters: setters.
    options: Vec<Value<'a>>,
    body: Option<PlannedBody<'a>>,
}

/// A parameter as the SDK layer handles it.
struct Value<'a> {
    parameter: &'a ParameterModel,
    /// progenitor's setter and the SDK builder's field.
    field: Ident,
    ty: Type,
}

struct PlannedBody<'a> {
    /// The body's Rust type (`types::CreateInstanceRequest`).
    ty: Type,
    /// (JSON name, setter name, value type, required, description, rule)
    fields: Vec<(String, Ident, Type, bool, String, &'a RuleModel)>,
}

/// The SDK layer for `operations`, generated around progenitor's `output`.
pub(crate) fn generate(
    operations: &[OperationModel],
    output: &Output,
    api_version: &str,
    file: &str,
) -> Result<TokenStream, PrepareError> {
    let plans = operations
        .iter()
        .map(|model| plan(model, output, file))
        .collect::<Result<Vec<_>, _>>()?;
    let builders = plans.iter().map(request_builder);
    let methods = plans.iter().map(client_method);
    let catalog = catalog(&plans);
    let dynamic = dynamic_calls(&plans);
    let api_version_doc = format!(
        "Version of the Hypersender Enterprise API this crate was generated from (`info.version` of {}).",
        crate::SPEC_FILE
    );
    Ok(quote! {
        #[doc = #api_version_doc]
        pub const API_VERSION: &str = #api_version;

        /// Request builders, one per API operation. Create one with the
        /// matching [`Client`] method, set its optional
        /// parameters, then `.send().await` it.
        pub mod operations {
            #[allow(unused_imports)]
            use crate::types;

            #(#builders)*

            #dynamic
        }

        impl crate::Client {
            #(#methods)*
        }

        #catalog
    })
}

fn plan<'a>(
    model: &'a OperationModel,
    output: &'a Output,
    file: &str,
) -> Result<Plan<'a>, PrepareError> {
    let label = format!("{} {}", model.method.to_uppercase(), model.path);
    let unexpected = |what: String| {
        PrepareError::at(
            file,
            &label,
            format!("{what}; update openapi/src/codegen/sdk_layer.rs"),
        )
    };
    let shape = output.builders.get(&model.id).ok_or_else(|| {
        unexpected(format!(
            "progenitor generated no builder for `{}`",
            model.id
        ))
    })?;
    let mut arguments = Vec::new();
    let mut options = Vec::new();
    for parameter in &model.parameters {
        let field = [
            parameter.name.to_snake_case(),
            format!("{}_", parameter.name.to_snake_case()),
        ]
        .into_iter()
        .find(|name| shape.fields.contains_key(name))
        .ok_or_else(|| {
            unexpected(format!(
                "progenitor's builder has no setter for parameter `{}`",
                parameter.name
            ))
        })?;
        let value = Value {
            parameter,
            ty: shape.fields[&field].clone(),
            field: format_ident!("{field}"),
        };
        let is_argument =
            parameter.required && matches!(parameter.location.as_str(), "path" | "query");
        if is_argument {
            arguments.push(value);
        } else {
            options.push(value);
        }
    }
    let body = match (&model.body, shape.fields.get("body")) {
        (Some(body), Some(ty)) => Some(plan_body(body, ty, output, &options)),
        (None, None) => None,
        _ => {
            return Err(unexpected(
                "the spec and progenitor's builder disagree on whether there is a JSON body"
                    .to_owned(),
            ));
        }
    };
    Ok(Plan {
        model,
        shape,
        catalog_const: format_ident!("{}", model.id.to_shouty_snake_case()),
        arguments,
        options,
        body,
    })
}

fn plan_body<'a>(
    model: &'a BodyModel,
    ty: &Type,
    output: &Output,
    options: &[Value<'_>],
) -> PlannedBody<'a> {
    let struct_name = match ty {
        Type::Path(path) => path
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default(),
        _ => String::new(),
    };
    let struct_fields = output.struct_fields(&struct_name);
    let taken: Vec<String> = options.iter().map(|o| o.field.to_string()).collect();
    let fields = model
        .fields
        .iter()
        .filter_map(|field| {
            let rust = struct_fields.iter().find(|f| f.json_name == field.name)?;
            let mut setter = field.name.to_snake_case();
            if RESERVED.contains(&setter.as_str()) || taken.contains(&setter) {
                setter = format!("body_{setter}");
            }
            let setter =
                syn::parse_str::<Ident>(&setter).unwrap_or_else(|_| format_ident!("r#{setter}"));
            Some((
                field.name.clone(),
                setter,
                rust.ty.clone(),
                field.required,
                field.description.clone(),
                &field.rule,
            ))
        })
        .collect();
    PlannedBody {
        ty: ty.clone(),
        fields,
    }
}

/// `impl Into<String>` for strings, the type itself otherwise, and how to
/// turn the argument into the stored value.
fn argument_type(ty: &Type) -> (TokenStream, TokenStream) {
    if is_string(ty) {
        (
            quote!(impl ::std::convert::Into<::std::string::String>),
            quote!(.into()),
        )
    } else {
        (quote!(#ty), quote!())
    }
}

fn request_builder(plan: &Plan<'_>) -> TokenStream {
    let name = &plan.shape.name;
    let method = format_ident!("{}", plan.model.id);
    let success = &plan.shape.success;
    let catalog_const = &plan.catalog_const;
    let error = client_item("Error");
    let doc = format!(
        "Request builder for [`Client::{id}`](crate::Client::{id}): `{verb} {path}`.\n\nSet optional values with its methods, then send it with [`send`](Self::send). It is `Debug` (the client's token never shows) and `Clone` (send a copy again).",
        id = plan.model.id,
        verb = plan.model.method.to_uppercase(),
        path = plan.model.path,
    );
    let argument_fields = plan.arguments.iter().map(|value| {
        let Value { field, ty, .. } = value;
        quote!(pub(crate) #field: #ty,)
    });
    let option_fields = plan.options.iter().map(|value| {
        let Value { field, ty, .. } = value;
        quote!(pub(crate) #field: ::std::option::Option<#ty>,)
    });
    let body_field = plan
        .body
        .as_ref()
        .map(|_| quote!(pub(crate) body: ::serde_json::Value,));
    let option_setters = plan.options.iter().map(option_setter);
    let body_setters = plan.body.as_ref().map(body_setters);
    let checks = checks(plan);
    let calls = progenitor_calls(plan);
    let send_doc = send_doc(plan.model);
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is sent with `.send().await`"]
        pub struct #name<'a> {
            pub(crate) client: &'a crate::Client,
            #(#argument_fields)*
            #(#option_fields)*
            #body_field
        }

        impl #name<'_> {
            #(#option_setters)*
            #body_setters

            #[doc = #send_doc]
            pub async fn send(self) -> ::std::result::Result<#success, #error> {
                let operation = &crate::catalog::#catalog_const;
                #checks
                let request = self.client.generated.#method();
                #calls
                crate::contract::send(self.client, operation, request.send()).await
            }
        }
    }
}

fn send_doc(model: &OperationModel) -> String {
    let limit = match model.rate_limit {
        Some((requests, per)) => format!(
            " The documented rate limit ({requests} per {per} s) is kept by the client's rate limiter (see `ClientBuilder::rate_limits`)."
        ),
        None => String::new(),
    };
    format!(
        "Checks the documented rules, then sends the request and decodes the response.\n\nAn input the API would refuse (a missing required value, a value breaking its documented length or pattern, a path parameter that is empty, `.` or `..`) is [`Error::InvalidRequest`](crate::Error::InvalidRequest) and nothing is sent.{limit} Other errors: transport, timeout, HTTP status (with the decoded error body) or an undecodable body; GET requests are retried per the client's retry policy."
    )
}

fn option_setter(value: &Value<'_>) -> TokenStream {
    let Value {
        parameter,
        field,
        ty,
    } = value;
    let (argument, into) = argument_type(ty);
    let doc = parameter_doc(parameter);
    quote! {
        #[doc = #doc]
        pub fn #field(mut self, value: #argument) -> Self {
            self.#field = ::std::option::Option::Some(value #into);
            self
        }
    }
}

fn parameter_doc(parameter: &ParameterModel) -> String {
    let required = if parameter.required {
        " (required)"
    } else {
        ""
    };
    let description = if parameter.description.is_empty() {
        String::new()
    } else {
        format!(": {}", parameter.description.trim_end_matches('.'))
    };
    format!(
        "The `{}` {} parameter{required}{description}.{}",
        parameter.name,
        parameter.location,
        rule_doc(&parameter.rule)
    )
}

/// The rule in words, for docs (empty when there is none).
fn rule_doc(rule: &RuleModel) -> String {
    let mut parts = Vec::new();
    let characters = |n: u64| if n == 1 { "character" } else { "characters" };
    if let Some(min) = rule.min_length {
        parts.push(format!("at least {min} {}", characters(min)));
    }
    if let Some(max) = rule.max_length {
        parts.push(format!("at most {max} {}", characters(max)));
    }
    if let Some(pattern) = &rule.pattern {
        parts.push(format!("matches `{pattern}`"));
    }
    if let Some(format) = &rule.format {
        parts.push(format!("format `{format}`"));
    }
    if !rule.values.is_empty() {
        parts.push(format!("one of `{}`", rule.values.join("`, `")));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" Checked before sending: {}.", parts.join("; "))
    }
}

fn body_setters(body: &PlannedBody<'_>) -> TokenStream {
    let body_type = &body.ty;
    let body_doc = format!(
        "Sets the whole JSON body at once (`{}`), replacing the fields set so far.",
        type_text(body_type)
    );
    let fields = body
        .fields
        .iter()
        .map(|(json, setter, ty, required, description, rule)| {
            let (argument, into) = argument_type(ty);
            let to_json = client_item("to_json");
            let required = if *required { " (required)" } else { "" };
            let description = if description.is_empty() {
                String::new()
            } else {
                format!(": {}", description.trim_end_matches('.'))
            };
            let doc = format!(
                "The `{json}` body field{required}{description}.{}",
                rule_doc(rule)
            );
            quote! {
                #[doc = #doc]
                pub fn #setter(mut self, value: #argument) -> Self {
                    let value: #ty = value #into;
                    if let ::serde_json::Value::Object(fields) = &mut self.body {
                        fields.insert(#json.to_owned(), #to_json(&value));
                    }
                    self
                }
            }
        });
    let to_json = client_item("to_json");
    quote! {
        #(#fields)*

        #[doc = #body_doc]
        pub fn body(mut self, value: #body_type) -> Self {
            self.body = #to_json(&value);
            self
        }
    }
}

/// The checks `send()` makes before anything else.
fn checks(plan: &Plan<'_>) -> TokenStream {
    let path_check = client_item("check_path_parameter");
    let check = client_item("check_parameter");
    let arguments = plan.arguments.iter().map(|value| {
        let name = &value.parameter.name;
        let field = &value.field;
        if value.parameter.location == "path" {
            quote!(#path_check(operation, #name, &self.#field)?;)
        } else {
            quote!(#check(operation, #name, ::std::option::Option::Some(&self.#field))?;)
        }
    });
    let options = plan.options.iter().map(|value| {
        let name = &value.parameter.name;
        let field = &value.field;
        quote!(#check(operation, #name, self.#field.as_ref())?;)
    });
    let body = plan.body.as_ref().map(|body| {
        let ty = &body.ty;
        let json_body = client_item("json_body");
        quote!(let body: #ty = #json_body(operation, self.body)?;)
    });
    quote! {
        #(#arguments)*
        #(#options)*
        #body
    }
}

/// Hands every value to progenitor's builder.
fn progenitor_calls(plan: &Plan<'_>) -> TokenStream {
    let arguments = plan.arguments.iter().map(|value| {
        let field = &value.field;
        quote!(let request = request.#field(self.#field);)
    });
    let options = plan.options.iter().map(|value| {
        let field = &value.field;
        quote! {
            let request = match self.#field {
                ::std::option::Option::Some(value) => request.#field(value),
                ::std::option::Option::None => request,
            };
        }
    });
    let body = plan
        .body
        .as_ref()
        .map(|_| quote!(let request = request.body(body);));
    quote! {
        #(#arguments)*
        #(#options)*
        #body
    }
}

fn client_method(plan: &Plan<'_>) -> TokenStream {
    let Plan {
        model,
        shape,
        arguments,
        options,
        body,
        ..
    } = plan;
    let method = format_ident!("{}", model.id);
    let builder = &shape.name;
    let doc = client_method_doc(plan);
    let parameters = arguments.iter().map(|value| {
        let (argument, _) = argument_type(&value.ty);
        let field = &value.field;
        quote!(#field: #argument)
    });
    let argument_fields = arguments.iter().map(|value| {
        let (_, into) = argument_type(&value.ty);
        let field = &value.field;
        quote!(#field: #field #into,)
    });
    let option_fields = options.iter().map(|value| {
        let field = &value.field;
        quote!(#field: ::std::option::Option::None,)
    });
    let body_field = body
        .as_ref()
        .map(|_| quote!(body: ::serde_json::Value::Object(::serde_json::Map::new()),));
    quote! {
        #[doc = #doc]
        pub fn #method(&self, #(#parameters),*) -> operations::#builder<'_> {
            operations::#builder {
                client: self,
                #(#argument_fields)*
                #(#option_fields)*
                #body_field
            }
        }
    }
}

fn client_method_doc(plan: &Plan<'_>) -> String {
    let model = plan.model;
    let mut doc = String::new();
    if !model.summary.is_empty() {
        doc.push_str(&format!("{}.\n\n", model.summary.trim_end_matches('.')));
    }
    if !model.description.is_empty() {
        doc.push_str(&format!("{}\n\n", model.description));
    }
    doc.push_str(&format!("`{} {}`", model.method.to_uppercase(), model.path));
    match model.rate_limit {
        Some((requests, per)) => {
            doc.push_str(&format!("; documented rate limit: {requests} per {per} s."))
        }
        None => doc.push_str("; no documented rate limit."),
    }
    for value in &plan.arguments {
        doc.push_str(&format!(
            "\n\n- `{}`: {}",
            value.field,
            parameter_doc(value.parameter)
        ));
    }
    doc.push_str(&format!(
        "\n\nReturns a [`{builder}`](operations::{builder}); send it with [`send`](operations::{builder}::send).",
        builder = plan.shape.name
    ));
    doc
}

fn catalog(plans: &[Plan<'_>]) -> TokenStream {
    let items = CATALOG_TYPES.iter().map(|name| {
        let path = client_item(name);
        quote!(pub use #path;)
    });
    let consts = plans.iter().map(catalog_entry);
    let names = plans.iter().map(|plan| &plan.catalog_const);
    quote! {
        /// Every operation of the API as data, generated from the spec:
        /// method, path, parameters, body fields, the rules each value must
        /// meet, the documented rate limit and the documented success
        /// example. The request builders, the rate limiter, the CLI's `api`
        /// command and the mock server all read it.
        pub mod catalog {
            #(#items)*

            #(#consts)*

            /// Every operation, in the spec's order.
            pub const OPERATIONS: &[Operation] = &[#(#names),*];

            /// The operation with this id (`check_health`), if the spec has it.
            pub fn find(id: &str) -> ::std::option::Option<&'static Operation> {
                OPERATIONS.iter().find(|operation| operation.id == id)
            }
        }
    }
}

fn catalog_entry(plan: &Plan<'_>) -> TokenStream {
    let model = plan.model;
    let name = &plan.catalog_const;
    let doc = format!(
        "`{} {}`: {}.",
        model.method.to_uppercase(),
        model.path,
        model.summary
    );
    let id = &model.id;
    let method = format_ident!("{}", capitalized(&model.method));
    let path = &model.path;
    let summary = &model.summary;
    let description = &model.description;
    let parameters = model.parameters.iter().map(|parameter| {
        let name = &parameter.name;
        let location = format_ident!("{}", capitalized(&parameter.location));
        let required = parameter.required;
        let description = &parameter.description;
        let rule = rule(&parameter.rule);
        quote! {
            Parameter {
                name: #name,
                location: Location::#location,
                required: #required,
                description: #description,
                rule: #rule,
            }
        }
    });
    let body = match &model.body {
        Some(body) => {
            let required = body.required;
            let fields = body.fields.iter().map(|field| {
                let name = &field.name;
                let required = field.required;
                let description = &field.description;
                let rule = rule(&field.rule);
                quote! {
                    Field {
                        name: #name,
                        required: #required,
                        description: #description,
                        rule: #rule,
                    }
                }
            });
            quote!(::std::option::Option::Some(Body { required: #required, fields: &[#(#fields),*] }))
        }
        None => quote!(::std::option::Option::None),
    };
    let rate_limit = match model.rate_limit {
        Some((requests, per)) => quote! {
            ::std::option::Option::Some(RateLimit { requests: #requests, per: ::std::time::Duration::from_secs(#per) })
        },
        None => quote!(::std::option::Option::None),
    };
    let status = model.success_status;
    let example = optional_str(model.success_example.as_deref());
    quote! {
        #[doc = #doc]
        pub const #name: Operation = Operation {
            id: #id,
            method: Method::#method,
            path: #path,
            summary: #summary,
            description: #description,
            parameters: &[#(#parameters),*],
            body: #body,
            rate_limit: #rate_limit,
            success_status: #status,
            success_example: #example,
        };
    }
}

fn rule(rule: &RuleModel) -> TokenStream {
    let kind = match rule.kind.as_str() {
        "string" => quote!(ValueKind::String),
        "integer" => quote!(ValueKind::Integer),
        "number" => quote!(ValueKind::Number),
        "boolean" => quote!(ValueKind::Boolean),
        "array" => quote!(ValueKind::Array),
        "object" => quote!(ValueKind::Object),
        _ => quote!(ValueKind::Any),
    };
    let nullable = rule.nullable;
    let min_length = optional_usize(rule.min_length);
    let max_length = optional_usize(rule.max_length);
    let pattern = optional_str(rule.pattern.as_deref());
    let format = optional_str(rule.format.as_deref());
    let values = &rule.values;
    quote! {
        Rule {
            kind: #kind,
            nullable: #nullable,
            min_length: #min_length,
            max_length: #max_length,
            pattern: #pattern,
            format: #format,
            values: &[#(#values),*],
        }
    }
}

fn optional_str(value: Option<&str>) -> TokenStream {
    match value {
        Some(text) => quote!(::std::option::Option::Some(#text)),
        None => quote!(::std::option::Option::None),
    }
}

fn optional_usize(value: Option<u64>) -> TokenStream {
    match value.and_then(|n| usize::try_from(n).ok()) {
        Some(n) => quote!(::std::option::Option::Some(#n)),
        None => quote!(::std::option::Option::None),
    }
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `Client::call` and its `Response`.
fn dynamic_calls(plans: &[Plan<'_>]) -> TokenStream {
    let variants = plans.iter().map(|plan| {
        let name = &plan.shape.name;
        let success = &plan.shape.success;
        let doc = format!(
            "What [`Client::{}`](crate::Client::{}) returns.",
            plan.model.id, plan.model.id
        );
        quote!(#[doc = #doc] #name(#success),)
    });
    let arms = plans.iter().map(dynamic_arm);
    let arguments = client_item("Arguments");
    let error = client_item("Error");
    let unknown = client_item("unknown_operation");
    quote! {
        /// The decoded response of an operation called by name with
        /// [`Client::call`](crate::Client::call). It serializes as the API's
        /// JSON (access tokens masked unless exposed, see
        /// [`AccessToken`](crate::AccessToken)).
        #[derive(Debug, Clone, ::serde::Serialize)]
        #[serde(untagged)]
        #[non_exhaustive]
        pub enum Response {
            #(#variants)*
        }

        impl crate::Client {
            /// Calls an operation by its id (`check_health`) with
            /// parameters and body fields given as text, as the CLI's `api`
            /// command does.
            ///
            /// Every name must be one the operation has (see
            /// [`catalog`](crate::catalog)), every required value must be
            /// given, and values must meet the documented rules; otherwise
            /// the result is [`Error::InvalidRequest`](crate::Error::InvalidRequest)
            /// and nothing is sent. The call then goes through the same
            /// request builder as the typed method.
            pub async fn call(
                &self,
                operation: &str,
                arguments: &#arguments,
            ) -> ::std::result::Result<Response, #error> {
                match operation {
                    #(#arms)*
                    other => ::std::result::Result::Err(#unknown(other)),
                }
            }
        }
    }
}

fn dynamic_arm(plan: &Plan<'_>) -> TokenStream {
    let id = &plan.model.id;
    let method = format_ident!("{id}");
    let catalog_const = &plan.catalog_const;
    let name = &plan.shape.name;
    let required = plan.arguments.iter().map(|value| {
        let parameter = &value.parameter.name;
        let ty = &value.ty;
        quote!(arguments.required::<#ty>(operation, #parameter)?)
    });
    let options = plan.options.iter().map(|value| {
        let parameter = &value.parameter.name;
        let field = &value.field;
        let ty = &value.ty;
        quote!(request.#field = arguments.optional::<#ty>(operation, #parameter)?;)
    });
    let body = plan
        .body
        .as_ref()
        .map(|_| quote!(request.body = arguments.body_json(operation)?;));
    let mutable = if plan.options.is_empty() && plan.body.is_none() {
        quote!()
    } else {
        quote!(mut)
    };
    quote! {
        #id => {
            let operation = &crate::catalog::#catalog_const;
            arguments.check(operation)?;
            let #mutable request = self.#method(#(#required),*);
            #(#options)*
            #body
            ::std::result::Result::Ok(Response::#name(request.send().await?))
        }
    }
}
