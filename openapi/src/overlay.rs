//! Applies an OpenAPI Overlay 1.0 document to the vendored spec.
//!
//! Standard semantics: actions run in order; `target` is an RFC 9535 JSONPath;
//! `update` is merged into every node it selects (objects recursively, arrays
//! appended); `remove: true` deletes every node it selects.
//!
//! Two stricter rules keep the local file honest as the vendor's spec grows:
//! - an action that *adds* an operation (`paths.<path>.<method>`) or a
//!   component schema that the vendored spec already defines is an error
//!   naming both files, never a silent merge;
//! - an action whose target selects nothing is an error (a stale fix).

use serde_json::{Map, Value};
use serde_json_path::JsonPath;
use serde_json_path::PathElement;

use crate::PrepareError;

/// The HTTP methods an OpenAPI path item may define.
pub const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One step of a located node: an object key or an array index.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// Applies `overlay` (named `overlay_file`) to `document` (named `spec_file`).
pub fn apply(
    document: &mut Value,
    spec_file: &str,
    overlay: &Value,
    overlay_file: &str,
) -> Result<(), PrepareError> {
    apply_with(document, spec_file, overlay, overlay_file, &mut Err)
}

/// Every operation or schema that `overlay` adds although `document`
/// already defines it: local entries the vendor now publishes, which should
/// be removed from the overlay. Unlike [`apply`], it lists them all.
pub fn redefinitions(
    document: &Value,
    spec_file: &str,
    overlay: &Value,
    overlay_file: &str,
) -> Result<Vec<PrepareError>, PrepareError> {
    let mut found = Vec::new();
    let mut scratch = document.clone();
    apply_with(
        &mut scratch,
        spec_file,
        overlay,
        overlay_file,
        &mut |conflict| {
            found.push(conflict);
            Ok(())
        },
    )?;
    Ok(found)
}

/// Applies the overlay; each redefinition goes to `on_redefinition`, which
/// decides whether it stops the run.
fn apply_with(
    document: &mut Value,
    spec_file: &str,
    overlay: &Value,
    overlay_file: &str,
    on_redefinition: &mut dyn FnMut(PrepareError) -> Result<(), PrepareError>,
) -> Result<(), PrepareError> {
    let actions = read_actions(overlay, overlay_file)?;
    // Conflicts are judged against the vendor's document alone, so that two
    // local actions may add to the same map.
    let vendored = document.clone();
    for (index, action) in actions.iter().enumerate() {
        let action = Action::parse(action, index, overlay_file)?;
        let targets = action.locate(document)?;
        match &action.change {
            Change::Remove => remove_all(document, targets),
            Change::Update(update) => {
                for target in &targets {
                    if let Err(conflict) =
                        check_no_redefinition(&vendored, target, update, &action, spec_file)
                    {
                        on_redefinition(conflict)?;
                    }
                }
                for target in targets {
                    merge(node_mut(document, &target), update);
                }
            }
        }
    }
    Ok(())
}

fn read_actions<'a>(overlay: &'a Value, file: &str) -> Result<&'a Vec<Value>, PrepareError> {
    let version = overlay
        .get("overlay")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !version.starts_with("1.") {
        return Err(PrepareError::at(
            file,
            "/overlay",
            format!("expected an OpenAPI Overlay 1.x document, found overlay version {version:?}"),
        ));
    }
    overlay
        .get("actions")
        .and_then(Value::as_array)
        .filter(|actions| !actions.is_empty())
        .ok_or_else(|| {
            PrepareError::at(
                file,
                "/actions",
                "an overlay needs a non-empty list of actions",
            )
        })
}

enum Change {
    Update(Value),
    Remove,
}

struct Action<'a> {
    label: String,
    file: &'a str,
    target: &'a str,
    path: JsonPath,
    change: Change,
}

