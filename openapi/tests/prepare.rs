//! The preparation: on the committed files, expectations derived from the
//! files themselves (so a vendor change needs no edit here); and on small
//! made-up documents, the errors each kind of bad input produces, each
//! naming the file and the place.

use std::collections::BTreeSet;

use hypersender_openapi::{
    OVERLAY_FILE, PrepareError, SPEC_FILE, Source, client_source, prepare_contract,
    prepare_for_progenitor,
};
use serde_json::Value;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// (METHOD, path) of every operation in an OpenAPI `paths` object.
fn operations_in(paths: &Value) -> BTreeSet<(String, String)> {
    paths
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter(|method| item.get(**method).is_some())
                .map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect()
}

fn yaml(text: &str) -> Value {
    hypersender_openapi::yaml::parse("test", text).unwrap()
}

#[test]
fn the_contract_has_every_operation_of_the_spec_and_the_overlay_with_unique_ids() {
    let mut expected = operations_in(&yaml(hypersender_openapi::VENDORED_SPEC)["paths"]);
    let overlay = yaml(hypersender_openapi::LOCAL_OVERLAY);
    for action in overlay["actions"].as_array().unwrap() {
        if action["target"] == "$.paths" {
            expected.extend(operations_in(&action["update"]));
        }
    }
    let contract = prepare_contract(Source::VENDORED, Source::OVERLAY).unwrap();
    assert_eq!(contract["openapi"], "3.0.3");
    assert_eq!(operations_in(&contract["paths"]), expected);
    let mut ids = BTreeSet::new();
    for (path, item) in contract["paths"].as_object().unwrap() {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                let id = operation["operationId"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{method} {path}"));
                assert!(ids.insert(id.to_owned()), "{id} is not unique");
            }
        }
    }
}

#[test]
fn progenitors_input_keeps_successes_and_no_client_headers() {
    let (input, parsed) = prepare_for_progenitor(Source::VENDORED, Source::OVERLAY).unwrap();
    assert_eq!(
        parsed.operations().count(),
        operations_in(&input["paths"]).len()
    );
    for (path, method, operation) in parsed.operations() {
        for status in operation.responses.responses.keys() {
            assert!(
                status.to_string().starts_with('2'),
                "{method} {path}: {status}"
            );
        }
        for parameter in &operation.parameters {
            let parameter = parameter.as_item().unwrap().parameter_data_ref();
            let lower = parameter.name.to_ascii_lowercase();
            assert!(
                !["accept", "content-type", "authorization"].contains(&lower.as_str()),
                "{method} {path}: {}",
                parameter.name
            );
        }
    }
    let text = input.to_string();
    for constraint in ["\"pattern\"", "\"maxLength\"", "\"minLength\""] {
        assert!(
            !text.contains(constraint),
            "{constraint} is left to the catalog"
        );
    }
}

// ----------------------------------------------- made-up inputs, bad inputs

const SPEC: &str = "\
openapi: 3.1.0
info: {title: T, version: v1}
paths:
  /things:
    get:
      summary: List Things
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Thing'}}
components:
  schemas:
    Thing:
      type: object
      properties:
        id: {type: string, description: Thing id}
";

const OVERLAY: &str = "\
overlay: 1.0.0
info: {title: local, version: 1.0.0}
actions:
  - target: $.components.schemas.Thing
    update: {required: [id]}
  - target: $.components.schemas
    update:
      Extra: {type: string}
  - target: $.paths
    update:
      /things/{id}:
        get:
          summary: Get Thing
          parameters:
            - {name: id, in: path, required: true, schema: {type: string}}
          responses:
            '200':
              description: ok
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Thing'}
";

fn spec(text: &str) -> Source<'_> {
    Source {
        name: SPEC_FILE,
        text,
    }
}

fn overlay(text: &str) -> Source<'_> {
    Source {
        name: OVERLAY_FILE,
        text,
    }
}

fn prepared(spec_text: &str) -> Result<Value, PrepareError> {
    prepare_contract(spec(spec_text), overlay(OVERLAY))
}

fn spec_with(edit: impl FnOnce(&mut String)) -> String {
    let mut text = SPEC.to_owned();
    edit(&mut text);
    text
}

#[test]
fn the_made_up_inputs_prepare_and_generate() {
    let contract = prepared(SPEC).unwrap();
    assert_eq!(
        contract["paths"]["/things/{id}"]["get"]["operationId"],
        "get_thing"
    );
    let source = client_source(spec(SPEC), overlay(OVERLAY)).unwrap();
    assert!(
        source.contains("pub fn get_thing("),
        "the new builder is generated"
    );
}

