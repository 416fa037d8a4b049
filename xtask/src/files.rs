//! Writing the vendored files so that a failure never leaves them half-written.

use std::path::{Path, PathBuf};

/// Writes every (file, content) pair: all contents go to temporary files in
/// the same folder first, then each is renamed over its target. A failure
/// before the renames leaves every target untouched.
pub fn write_all_atomically(files: &[(PathBuf, String)]) -> Result<(), String> {
    let mut staged = Vec::new();
    for (target, content) in files {
        let temporary = temporary_path(target);
        if let Err(e) = std::fs::write(&temporary, content) {
            for (_, written) in &staged {
                let _ = std::fs::remove_file(written);
            }
            return Err(format!("cannot write {}: {e}", temporary.display()));
        }
        staged.push((target, temporary));
    }
    for (target, temporary) in staged {
        std::fs::rename(&temporary, target)
            .map_err(|e| format!("cannot replace {}: {e}", target.display()))?;
    }
    Ok(())
}

fn temporary_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// The file's text, or a message naming it.
pub fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}