impl<'a> Action<'a> {
    fn parse(action: &'a Value, index: usize, file: &'a str) -> Result<Self, PrepareError> {
        let target = action
            .get("target")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let label = format!("action #{} (target `{target}`)", index + 1);
        let fail = |message: String| PrepareError::at(file, label.clone(), message);
        if target.is_empty() {
            return Err(fail("an action needs a `target` JSONPath".into()));
        }
        let path = JsonPath::parse(target).map_err(|e| fail(format!("invalid JSONPath: {e}")))?;
        let remove = action
            .get("remove")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let change = match (remove, action.get("update")) {
            (true, None) => Change::Remove,
            (false, Some(update)) => Change::Update(update.clone()),
            (true, Some(_)) => return Err(fail("an action cannot both update and remove".into())),
            (false, None) => return Err(fail("an action needs `update` or `remove: true`".into())),
        };
        Ok(Self {
            label,
            file,
            target,
            path,
            change,
        })
    }

    /// Every node the target selects, as owned paths; none is an error.
    fn locate(&self, document: &Value) -> Result<Vec<Vec<Step>>, PrepareError> {
        let located = self.path.query_located(document);
        let targets: Vec<Vec<Step>> = located
            .locations()
            .map(|location| {
                location
                    .iter()
                    .map(|element| match element {
                        PathElement::Name(name) => Step::Key((*name).to_owned()),
                        PathElement::Index(i) => Step::Index(*i),
                    })
                    .collect()
            })
            .collect();
        if targets.is_empty() {
            return Err(PrepareError::at(
                self.file,
                self.label.clone(),
                format!(
                    "the target `{}` matches nothing in the spec; the fix is stale (the vendor changed this part) and must be updated or removed",
                    self.target
                ),
            ));
        }
        Ok(targets)
    }
}

/// Fails when `update`, merged at `target`, would define an operation or a
/// component schema that the vendored spec already defines.
fn check_no_redefinition(
    vendored: &Value,
    target: &[Step],
    update: &Value,
    action: &Action<'_>,
    spec_file: &str,
) -> Result<(), PrepareError> {
    for definition in definitions_added(target, update) {
        if lookup(vendored, &definition).is_some() {
            let what = describe_definition(&definition);
            return Err(PrepareError::at(
                action.file,
                action.label.clone(),
                format!(
                    "{what} is defined both by {spec_file} and by this local action; the vendor now publishes it, so remove it from the local file"
                ),
            ));
        }
    }
    Ok(())
}

/// The definition-level places (`paths/P/METHOD`, `components/schemas/NAME`)
/// that `update` brings in when merged at `target`. A target at or below a
/// definition (a fix to an existing schema) brings in none.
fn definitions_added(target: &[Step], update: &Value) -> Vec<Vec<Step>> {
    let mut found = Vec::new();
    collect_definitions(&mut target.to_vec(), update, &mut found);
    found
}

/// Walks the keys of `value` below `prefix`, stopping at definition depth.
fn collect_definitions(prefix: &mut Vec<Step>, value: &Value, found: &mut Vec<Vec<Step>>) {
    let Value::Object(map) = value else { return };
    if prefix.len() >= 3 {
        return;
    }
    for (key, child) in map {
        prefix.push(Step::Key(key.clone()));
        if is_definition(prefix) {
            found.push(prefix.clone());
        } else {
            collect_definitions(prefix, child, found);
        }
        prefix.pop();
    }
}

fn is_definition(path: &[Step]) -> bool {
    match path {
        [Step::Key(a), Step::Key(_), Step::Key(method)] if a == "paths" => {
            HTTP_METHODS.contains(&method.as_str())
        }
        [Step::Key(a), Step::Key(b), Step::Key(_)] => a == "components" && b == "schemas",
        _ => false,
    }
}

fn describe_definition(path: &[Step]) -> String {
    match path {
        [Step::Key(root), Step::Key(p), Step::Key(method)] if root == "paths" => {
            format!("operation `{} {p}`", method.to_uppercase())
        }
        [_, _, Step::Key(name)] => format!("schema `{name}`"),
        _ => format!("{path:?}"),
    }
}

