//! The spec preparation never panics, whatever document it is given: it
//! returns a prepared spec or an error naming the file.

use hypersender_openapi::{Source, prepare_for_progenitor};
use proptest::prelude::*;
use serde_json::Value;

/// Keys an OpenAPI document uses, so that generated documents reach deep
/// into the preparation instead of failing at the first lookup.
const KEYS: [&str; 30] = [
    "openapi",
    "info",
    "title",
    "version",
    "paths",
    "/instances",
    "/{id}",
    "get",
    "post",
    "parameters",
    "name",
    "in",
    "schema",
    "responses",
    "200",
    "content",
    "application/json",
    "components",
    "schemas",
    "type",
    "nullable",
    "properties",
    "items",
    "allOf",
    "$ref",
    "const",
    "examples",
    "prefixItems",
    "summary",
    "operationId",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(KEYS.to_vec()).prop_map(str::to_owned),
        any::<String>()
    ]
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(Value::from),
        prop::sample::select(vec![
            "3.1.0",
            "3.0.3",
            "string",
            "null",
            "object",
            "array",
            "#/components/schemas/X",
            "header"
        ])
        .prop_map(|s| Value::String(s.to_owned())),
        any::<String>().prop_map(Value::String),
    ]
}

fn openapi_like() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(6, 128, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn prepare_text(text: &str) -> Result<(), hypersender_openapi::PrepareError> {
    prepare_for_progenitor(
        Source {
            name: "generated.yaml",
            text,
        },
        Source::OVERLAY,
    )
    .map(|_| ())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn openapi_like_documents_never_panic(document in openapi_like()) {
        let text = yaml_serde::to_string(&document).unwrap();
        if let Err(e) = prepare_text(&text) {
            // A document without the schemas the overlay fixes makes the
            // overlay's targets stale: then the overlay file is named.
            prop_assert!(e.file == "generated.yaml" || e.file == "openapi/local-overlay.yaml", "{}", e);
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let _ = prepare_text(&text);
    }

    #[test]
    fn the_vendored_spec_with_one_changed_value_never_panics(at in 0usize..4467, replacement in any::<String>()) {
        let spec = hypersender_openapi::VENDORED_SPEC;
        let at = (0..=at.min(spec.len())).rev().find(|i| spec.is_char_boundary(*i)).unwrap();
        let line_end = spec[at..].find('\n').map_or(spec.len(), |i| at + i);
        let text = format!("{}{}{}", &spec[..at], replacement.replace('\n', " "), &spec[line_end..]);
        let _ = prepare_text(&text);
    }
}
