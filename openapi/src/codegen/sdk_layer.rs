//! The public API generated for every operation, present and future, from
//! the operation's model (the contract document) and its Rust types
//! (progenitor's input, see [`rust_types`](super::rust_types)):
//!
//! - `Client::<operation>(required parameters)`: path parameters (and
//!   required query parameters) are arguments, so none can be forgotten;
//! - a request builder per operation with a setter per optional parameter
//!   and per body field (strings take `impl Into<String>`, other values
//!   their own type), `Debug` and `Clone`, whose `send()` hands every value
//!   by name to the request path (`crate::runtime::execute`), which checks,
//!   paces, sends, retries and decodes;
//! - `Client::call(operation, arguments)`: the same builders driven by name,
//!   for the CLI's `api` command, and its `Response`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::plan::{Plan, PlannedBody, PlannedField, Value};
use super::rust_types::RustType;
use super::spec_model::{OperationModel, ParameterModel, RuleModel};
use crate::crate_paths::crate_path;

/// The `operations` module and the `Client` methods.
pub(crate) fn generate(plans: &[Plan<'_>]) -> TokenStream {
    let builders = plans.iter().map(request_builder);
    let methods = plans.iter().map(client_method);
    let dynamic = dynamic_calls(plans);
    let client = crate_path("Client");
    quote! {
        /// Request builders, one per API operation. Create one with the
        /// matching [`Client`](crate::Client) method, set its optional
        /// parameters, then `.send().await` it.
        pub mod operations {
            #[allow(unused_imports)]
            use super::types;

            #(#builders)*

            #dynamic
        }

        impl #client {
            #(#methods)*
        }
    }
}

/// `impl Into<String>` for strings, the type itself otherwise, and how to
/// turn the argument into the stored value.
fn argument_type(ty: &RustType) -> (TokenStream, TokenStream) {
    if ty.is_string() {
        (
            quote!(impl ::std::convert::Into<::std::string::String>),
            quote!(.into()),
        )
    } else {
        (quote!(#ty), quote!())
    }
}

fn request_builder(plan: &Plan<'_>) -> TokenStream {
    let name = &plan.builder;
    let success = &plan.success;
    let client = crate_path("Client");
    let error = crate_path("Error");
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
    let request = request_parts(plan);
    let send_doc = send_doc(plan.model);
    let execute = crate_path("runtime::execute");
    let runtime_of = crate_path("Client::runtime");
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is sent with `.send().await`"]
        pub struct #name<'a> {
            pub(crate) client: &'a #client,
            #(#argument_fields)*
            #(#option_fields)*
            #body_field
        }

        impl #name<'_> {
            #(#option_setters)*
            #body_setters

            #[doc = #send_doc]
            pub async fn send(self) -> ::std::result::Result<#success, #error> {
                let request = #request;
                #execute(#runtime_of(self.client), request).await
            }
        }
    }
}

/// Every value of the builder, by its name in the spec, for the request path.
fn request_parts(plan: &Plan<'_>) -> TokenStream {
    let request = crate_path("runtime::Request");
    let catalog_const = &plan.catalog_const;
    let arguments = plan.arguments.iter().map(|value| {
        let name = &value.parameter.name;
        let field = &value.field;
        quote!(.value(#name, &self.#field))
    });
    let options = plan.options.iter().map(|value| {
        let name = &value.parameter.name;
        let field = &value.field;
        quote!(.optional(#name, self.#field.as_ref()))
    });
    let body = plan.body.as_ref().map(|body| {
        let ty = &body.ty;
        quote!(.body::<#ty>(self.body))
    });
    quote! {
        #request::new(&super::catalog::#catalog_const)
            #(#arguments)*
            #(#options)*
            #body
    }
}

fn send_doc(model: &OperationModel) -> String {
    let limit = match model.rate_limit {
        Some((requests, per)) => format!(
            " The documented rate limit ({requests} per {per} s) is kept by the client's rate limiter for every attempt (see `ClientBuilder::rate_limits`)."
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
        quote!(#body_type).to_string().replace(' ', "")
    );
    let fields = body.fields.iter().map(|field| {
        let PlannedField { model, setter, ty } = field;
        let json = &model.name;
        let (argument, into) = argument_type(ty);
        let required = if model.required { " (required)" } else { "" };
        let description = if model.description.is_empty() {
            String::new()
        } else {
            format!(": {}", model.description.trim_end_matches('.'))
        };
        let doc = format!(
            "The `{json}` body field{required}{description}.{}",
            rule_doc(&model.rule)
        );
        let to_json = crate_path("runtime::to_json");
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
    let to_json = crate_path("runtime::to_json");
    quote! {
        #(#fields)*

        #[doc = #body_doc]
        pub fn body(mut self, value: #body_type) -> Self {
            self.body = #to_json(&value);
            self
        }
    }
}

fn client_method(plan: &Plan<'_>) -> TokenStream {
    let Plan {
        model,
        builder,
        arguments,
        options,
        body,
        ..
    } = plan;
    let method = format_ident!("{}", model.id);
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
        builder = plan.builder
    ));
    doc
}

/// `Client::call` and its `Response`.
fn dynamic_calls(plans: &[Plan<'_>]) -> TokenStream {
    let variants = plans.iter().map(|plan| {
        let name = &plan.builder;
        let success = &plan.success;
        let doc = format!(
            "What [`Client::{}`](crate::Client::{}) returns.",
            plan.model.id, plan.model.id
        );
        quote!(#[doc = #doc] #name(#success),)
    });
    let arms = plans.iter().map(dynamic_arm);
    let client = crate_path("Client");
    let arguments = crate_path("catalog::Arguments");
    let error = crate_path("Error");
    let unknown = crate_path("catalog::unknown_operation");
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

        impl #client {
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
                    other => ::std::result::Result::Err(#unknown(other, super::catalog::OPERATIONS)),
                }
            }
        }
    }
}

fn dynamic_arm(plan: &Plan<'_>) -> TokenStream {
    let id = &plan.model.id;
    let method = format_ident!("{id}");
    let catalog_const = &plan.catalog_const;
    let name = &plan.builder;
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
            let operation = &super::catalog::#catalog_const;
            arguments.check(operation)?;
            let #mutable request = self.#method(#(#required),*);
            #(#options)*
            #body
            ::std::result::Result::Ok(Response::#name(request.send().await?))
        }
    }
}
