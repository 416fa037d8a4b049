//! What generated client code needs of the hand-written `hypersender`
//! crate: every `crate::` path the golden client names is one the
//! generator lists (`hypersender_openapi::crate_paths`), and every listed
//! path is named. (That the crate provides each one, compiling the golden
//! client proves.)

use std::collections::BTreeSet;

use hypersender_openapi::crate_paths::{CRATE_PATHS, GENERATED_MODULE, ROOT_TYPES};
use hypersender_openapi::golden;
use quote::ToTokens;

fn read(path: &str) -> String {
    let path = golden::workspace_root().join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `crate::a::b...` path in a token stream, without `crate::`.
fn crate_paths(tokens: proc_macro2::TokenStream, found: &mut BTreeSet<String>) {
    use proc_macro2::TokenTree;
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let is_colon =
        |at: usize| matches!(tokens.get(at), Some(TokenTree::Punct(p)) if p.as_char() == ':');
    for (i, token) in tokens.iter().enumerate() {
        match token {
            TokenTree::Group(group) => crate_paths(group.stream(), found),
            // `crate ::` (not the `crate` of `pub(crate)`).
            TokenTree::Ident(ident) if ident == "crate" && is_colon(i + 1) => {
                let mut segments = Vec::new();
                let mut at = i + 1;
                while is_colon(at) && is_colon(at + 1) {
                    match tokens.get(at + 2) {
                        Some(TokenTree::Ident(segment)) => segments.push(segment.to_string()),
                        // `crate::{A, B}`: each name of the group.
                        Some(TokenTree::Group(group)) => {
                            for name in group.stream() {
                                if let TokenTree::Ident(name) = name {
                                    let mut path = segments.clone();
                                    path.push(name.to_string());
                                    found.insert(path.join("::"));
                                }
                            }
                            segments.clear();
                            break;
                        }
                        _ => break,
                    }
                    at += 3;
                }
                if !segments.is_empty() {
                    found.insert(segments.join("::"));
                }
            }
            _ => {}
        }
    }
}

fn golden_client_paths() -> BTreeSet<String> {
    let generated = syn::parse_file(&read(golden::FILES[0].path)).unwrap();
    let mut paths = BTreeSet::new();
    crate_paths(generated.to_token_stream(), &mut paths);
    paths
}

/// Whether `path` is `listed` or an item under it (`runtime::Request::new`).
fn under(path: &str, listed: &str) -> bool {
    path == listed || path.starts_with(&format!("{listed}::"))
}

#[test]
fn the_generated_client_names_only_listed_paths() {
    for path in golden_client_paths() {
        assert!(
            CRATE_PATHS
                .iter()
                .chain(ROOT_TYPES)
                .chain(&[GENERATED_MODULE])
                .any(|listed| under(&path, listed)),
            "the generated client names `crate::{path}`, which hypersender_openapi::crate_paths does not list"
        );
    }
}

#[test]
fn every_listed_path_is_named_by_the_generated_client() {
    let named = golden_client_paths();
    for path in CRATE_PATHS {
        assert!(
            named.iter().any(|named| under(named, path)),
            "hypersender_openapi::crate_paths lists `{path}`, which the generated client never names"
        );
    }
}

#[test]
fn the_crate_root_exports_every_root_type() {
    let lib = read("client/src/lib.rs");
    let lib = syn::parse_file(&lib).unwrap();
    let mut exported = BTreeSet::new();
    for item in &lib.items {
        if let syn::Item::Use(item) = item
            && matches!(item.vis, syn::Visibility::Public(_))
        {
            collect_use_names(&item.tree, &mut exported);
        }
    }
    for name in ROOT_TYPES {
        assert!(
            exported.contains(*name),
            "`{name}` is not `pub use`d by client/src/lib.rs"
        );
    }
}

/// The names a `use` tree brings in (the last segment, or the rename).
fn collect_use_names(tree: &syn::UseTree, names: &mut BTreeSet<String>) {
    match tree {
        syn::UseTree::Path(path) => collect_use_names(&path.tree, names),
        syn::UseTree::Name(name) => {
            names.insert(name.ident.to_string());
        }
        syn::UseTree::Rename(rename) => {
            names.insert(rename.rename.to_string());
        }
        syn::UseTree::Group(group) => group.items.iter().for_each(|t| collect_use_names(t, names)),
        syn::UseTree::Glob(_) => {}
    }
}
