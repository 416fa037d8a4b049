//! The contract between the generator and the `hypersender` crate: every
//! name the generator may write is defined on the client's side, and the
//! generated client names nothing else of the crate. A rename on either side
//! fails here.

use std::collections::BTreeSet;

use hypersender_openapi::contract::{CATALOG_TYPES, CLIENT_ITEMS, ROOT_TYPES, is_client_item};
use hypersender_openapi::golden;
use quote::ToTokens;

fn read(path: &str) -> String {
    let path = golden::workspace_root().join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The names a file's `use` items bring in (the last segment, or the rename).
fn used_names(file: &syn::File, public_only: bool) -> BTreeSet<String> {
    fn walk(tree: &syn::UseTree, names: &mut BTreeSet<String>) {
        match tree {
            syn::UseTree::Path(path) => walk(&path.tree, names),
            syn::UseTree::Name(name) => {
                names.insert(name.ident.to_string());
            }
            syn::UseTree::Rename(rename) => {
                names.insert(rename.rename.to_string());
            }
            syn::UseTree::Group(group) => group.items.iter().for_each(|t| walk(t, names)),
            syn::UseTree::Glob(_) => {}
        }
    }
    let mut names = BTreeSet::new();
    for item in &file.items {
        if let syn::Item::Use(item) = item
            && (!public_only || matches!(item.vis, syn::Visibility::Public(_)))
        {
            walk(&item.tree, &mut names);
        }
    }
    names
}

#[test]
fn the_client_defines_every_contract_item() {
    let contract = syn::parse_file(&read("client/src/contract.rs")).unwrap();
    let defined = used_names(&contract, false);
    for item in CLIENT_ITEMS.iter().chain(CATALOG_TYPES) {
        assert!(
            defined.contains(*item),
            "client/src/contract.rs does not provide `{item}`, which hypersender_openapi::contract lists"
        );
    }
    for name in &defined {
        assert!(
            is_client_item(name),
            "client/src/contract.rs provides `{name}`, which the generator does not list"
        );
    }
}

#[test]
fn the_crate_root_exports_every_replacement_type() {
    let lib = syn::parse_file(&read("client/src/lib.rs")).unwrap();
    let mut exported = used_names(&lib, true);
    // The open enums are generated at the crate root.
    let generated = syn::parse_file(&read(golden::FILES[0].path)).unwrap();
    for item in &generated.items {
        if let syn::Item::Enum(definition) = item
            && matches!(definition.vis, syn::Visibility::Public(_))
        {
            exported.insert(definition.ident.to_string());
        }
    }
    for name in ROOT_TYPES {
        assert!(
            exported.contains(*name),
            "`{name}` is neither `pub use`d by client/src/lib.rs nor generated at the crate root"
        );
    }
}

/// `crate::<first>::<second>` paths in a token stream.
fn crate_paths(tokens: proc_macro2::TokenStream, found: &mut BTreeSet<(String, String)>) {
    let tokens: Vec<proc_macro2::TokenTree> = tokens.into_iter().collect();
    for (i, token) in tokens.iter().enumerate() {
        match token {
            proc_macro2::TokenTree::Group(group) => crate_paths(group.stream(), found),
            // `crate ::` (not the `crate` of `pub(crate)`).
            proc_macro2::TokenTree::Ident(ident)
                if ident == "crate"
                    && matches!(tokens.get(i + 1), Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == ':') =>
            {
                let segment = |at: usize| match tokens.get(at) {
                    Some(proc_macro2::TokenTree::Ident(ident)) => ident.to_string(),
                    _ => String::new(),
                };
                // crate :: first :: second ("::" is two punct tokens)
                found.insert((segment(i + 3), segment(i + 6)));
            }
            _ => {}
        }
    }
}

#[test]
fn the_generated_client_names_only_the_contract() {
    let generated = syn::parse_file(&read(golden::FILES[0].path)).unwrap();
    let mut paths = BTreeSet::new();
    crate_paths(generated.to_token_stream(), &mut paths);
    // The generated file's own modules and the crate's Client type.
    let own = ["types", "generated", "operations", "catalog", "Client"];
    for (first, second) in paths {
        match first.as_str() {
            "contract" => assert!(
                is_client_item(&second),
                "the generated client names `crate::contract::{second}`, which hypersender_openapi::contract does not list"
            ),
            name if own.contains(&name) || ROOT_TYPES.contains(&name) => {}
            other => panic!("the generated client names `crate::{other}`, outside the contract"),
        }
    }
}
