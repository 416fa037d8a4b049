//! progenitor's `types` module, made fit for the public API: every type and
//! field documented from the spec (descriptions, examples, which operations
//! use it), and the generator's internals (`types::builder`, `types::error`
//! and their `ConversionError`) kept inside the crate.

use std::collections::BTreeMap;

use serde_json::Value;
use syn::visit_mut::VisitMut;
use syn::{Attribute, Fields, ImplItem, Item, ItemMod, parse_quote};

/// Rewrites `types` in place, with `document` (the contract document) as
/// the source of the docs.
pub(crate) fn publish(types: &mut ItemMod, document: &Value) {
    let schemas = document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let uses = schema_uses(document);
    types.attrs.retain(|attr| !attr.path().is_ident("doc"));
    types.attrs.push(parse_quote!(#[doc = "The request and response types of the API, generated from the spec's schemas."]));
    let Some((_, items)) = types.content.as_mut() else {
        return;
    };
    items.retain(|item| !is_builder_constructor(item));
    for item in items.iter_mut() {
        match item {
            Item::Mod(module) if module.ident == "builder" || module.ident == "error" => {
                // Used by progenitor's builders inside the crate only.
                module.vis = parse_quote!(pub(crate));
                module
                    .attrs
                    .push(parse_quote!(#[allow(dead_code, unreachable_pub)]));
            }
            Item::Struct(definition) => {
                let name = definition.ident.to_string();
                let schema = schemas.get(&name);
                document_type(&mut definition.attrs, &name, schema, uses.get(&name));
                if let Fields::Named(fields) = &mut definition.fields {
                    for field in &mut fields.named {
                        let Some(ident) = &field.ident else { continue };
                        let json_name = ident.to_string();
                        let text = field_doc(document, schema, &json_name);
                        set_doc_if_missing(&mut field.attrs, &text);
                    }
                }
            }
            Item::Enum(definition) => {
                let name = definition.ident.to_string();
                document_type(
                    &mut definition.attrs,
                    &name,
                    schemas.get(&name),
                    uses.get(&name),
                );
                for variant in &mut definition.variants {
                    let text = format!("The value `{}`.", variant.ident);
                    set_doc_if_missing(&mut variant.attrs, &text);
                }
            }
            _ => {}
        }
    }
    // Whatever still names the conversion error names the crate-internal one.
    MakeCrateVisible.visit_item_mod_mut(types);
}

/// `impl X { pub fn builder() -> builder::X }`: typify's entry to its
/// builders, which the SDK's own request builders replace.
fn is_builder_constructor(item: &Item) -> bool {
    let Item::Impl(block) = item else {
        return false;
    };
    block.trait_.is_none()
        && !block.items.is_empty()
        && block
            .items
            .iter()
            .all(|member| matches!(member, ImplItem::Fn(f) if f.sig.ident == "builder"))
}

/// Items inside `types::builder` and `types::error` stay `pub` there; the
/// modules themselves are crate-visible, which is enough.
struct MakeCrateVisible;

impl VisitMut for MakeCrateVisible {
    fn visit_item_mod_mut(&mut self, module: &mut ItemMod) {
        syn::visit_mut::visit_item_mod_mut(self, module);
        if module.ident == "builder" || module.ident == "error" {
            module.vis = parse_quote!(pub(crate));
        }
    }
}

/// The type's doc: the schema's description (typify already uses it) or,
/// without one, what the type is for; then which operations use it.
fn document_type(
    attrs: &mut Vec<Attribute>,
    name: &str,
    schema: Option<&Value>,
    uses: Option<&Vec<String>>,
) {
    let own = doc_text(attrs);
    let described = !own.trim().is_empty() && own.trim() != format!("`{name}`");
    let mut text = if described {
        own.trim().to_owned()
    } else {
        schema
            .and_then(|s| s.get("description"))
            .and_then(Value::as_str)
            .map(|d| d.trim().to_owned())
            .unwrap_or_else(|| format!("The `{name}` schema of the API."))
    };
    if let Some(uses) = uses {
        text.push_str("\n\n");
        text.push_str(&uses.join("\n"));
    }
    if let Some(example) = schema.and_then(|s| s.get("example")) {
        text.push_str(&example_line(example));
    }
    attrs.retain(|attr| !attr.path().is_ident("doc"));
    attrs.insert(0, parse_quote!(#[doc = #text]));
}

/// A field's doc: the property's description (or that of the schema it
/// refers to) and its example.
fn field_doc(document: &Value, schema: Option<&Value>, json_name: &str) -> String {
    let property = schema
        .and_then(|s| s.get("properties"))
        .and_then(|p| p.get(json_name.trim_start_matches("r#")));
    let referred = property.and_then(|p| referred_schema(document, p));
    let pick = |key: &str| {
        property
            .and_then(|p| p.get(key))
            .or_else(|| referred.and_then(|r| r.get(key)))
    };
    let mut text = pick("description")
        .and_then(Value::as_str)
        .map(|d| d.trim().to_owned())
        .unwrap_or_else(|| format!("The `{json_name}` field."));
    if let Some(example) = pick("example") {
        text.push_str(&example_line(example));
    }
    text
}

/// `Example: `WORKING``: a string as itself, anything else as JSON.
fn example_line(example: &Value) -> String {
    match example {
        Value::String(text) => format!("\n\nExample: `{text}`"),
        other => format!("\n\nExample: `{other}`"),
    }
}

/// The component a property refers to, directly or through `allOf`,
/// `oneOf` or `anyOf` with one non-null member.
fn referred_schema<'a>(document: &'a Value, property: &'a Value) -> Option<&'a Value> {
    let reference = property.get("$ref").and_then(Value::as_str).or_else(|| {
        ["allOf", "oneOf", "anyOf"].iter().find_map(|key| {
            property
                .get(*key)?
                .as_array()?
                .iter()
                .find_map(|member| member.get("$ref").and_then(Value::as_str))
        })
    })?;
    document.pointer(reference.strip_prefix('#')?)
}

fn set_doc_if_missing(attrs: &mut Vec<Attribute>, text: &str) {
    if doc_text(attrs).trim().is_empty() {
        attrs.insert(0, parse_quote!(#[doc = #text]));
    }
}

/// The doc text of some attributes.
pub(crate) fn doc_text(attrs: &[Attribute]) -> String {
    attrs
        .iter()
        .filter_map(|attr| match &attr.meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(text),
                    ..
                }) => Some(text.value()),
                _ => None,
            },
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Schema name -> doc lines saying which operations return it or take it.
fn schema_uses(document: &Value) -> BTreeMap<String, Vec<String>> {
    let mut uses: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let operations = document
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .flat_map(|(_, item)| item.as_object().into_iter().flatten())
        .filter_map(|(_, operation)| {
            let id = operation.get("operationId")?.as_str()?;
            Some((id, operation))
        });
    for (id, operation) in operations {
        let link = format!("[`Client::{id}`](crate::Client::{id})");
        let success = operation
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter(|(status, _)| status.starts_with('2'))
            .filter_map(|(_, response)| response.pointer("/content/application~1json/schema"));
        for schema in success {
            if let Some(name) = schema_name(schema) {
                push_unique(&mut uses, name, format!("Returned by {link}."));
            }
        }
        if let Some(name) = operation
            .pointer("/requestBody/content/application~1json/schema")
            .and_then(schema_name)
        {
            push_unique(&mut uses, name, format!("The request body of {link}."));
        }
    }
    uses
}

fn push_unique(uses: &mut BTreeMap<String, Vec<String>>, name: String, line: String) {
    let lines = uses.entry(name).or_default();
    if !lines.contains(&line) {
        lines.push(line);
    }
}

/// `{$ref: .../Name}` or `{type: array, items: {$ref: .../Name}}` gives `Name`.
fn schema_name(schema: &Value) -> Option<String> {
    let reference = schema
        .get("$ref")
        .or_else(|| schema.get("items").and_then(|items| items.get("$ref")))?
        .as_str()?;
    reference
        .strip_prefix("#/components/schemas/")
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;
    use serde_json::json;

    #[test]
    fn types_get_docs_and_lose_their_public_builders() {
        let mut types: ItemMod = parse_quote! {
            pub mod types {
                ///`Thing`
                pub struct Thing {
                    pub status: crate::InstanceStatus,
                    ///Own words
                    pub name: String,
                }
                impl Thing {
                    pub fn builder() -> builder::Thing { Default::default() }
                }
                pub mod builder { pub struct Thing; }
                pub mod error { pub struct ConversionError; }
            }
        };
        let document = json!({
            "paths": {"/t": {"get": {"operationId": "get_thing", "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}}}},
            "components": {"schemas": {
                "Status": {"type": "string", "description": "Lifecycle state.", "example": "WORKING"},
                "Thing": {"type": "object", "properties": {"status": {"$ref": "#/components/schemas/Status"}, "name": {"type": "string"}}}
            }}
        });
        publish(&mut types, &document);
        let text = types.to_token_stream().to_string();
        assert!(text.contains("The `Thing` schema of the API.\\n\\nReturned by [`Client::get_thing`](crate::Client::get_thing)."), "{text}");
        assert!(
            text.contains("Lifecycle state.\\n\\nExample: `WORKING`"),
            "{text}"
        );
        assert!(text.contains("Own words"), "{text}");
        assert!(!text.contains("fn builder"), "{text}");
        assert!(text.contains("pub (crate) mod builder"), "{text}");
        assert!(text.contains("pub (crate) mod error"), "{text}");
    }
}
