//! `cargo xtask spec refresh|check` and `codegen`, run as a maintainer runs
//! them, against an httpmock server serving the recorded pages (all of
//! them, read from openapi/docs-snapshot, so a refresh that records more
//! pages needs no edit here) and pages made here in the vendor's format
//! (each made page says what it changes).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use httpmock::Method::GET;
use httpmock::MockServer;

/// A made-up operation's page: no vendor page will ever have this name.
const MADE_PAGE: &str = "/v1/api-reference/enterprise/instance-management/made-up-operation.md";
const MADE_PATH: &str = "/{instance}/made-up-operation";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every recorded page of the docs site: (its URL path, its text).
fn recorded_pages() -> Vec<(String, String)> {
    let root = workspace().join("openapi/docs-snapshot/docs.hypersender.com");
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    let pages: Vec<(String, String)> = files
        .into_iter()
        .map(|(name, bytes)| (format!("/{name}"), String::from_utf8(bytes).unwrap()))
        .collect();
    assert!(!pages.is_empty(), "the workspace records docs pages");
    pages
}

/// The first recorded page, for the tests that break one.
fn a_recorded_page() -> (String, String) {
    recorded_pages().remove(0)
}

/// A copy of the vendored files and recorded pages in a folder of its own,
/// for one test.
fn openapi_dir(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("xtask-spec")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for name in [
        "hypersender-enterprise.yaml",
        "hypersender-enterprise.provenance.json",
        "local-overlay.yaml",
    ] {
        std::fs::copy(workspace().join("openapi").join(name), dir.join(name)).unwrap();
    }
    for (page, text) in recorded_pages() {
        let recorded = recorded_copy(&dir, &page);
        std::fs::create_dir_all(recorded.parent().unwrap()).unwrap();
        std::fs::write(recorded, text).unwrap();
    }
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

/// The vendored spec's parts, to make pages that agree with it: everything
/// before `paths:`, and `securitySchemes` to the end.
fn spec_parts() -> (String, String) {
    let spec = read(&workspace().join("openapi/hypersender-enterprise.yaml"));
    let paths_at = spec.find("paths:\n").unwrap();
    let schemes_at = spec.find("  securitySchemes:\n").unwrap();
    (spec[..paths_at].to_owned(), spec[schemes_at..].to_owned())
}

/// A made page in the vendor's style: a new operation with a path
/// parameter, a `type: [string, 'null']` field and an inline error schema,
/// agreeing with the vendored spec; `schemas` adds component schemas.
fn made_page(schemas: &str) -> String {
    let (head, security_schemes) = spec_parts();
    let yaml = format!(
        "{head}paths:
  {MADE_PATH}:
    post:
      tags:
        - Instance Management
      summary: Made Up Operation
      description: Does something new to an instance.
      parameters:
        - name: instance
          in: path
          required: true
          description: Instance UUID
          schema:
            type: string
      responses:
        '200':
          description: Done
          content:
            application/json:
              schema:
                type: object
                properties:
                  instance_id:
                    type: string
                  note:
                    type:
                      - string
                      - 'null'
              example:
                instance_id: fa3d01c4-1234-4c0d-a12f-df319b612f8c
                note: null
        '404':
          description: Not found
          content:
            application/json:
              schema:
                type: object
                properties:
                  message:
                    type: string
components:
{schemas}{security_schemes}"
    );
    page_with_block(&format!("POST {MADE_PATH}"), &yaml)
}

/// A page in the vendor's style publishing one operation (`paths` is the
/// YAML under `paths:`), with `schemas` under `components.schemas` (none:
/// a page without any, which the vendor has not published yet).
fn page_of(method_and_path: &str, paths: &str, schemas: &str) -> String {
    let (head, security_schemes) = spec_parts();
    let schemas = if schemas.is_empty() {
        String::new()
    } else {
        format!("  schemas:\n{schemas}")
    };
    let yaml = format!("{head}paths:\n{paths}components:\n{schemas}{security_schemes}");
    page_with_block(method_and_path, &yaml)
}

const INSTANCE_PARAMETER: &str = "      parameters:
        - name: instance
          in: path
          required: true
          description: Instance UUID
          schema:
            type: string
";

/// Pages of shapes the vendor has not published (yet), each agreeing with
/// the vendored spec: (page, text). A response documented only by its
/// properties' examples, as the vendor's `InstanceResponse` is; a DELETE
/// whose response is a schema of the page; a PUT with a JSON body, a query
/// parameter and no response body, on a page without `components.schemas`.
fn new_shape_pages() -> Vec<(String, String)> {
    let dir = "/v1/api-reference/enterprise/instance-management";
    let logout = page_of(
        "POST /{instance}/logout",
        &format!(
            "  /{{instance}}/logout:
    post:
      tags:
        - Instance Management
      summary: Logout Instance
      description: Unlinks the phone of an instance.
{INSTANCE_PARAMETER}      responses:
        '200':
          description: Logged out
          content:
            application/json:
              schema:
                type: object
                properties:
                  message:
                    type: string
                    example: Instance logged out.
                  instance_id:
                    type: string
                    example: fa3d01c4-1234-4c0d-a12f-df319b612f8c
"
        ),
        "",
    );
    let delete = page_of(
        "DELETE /{instance}",
        &format!(
            "  /{{instance}}:
    delete:
      tags:
        - Instance Management
      summary: Delete Instance
{INSTANCE_PARAMETER}      responses:
        '200':
          description: Deleted
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/DeletedInstance'
"
        ),
        "    DeletedInstance:
      type: object
      properties:
        deleted:
          type: boolean
          example: true
        status:
          type: string
          enum:
            - DELETED
            - PENDING_DELETION
",
    );
    let webhook = page_of(
        "PUT /{instance}/webhook",
        &format!(
            "  /{{instance}}/webhook:
    put:
      tags:
        - Instance Management
      summary: Update Webhook
{INSTANCE_PARAMETER}        - name: notify
          in: query
          schema:
            type: boolean
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required:
                - webhook_url
              properties:
                webhook_url:
                  type: string
                  format: uri
                  example: https://yourdomain.com/webhooks/whatsapp
      responses:
        '204':
          description: Updated
"
        ),
        "",
    );
    vec![
        (format!("{dir}/logout-instance.md"), logout),
        (format!("{dir}/delete-instance.md"), delete),
        (format!("{dir}/update-webhook.md"), webhook),
    ]
}

struct Site {
    server: MockServer,
}

impl Site {
    async fn new(pages: &[(String, String)]) -> Self {
        let server = MockServer::start_async().await;
        let paths: Vec<&str> = pages.iter().map(|(path, _)| path.as_str()).collect();
        let index = index(&paths);
        server
            .mock_async(|when, then| {
                when.method(GET).path("/llms.txt");
                then.status(200).body(index);
            })
            .await;
        for (path, text) in pages {
            let (path, text) = (path.clone(), text.clone());
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
async fn the_recorded_pages_check_clean_and_refresh_to_identical_files() {
    let pages = recorded_pages();
    let site = Site::new(&pages).await;
    let dir = openapi_dir("recorded");
    let before = snapshot(&dir);

    let check = spec_command("check", &site.url(), &dir, &[]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
    assert!(
        text(&check.stdout).starts_with("no drift:"),
        "{}",
        text(&check.stdout)
    );
    for (page, body) in &pages {
        assert!(
            text(&check.stderr).contains(&format!("fetched {page} ({} bytes,", body.len())),
            "{}",
            text(&check.stderr)
        );
    }

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
    let mut pages = recorded_pages();
    pages.push((MADE_PAGE.to_owned(), made_page("")));
    let site = Site::new(&pages).await;
    let dir = openapi_dir("new-page");
    let before = snapshot(&dir);

    let check = spec_command("check", &site.url(), &dir, &[]);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check.stderr));
    let report = text(&check.stdout);
    assert!(
        report.contains(&format!(
            "appeared: https://docs.hypersender.com{MADE_PAGE}"
        )),
        "{report}"
    );
    assert!(report.contains(&format!("+  {MADE_PATH}:")), "{report}");
    assert_eq!(snapshot(&dir), before, "check writes nothing");

    let refresh = spec_command("refresh", &site.url(), &dir, &[]);
    assert_eq!(refresh.status.code(), Some(0), "{}", text(&refresh.stderr));
    assert!(
        text(&refresh.stdout).starts_with("updated:"),
        "{}",
        text(&refresh.stdout)
    );
    let spec = read(&dir.join("hypersender-enterprise.yaml"));
    assert!(spec.contains(&format!("{MADE_PATH}:")), "{spec}");
    let provenance: serde_json::Value =
        serde_json::from_str(&read(&dir.join("hypersender-enterprise.provenance.json"))).unwrap();
    let urls: Vec<&str> = provenance["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["url"].as_str().unwrap())
        .collect();
    let mut expected: Vec<String> = pages
        .iter()
        .map(|(page, _)| format!("https://docs.hypersender.com{page}"))
        .collect();
    expected.sort();
    assert_eq!(urls, expected);

    assert_eq!(
        read(&recorded_copy(&dir, MADE_PAGE)),
        made_page(""),
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
async fn refresh_reports_overlay_entries_the_vendor_now_publishes() {
    let mut pages = recorded_pages();
    pages.push((MADE_PAGE.to_owned(), made_page("")));
    let site = Site::new(&pages).await;
    let dir = openapi_dir("overlay-redefined");
    // A local overlay that adds the operation the made page publishes.
    let overlay = format!(
        "overlay: 1.0.0\ninfo: {{title: t, version: 1.0.0}}\nactions:\n  - target: $.paths\n    update:\n      {MADE_PATH}:\n        post:\n          summary: Local\n          responses: {{}}\n"
    );
    std::fs::write(dir.join("local-overlay.yaml"), overlay).unwrap();
    let refresh = spec_command("refresh", &site.url(), &dir, &[]);
    assert_eq!(refresh.status.code(), Some(0), "{}", text(&refresh.stderr));
    assert!(
        text(&refresh.stderr).contains(&format!(
            "operation `POST {MADE_PATH}` is defined both by openapi/hypersender-enterprise.yaml"
        )),
        "the overlay entry to remove is reported: {}",
        text(&refresh.stderr)
    );
}

#[tokio::test]
async fn a_changed_page_is_drift_with_a_diff() {
    let (page, recorded) = a_recorded_page();
    let summary = recorded
        .lines()
        .find(|line| line.trim_start().starts_with("summary: "))
        .expect("an operation page has a summary")
        .to_owned();
    let changed = recorded.replacen(&summary, &format!("{summary} (changed)"), 1);
    let mut pages = recorded_pages();
    pages[0].1 = changed;
    let site = Site::new(&pages).await;
    let dir = openapi_dir("changed-page");
    let check = spec_command("check", &site.url(), &dir, &[]);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check.stderr));
    let report = text(&check.stdout);
    assert!(
        report.contains(&format!("changed:  https://docs.hypersender.com{page}")),
        "{report}"
    );
    assert!(
        report.contains(&format!("+{summary} (changed)")),
        "{report}"
    );
    assert!(
        report.contains("--- vendored/hypersender-enterprise.yaml"),
        "{report}"
    );
}

#[tokio::test]
async fn vanished_pages_are_drift() {
    let site = Site::new(&[(MADE_PAGE.to_owned(), made_page(""))]).await;
    let dir = openapi_dir("vanished");
    let check = spec_command("check", &site.url(), &dir, &[]);
    assert_eq!(check.status.code(), Some(1));
    let report = text(&check.stdout);
    for (page, _) in recorded_pages() {
        assert!(
            report.contains(&format!("vanished: https://docs.hypersender.com{page}")),
            "{report}"
        );
    }
    assert!(
        report.contains(&format!(
            "appeared: https://docs.hypersender.com{MADE_PAGE}"
        )),
        "{report}"
    );

    let refresh = spec_command("refresh", &site.url(), &dir, &[]);
    assert_eq!(refresh.status.code(), Some(0), "{}", text(&refresh.stderr));
    for (page, _) in recorded_pages() {
        assert!(
            !recorded_copy(&dir, &page).exists(),
            "the vanished page's copy is removed"
        );
    }
    assert!(recorded_copy(&dir, MADE_PAGE).exists());
}

/// Runs `refresh` against a site and asserts exit 2, untouched files and a
/// message containing `expected`.
async fn refresh_fails(test: &str, pages: &[(String, String)], extra: &[&str], expected: &str) {
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
    // Two made pages define one schema differently (whatever schemas the
    // recorded pages have, or not).
    let defines = |kind: &str| format!("    MadeUpSchema:\n      type: {kind}\n");
    let second_page = "/v1/api-reference/enterprise/instance-management/made-up-twin.md";
    let mut pages = recorded_pages();
    pages.push((
        MADE_PAGE.to_owned(),
        made_page(&format!("  schemas:\n{}", defines("string"))),
    ));
    pages.push((
        second_page.to_owned(),
        page_of(
            "GET /made-up-twin",
            "  /made-up-twin:\n    get:\n      summary: Made Up Twin\n      responses:\n        '200':\n          description: ok\n",
            &defines("integer"),
        ),
    ));
    // The pages are named in path order.
    let (first, second) = if MADE_PAGE < second_page {
        (MADE_PAGE, second_page)
    } else {
        (second_page, MADE_PAGE)
    };
    refresh_fails(
        "conflict",
        &pages,
        &[],
        &format!(
            "error: schema `MadeUpSchema` is defined differently by page {first} and page {second}"
        ),
    )
    .await;
}

/// Every recorded page, the first one replaced by `broken`.
fn with_first_page(broken: String) -> Vec<(String, String)> {
    let mut pages = recorded_pages();
    pages[0].1 = broken;
    pages
}

#[tokio::test]
async fn an_html_page_is_refused() {
    let (page, _) = a_recorded_page();
    let html = "<!DOCTYPE html>\n<html><body>Page moved</body></html>\n".to_owned();
    refresh_fails(
        "html",
        &with_first_page(html),
        &[],
        &format!("error: page {page}: the server sent an HTML page, not the raw Markdown"),
    )
    .await;
}

#[tokio::test]
async fn a_page_without_a_block_is_refused() {
    let (page, recorded) = a_recorded_page();
    let no_block = recorded[..recorded.find("## OpenAPI").unwrap()].to_owned();
    refresh_fails(
        "no-block",
        &with_first_page(no_block),
        &[],
        &format!("error: page {page}: no ```` yaml block after a `## OpenAPI` heading"),
    )
    .await;
}

#[tokio::test]
async fn a_block_that_does_not_define_its_operation_is_refused() {
    let (_, recorded) = a_recorded_page();
    let fence = recorded
        .lines()
        .find(|line| line.starts_with("````yaml "))
        .expect("the page has a fence")
        .to_owned();
    let path = fence.rsplit(' ').next().unwrap();
    let mismatch = recorded.replacen(
        &fence,
        &format!("````yaml v1/api-reference/enterprise/enterprise-collection.json TRACE {path}"),
        1,
    );
    refresh_fails(
        "mismatch",
        &with_first_page(mismatch),
        &[],
        &format!("the fence names `TRACE {path}` but the block does not define that operation"),
    )
    .await;
}

#[tokio::test]
async fn invalid_yaml_is_refused() {
    let (page, recorded) = a_recorded_page();
    let broken = recorded.replacen("paths:\n", "paths: [\n", 1);
    refresh_fails(
        "bad-yaml",
        &with_first_page(broken),
        &[],
        &format!("error: page {page}: not valid YAML"),
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
    let (page, recorded) = a_recorded_page();
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/llms.txt");
            then.status(200).body(index(&[page.as_str()]));
        })
        .await;
    let slow = server
        .mock_async(|when, then| {
            when.method(GET).path(page.as_str());
            then.status(200)
                .body(recorded.as_str())
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
        stderr.contains(&format!("retrying {page} (1/1): timed out")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("error: page {page}: timed out (after 2 tries)")),
        "{stderr}"
    );
    assert_eq!(slow.calls_async().await, 2);
    assert_eq!(snapshot(&dir), before);
}

#[test]
fn an_unreachable_site_is_refused() {
    // Bound, never listening: refused, and no parallel test takes the port.
    let held = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    let any_port: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
    held.bind(&any_port.into()).unwrap();
    let port = held.local_addr().unwrap().as_socket().unwrap().port();
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
fn codegen_out_writes_every_golden_file_and_progenitors_input() {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("xtask-codegen");
    let _ = std::fs::remove_dir_all(&out);
    let run = xtask(&["codegen", "--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    for file in hypersender_openapi::golden::FILES {
        assert_eq!(
            read(&out.join(file.file_name())),
            read(&workspace().join(file.path)),
            "{} is written as committed",
            file.path
        );
    }
    let input: serde_json::Value =
        serde_json::from_str(&read(&out.join("progenitor-input.json"))).unwrap();
    assert_eq!(input["openapi"], "3.0.3");
}

#[test]
fn usage_errors_exit_2_with_the_usage() {
    let run = xtask(&["spec", "frobnicate"]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = text(&run.stderr);
    assert!(
        stderr.starts_with("error: unrecognized subcommand 'frobnicate'")
            && stderr.contains("Usage:"),
        "{stderr}"
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

/// The whole regeneration loop on a copy of the workspace's inputs and
/// golden files: a new page in the vendor's style is served beside the
/// recorded ones; `spec refresh`, then `codegen --check` (stale, with the
/// new API in the diff), `codegen --bless`, `codegen --check` (fresh). The
/// new operation reaches the client (a method taking its path parameter, a
/// request builder, a catalog entry, which the CLI's `api` command and the
/// mock server read, and `Client::call`), the typed mocks and the contract
/// document, with no other change.
#[tokio::test]
async fn a_new_vendor_operation_flows_into_the_generated_code_with_no_hand_edit() {
    let mut pages = recorded_pages();
    pages.push((MADE_PAGE.to_owned(), made_page("")));
    pages.extend(new_shape_pages());
    let site = Site::new(&pages).await;
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("xtask-regeneration");
    let _ = std::fs::remove_dir_all(&root);
    let openapi = openapi_dir("regeneration");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::rename(&openapi, root.join("openapi")).unwrap();
    for file in hypersender_openapi::golden::FILES {
        let target = root.join(file.path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(workspace().join(file.path), target).unwrap();
    }
    let root_arg = root.to_str().unwrap();

    let refresh = spec_command("refresh", &site.url(), &root.join("openapi"), &[]);
    assert_eq!(refresh.status.code(), Some(0), "{}", text(&refresh.stderr));

    let stale = xtask(&["codegen", "--check", "--root", root_arg]);
    assert_eq!(stale.status.code(), Some(1), "{}", text(&stale.stderr));
    assert!(
        text(&stale.stdout).contains("+    pub fn made_up_operation("),
        "the review shows the Rust API diff"
    );
    assert!(text(&stale.stderr).contains("run `cargo xtask codegen --bless`"));

    let bless = xtask(&["codegen", "--bless", "--root", root_arg]);
    assert_eq!(bless.status.code(), Some(0), "{}", text(&bless.stderr));
    let fresh = xtask(&["codegen", "--check", "--root", root_arg]);
    assert_eq!(fresh.status.code(), Some(0), "{}", text(&fresh.stdout));

    let client = read(&root.join("client/generated/client.rs"));
    let parsed = syn::parse_file(&client).expect("the generated client is valid Rust");
    let items = rust_items(&parsed.items);
    for expected in [
        "fn made_up_operation(&self, instance: impl ::std::convert::Into<::std::string::String>",
        "struct MadeUpOperation",
        "const MADE_UP_OPERATION: Operation",
        "MadeUpOperation(types::MadeUpOperationResponse)",
        "\"made_up_operation\" =>",
        "note: ::std::option::Option<::std::string::String>",
    ] {
        let flat: String = expected.split_whitespace().collect();
        assert!(
            items.iter().any(|item| item.contains(&flat)),
            "{expected} is generated"
        );
    }
    // The new shapes: a catalog example for each response with a body
    // (built from the properties' examples where the vendor gives no
    // other), other HTTP methods, no response body.
    for expected in [
        "fn logout_instance(&self, instance: impl ::std::convert::Into<::std::string::String>",
        r#"success_example: ::std::option::Option::Some("{\"message\":\"Instance logged out.\",\"instance_id\":\"fa3d01c4-1234-4c0d-a12f-df319b612f8c\"}""#,
        "LogoutInstance(types::LogoutInstanceResponse)",
        "method: Method::Delete",
        r#"success_example: ::std::option::Option::Some("{\"deleted\":true,\"status\":\"DELETED\"}""#,
        "DeleteInstance(types::DeletedInstance)",
        "method: Method::Put",
        "UpdateWebhook(())",
        "pub fn notify(mut self, value: bool) -> Self",
        r#"example: ::std::option::Option::Some("{\"webhook_url\":\"https://yourdomain.com/webhooks/whatsapp\"}""#,
    ] {
        let flat: String = expected.split_whitespace().collect();
        assert!(
            items.iter().any(|item| item.contains(&flat)),
            "{expected} is generated"
        );
    }
    let entries: Vec<&String> = items
        .iter()
        .filter(|item| item.contains(":Operation=Operation{") && !item.contains("pubmod"))
        .collect();
    let catalog_entries = entries.len();
    let without_example = entries
        .iter()
        .filter(|item| item.contains("success_example:::std::option::Option::None"))
        .count();
    assert_eq!(
        without_example, 1,
        "only the operation without a response body"
    );
    assert!(catalog_entries >= 9, "{catalog_entries} catalog entries");
    let mocks = read(&root.join("httpmock/generated/httpmock.rs"));
    assert!(mocks.contains("fn made_up_operation<F>(&self, config_fn: F)"));
    assert!(mocks.contains("fn delete_instance<F>(&self, config_fn: F)"));
    let contract: serde_json::Value =
        serde_json::from_str(&read(&root.join("openapi/generated/openapi.json"))).unwrap();
    let operation = &contract["paths"][MADE_PATH]["post"];
    assert_eq!(operation["operationId"], "made_up_operation");
    assert_eq!(
        operation["responses"]["404"]["content"]["application/json"]["schema"]["properties"]["message"]
            ["type"],
        "string",
        "the inline error schema stays in the contract document"
    );
}

/// Every item of a file (recursively), as token text without spaces.
fn rust_items(items: &[syn::Item]) -> Vec<String> {
    use quote::ToTokens;
    let mut texts = Vec::new();
    for item in items {
        if let syn::Item::Mod(module) = item
            && let Some((_, inner)) = &module.content
        {
            texts.extend(rust_items(inner));
        }
        let text: String = item
            .to_token_stream()
            .to_string()
            .split_whitespace()
            .collect();
        texts.push(text);
    }
    texts
}
