//! The `catalog` module: every operation of the spec as data (method, path,
//! parameters, body fields, the rule each value must meet, the documented
//! rate limit and success example), made of the client's catalog model.
//! The request path checks the rules and keeps the limits from it; the
//! CLI's `api` command, the mock server and the tests read it.

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::plan::Plan;
use super::spec_model::RuleModel;
use crate::crate_paths::crate_path;

/// The model types the entries are written with.
const MODEL: [&str; 9] = [
    "catalog::model::Operation",
    "catalog::model::Method",
    "catalog::model::Parameter",
    "catalog::model::Location",
    "catalog::model::Body",
    "catalog::model::Field",
    "catalog::model::Rule",
    "catalog::model::ValueKind",
    "values::RateLimit",
];

pub(crate) fn generate(plans: &[Plan<'_>]) -> TokenStream {
    let imports = MODEL.iter().map(|path| {
        let path = crate_path(path);
        quote!(use #path;)
    });
    let consts = plans.iter().map(entry);
    let names = plans.iter().map(|plan| &plan.catalog_const);
    quote! {
        /// Every operation of the API as data, generated from the spec
        /// (re-exported by [`catalog`](crate::catalog)).
        pub mod catalog {
            #(#imports)*

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

fn entry(plan: &Plan<'_>) -> TokenStream {
    let model = plan.model;
    let name = &plan.catalog_const;
    let doc = format!(
        "`{} {}`: {}.",
        model.method.to_uppercase(),
        model.path,
        model.summary
    );
    let id = &model.id;
    let method = format_ident!("{}", model.method.to_upper_camel_case());
    let path = &model.path;
    let summary = &model.summary;
    let description = &model.description;
    let parameters = model.parameters.iter().map(|parameter| {
        let name = &parameter.name;
        let location = format_ident!("{}", parameter.location.to_upper_camel_case());
        let required = parameter.required;
        let description = &parameter.description;
        let rule = rule(&parameter.rule);
        let example = optional_str(parameter.example.as_deref());
        quote! {
            Parameter {
                name: #name,
                location: Location::#location,
                required: #required,
                description: #description,
                rule: #rule,
                example: #example,
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
            let example = optional_str(body.example.as_deref());
            quote!(::std::option::Option::Some(Body { required: #required, fields: &[#(#fields),*], example: #example }))
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
    let words = optional_str(rule.words.as_deref());
    quote! {
        Rule {
            kind: #kind,
            nullable: #nullable,
            min_length: #min_length,
            max_length: #max_length,
            pattern: #pattern,
            format: #format,
            values: &[#(#values),*],
            words: #words,
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