fn lookup<'v>(value: &'v Value, path: &[Step]) -> Option<&'v Value> {
    path.iter().try_fold(value, |node, step| match step {
        Step::Key(key) => node.get(key.as_str()),
        Step::Index(i) => node.get(*i),
    })
}

fn node_mut<'v>(value: &'v mut Value, path: &[Step]) -> &'v mut Value {
    path.iter().fold(value, |node, step| match step {
        Step::Key(key) => &mut node[key.as_str()],
        Step::Index(i) => &mut node[*i],
    })
}

/// Deep merge: objects merge key by key, arrays are appended to, anything
/// else is replaced.
fn merge(target: &mut Value, update: &Value) {
    match (target, update) {
        (Value::Object(target), Value::Object(update)) => merge_objects(target, update),
        (Value::Array(target), Value::Array(items)) => target.extend(items.iter().cloned()),
        (Value::Array(target), item) => target.push(item.clone()),
        (target, update) => *target = update.clone(),
    }
}

fn merge_objects(target: &mut Map<String, Value>, update: &Map<String, Value>) {
    for (key, value) in update {
        match target.get_mut(key) {
            Some(existing) => merge(existing, value),
            None => {
                target.insert(key.clone(), value.clone());
            }
        }
    }
}

/// Removes every target from its parent. Array elements go last index first,
/// so that earlier removals do not shift later targets.
fn remove_all(document: &mut Value, mut targets: Vec<Vec<Step>>) {
    targets.sort_by(|a, b| {
        b.len()
            .cmp(&a.len())
            .then_with(|| index_of(b).cmp(&index_of(a)))
    });
    for mut target in targets {
        let Some(last) = target.pop() else {
            *document = Value::Null;
            continue;
        };
        match (node_mut(document, &target), last) {
            (Value::Object(map), Step::Key(key)) => {
                map.shift_remove(&key);
            }
            (Value::Array(items), Step::Index(i)) if i < items.len() => {
                items.remove(i);
            }
            _ => {}
        }
    }
}

