//! Forward-compatible Rust enums for the spec's string enums that the
//! client replaces (`InstanceStatus`): one variant per documented value
//! (documented from `x-enumDescriptions`), plus `Unknown` keeping the raw
//! text of a value the server adds later. A value the vendor adds to the
//! spec becomes a variant with no hand edit; the generic half (parsing,
//! serde) is the client's `open_enum!`.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::PrepareError;
use crate::crate_paths::crate_path;

/// The component schemas generated as open enums (each also a replacement
/// type, see `progenitor::REPLACEMENTS`).
pub const OPEN_ENUMS: [&str; 1] = ["InstanceStatus"];

/// The open enums of `contract` (named `file` in errors); a schema the spec
/// does not define is left out (the client then fails to compile where it
/// names it, which is where a maintainer must look).
pub(crate) fn generate(contract: &Value, file: &str) -> Result<TokenStream, PrepareError> {
    let enums = OPEN_ENUMS
        .iter()
        .filter(|name| {
            contract
                .pointer(&format!("/components/schemas/{name}"))
                .is_some()
        })
        .map(|name| open_enum(contract, name, file))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(quote!(#(#enums)*))
}

fn open_enum(contract: &Value, name: &str, file: &str) -> Result<TokenStream, PrepareError> {
    let pointer = format!("/components/schemas/{name}");
    let schema = contract.pointer(&pointer).ok_or_else(|| {
        PrepareError::at(
            file,
            &pointer,
            "the spec no longer defines this enum schema",
        )
    })?;
    let values: Vec<&str> = schema
        .get("enum")
        .and_then(Value::as_array)
        .map(|values| values.iter().filter_map(Value::as_str).collect())
        .filter(|values: &Vec<&str>| !values.is_empty())
        .ok_or_else(|| {
            PrepareError::at(file, &pointer, "an open enum needs an `enum` of strings")
        })?;
    let descriptions = schema.get("x-enumDescriptions");
    let ident = format_ident!("{name}");
    let variants: Vec<_> = values
        .iter()
        .map(|value| format_ident!("{}", value.to_upper_camel_case()))
        .collect();
    let variant_docs = values.iter().map(|value| {
        let meaning = descriptions
            .and_then(|d| d.get(*value))
            .and_then(Value::as_str)
            .map(|d| format!(": {d}"))
            .unwrap_or_default();
        format!("`{value}`{meaning}")
    });
    let description = schema
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim();
    let doc = format!(
        "{description}\n\nForward compatible: a value the server adds later decodes as `Unknown`, keeping the raw text, instead of failing the whole response. Match with a wildcard arm; documented values the vendor adds become variants when the crate is regenerated. `try_parse` is the strict parser for user input; `parse`, `FromStr` and serde never fail on a string."
    );
    let count = values.len();
    let what = name.to_snake_case().replace('_', " ");
    let unknown = crate_path("values::UnknownValue");
    let open_enum = crate_path("values::open_enum");
    Ok(quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #ident {
            #(#[doc = #variant_docs] #variants,)*
            /// A value this version of the crate does not know.
            Unknown(#unknown),
        }

        impl #ident {
            /// Every value the spec documents, in its order, as on the wire.
            pub const VALUES: [&'static str; #count] = [#(#values),*];
            /// Every value the spec documents, in its order.
            pub const KNOWN: [Self; #count] = [#(Self::#variants),*];

            /// The value on the wire (or the raw unknown value).
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#variants => #values,)*
                    Self::Unknown(raw) => raw.as_str(),
                }
            }
        }

        #open_enum!(#ident, #what);
    })
}
