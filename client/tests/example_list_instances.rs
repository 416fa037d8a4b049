//! `cargo run --example list_instances` as a user runs it: configured only
//! through the environment, against a one-shot local server.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::thread;

const BODY: &str = r#"[{"id":"fa3d01c4-1234-4c0d-a12f-df319b612f8c","name":"MyInstanceName","phone":"+201234567890","service_type":"whatsapp","status":"WORKING","access_token":"234|3uB2pBST2H6If8twXIeUaeNu23VJ8XassYoOVJuva48388e1","created_at":"2025-05-26T10:12:45"}]"#;

/// The example binary cargo built next to this test's binary.
fn example() -> Command {
    let deps = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    let path: PathBuf = deps
        .parent()
        .unwrap()
        .join("examples")
        .join(format!("list_instances{}", std::env::consts::EXE_SUFFIX));
    assert!(path.exists(), "{} is built by `cargo test`", path.display());
    let mut command = Command::new(path);
    command
        .env_remove("HYPERSENDER_TOKEN")
        .env_remove("HYPERSENDER_BASE_URL");
    command
}

/// Serves one request with `BODY` and returns its request line and headers.
fn serve_once(listener: TcpListener) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream);
        let mut head = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" || line.is_empty() {
                break;
            }
            head.push_str(&line);
        }
        let mut stream = reader.into_inner();
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{BODY}",
            BODY.len()
        );
        stream.write_all(response.as_bytes()).unwrap();
        let _ = stream.read(&mut [0; 1]);
        head
    })
}

#[test]
fn without_a_token_it_says_what_is_missing() {
    let output = example().output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with(
            "error: invalid client configuration: HYPERSENDER_TOKEN is not set: export your Hypersender API token"
        ),
        "{stderr}"
    );
}

#[test]
fn with_the_environment_it_lists_instances_from_the_base_url() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}/api/whatsapp/v1", listener.local_addr().unwrap());
    let server = serve_once(listener);
    let output = example()
        .env("HYPERSENDER_TOKEN", "5|exampleTokenSecret123")
        .env("HYPERSENDER_BASE_URL", &base_url)
        .arg("WORKING")
        .output()
        .unwrap();
    let head = server.join().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        head.starts_with("GET /api/whatsapp/v1/instances?filter%5Bstatus%5D=WORKING HTTP/1.1\r\n"),
        "{head}"
    );
    assert!(
        head.to_ascii_lowercase()
            .contains("authorization: bearer 5|exampletokensecret123\r\n"),
        "{head}"
    );
    assert!(
        stdout.starts_with(&format!("1 instance(s) at {base_url}\n")),
        "{stdout}"
    );
    assert!(stdout.contains("MyInstanceName"), "{stdout}");
    assert!(stdout.contains("WORKING"), "{stdout}");
    assert!(
        !stdout.contains("3uB2p"),
        "the access token is not printed: {stdout}"
    );
}

#[test]
fn an_unknown_status_argument_is_refused_before_any_request() {
    let output = example()
        .env("HYPERSENDER_TOKEN", "5|exampleTokenSecret123")
        .env("HYPERSENDER_BASE_URL", "http://127.0.0.1:9")
        .arg("working")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("unknown instance status \"working\""),
        "{stderr}"
    );
}
