//! What a consumer of the default features compiles: the client, not the
//! webhook receiver's or the onboarding router's server stack (axum),
//! which only the `axum` and `onboarding` features bring in.

use std::process::Command;

/// The packages `cargo tree` lists for `hypersender` with `features`.
fn packages(features: &[&str]) -> Vec<String> {
    let mut args = vec![
        "tree",
        "--locked",
        "--offline",
        "--package",
        "hypersender",
        "--edges",
        "normal",
        "--prefix",
        "none",
        "--format",
        "{p}",
    ];
    if !features.is_empty() {
        args.push("--features");
        args.extend_from_slice(features);
    }
    let output = Command::new(env!("CARGO"))
        .args(&args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo tree: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| line.split(' ').next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn default_features_bring_no_server_stack() {
    let default = packages(&[]);
    assert!(default.iter().any(|p| p == "reqwest"), "{default:?}");
    assert!(!default.iter().any(|p| p == "axum"), "{default:?}");
    // The features that serve do bring it (so the check above can fail).
    for feature in ["axum", "onboarding"] {
        assert!(
            packages(&[feature]).iter().any(|p| p == "axum"),
            "{feature} brings axum"
        );
    }
}
