//! Generates the typed mocks from the same prepared spec and the same
//! generation settings as the hypersender client (see hypersender-openapi).

use std::path::PathBuf;
use std::process::ExitCode;

use hypersender_openapi::{Source, httpmock_source};

fn main() -> ExitCode {
    println!("cargo::rerun-if-changed=build.rs");
    for input in hypersender_openapi::input_paths() {
        println!("cargo::rerun-if-changed={}", input.display());
    }
    std::panic::set_hook(Box::new(|_| {}));
    let result = httpmock_source(Source::VENDORED, Source::OVERLAY, "hypersender")
        .map_err(|e| e.to_string())
        .and_then(|source| {
            let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?)
                .join("httpmock.rs");
            std::fs::write(&out, source).map_err(|e| format!("cannot write {}: {e}", out.display()))
        });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: cannot generate the Hypersender mocks: {message}");
            ExitCode::FAILURE
        }
    }
}
