//! The one skeleton of the build scripts that generate code (`client/` and
//! `httpmock/`, with their `codegen` feature): regenerate a golden file from the
//! vendored spec and the overlay into `$OUT_DIR`, where the crate includes
//! it instead of the committed copy.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::{Source, golden};

/// Generates the golden file at `golden_path` (workspace-relative, one of
/// [`golden::FILES`]) into `$OUT_DIR/<its file name>`, and tells cargo to
/// rerun only when the spec or the overlay changes. A bad spec is reported
/// as one line naming the file and the place, not as a panic backtrace.
pub fn generate(golden_path: &str) -> ExitCode {
    println!("cargo::rerun-if-changed=build.rs");
    for input in input_paths() {
        println!("cargo::rerun-if-changed={}", input.display());
    }
    // progenitor's own panics are caught and reported as messages, so
    // silence the default panic printer.
    std::panic::set_hook(Box::new(|_| {}));
    match write(golden_path) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: cannot generate {golden_path}: {message}");
            ExitCode::FAILURE
        }
    }
}

fn write(golden_path: &str) -> Result<(), String> {
    let file = golden::find(golden_path).ok_or("not a golden file of hypersender-openapi")?;
    let source = file
        .generate(Source::VENDORED, Source::OVERLAY)
        .map_err(|e| e.to_string())?;
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let out = out_dir.join(file.file_name());
    std::fs::write(&out, source).map_err(|e| format!("cannot write {}: {e}", out.display()))
}

/// Absolute paths of the input files, for `cargo::rerun-if-changed`.
pub fn input_paths() -> [PathBuf; 2] {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        dir.join("hypersender-enterprise.yaml"),
        dir.join("local-overlay.yaml"),
    ]
}
