//! `cargo xtask codegen --check | --bless | --out DIR`: the golden files
//! (the committed generated code, see `hypersender_openapi::golden`).

use std::path::Path;

use hypersender_openapi::golden::{self, Freshness};
use hypersender_openapi::{OVERLAY_FILE, SPEC_FILE, Source};

use crate::Outcome;
use crate::files::read;

/// The two inputs, read from `root`'s openapi/ folder (not the copies
/// compiled into hypersender-openapi, so a refresh needs no rebuild).
fn inputs(root: &Path) -> Result<(String, String), String> {
    Ok((
        read(&root.join(SPEC_FILE))?,
        read(&root.join(OVERLAY_FILE))?,
    ))
}

fn sources<'a>(spec: &'a str, overlay: &'a str) -> (Source<'a>, Source<'a>) {
    (
        Source {
            name: SPEC_FILE,
            text: spec,
        },
        Source {
            name: OVERLAY_FILE,
            text: overlay,
        },
    )
}

/// `--check`: exit 1 with a unified diff per stale golden file.
pub fn check(root: &Path) -> Result<Outcome, String> {
    let (spec, overlay) = inputs(root)?;
    let (spec, overlay) = sources(&spec, &overlay);
    let mut outcome = Outcome::Ok;
    for (file, freshness) in golden::compare(root, spec, overlay)? {
        match freshness {
            Freshness::Fresh => println!("fresh: {}", file.path),
            Freshness::Stale {
                committed,
                generated,
            } => {
                outcome = Outcome::Drift;
                let diff = similar::TextDiff::from_lines(&committed, &generated);
                print!(
                    "{}",
                    diff.unified_diff()
                        .context_radius(3)
                        .header(&format!("a/{}", file.path), &format!("b/{}", file.path))
                );
                eprintln!(
                    "stale: {} ({}): run `cargo xtask codegen --bless` and commit the result",
                    file.path, file.what
                );
            }
        }
    }
    Ok(outcome)
}

/// `--bless`: rewrite the golden files that differ.
pub fn bless(root: &Path) -> Result<Outcome, String> {
    let (spec, overlay) = inputs(root)?;
    let (spec, overlay) = sources(&spec, &overlay);
    let written = golden::bless(root, spec, overlay)?;
    if written.is_empty() {
        println!("every golden file is fresh");
    }
    for path in written {
        println!("wrote {}", path.display());
    }
    Ok(Outcome::Ok)
}

/// `--out DIR`: everything generated, plus progenitor's input, for review.
pub fn write(root: &Path, out: &Path) -> Result<Outcome, String> {
    let (spec, overlay) = inputs(root)?;
    let (spec, overlay) = sources(&spec, &overlay);
    let (progenitor_input, _) =
        hypersender_openapi::prepare_for_progenitor(spec, overlay).map_err(|e| e.to_string())?;
    let progenitor_text =
        serde_json::to_string_pretty(&progenitor_input).expect("JSON serializes") + "\n";
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let mut files = vec![("progenitor-input.json".to_owned(), progenitor_text)];
    for file in golden::FILES {
        let text = file.generate(spec, overlay).map_err(|e| e.to_string())?;
        files.push((file.file_name().to_owned(), text));
    }
    for (name, text) in files {
        let path = out.join(name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(Outcome::Ok)
}
