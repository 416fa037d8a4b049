//! Plugs the crate into your own HTTP stack: a `reqwest::Client` you built
//! (here with a proxy; a private CA or your own pool work the same way),
//! your product's name in the User-Agent, and a header on every request.
//!
//! ```sh
//! HYPERSENDER_TOKEN=... cargo run -p hypersender-examples --example own_http_client -- http://proxy.internal:3128
//! ```
//!
//! `hypersender::reqwest` is the reqwest this crate is built with, so the
//! types always match, whatever reqwest version your own code uses.

use std::process::ExitCode;
use std::time::Duration;

use hypersender::reqwest::{self, header::HeaderName, header::HeaderValue};
use hypersender::{Client, Error};

#[tokio::main]
async fn main() -> ExitCode {
    let Some(proxy) = std::env::args().nth(1) else {
        eprintln!("usage: own_http_client PROXY_URL");
        return ExitCode::from(2);
    };
    match run(&proxy).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", error.display_chain());
            ExitCode::FAILURE
        }
    }
}

async fn run(proxy: &str) -> Result<(), Error> {
    // Timeouts and TLS are the given client's: set them here.
    let http = reqwest::Client::builder()
        .proxy(
            reqwest::Proxy::all(proxy).map_err(|e| Error::Config(format!("proxy {proxy}: {e}")))?,
        )
        // .add_root_certificate(reqwest::Certificate::from_pem(&pem)?)
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(4)
        .build()
        .map_err(|e| Error::Config(e.to_string()))?;
    let client = Client::builder_from_env()?
        .http_client(http)
        .user_agent_suffix("acme-support-desk/2.1")
        .default_header(
            HeaderName::from_static("x-request-source"),
            HeaderValue::from_static("nightly-report"),
        )
        .build()?;
    let instances = client.list_instances().send().await?;
    println!("{} instance(s) through the proxy {proxy}", instances.len());
    for instance in &instances {
        println!("{}  {}  {}", instance.id, instance.name, instance.status);
    }
    Ok(())
}
