//! Running progenitor with the one set of settings, and reading what it
//! generated: its `types` module, and per operation the builder's name, its
//! parameter types and the decoded success type.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use openapiv3::OpenAPI;
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};
use quote::quote;
use syn::{
    Fields, GenericArgument, ImplItem, ImplItemFn, Item, ItemImpl, ItemMod, PathArguments,
    ReturnType, Type,
};

use crate::PrepareError;
use crate::contract;

/// Component schemas replaced by hand-written types at the `hypersender`
/// crate's root: (schema name, traits the type implements).
pub const REPLACEMENTS: [(&str, &[TypeImpl]); 4] = [
    // Forward compatible: an unknown status decodes instead of failing a list.
    ("InstanceStatus", &[TypeImpl::Display, TypeImpl::FromStr]),
    // Keeps the raw text of a timestamp in an unexpected shape.
    ("Timestamp", &[TypeImpl::Display, TypeImpl::FromStr]),
    // Secret: redacted in Debug, masked when serialized, no Display.
    ("AccessToken", &[]),
    // The PNG behind the base64, checked when read, short in Debug.
    ("QrCode", &[]),
];

/// The one set of progenitor settings every output is generated with.
pub fn generation_settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        // The crate implements ClientHooks itself (auth, retries, tracing, no
        // `api-version` header); Expected makes forgetting it a compile error.
        .with_hooks(HooksMode::Expected)
        .with_inner_type(contract::client_item("Inner"))
        .with_derive("PartialEq")
        // Deterministic order in Debug output and re-encoded JSON.
        .with_map_type("::std::collections::BTreeMap");
    for (schema, impls) in REPLACEMENTS {
        settings.with_replacement(schema, contract::root_type(schema), impls.iter().cloned());
    }
    settings
}

/// progenitor's client source for `spec`, parsed.
pub(crate) fn client(spec: &OpenAPI, file: &str) -> Result<syn::File, PrepareError> {
    let mut generator = Generator::new(&generation_settings());
    let tokens = without_panics(|| generator.generate_tokens(spec))
        .map_err(|reason| PrepareError::in_file(file, reason))?;
    syn::parse2(tokens).map_err(|e| {
        PrepareError::in_file(file, format!("progenitor produced unparseable Rust: {e}"))
    })
}

/// progenitor's typed httpmock mocks for `spec`, for a crate that depends
/// on the client as `client_crate`.
pub(crate) fn httpmock(
    spec: &OpenAPI,
    file: &str,
    client_crate: &str,
) -> Result<syn::File, PrepareError> {
    let mut generator = Generator::new(&generation_settings());
    let tokens = without_panics(|| generator.httpmock(spec, client_crate))
        .map_err(|reason| PrepareError::in_file(file, reason))?;
    syn::parse2(tokens).map_err(|e| {
        PrepareError::in_file(file, format!("progenitor produced unparseable mocks: {e}"))
    })
}

/// Runs a progenitor call, turning both its errors and its panics (it has
/// `todo!()`s and `unwrap()`s for inputs it does not support) into messages.
pub(crate) fn without_panics<T>(
    run: impl FnOnce() -> Result<T, progenitor::Error>,
) -> Result<T, String> {
    match catch_unwind(AssertUnwindSafe(run)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(format!("progenitor cannot generate a client: {e}")),
        Err(panic) => {
            let reason = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "unknown reason".into());
            Err(format!("progenitor failed on this spec: {reason}"))
        }
    }
}

/// One of progenitor's request builders, as far as the SDK layer needs it.
#[derive(Debug, Clone)]
pub(crate) struct BuilderShape {
    /// The builder's name (`CheckHealth`), also the SDK builder's.
    pub name: syn::Ident,
    /// The decoded success type `T` of `ResponseValue<T>`.
    pub success: Type,
    /// Setter name -> the value type it stores (`Option` removed).
    pub fields: BTreeMap<String, Type>,
}

/// A field of a generated struct in `types`.
#[derive(Debug, Clone)]
pub(crate) struct StructField {
    /// The JSON name (the `serde(rename)` if any, else the Rust name).
    pub json_name: String,
    /// The Rust type, `Option` removed.
    pub ty: Type,
}

/// What progenitor generated, split for the generator's own layout.
pub(crate) struct Output {
    /// progenitor's `types` module (taken out of `rest`).
    pub types: ItemMod,
    /// Everything else: the low-level client and its builders.
    pub rest: syn::File,
    /// operationId -> builder.
    pub builders: BTreeMap<String, BuilderShape>,
}

