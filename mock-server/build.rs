//! Extracts the mock's seed data from the documented examples in the
//! prepared spec (the List Instances 200 example), so the mock starts with
//! exactly what the docs show and follows the spec when it is refreshed.

use std::path::PathBuf;
use std::process::ExitCode;

use hypersender_openapi::{Source, prepare_json};

/// Where the List Instances example sits in the prepared document.
const LIST_EXAMPLE: &str = "/paths/~1instances/get/responses/200/content/application~1json/example";

fn main() -> ExitCode {
    println!("cargo::rerun-if-changed=build.rs");
    for input in hypersender_openapi::input_paths() {
        println!("cargo::rerun-if-changed={}", input.display());
    }
    std::panic::set_hook(Box::new(|_| {}));
    match write_seed() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: cannot extract the mock's seed instances: {message}");
            ExitCode::FAILURE
        }
    }
}

fn write_seed() -> Result<(), String> {
    let document = prepare_json(Source::VENDORED, Source::OVERLAY).map_err(|e| e.to_string())?;
    let example = document.pointer(LIST_EXAMPLE).ok_or_else(|| {
        format!(
            "{}: no example at {LIST_EXAMPLE} (the mock is seeded from it)",
            hypersender_openapi::SPEC_FILE
        )
    })?;
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?)
        .join("seed_instances.json");
    std::fs::write(&out, example.to_string())
        .map_err(|e| format!("cannot write {}: {e}", out.display()))
}
