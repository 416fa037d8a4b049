//! `cargo xtask spec refresh|check` and `codegen`, run as a maintainer runs
//! them, against an httpmock server serving the recorded page and pages made
//! here in the same format (each made page says what it changes).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use httpmock::Method::GET;
use httpmock::MockServer;

const LIST_PAGE: &str = "/v1/api-reference/enterprise/instance-management/list-instances.md";
const CREATE_PAGE: &str = "/v1/api-reference/enterprise/instance-management/create-instance.md";
const RECORDED_PAGE: &str = include_str!(
    "../../openapi/docs-snapshot/docs.hypersender.com/v1/api-reference/enterprise/instance-management/list-instances.md"
);
const VENDORED_SPEC: &str = include_str!("../../openapi/hypersender-enterprise.yaml");
const VENDORED_PROVENANCE: &str =
    include_str!("../../openapi/hypersender-enterprise.provenance.json");
const OVERLAY: &str = include_str!("../../openapi/local-overlay.yaml");

/// A copy of the vendored files in a folder of its own, for one test.
fn openapi_dir(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("xtask-spec")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in [
        ("hypersender-enterprise.yaml", VENDORED_SPEC),
        (
            "hypersender-enterprise.provenance.json",
            VENDORED_PROVENANCE,
        ),
        ("local-overlay.yaml", OVERLAY),
    ] {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let recorded = recorded_copy(&dir, LIST_PAGE);
    std::fs::create_dir_all(recorded.parent().unwrap()).unwrap();
    std::fs::write(recorded, RECORDED_PAGE).unwrap();
    dir
}

/// Every file below `dir`, relative name and bytes, to show what changed.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    collect(dir, dir, &mut files);
    files.sort();
    files
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let name = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            files.push((name, std::fs::read(&path).unwrap()));
        }
    }
}

fn recorded_copy(dir: &Path, page: &str) -> PathBuf {
    dir.join("docs-snapshot/docs.hypersender.com")
        .join(page.trim_start_matches('/'))
}

fn index(pages: &[&str]) -> String {
    let mut text = String::from("# Hypersender\n\n## Enterprise API\n\n");
    for page in pages {
        let url = page.trim_end_matches(".md");
        text.push_str(&format!(
            "- [{page}](https://docs.hypersender.com{url}): a page\n"
        ));
    }
    text.push_str("- [Send text](https://docs.hypersender.com/v1/api-reference/messages/send-text): not enterprise\n");
    text
}

/// A docs page in the vendor's format whose block is `yaml`.
fn page_with_block(fence: &str, yaml: &str) -> String {
    format!(
        "> ## Documentation Index\n\n# Made page\n\n## OpenAPI\n\n````yaml v1/api-reference/enterprise/enterprise-collection.json {fence}\n{yaml}````\n"
    )
}

/// The vendored spec's parts, to make pages that agree with it.
fn spec_parts() -> (&'static str, &'static str) {
    let paths_at = VENDORED_SPEC.find("paths:\n").unwrap();
    let schemes_at = VENDORED_SPEC.find("  securitySchemes:\n").unwrap();
    (&VENDORED_SPEC[..paths_at], &VENDORED_SPEC[schemes_at..])
}

/// A made create-instance page: a second operation, agreeing with the first.
fn create_page(schemas: &str) -> String {
    let (head, security_schemes) = spec_parts();
    let yaml = format!(
        "{head}paths:\n  /create-instance:\n    post:\n      summary: Create Instance\n      responses:\n        '200':\n          description: Created\ncomponents:\n{schemas}{security_schemes}"
    );
    page_with_block("POST /create-instance", &yaml)
}

struct Site {
    server: MockServer,
}

impl Site {
    async fn new(pages: &[(&str, String)]) -> Self {
        let server = MockServer::start_async().await;
        let paths: Vec<&str> = pages.iter().map(|(path, _)| *path).collect();
        let index = index(&paths);
        server
            .mock_async(|when, then| {
                when.method(GET).path("/llms.txt");
                then.status(200).body(index);
            })
            .await;
        for (path, text) in pages {
            let (path, text) = (path.to_string(), text.clone());
            server
                .mock_async(|when, then| {
                    when.method(GET).path(path);
                    then.status(200)
                        .header("content-type", "text/markdown")
                        .body(text);
                })
                .await;
        }
        Self { server }
    }

