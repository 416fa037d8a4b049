//! The drift workflow cannot run here; this checks that it is valid YAML of
//! the expected shape and that its commands are the README's.

const WORKFLOW: &str = include_str!("../../.github/workflows/spec-drift.yml");
const README: &str = include_str!("../../README.md");

fn workflow() -> serde_json::Value {
    let yaml: yaml_serde::Value =
        yaml_serde::from_str(WORKFLOW).expect("the workflow is valid YAML");
    serde_json::to_value(yaml).expect("and plain data")
}

fn run_steps() -> Vec<String> {
    workflow()["jobs"]["drift"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|step| step["run"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn it_runs_weekly_and_on_demand() {
    let triggers = &workflow()["on"];
    assert!(triggers["schedule"][0]["cron"].as_str().is_some());
    assert!(triggers.get("workflow_dispatch").is_some());
}

#[test]
fn its_commands_are_the_documented_ones() {
    let runs = run_steps().join("\n");
    for command in [
        "cargo xtask spec check",
        "cargo xtask spec refresh",
        "cargo xtask codegen --check",
        "cargo xtask codegen --bless",
        "cargo test --workspace",
    ] {
        assert!(runs.contains(command), "the workflow runs {command}");
        assert!(README.contains(command), "the README documents {command}");
    }
}

#[test]
fn it_fails_loudly_when_the_docs_cannot_be_checked_and_uses_one_branch() {
    let runs = run_steps().join("\n");
    assert!(runs.contains("if [ \"$code\" -eq 2 ]; then") && runs.contains("exit 1"));
    let steps = workflow()["jobs"]["drift"]["steps"].clone();
    let pr = steps
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("peter-evans/create-pull-request"))
        })
        .unwrap();
    assert_eq!(pr["with"]["branch"], "spec-drift/hypersender-enterprise");
    // The pull request carries every golden file with the spec.
    let paths = pr["with"]["add-paths"].as_str().unwrap();
    for file in hypersender_openapi::golden::FILES {
        let folder = file.path.rsplit_once('/').unwrap().0;
        assert!(
            paths
                .lines()
                .any(|p| folder.starts_with(p.trim().trim_end_matches('/'))),
            "{} is in the pull request",
            file.path
        );
    }
    assert_eq!(pr["if"], "steps.check.outputs.code == '1'");
}