impl Output {
    /// Reads progenitor's client output; `file` names the spec in errors.
    pub(crate) fn read(mut generated: syn::File, file: &str) -> Result<Self, PrepareError> {
        let unexpected = |what: &str| {
            PrepareError::in_file(
                file,
                format!(
                    "progenitor's output changed shape ({what}); update openapi/src/codegen/progenitor_output.rs"
                ),
            )
        };
        let types_index = generated
            .items
            .iter()
            .position(|item| matches!(item, Item::Mod(m) if m.ident == "types"))
            .ok_or_else(|| unexpected("no `mod types`"))?;
        let Item::Mod(types) = generated.items.remove(types_index) else {
            unreachable!("the position matched a module")
        };
        let builders = read_builders(&generated, &unexpected)?;
        Ok(Self {
            types,
            rest: generated,
            builders,
        })
    }

    /// The fields of the struct `name` in `types`.
    pub(crate) fn struct_fields(&self, name: &str) -> Vec<StructField> {
        module_items(&self.types)
            .iter()
            .find_map(|item| match item {
                Item::Struct(s) if s.ident == name => Some(s),
                _ => None,
            })
            .map(|definition| match &definition.fields {
                Fields::Named(named) => named
                    .named
                    .iter()
                    .filter_map(|field| {
                        let ident = field.ident.as_ref()?.to_string();
                        let json_name = serde_rename(&field.attrs)
                            .unwrap_or_else(|| ident.trim_start_matches("r#").to_owned());
                        Some(StructField {
                            json_name,
                            ty: strip_option(&field.ty),
                        })
                    })
                    .collect(),
                _ => Vec::new(),
            })
            .unwrap_or_default()
    }
}

pub(crate) fn module_items(module: &ItemMod) -> &[Item] {
    module.content.as_ref().map_or(&[], |(_, items)| items)
}

fn read_builders(
    generated: &syn::File,
    unexpected: &dyn Fn(&str) -> PrepareError,
) -> Result<BTreeMap<String, BuilderShape>, PrepareError> {
    let builder_items = generated
        .items
        .iter()
        .find_map(|item| match item {
            Item::Mod(module) if module.ident == "builder" => Some(module_items(module)),
            _ => None,
        })
        .ok_or_else(|| unexpected("no `mod builder`"))?;
    let client_methods = generated
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Impl(block)
                if block.trait_.is_none() && is_type_named(&block.self_ty, "Client") =>
            {
                Some(block)
            }
            _ => None,
        })
        .flat_map(impl_fns)
        .filter(|method| method.sig.ident != "new" && method.sig.ident != "new_with_client");
    let mut builders = BTreeMap::new();
    for method in client_methods {
        let name = return_type_name(&method.sig.output)
            .ok_or_else(|| unexpected("a client method returns no builder"))?;
        let builder_impl = builder_items
            .iter()
            .find_map(|item| match item {
                Item::Impl(block)
                    if block.trait_.is_none()
                        && is_type_named(&block.self_ty, &name.to_string()) =>
                {
                    Some(block)
                }
                _ => None,
            })
            .ok_or_else(|| unexpected("a builder has no impl"))?;
        let send = impl_fns(builder_impl)
            .find(|f| f.sig.ident == "send")
            .ok_or_else(|| unexpected("a builder has no send()"))?;
        let success = success_type(&send.sig.output)
            .ok_or_else(|| unexpected("send() does not return Result<ResponseValue<T>, _>"))?;
        let fields = builder_items
            .iter()
            .find_map(|item| match item {
                Item::Struct(s) if s.ident == name => Some(builder_fields(s)),
                _ => None,
            })
            .ok_or_else(|| unexpected("a builder has no struct"))?;
        builders.insert(
            method.sig.ident.to_string(),
            BuilderShape {
                name,
                success,
                fields,
            },
        );
    }
    Ok(builders)
}

/// `instance: Result<String, String>` gives `instance -> String`;
/// `filter_status: Result<Option<InstanceStatus>, String>` gives
/// `filter_status -> InstanceStatus`; `body: Result<types::builder::X, String>`
/// gives `body -> types::X`.
fn builder_fields(definition: &syn::ItemStruct) -> BTreeMap<String, Type> {
    let Fields::Named(named) = &definition.fields else {
        return BTreeMap::new();
    };
    named
        .named
        .iter()
        .filter_map(|field| {
            let name = field.ident.as_ref()?.to_string();
            let stored = first_generic_argument(&field.ty, "Result")?;
            Some((name, without_builder_module(strip_option(&stored))))
        })
        .collect()
}