    fn url(&self) -> String {
        self.server.base_url()
    }
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .unwrap()
}

fn spec_command(command: &str, site: &str, dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "spec",
        command,
        "--docs-url",
        site,
        "--openapi-dir",
        dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    xtask(&args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn the_recorded_page_checks_clean_and_refreshes_to_identical_files() {
    let site = Site::new(&[(LIST_PAGE, RECORDED_PAGE.to_owned())]).await;
    let dir = openapi_dir("recorded");
    let before = snapshot(&dir);

    let check = spec_command("check", &site.url(), &dir, &[]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
    assert!(
        text(&check.stdout).starts_with("no drift:"),
        "{}",
        text(&check.stdout)
    );
    assert!(
        text(&check.stderr).contains(&format!("fetched {LIST_PAGE} (6285 bytes,")),
        "{}",
        text(&check.stderr)
    );

    let refresh = spec_command("refresh", &site.url(), &dir, &[]);
    assert_eq!(refresh.status.code(), Some(0), "{}", text(&refresh.stderr));
    assert!(
        text(&refresh.stdout).starts_with("unchanged:"),
        "{}",
        text(&refresh.stdout)
    );
    assert_eq!(
        snapshot(&dir),
        before,
        "byte-identical, date kept, no temporary files left"
    );
}

#[tokio::test]
async fn a_new_page_is_drift_and_refresh_merges_it() {
    let site = Site::new(&[
        (LIST_PAGE, RECORDED_PAGE.to_owned()),
        (CREATE_PAGE, create_page("")),
    ])
    .await;
    let dir = openapi_dir("new-page");
    let before = snapshot(&dir);

    let check = spec_command("check", &site.url(), &dir, &[]);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check.stderr));
    let report = text(&check.stdout);
    assert!(
        report.contains(&format!(
            "appeared: https://docs.hypersender.com{CREATE_PAGE}"
        )),
        "{report}"
    );
    assert!(report.contains("+  /create-instance:"), "{report}");
    assert_eq!(snapshot(&dir), before, "check writes nothing");

    let refresh = spec_command("refresh", &site.url(), &dir, &[]);
    assert_eq!(refresh.status.code(), Some(0), "{}", text(&refresh.stderr));
    assert!(
        text(&refresh.stdout).starts_with("updated:"),
        "{}",
        text(&refresh.stdout)
    );
    assert!(
        text(&refresh.stderr).contains("operation `POST /create-instance` is defined both by openapi/hypersender-enterprise.yaml"),
        "the overlay entry to remove is reported: {}",
        text(&refresh.stderr)
    );
    let spec = std::fs::read_to_string(dir.join("hypersender-enterprise.yaml")).unwrap();
    assert!(
        spec.contains("/create-instance:") && spec.contains("/instances:"),
        "{spec}"
    );
    let provenance: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("hypersender-enterprise.provenance.json")).unwrap(),
    )
    .unwrap();
    let urls: Vec<&str> = provenance["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        urls,
        [
            format!("https://docs.hypersender.com{CREATE_PAGE}"),
            format!("https://docs.hypersender.com{LIST_PAGE}")
        ]
    );

    assert_eq!(
        std::fs::read_to_string(recorded_copy(&dir, CREATE_PAGE)).unwrap(),
        create_page(""),
        "the new page is recorded"
    );
    let after_first = snapshot(&dir);
    let again = spec_command("refresh", &site.url(), &dir, &[]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(
        snapshot(&dir),
        after_first,
        "the same pages give byte-identical files"
    );
    assert_eq!(
        spec_command("check", &site.url(), &dir, &[]).status.code(),
        Some(0)
    );
}

