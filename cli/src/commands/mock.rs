//! `hypersender mock`: the stateful mock of the API, served until Ctrl-C.

use std::process::ExitCode;

use hypersender_mock_server::{DEFAULT_TOKEN, MockConfig};

use crate::args::{Global, MockArgs};
use crate::commands::{given_token, start_mock};
use crate::failure::Failure;
use crate::terminal;

/// Serves until Ctrl-C.
pub async fn serve(global: &Global, args: &MockArgs) -> Result<ExitCode, Failure> {
    let token = given_token(global);
    let mut config = MockConfig::default()
        .addr(args.addr)
        .token(token.clone().unwrap_or_else(|| DEFAULT_TOKEN.to_owned()));
    if args.instances > 0 {
        config = config.generated_instances(args.instances, args.seed);
    }
    if let Some(every) = args.flap_every {
        config = config.flapping(every, std::time::Duration::from_secs(10));
    }
    let mock = start_mock(config).await?;
    let shown_token = match token {
        // A token the user chose stays unprinted, like every token.
        Some(_) => "(the token you gave)".to_owned(),
        None => format!("'{DEFAULT_TOKEN}'"),
    };
    terminal::out_lines(&format!(
        "Mock Hypersender API listening on {url}\n\
         Token: {shown_token}\n\
         Try:   hypersender --base-url {url} --token {shown_token} instances list\n\
         Press Ctrl-C to stop.",
        url = mock.base_url(),
    ));
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| Failure::Local(format!("cannot wait for Ctrl-C: {e}")))?;
    mock.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