/// `types::builder::X` is `types::X`.
fn without_builder_module(ty: Type) -> Type {
    match ty {
        Type::Path(mut path) => {
            let segments: Vec<_> = path
                .path
                .segments
                .iter()
                .filter(|segment| segment.ident != "builder")
                .cloned()
                .collect();
            path.path.segments = segments.into_iter().collect();
            Type::Path(path)
        }
        other => other,
    }
}

pub(crate) fn strip_option(ty: &Type) -> Type {
    first_generic_argument(ty, "Option").unwrap_or_else(|| ty.clone())
}

/// Whether `ty` is `String` (any path to it).
pub(crate) fn is_string(ty: &Type) -> bool {
    is_type_named(ty, "String")
}

fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident("serde"))
        .find_map(|attr| {
            let mut rename = None;
            let _ = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    let value: syn::LitStr = meta.value()?.parse()?;
                    rename = Some(value.value());
                } else if meta.input.peek(syn::Token![=]) {
                    // Skip `key = value` of other serde options.
                    let _: syn::Expr = meta.value()?.parse()?;
                }
                Ok(())
            });
            rename
        })
}

fn impl_fns(block: &ItemImpl) -> impl Iterator<Item = &ImplItemFn> {
    block.items.iter().filter_map(|item| match item {
        ImplItem::Fn(f) => Some(f),
        _ => None,
    })
}

pub(crate) fn is_type_named(ty: &Type, name: &str) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == name))
}

/// `builder::ListInstances<'_>` gives `ListInstances`.
fn return_type_name(output: &ReturnType) -> Option<syn::Ident> {
    match output {
        ReturnType::Type(_, ty) => match ty.as_ref() {
            Type::Path(p) => p.path.segments.last().map(|s| s.ident.clone()),
            _ => None,
        },
        ReturnType::Default => None,
    }
}

/// `Result<ResponseValue<T>, Error<E>>` gives `T`.
fn success_type(output: &ReturnType) -> Option<Type> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    let result = first_generic_argument(ty, "Result")?;
    first_generic_argument(&result, "ResponseValue")
}

fn first_generic_argument(ty: &Type, outer: &str) -> Option<Type> {
    let Type::Path(p) = ty else { return None };
    let segment = p.path.segments.last().filter(|s| s.ident == outer)?;
    let PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    args.args.iter().find_map(|arg| match arg {
        GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    })
}

/// A type as compact text (`Vec<types::InstanceResponse>`), for messages.
pub(crate) fn type_text(ty: &Type) -> String {
    quote!(#ty).to_string().replace(' ', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progenitor_panics_become_messages() {
        let panicking =
            || -> Result<(), progenitor::Error> { panic!("not yet implemented: {}", "upgrade") };
        assert_eq!(
            without_panics(panicking),
            Err("progenitor failed on this spec: not yet implemented: upgrade".into())
        );
        let static_panic = || -> Result<(), progenitor::Error> { panic!("static") };
        assert_eq!(
            without_panics(static_panic),
            Err("progenitor failed on this spec: static".into())
        );
        let failing = || -> Result<(), progenitor::Error> {
            Err(progenitor::Error::InvalidPath("/x".into()))
        };
        assert_eq!(
            without_panics(failing),
            Err("progenitor cannot generate a client: invalid operation path /x".into())
        );
    }

    #[test]
    fn builder_fields_unwrap_result_option_and_the_builder_module() {
        let definition: syn::ItemStruct = syn::parse_quote! {
            pub struct X<'a> {
                client: &'a super::Client,
                instance: Result<::std::string::String, String>,
                filter_status: Result<Option<crate::InstanceStatus>, String>,
                body: Result<types::builder::CreateInstanceRequest, String>,
            }
        };
        let fields: Vec<(String, String)> = builder_fields(&definition)
            .into_iter()
            .map(|(name, ty)| (name, type_text(&ty)))
            .collect();
        assert_eq!(
            fields,
            [
                ("body".to_owned(), "types::CreateInstanceRequest".to_owned()),
                (
                    "filter_status".to_owned(),
                    "crate::InstanceStatus".to_owned()
                ),
                ("instance".to_owned(), "::std::string::String".to_owned()),
            ]
        );
    }

    #[test]
    fn serde_renames_are_read() {
        let field: syn::Field = syn::parse_quote! {
            #[serde(rename = "filter[x]", default, skip_serializing_if = "Option::is_none")]
            pub filter_x: Option<String>
        };
        assert_eq!(serde_rename(&field.attrs).as_deref(), Some("filter[x]"));
    }
}