#[tokio::test]
async fn a_changed_enum_is_drift_with_a_diff() {
    let changed = RECORDED_PAGE.replacen(
        "\n            - PENDING\n",
        "\n            - PENDING\n            - DELETING\n",
        1,
    );
    assert_ne!(changed, RECORDED_PAGE);
    let site = Site::new(&[(LIST_PAGE, changed)]).await;
    let dir = openapi_dir("changed-enum");
    let check = spec_command("check", &site.url(), &dir, &[]);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check.stderr));
    let report = text(&check.stdout);
    assert!(
        report.contains(&format!(
            "changed:  https://docs.hypersender.com{LIST_PAGE}"
        )),
        "{report}"
    );
    assert!(report.contains("+            - DELETING"), "{report}");
    assert!(
        report.contains("--- vendored/hypersender-enterprise.yaml"),
        "{report}"
    );
}

#[tokio::test]
async fn a_vanished_page_is_drift() {
    let site = Site::new(&[(CREATE_PAGE, create_page(""))]).await;
    let dir = openapi_dir("vanished");
    let check = spec_command("check", &site.url(), &dir, &[]);
    assert_eq!(check.status.code(), Some(1));
    let report = text(&check.stdout);
    assert!(
        report.contains(&format!(
            "vanished: https://docs.hypersender.com{LIST_PAGE}"
        )),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "appeared: https://docs.hypersender.com{CREATE_PAGE}"
        )),
        "{report}"
    );

    let refresh = spec_command("refresh", &site.url(), &dir, &[]);
    assert_eq!(refresh.status.code(), Some(0), "{}", text(&refresh.stderr));
    assert!(
        !recorded_copy(&dir, LIST_PAGE).exists(),
        "the vanished page's copy is removed"
    );
    assert!(recorded_copy(&dir, CREATE_PAGE).exists());
}

/// Runs `refresh` against a site and asserts exit 2, untouched files and a
/// message containing `expected`.
async fn refresh_fails(test: &str, pages: &[(&str, String)], extra: &[&str], expected: &str) {
    let site = Site::new(pages).await;
    let dir = openapi_dir(test);
    let before = snapshot(&dir);
    let refresh = spec_command("refresh", &site.url(), &dir, extra);
    let stderr = text(&refresh.stderr);
    assert_eq!(refresh.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(expected),
        "expected {expected:?} in: {stderr}"
    );
    assert_eq!(snapshot(&dir), before, "vendored files untouched");
    let check = spec_command("check", &site.url(), &dir, extra);
    assert_eq!(check.status.code(), Some(2), "check cannot check either");
}

#[tokio::test]
async fn a_conflicting_schema_names_both_pages() {
    let conflicting = create_page("  schemas:\n    InstanceResponse:\n      type: string\n");
    refresh_fails(
        "conflict",
        &[(LIST_PAGE, RECORDED_PAGE.to_owned()), (CREATE_PAGE, conflicting)],
        &[],
        &format!("error: schema `InstanceResponse` is defined differently by page {CREATE_PAGE} and page {LIST_PAGE}"),
    )
    .await;
}

#[tokio::test]
async fn an_html_page_is_refused() {
    let html = "<!DOCTYPE html>\n<html><body>Page moved</body></html>\n".to_owned();
    refresh_fails(
        "html",
        &[(LIST_PAGE, html)],
        &[],
        &format!("error: page {LIST_PAGE}: the server sent an HTML page, not the raw Markdown"),
    )
    .await;
}

#[tokio::test]
async fn a_page_without_a_block_is_refused() {
    let no_block = RECORDED_PAGE[..RECORDED_PAGE.find("## OpenAPI").unwrap()].to_owned();
    refresh_fails(
        "no-block",
        &[(LIST_PAGE, no_block)],
        &[],
        &format!("error: page {LIST_PAGE}: no ```` yaml block after a `## OpenAPI` heading"),
    )
    .await;
}

#[tokio::test]
async fn a_block_that_does_not_define_its_operation_is_refused() {
    let mismatch = RECORDED_PAGE.replace(
        "````yaml v1/api-reference/enterprise/enterprise-collection.json GET /instances",
        "````yaml v1/api-reference/enterprise/enterprise-collection.json POST /instances",
    );
    refresh_fails(
        "mismatch",
        &[(LIST_PAGE, mismatch)],
        &[],
        "the fence names `POST /instances` but the block does not define that operation",
    )
    .await;
}