#[test]
fn the_vendored_spec_must_not_redefine_a_local_operation() {
    // The vendor starts publishing the operation the overlay adds.
    let text = spec_with(|t| {
        let at = t.find("components:").unwrap();
        t.insert_str(
            at,
            "  /things/{id}:\n    get:\n      summary: Get Thing\n      responses: {}\n",
        );
    });
    let err = prepared(&text).unwrap_err();
    assert_eq!(err.file, OVERLAY_FILE);
    assert!(
        err.location.as_deref().unwrap().starts_with("action #"),
        "{err}"
    );
    assert!(
        err.message.contains(&format!(
            "operation `GET /things/{{id}}` is defined both by {SPEC_FILE} and by this local action"
        )),
        "{err}"
    );
}

#[test]
fn the_vendored_spec_must_not_redefine_a_local_schema() {
    let text = spec_with(|t| t.push_str("    Extra:\n      type: string\n"));
    let err = prepared(&text).unwrap_err();
    assert!(
        err.message
            .contains(&format!("schema `Extra` is defined both by {SPEC_FILE}")),
        "{err}"
    );
}

#[test]
fn a_fix_whose_target_is_gone_is_reported() {
    let text = spec_with(|t| *t = t.replace("Thing", "Item"));
    let err = prepared(&text).unwrap_err();
    assert_eq!(err.file, OVERLAY_FILE);
    assert!(
        err.to_string()
            .contains("target `$.components.schemas.Thing`"),
        "{err}"
    );
    assert!(err.message.contains("matches nothing"), "{err}");
}

#[test]
fn unparseable_yaml_names_the_file() {
    let err = prepared("openapi: 3.1.0\npaths: [unclosed\n").unwrap_err();
    assert_eq!(err.file, SPEC_FILE);
    assert!(
        err.to_string()
            .starts_with(&format!("{SPEC_FILE}: not valid YAML")),
        "{err}"
    );
}

#[test]
fn an_untranslatable_construct_names_its_pointer() {
    let text = spec_with(|t| {
        *t = t.replace(
            "description: Thing id}",
            "description: Thing id, prefixItems: []}",
        );
    });
    let err = prepared(&text).unwrap_err();
    assert_eq!(
        err.location.as_deref(),
        Some("/components/schemas/Thing/properties/id")
    );
    assert!(err.message.contains("`prefixItems`"), "{err}");
}

#[test]
fn duplicate_operation_ids_name_both_operations() {
    let text = spec_with(|t| {
        let at = t.find("components:").unwrap();
        t.insert_str(
            at,
            "  /things/search:\n    get:\n      summary: List things\n      responses: {}\n",
        );
    });
    let err = prepared(&text).unwrap_err();
    assert_eq!(err.location.as_deref(), Some("GET /things/search"));
    assert!(
        err.message
            .contains("`list_things` is also the id of `GET /things`"),
        "{err}"
    );
}

#[test]
fn a_construct_progenitor_rejects_names_the_file_and_path() {
    let text = spec_with(|t| {
        let at = t.find("components:").unwrap();
        t.insert_str(at, "  /elsewhere:\n    $ref: '#/paths/~1things'\n");
    });
    let err = client_source(spec(&text), overlay(OVERLAY)).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{SPEC_FILE}: progenitor cannot generate a client: unexpected or unhandled format in the OpenAPI document path /elsewhere uses reference, unsupported"
        )
    );
}

#[test]
fn a_bad_rate_limit_names_the_operation() {
    let bad = OVERLAY.replace(
        "          summary: Get Thing\n",
        "          summary: Get Thing\n          x-rate-limit: {requests: 0, per: 60s}\n",
    );
    let err = client_source(spec(SPEC), overlay(&bad)).unwrap_err();
    assert_eq!(err.location.as_deref(), Some("GET /things/{id}"));
    assert!(err.message.starts_with("x-rate-limit"), "{err}");
}

#[test]
fn a_broken_overlay_names_the_overlay() {
    let err = prepare_contract(spec(SPEC), overlay("overlay: 1.0.0\nactions: []\n")).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{OVERLAY_FILE}: at /actions: an overlay needs a non-empty list of actions")
    );
}

#[test]
fn errors_are_one_line() {
    let err = prepared("{").unwrap_err();
    assert!(!err.to_string().contains('\n'), "{err}");
}
