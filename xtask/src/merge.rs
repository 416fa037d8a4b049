//! From fetched pages to one OpenAPI document.
//!
//! Rules: paths and components are united; `openapi`, `info`, `servers`,
//! `security` and `components.securitySchemes` must agree across pages; the
//! same operation or component defined differently by two pages is an error
//! naming both. Pages are merged in path order, so the result never depends
//! on which download finished first. A single page's block is kept byte for
//! byte.

use std::collections::BTreeMap;

use crate::docs_page::extract_openapi_block;
use serde_json::{Map, Value};

use crate::fetch::Page;

/// Top-level fields every page must state identically.
const MUST_AGREE: [&str; 4] = ["openapi", "info", "servers", "security"];
const HTTP_METHODS: [&str; 8] = hypersender_openapi::overlay::HTTP_METHODS;

/// The OpenAPI block of one page, checked.
#[derive(Debug, Clone)]
pub struct Block {
    /// The page's path.
    pub page: String,
    /// The fence info string without the backticks.
    pub fence: String,
    /// The block's YAML, byte for byte.
    pub yaml: String,
    /// The block parsed.
    pub document: Value,
}

/// Extracts and checks the block of `page`: it must be an OpenAPI document
/// that defines the method and path its fence names.
pub fn parse_page(page: &Page) -> Result<Block, String> {
    let fail = |message: String| format!("page {}: {message}", page.path);
    let block = extract_openapi_block(&page.text).map_err(|e| fail(e.to_string()))?;
    let document = hypersender_openapi::yaml::parse(&page.path, block.yaml)
        .map_err(|e| fail(e.message.clone()))?;
    let version = document
        .get("openapi")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !version.starts_with("3.") {
        return Err(fail(format!(
            "the block is not an OpenAPI 3 document (openapi: {version:?})"
        )));
    }
    let method = block.method.to_ascii_lowercase();
    if document
        .pointer(&format!("/paths/{}/{method}", pointer_escape(block.path)))
        .is_none()
    {
        return Err(fail(format!(
            "the fence names `{} {}` but the block does not define that operation",
            block.method, block.path
        )));
    }
    Ok(Block {
        page: page.path.clone(),
        fence: format!("yaml {} {} {}", block.source_file, block.method, block.path),
        yaml: block.yaml.to_owned(),
        document,
    })
}

fn pointer_escape(segment: &str) -> String {
    hypersender_openapi::yaml::escape_pointer(segment)
}

/// Merges `blocks` (sorted by page first) into the text of one spec.
pub fn merge(blocks: &mut [Block]) -> Result<(String, Value), String> {
    blocks.sort_by(|a, b| a.page.cmp(&b.page));
    let [first, rest @ ..] = blocks else {
        return Err("no pages to merge".into());
    };
    if rest.is_empty() {
        return Ok((first.yaml.clone(), first.document.clone()));
    }
    let mut merged = first.document.clone();
    let mut owners = Owners::default();
    owners.claim_all(&first.document, &first.page);
    for block in rest.iter() {
        merge_block(&mut merged, first, block, &mut owners)?;
    }
    let text = yaml_serde::to_string(&merged)
        .map_err(|e| format!("cannot write the merged spec as YAML: {e}"))?;
    Ok((text, merged))
}

/// Which page first defined each operation and component.
#[derive(Default)]
struct Owners(BTreeMap<String, String>);

impl Owners {
    fn claim_all(&mut self, document: &Value, page: &str) {
        for (label, _) in definitions(document) {
            self.0.entry(label).or_insert_with(|| page.to_owned());
        }
    }
}

/// (label, pointer) of every operation, path-item field and component.
fn definitions(document: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (path, item) in document
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for key in item.as_object().into_iter().flat_map(Map::keys) {
            let label = if HTTP_METHODS.contains(&key.as_str()) {
                format!("operation `{} {path}`", key.to_uppercase())
            } else {
                format!("field `{key}` of path `{path}`")
            };
            found.push((
                label,
                format!("/paths/{}/{}", pointer_escape(path), pointer_escape(key)),
            ));
        }
    }
    for (kind, entries) in document
        .get("components")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if kind == "securitySchemes" {
            continue;
        }
        for name in entries.as_object().into_iter().flat_map(Map::keys) {
            let label = if kind == "schemas" {
                format!("schema `{name}`")
            } else {
                format!("components.{kind} `{name}`")
            };
            found.push((
                label,
                format!(
                    "/components/{}/{}",
                    pointer_escape(kind),
                    pointer_escape(name)
                ),
            ));
        }
    }
    found
}

fn merge_block(
    merged: &mut Value,
    first: &Block,
    block: &Block,
    owners: &mut Owners,
) -> Result<(), String> {
    for key in MUST_AGREE {
        if block.document.get(key) != first.document.get(key) {
            return Err(format!(
                "`{key}` differs between page {} and page {}",
                first.page, block.page
            ));
        }
    }
    let schemes = "/components/securitySchemes";
    if block.document.pointer(schemes).is_some()
        && block.document.pointer(schemes) != first.document.pointer(schemes)
    {
        return Err(format!(
            "`securitySchemes` differ between page {} and page {}",
            first.page, block.page
        ));
    }
    for (label, pointer) in definitions(&block.document) {
        let incoming = block
            .document
            .pointer(&pointer)
            .expect("listed by definitions()");
        match merged.pointer(&pointer) {
            Some(existing) if existing == incoming => {}
            Some(_) => {
                let owner = owners
                    .0
                    .get(&label)
                    .map_or("an earlier page", String::as_str);
                return Err(format!(
                    "{label} is defined differently by page {owner} and page {}",
                    block.page
                ));
            }
            None => {
                insert_at(merged, &pointer, incoming.clone());
                owners.0.insert(label, block.page.clone());
            }
        }
    }
    merge_other_top_level(merged, first, block)
}

