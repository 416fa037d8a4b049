//! Generates the client from the vendored spec and the local overlay:
//! hypersender-openapi prepares the document (overlay, 3.1 -> 3.0, operation
//! ids) and generates the Rust source, which lands in `$OUT_DIR/codegen.rs`.

use std::path::PathBuf;
use std::process::ExitCode;

use hypersender_openapi::{Source, client_source};

fn main() -> ExitCode {
    // Rerun only when an input changes: an unchanged spec never regenerates.
    println!("cargo::rerun-if-changed=build.rs");
    for input in hypersender_openapi::input_paths() {
        println!("cargo::rerun-if-changed={}", input.display());
    }
    // A bad spec is reported as one line naming the file and the place, not
    // as a panic backtrace; progenitor's own panics are caught and reported
    // the same way, so silence the default panic printer.
    std::panic::set_hook(Box::new(|_| {}));
    match generate() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: cannot generate the Hypersender client: {message}");
            ExitCode::FAILURE
        }
    }
}

fn generate() -> Result<(), String> {
    let source = client_source(Source::VENDORED, Source::OVERLAY).map_err(|e| e.to_string())?;
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let out = out_dir.join("codegen.rs");
    std::fs::write(&out, source).map_err(|e| format!("cannot write {}: {e}", out.display()))
}
