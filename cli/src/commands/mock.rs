//! `hypersender mock`: the stateful mock of the API, served until Ctrl-C,
//! with a banner of command lines to paste; `hypersender mock scan ID`
//! plays a phone scanning an instance's QR code on a running mock.

use std::process::ExitCode;

use hypersender_mock_server::{BASE_PATH, CONTROL_PATH, DEFAULT_TOKEN, MockConfig};

use crate::args::{Global, ServeArgs};
use crate::commands::{given_token, start_mock};
use crate::failure::Failure;
use crate::{interrupt, terminal};

/// Serves until Ctrl-C. The token is the mock's own unless `--token` is
/// given on the command line: a real token left in `HYPERSENDER_TOKEN` is
/// never adopted (nor printed).
pub async fn serve(global: &Global, args: &ServeArgs) -> Result<ExitCode, Failure> {
    interrupt::handled_by_command();
    let token = global
        .token_on_command_line
        .then(|| given_token(global))
        .flatten()
        .unwrap_or_else(|| DEFAULT_TOKEN.to_owned());
    let mut config = MockConfig::default().addr(args.addr).token(token.clone());
    if args.instances > 0 {
        config = config.generated_instances(args.instances, args.seed);
    }
    if let Some(every) = args.flap_every {
        config = config.flapping(every, std::time::Duration::from_secs(10));
    }
    if let Some(url) = &args.webhook_to {
        config = config.webhook_to(url, args.webhook_secret.clone());
    }
    let mock = start_mock(config).await?;
    let mut lines = banner(&mock.base_url(), &token);
    if let Some(url) = &args.webhook_to {
        lines.push_str(&webhook_banner(&mock.base_url(), &token, url));
    }
    lines.push_str("\n\nPress Ctrl-C to stop.");
    terminal::out_lines(&lines);
    interrupt::pressed().await;
    mock.shutdown().await;
    terminal::err_line("stopped the mock; its instances are gone");
    Ok(ExitCode::SUCCESS)
}

/// What to paste: the CLI against the mock, and a phone's scan.
fn banner(url: &str, token: &str) -> String {
    let root = url.strip_suffix(BASE_PATH).unwrap_or(url);
    format!(
        "Mock Hypersender API listening on {url}\n\
         Token: {token} (the mock's, not a real one)\n\
         \n\
         Use it:\n  \
           hypersender --base-url {url} --token '{token}' instances list\n  \
           export HYPERSENDER_BASE_URL={url} HYPERSENDER_TOKEN='{token}'\n\
         Scan an instance's QR code as a phone would (the code must not have expired):\n  \
           hypersender --base-url {url} --token '{token}' mock scan ID\n  \
           curl -X POST -H 'Authorization: Bearer {token}' {root}{CONTROL_PATH}/instances/ID/scan"
    )
}

/// What `--webhook-to` posts, and how to ask for a message event.
fn webhook_banner(url: &str, token: &str, target: &str) -> String {
    let root = url.strip_suffix(BASE_PATH).unwrap_or(url);
    format!(
        "\nPosting each status change to {target} (session.status, a shape inferred from WAHA).\n\
         Post a message event (a recorded example's shape) about an instance:\n  \
           curl -X POST -H 'Authorization: Bearer {token}' -d '{{\"event\":\"message.any\",\"body\":\"hi\"}}' {root}{CONTROL_PATH}/instances/ID/messages"
    )
}

/// `mock scan ID`: the running mock's phone scans the instance's code.
pub async fn scan(global: &Global, id: &str) -> Result<ExitCode, Failure> {
    let token = given_token(global).unwrap_or_else(|| DEFAULT_TOKEN.to_owned());
    let base = global
        .base_url
        .clone()
        .or(hypersender::base_url_from_env()?)
        .ok_or_else(|| {
            Failure::BadInput(
                "mock scan needs the mock's --base-url (hypersender mock prints it)".into(),
            )
        })?;
    let root = base.trim_end_matches('/');
    let root = root.strip_suffix(BASE_PATH).unwrap_or(root);
    let url = format!("{root}{CONTROL_PATH}/instances/{id}/scan");
    let answer = hypersender::reqwest::Client::new()
        .post(&url)
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| Failure::Local(format!("cannot reach the mock at {root}: {e}")))?;
    let status = answer.status();
    let body: serde_json::Value = answer.json().await.unwrap_or_default();
    if !status.is_success() {
        let message = body["message"].as_str().unwrap_or("no message");
        return Err(Failure::BadInput(format!(
            "the mock refused the scan: HTTP {status}: {message}"
        )));
    }
    if body["linked"] == true {
        terminal::out_line(&format!("scanned: {id} is linked and WORKING"));
        Ok(ExitCode::SUCCESS)
    } else {
        let reason = body["reason"]
            .as_str()
            .unwrap_or("it was not waiting for a scan");
        terminal::out_line(&format!("not linked: {reason}"));
        Ok(ExitCode::FAILURE)
    }
}
