//! `cargo xtask codegen --out DIR`: what a spec change does to the code, for review.

use std::path::Path;

use hypersender_openapi::{OVERLAY_FILE, SPEC_FILE, Source};

use crate::Outcome;
use crate::files::read;

/// Writes `openapi-prepared.json` (the OpenAPI 3.0 document progenitor
/// reads) and `codegen.rs` (what the build script generates) into `out`,
/// using the same preparation and settings as the build.
pub fn write(openapi_dir: &Path, out: &Path) -> Result<Outcome, String> {
    let spec_text = read(&openapi_dir.join("hypersender-enterprise.yaml"))?;
    let overlay_text = read(&openapi_dir.join("local-overlay.yaml"))?;
    let spec = Source {
        name: SPEC_FILE,
        text: &spec_text,
    };
    let overlay = Source {
        name: OVERLAY_FILE,
        text: &overlay_text,
    };
    let prepared = hypersender_openapi::prepare_json(spec, overlay).map_err(|e| e.to_string())?;
    let source = hypersender_openapi::client_source(spec, overlay).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let prepared_text = serde_json::to_string_pretty(&prepared).expect("JSON serializes") + "\n";
    for (name, text) in [
        ("openapi-prepared.json", prepared_text),
        ("codegen.rs", source),
    ] {
        let path = out.join(name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(Outcome::Ok)
}
