//! The whole preparation on the committed files, and the errors a changed or
//! broken input produces: each names the file and the place.

use hypersender_openapi::{
    OVERLAY_FILE, PrepareError, SPEC_FILE, Source, client_source, prepare, prepare_json,
};
use serde_json::Value;

fn spec_with(edit: impl FnOnce(&mut String)) -> String {
    let mut text = hypersender_openapi::VENDORED_SPEC.to_owned();
    edit(&mut text);
    text
}

fn prepare_edited(text: &str) -> Result<openapiv3::OpenAPI, PrepareError> {
    prepare(
        Source {
            name: SPEC_FILE,
            text,
        },
        Source::OVERLAY,
    )
}

#[test]
fn the_committed_spec_has_the_five_operations() {
    let spec = prepare(Source::VENDORED, Source::OVERLAY).unwrap();
    assert_eq!(spec.openapi, "3.0.3");
    let mut operations: Vec<(String, String, String)> = spec
        .operations()
        .map(|(path, method, op)| {
            (
                op.operation_id.clone().unwrap(),
                method.to_uppercase(),
                path.to_owned(),
            )
        })
        .collect();
    operations.sort();
    let expected = [
        ("check_health", "GET", "/{instance}/health"),
        ("create_instance", "POST", "/create-instance"),
        ("list_instances", "GET", "/instances"),
        (
            "request_new_qr_code",
            "POST",
            "/{instance}/request-new-qr-code",
        ),
        ("restart_instance", "POST", "/{instance}/restart"),
    ]
    .map(|(id, method, path)| (id.to_owned(), method.to_owned(), path.to_owned()));
    assert_eq!(operations, expected);
}

#[test]
fn the_committed_spec_is_adapted_for_progenitor() {
    let doc = prepare_json(Source::VENDORED, Source::OVERLAY).unwrap();
    let list = &doc["paths"]["/instances"]["get"];
    let names: Vec<&str> = list["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "filter[uuid]",
            "filter[name]",
            "filter[phone]",
            "filter[status]"
        ],
        "Accept is dropped"
    );
    assert_eq!(
        list["parameters"][3]["schema"],
        serde_json::json!({"$ref": "#/components/schemas/InstanceStatus"})
    );
    let instance = &doc["components"]["schemas"]["InstanceResponse"];
    assert_eq!(instance["required"].as_array().unwrap().len(), 7);
    assert_eq!(
        instance["properties"]["status"]["$ref"],
        "#/components/schemas/InstanceStatus"
    );
    assert_eq!(instance["properties"]["access_token"]["nullable"], true);
    let create = &doc["paths"]["/create-instance"]["post"];
    let statuses: Vec<&String> = create["responses"].as_object().unwrap().keys().collect();
    assert_eq!(
        statuses,
        ["200", "201"],
        "error responses are left to the crate's error layer"
    );
    assert_eq!(
        doc["components"]["schemas"]["ErrorBody"]["properties"]["errors"]["type"],
        "object"
    );
}

#[test]
fn the_vendored_spec_must_not_redefine_a_local_operation() {
    // The vendor starts publishing create-instance itself.
    let text = spec_with(|t| {
        let at = t.find("components:").unwrap();
        t.insert_str(
            at,
            "  /create-instance:\n    post:\n      summary: Create Instance\n      responses: {}\n",
        );
    });
    let err = prepare_edited(&text).unwrap_err();
    assert_eq!(err.file, OVERLAY_FILE);
    assert!(
        err.location.as_deref().unwrap().starts_with("action #"),
        "{err}"
    );
    assert!(
        err.message.contains("operation `POST /create-instance` is defined both by openapi/hypersender-enterprise.yaml and by this local action"),
        "{err}"
    );
}

#[test]
fn the_vendored_spec_must_not_redefine_a_local_schema() {
    let text = spec_with(|t| {
        let at = t.find("  securitySchemes:").unwrap();
        t.insert_str(at, "    InstanceStatus:\n      type: string\n");
    });
    let err = prepare_edited(&text).unwrap_err();
    assert!(
        err.message.contains(
            "schema `InstanceStatus` is defined both by openapi/hypersender-enterprise.yaml"
        ),
        "{err}"
    );
}

#[test]
fn a_fix_whose_target_is_gone_is_reported() {
    let text = spec_with(|t| *t = t.replace("InstanceResponse", "Instance"));
    let err = prepare_edited(&text).unwrap_err();
    assert_eq!(err.file, OVERLAY_FILE);
    assert!(
        err.to_string()
            .contains("target `$.components.schemas.InstanceResponse`"),
        "{err}"
    );
    assert!(err.message.contains("matches nothing"), "{err}");
}

#[test]
fn unparseable_yaml_names_the_file() {
    let err = prepare_edited("openapi: 3.1.0\npaths: [unclosed\n").unwrap_err();
    assert_eq!(err.file, SPEC_FILE);
    assert!(
        err.to_string()
            .starts_with("openapi/hypersender-enterprise.yaml: not valid YAML"),
        "{err}"
    );
}

#[test]
fn an_untranslatable_construct_names_its_pointer() {
    let text = spec_with(|t| {
        *t = t.replacen(
            "          description: Instance UUID\n",
            "          description: Instance UUID\n          prefixItems: []\n",
            1,
        );
    });
    let err = prepare_edited(&text).unwrap_err();
    assert_eq!(
        err.location.as_deref(),
        Some("/components/schemas/InstanceResponse/properties/id")
    );
    assert!(err.message.contains("`prefixItems`"), "{err}");
}

#[test]
fn duplicate_operation_ids_name_both_operations() {
    let text = spec_with(|t| {
        let at = t.find("components:").unwrap();
        t.insert_str(
            at,
            "  /instances/search:\n    get:\n      summary: List instances\n      responses: {}\n",
        );
    });
    let err = prepare_edited(&text).unwrap_err();
    assert_eq!(err.location.as_deref(), Some("GET /instances/search"));
    assert!(
        err.message
            .contains("`list_instances` is also the id of `GET /instances`"),
        "{err}"
    );
}

#[test]
fn a_construct_progenitor_rejects_names_the_file_and_path() {
    let text = spec_with(|t| {
        let at = t.find("components:").unwrap();
        t.insert_str(at, "  /elsewhere:\n    $ref: '#/paths/~1instances'\n");
    });
    let err = client_source(
        Source {
            name: SPEC_FILE,
            text: &text,
        },
        Source::OVERLAY,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "openapi/hypersender-enterprise.yaml: progenitor cannot generate a client: unexpected or unhandled format in the OpenAPI document path /elsewhere uses reference, unsupported"
    );
}

#[test]
fn a_broken_overlay_names_the_overlay() {
    let err = prepare(
        Source::VENDORED,
        Source {
            name: OVERLAY_FILE,
            text: "overlay: 1.0.0\nactions: []\n",
        },
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "openapi/local-overlay.yaml: at /actions: an overlay needs a non-empty list of actions"
    );
}

#[test]
fn errors_are_one_line() {
    let err = prepare_edited("{").unwrap_err();
    assert!(!err.to_string().contains('\n'), "{err}");
    let value: Value = serde_json::json!(err.to_string());
    assert!(value.is_string());
}
