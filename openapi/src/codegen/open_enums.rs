//! Forward-compatible Rust enums, in `types`, for the spec's component
//! schemas that are string enums (`InstanceStatus`): one variant per
//! documented value (documented from `x-enumDescriptions`), plus `Unknown`
//! keeping the raw text of a value the server adds later. A value the
//! vendor adds becomes a variant, and an enum schema it adds an open enum,
//! with no hand edit; the generic half (parsing, serde) is the client's
//! `open_enum!`.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::PrepareError;
use crate::crate_paths::crate_path;

/// The component schemas of `document` (progenitor's input) generated as
/// open enums: every one that is an enum of strings, except the schemas the
/// crate has hand-written types for. Each is also a replacement type (see
/// `progenitor::generation_settings`), so typify never writes a strict
/// enum that a new value from the server would fail.
pub(crate) fn names(document: &Value) -> Vec<String> {
    document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(name, schema)| !is_hand_written(name) && is_string_enum(schema))
        .map(|(name, _)| name.clone())
        .collect()
}

fn is_hand_written(name: &str) -> bool {
    super::progenitor::REPLACEMENTS
        .iter()
        .any(|(replaced, _)| *replaced == name)
}

/// `enum` of strings only, and no type other than `string`.
pub(crate) fn is_string_enum(schema: &Value) -> bool {
    let values = schema.get("enum").and_then(Value::as_array);
    let typed = schema
        .get("type")
        .and_then(Value::as_str)
        .is_none_or(|kind| kind == "string");
    typed && values.is_some_and(|values| !values.is_empty() && values.iter().all(Value::is_string))
}

/// The open enums `names` of `document` (named `file` in errors).
pub(crate) fn generate(
    document: &Value,
    names: &[String],
    file: &str,
) -> Result<TokenStream, PrepareError> {
    let enums = names
        .iter()
        .map(|name| open_enum(document, name, file))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(quote!(#(#enums)*))
}

/// A Rust variant name per value (`SCAN_QR_CODE` is `ScanQrCode`), each a
/// valid identifier and none twice (`a-b` and `A_B` are `AB` and `AB2`).
fn variant_names(values: &[&str]) -> Vec<proc_macro2::Ident> {
    let mut taken: Vec<String> = vec!["Unknown".to_owned()];
    values
        .iter()
        .map(|value| {
            let camel = value.to_upper_camel_case();
            let base = match camel.chars().next() {
                Some(first) if first.is_ascii_alphabetic() => camel,
                Some(_) => format!("V{camel}"),
                None => "Empty".to_owned(),
            };
            let mut name = base.clone();
            let mut n = 2;
            while taken.contains(&name) || syn::parse_str::<syn::Ident>(&name).is_err() {
                name = format!("{base}{n}");
                n += 1;
            }
            taken.push(name.clone());
            format_ident!("{name}")
        })
        .collect()
}

fn open_enum(document: &Value, name: &str, file: &str) -> Result<TokenStream, PrepareError> {
    let pointer = format!("/components/schemas/{name}");
    let schema = document.pointer(&pointer).ok_or_else(|| {
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
    let variants = variant_names(&values);
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_value_gets_a_distinct_variant_name() {
        let names: Vec<String> =
            variant_names(&["SCAN_QR_CODE", "a-b", "A_B", "3D", "", "Self", "unknown"])
                .into_iter()
                .map(|ident| ident.to_string())
                .collect();
        assert_eq!(
            names,
            [
                "ScanQrCode",
                "AB",
                "AB2",
                "V3d",
                "Empty",
                "Self2",
                "Unknown2"
            ]
        );
    }

    #[test]
    fn string_enum_components_are_open_enums() {
        let document = json!({"components": {"schemas": {
            "InstanceStatus": {"type": "string", "enum": ["A"]},
            "Kind": {"enum": ["x", "y"]},
            "Count": {"type": "integer", "enum": [1, 2]},
            "Name": {"type": "string"},
            "Timestamp": {"type": "string", "enum": ["now"]}
        }}});
        assert_eq!(names(&document), ["InstanceStatus", "Kind"]);
    }
}