fn index_of(path: &[Step]) -> usize {
    match path.last() {
        Some(Step::Index(i)) => *i,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(actions: Value) -> Value {
        json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": actions})
    }

    fn spec() -> Value {
        json!({
            "openapi": "3.1.0",
            "paths": {"/instances": {"get": {"summary": "List Instances",
                "parameters": [{"name": "a"}, {"name": "b", "schema": {"type": "string"}}]}}},
            "components": {"schemas": {"Instance": {"type": "object", "properties": {"id": {"type": "string"}}}}}
        })
    }

    fn run(actions: Value) -> Result<Value, PrepareError> {
        let mut doc = spec();
        apply(&mut doc, "spec.yaml", &overlay(actions), "overlay.yaml")?;
        Ok(doc)
    }

    #[test]
    fn update_merges_objects_recursively() {
        let doc = run(json!([{"target": "$.components.schemas.Instance",
            "update": {"required": ["id"], "properties": {"name": {"type": "string"}}}}]))
        .unwrap();
        assert_eq!(
            doc["components"]["schemas"]["Instance"],
            json!({"type": "object", "required": ["id"],
                "properties": {"id": {"type": "string"}, "name": {"type": "string"}}})
        );
    }

    #[test]
    fn update_appends_to_arrays() {
        let doc = run(
            json!([{"target": "$.paths['/instances'].get.parameters", "update": {"name": "c"}}]),
        )
        .unwrap();
        assert_eq!(
            doc["paths"]["/instances"]["get"]["parameters"][2],
            json!({"name": "c"})
        );
    }

    #[test]
    fn filter_expressions_select_array_elements() {
        let doc = run(json!([
            {"target": "$.paths['/instances'].get.parameters[?@.name == 'b'].schema", "remove": true},
            {"target": "$.paths['/instances'].get.parameters[?@.name == 'b']", "update": {"schema": {"$ref": "#/x"}}}
        ]))
        .unwrap();
        assert_eq!(
            doc["paths"]["/instances"]["get"]["parameters"][1],
            json!({"name": "b", "schema": {"$ref": "#/x"}})
        );
    }

    #[test]
    fn remove_deletes_every_selected_array_element() {
        let doc =
            run(json!([{"target": "$.paths['/instances'].get.parameters[*]", "remove": true}]))
                .unwrap();
        assert_eq!(doc["paths"]["/instances"]["get"]["parameters"], json!([]));
    }

    #[test]
    fn adding_a_new_operation_and_schema_is_allowed() {
        let doc = run(json!([
            {"target": "$.paths", "update": {"/instances": {"post": {"summary": "Create"}}, "/x": {"get": {}}}},
            {"target": "$.components.schemas", "update": {"Other": {"type": "string"}}}
        ]))
        .unwrap();
        assert_eq!(doc["paths"]["/instances"]["post"]["summary"], "Create");
        assert_eq!(
            doc["paths"]["/instances"]["get"]["summary"],
            "List Instances"
        );
        assert_eq!(doc["components"]["schemas"]["Other"]["type"], "string");
    }

    #[test]
    fn redefining_a_vendored_operation_names_both_files() {
        let err = run(
            json!([{"target": "$.paths", "update": {"/instances": {"get": {"summary": "mine"}}}}]),
        )
        .unwrap_err();
        assert_eq!(err.file, "overlay.yaml");
        assert_eq!(
            err.location.as_deref(),
            Some("action #1 (target `$.paths`)")
        );
        assert!(
            err.message.contains(
                "operation `GET /instances` is defined both by spec.yaml and by this local action"
            ),
            "{err}"
        );
    }

    #[test]
    fn redefining_a_vendored_schema_names_both_files() {
        let err = run(json!([{"target": "$.components", "update": {"schemas": {"Instance": {}}}}]))
            .unwrap_err();
        assert!(
            err.message
                .contains("schema `Instance` is defined both by spec.yaml"),
            "{err}"
        );
    }

    #[test]
    fn redefinitions_lists_every_overlap() {
        let actions = json!([
            {"target": "$.paths", "update": {"/instances": {"get": {}, "post": {}}}},
            {"target": "$.components.schemas", "update": {"Instance": {}, "New": {}}}
        ]);
        let found = redefinitions(&spec(), "spec.yaml", &overlay(actions), "overlay.yaml").unwrap();
        let messages: Vec<_> = found
            .iter()
            .map(|e| e.message.split(" is defined").next().unwrap().to_owned())
            .collect();
        assert_eq!(
            messages,
            ["operation `GET /instances`", "schema `Instance`"]
        );
    }

    #[test]
    fn two_local_actions_may_add_to_the_same_map() {
        let doc = run(json!([
            {"target": "$.components.schemas", "update": {"A": {}}},
            {"target": "$.components.schemas", "update": {"B": {}}}
        ]))
        .unwrap();
        assert!(doc["components"]["schemas"].get("A").is_some());
        assert!(doc["components"]["schemas"].get("B").is_some());
    }

    #[test]
    fn a_stale_target_is_an_error() {
        let err =
            run(json!([{"target": "$.components.schemas.Gone", "update": {"x": 1}}])).unwrap_err();
        assert!(err.message.contains("matches nothing"), "{err}");
        assert_eq!(
            err.location.as_deref(),
            Some("action #1 (target `$.components.schemas.Gone`)")
        );
    }

    #[test]
    fn malformed_actions_are_named() {
        let bad_path = run(json!([{"target": "$[", "update": {}}])).unwrap_err();
        assert!(
            bad_path.message.starts_with("invalid JSONPath"),
            "{bad_path}"
        );
        let no_change = run(json!([{"target": "$.paths"}])).unwrap_err();
        assert!(
            no_change.message.contains("`update` or `remove: true`"),
            "{no_change}"
        );
        let mut doc = spec();
        let wrong_version = apply(
            &mut doc,
            "s",
            &json!({"overlay": "2.0.0", "actions": []}),
            "o",
        )
        .unwrap_err();
        assert_eq!(wrong_version.location.as_deref(), Some("/overlay"));
    }
}