/// Fields outside paths/components/MUST_AGREE (tags, externalDocs):
/// lists are united, anything else must agree.
fn merge_other_top_level(merged: &mut Value, first: &Block, block: &Block) -> Result<(), String> {
    let Some(fields) = block.document.as_object() else {
        return Ok(());
    };
    for (key, incoming) in fields {
        if MUST_AGREE.contains(&key.as_str()) || key == "paths" || key == "components" {
            continue;
        }
        let target = merged.as_object_mut().expect("documents are objects");
        match (target.get_mut(key), incoming) {
            (None, _) => {
                target.insert(key.clone(), incoming.clone());
            }
            (Some(Value::Array(existing)), Value::Array(items)) => {
                for item in items {
                    if !existing.contains(item) {
                        existing.push(item.clone());
                    }
                }
            }
            (Some(existing), _) if existing == incoming => {}
            (Some(_), _) => {
                return Err(format!(
                    "`{key}` differs between page {} and page {}",
                    first.page, block.page
                ));
            }
        }
    }
    Ok(())
}

/// Inserts `value` at a `/a/b/c` pointer, creating objects on the way.
fn insert_at(document: &mut Value, pointer: &str, value: Value) {
    let segments: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    let (last, parents) = segments.split_last().expect("pointers have segments");
    let mut node = document;
    for segment in parents.iter().chain([last]) {
        // A YAML key with nothing under it (`schemas:`) is null: make it a map.
        if !node.is_object() {
            *node = Value::Object(Map::new());
        }
        node = node
            .as_object_mut()
            .expect("made an object above")
            .entry(segment.clone())
            .or_insert(Value::Null);
    }
    *node = value;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(path: &str, method: &str, api_path: &str, body: &str) -> Page {
        Page {
            path: path.into(),
            text: format!(
                "# Page\n\n## OpenAPI\n\n````yaml coll.json {method} {api_path}\n{body}````\n"
            ),
        }
    }

    const HEAD: &str = "openapi: 3.1.0\ninfo:\n  title: T\n  version: v1.0\n";

    #[test]
    fn a_single_page_is_kept_byte_for_byte() {
        let body = format!("{HEAD}paths:\n  /a:\n    get: {{summary: A}}   # a comment\n");
        let mut blocks = vec![parse_page(&page("/p/a.md", "GET", "/a", &body)).unwrap()];
        assert_eq!(merge(&mut blocks).unwrap().0, body);
    }

    #[test]
    fn pages_are_united_in_path_order() {
        let a = format!(
            "{HEAD}paths:\n  /a:\n    get: {{summary: A}}\ncomponents:\n  schemas:\n    S: {{type: string}}\n"
        );
        let b = format!(
            "{HEAD}paths:\n  /b:\n    post: {{summary: B}}\ncomponents:\n  schemas:\n    S: {{type: string}}\n    T: {{type: integer}}\n"
        );
        let mut forward = vec![
            parse_page(&page("/p/a.md", "GET", "/a", &a)).unwrap(),
            parse_page(&page("/p/b.md", "POST", "/b", &b)).unwrap(),
        ];
        let mut backward = vec![forward[1].clone(), forward[0].clone()];
        let (text, merged) = merge(&mut forward).unwrap();
        assert_eq!(
            text,
            merge(&mut backward).unwrap().0,
            "independent of fetch order"
        );
        assert_eq!(
            merged["paths"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["/a", "/b"]
        );
        assert_eq!(
            merged["components"]["schemas"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["S", "T"]
        );
    }

    #[test]
    fn conflicts_name_both_pages() {
        let a = format!(
            "{HEAD}paths:\n  /a:\n    get: {{summary: A}}\ncomponents:\n  schemas:\n    S: {{type: string}}\n"
        );
        let b = format!(
            "{HEAD}paths:\n  /b:\n    get: {{summary: B}}\ncomponents:\n  schemas:\n    S: {{type: integer}}\n"
        );
        let mut blocks = vec![
            parse_page(&page("/p/a.md", "GET", "/a", &a)).unwrap(),
            parse_page(&page("/p/b.md", "GET", "/b", &b)).unwrap(),
        ];
        assert_eq!(
            merge(&mut blocks).unwrap_err(),
            "schema `S` is defined differently by page /p/a.md and page /p/b.md"
        );

        let other_info = b
            .replace("version: v1.0", "version: v1.1")
            .replace("S: {type: integer}", "S: {type: string}");
        let mut blocks = vec![
            parse_page(&page("/p/a.md", "GET", "/a", &a)).unwrap(),
            parse_page(&page("/p/b.md", "GET", "/b", &other_info)).unwrap(),
        ];
        assert_eq!(
            merge(&mut blocks).unwrap_err(),
            "`info` differs between page /p/a.md and page /p/b.md"
        );
    }

    #[test]
    fn a_block_must_define_what_its_fence_names() {
        let body = format!("{HEAD}paths:\n  /other:\n    get: {{}}\n");
        let err = parse_page(&page("/p/a.md", "GET", "/a", &body)).unwrap_err();
        assert_eq!(
            err,
            "page /p/a.md: the fence names `GET /a` but the block does not define that operation"
        );
        let not_openapi =
            parse_page(&page("/p/a.md", "GET", "/a", "swagger: '2.0'\n")).unwrap_err();
        assert!(
            not_openapi.contains("not an OpenAPI 3 document"),
            "{not_openapi}"
        );
        let bad_yaml = parse_page(&page("/p/a.md", "GET", "/a", "a: [\n")).unwrap_err();
        assert!(
            bad_yaml.starts_with("page /p/a.md: not valid YAML"),
            "{bad_yaml}"
        );
    }
}
