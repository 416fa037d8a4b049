//! `hypersender api`: any operation of the spec, called by its id. The list
//! of operations and their parameters is the library's catalog, generated
//! from the same prepared spec as the client, so an operation the vendor
//! adds is usable here with no code written for it.

use std::process::ExitCode;

use hypersender::catalog;
use hypersender::{Arguments, Client};

use crate::args::{ApiArgs, Global};
use crate::failure::Failure;
use crate::{output, terminal};

/// `api OPERATION`: the operation called by name; its JSON response printed.
pub async fn run(client: &Client, global: &Global, args: ApiArgs) -> Result<ExitCode, Failure> {
    let operation = args.operation.unwrap_or_default();
    let arguments = arguments(&args.params, args.body.as_deref())?;
    let response = client.call(&operation, &arguments).await?;
    terminal::out_json(&output::prepare(&response, global.show_secrets));
    Ok(ExitCode::SUCCESS)
}

/// Every operation, with its parameters and body fields, for `api` alone.
pub fn operations_table() -> String {
    let mut text = String::from("Operations (hypersender api OPERATION --param NAME=VALUE ...):\n");
    for operation in catalog::OPERATIONS {
        text.push_str(&format!(
            "\n  {}  {} {}  {}\n",
            operation.id, operation.method, operation.path, operation.summary
        ));
        for parameter in operation.parameters {
            let required = if parameter.required { ", required" } else { "" };
            text.push_str(&format!(
                "      --param {}=...   ({}{required}) {}\n",
                parameter.name, parameter.location, parameter.description
            ));
        }
        for field in operation.body.iter().flat_map(|body| body.fields) {
            let required = if field.required { ", required" } else { "" };
            text.push_str(&format!(
                "      --param {}=...   (body{required}) {}\n",
                field.name, field.description
            ));
        }
        if let Some(limit) = operation.rate_limit {
            text.push_str(&format!(
                "      rate limit: {} per {} s\n",
                limit.requests,
                limit.per.as_secs()
            ));
        }
    }
    text
}

/// The library's arguments from `--param`s and `--body` (inline or `@FILE`).
fn arguments(params: &[(String, String)], body: Option<&str>) -> Result<Arguments, Failure> {
    let mut arguments = Arguments::new();
    for (name, value) in params {
        arguments = arguments.value(name, value);
    }
    if let Some(body) = body {
        let text = match body.strip_prefix('@') {
            Some(path) => std::fs::read_to_string(path).map_err(|e| {
                Failure::Local(format!(
                    "cannot read the body file {path}: {e}; nothing was sent"
                ))
            })?,
            None => body.to_owned(),
        };
        let json = serde_json::from_str(&text).map_err(|e| {
            Failure::BadInput(format!(
                "--body is not JSON: {e} (line {}, column {})",
                e.line(),
                e.column()
            ))
        })?;
        arguments = arguments.body(json);
    }
    Ok(arguments)
}