#[tokio::test]
async fn invalid_yaml_is_refused() {
    let broken = RECORDED_PAGE.replace("paths:\n  /instances:", "paths: [\n  /instances:");
    refresh_fails(
        "bad-yaml",
        &[(LIST_PAGE, broken)],
        &[],
        &format!("error: page {LIST_PAGE}: not valid YAML"),
    )
    .await;
}

#[tokio::test]
async fn an_index_without_enterprise_pages_is_refused() {
    refresh_fails(
        "empty-index",
        &[],
        &[],
        "/llms.txt lists no pages under /v1/api-reference/enterprise/",
    )
    .await;
}

#[tokio::test]
async fn a_slow_page_times_out_after_its_retries() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/llms.txt");
            then.status(200).body(index(&[LIST_PAGE]));
        })
        .await;
    let slow = server
        .mock_async(|when, then| {
            when.method(GET).path(LIST_PAGE);
            then.status(200)
                .body(RECORDED_PAGE)
                .delay(Duration::from_secs(3));
        })
        .await;
    let dir = openapi_dir("slow");
    let before = snapshot(&dir);
    let refresh = spec_command(
        "refresh",
        &server.base_url(),
        &dir,
        &["--timeout", "0.3", "--retries", "1"],
    );
    let stderr = text(&refresh.stderr);
    assert_eq!(refresh.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("retrying {LIST_PAGE} (1/1): timed out")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "error: page {LIST_PAGE}: timed out (after 2 tries)"
        )),
        "{stderr}"
    );
    assert_eq!(slow.calls_async().await, 2);
    assert_eq!(snapshot(&dir), before);
}

#[test]
fn an_unreachable_site_is_refused() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = openapi_dir("unreachable");
    let check = spec_command(
        "check",
        &format!("http://127.0.0.1:{port}"),
        &dir,
        &["--retries", "0"],
    );
    assert_eq!(check.status.code(), Some(2));
    assert!(
        text(&check.stderr).contains("error: page /llms.txt: could not connect"),
        "{}",
        text(&check.stderr)
    );
}

#[test]
fn codegen_writes_the_prepared_spec_and_the_source() {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("xtask-codegen");
    let _ = std::fs::remove_dir_all(&out);
    let run = xtask(&["codegen", "--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let source = std::fs::read_to_string(out.join("codegen.rs")).unwrap();
    assert_eq!(
        source,
        hypersender_openapi::client_source(
            hypersender_openapi::Source::VENDORED,
            hypersender_openapi::Source::OVERLAY
        )
        .unwrap()
    );
    let prepared: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("openapi-prepared.json")).unwrap())
            .unwrap();
    assert_eq!(prepared["openapi"], "3.0.3");
    assert_eq!(
        prepared["paths"]["/{instance}/restart"]["post"]["operationId"],
        "restart_instance"
    );
}

#[test]
fn usage_errors_exit_2_with_the_usage() {
    let run = xtask(&["spec", "frobnicate"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        text(&run.stderr).starts_with("error: unknown command `spec frobnicate`\n\nusage:"),
        "{}",
        text(&run.stderr)
    );
}

/// `cargo test` alone catches drift between the committed spec, its
/// provenance and the recorded pages: the same check `.ci/run` runs.
#[test]
fn the_committed_tree_has_no_drift_against_its_recorded_pages() {
    use std::io::{BufRead, BufReader};
    let mut server = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("serve-snapshot")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    let url = first_line
        .trim()
        .strip_prefix("serving ")
        .expect("the server says where it listens")
        .to_owned();
    let check = xtask(&["spec", "check", "--docs-url", &url]);
    server.kill().unwrap();
    let _ = server.wait();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}\n{}",
        text(&check.stdout),
        text(&check.stderr)
    );
    assert!(text(&check.stdout).starts_with("no drift:"));
}
