//! `cargo xtask mutants`: mutation testing with cargo-mutants of the files
//! whose every wrong line the tests must notice, group by group, each with
//! the test packages that exercise it. Equivalent mutants are excluded in
//! `.cargo/mutants.toml`, each with why. Exit 0 when no viable mutant
//! survives, 1 when one does (its name is printed), 2 when cargo-mutants
//! could not run.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::Outcome;

/// Files mutated together, and the packages whose tests must catch them.
pub struct Group {
    /// What `--group` names.
    pub name: &'static str,
    /// Workspace-relative files (cargo-mutants `--file` globs).
    pub files: &'static [&'static str],
    /// The test packages (`--test-package`).
    pub packages: &'static [&'static str],
}

/// The request path, the limiter, the catalog's rule engine, the flows, the
/// webhook receiver, the onboarding router.
pub const GROUPS: &[Group] = &[
    Group {
        name: "request-path",
        files: &[
            "client/src/runtime/mod.rs",
            "client/src/runtime/request.rs",
            "client/src/runtime/response.rs",
            "client/src/runtime/retry.rs",
            "client/src/runtime/redact.rs",
            "client/src/client.rs",
            "client/src/error.rs",
        ],
        packages: &["hypersender", "hypersender-tests"],
    },
    Group {
        name: "limiter",
        files: &["client/src/runtime/limiter.rs"],
        packages: &["hypersender", "hypersender-tests"],
    },
    Group {
        name: "catalog",
        files: &[
            "client/src/catalog/rules.rs",
            "client/src/catalog/arguments.rs",
            "client/src/catalog/model.rs",
        ],
        packages: &["hypersender", "hypersender-tests"],
    },
    Group {
        name: "flows",
        files: &["client/src/flows/*.rs", "client/src/flows/fleet/*.rs"],
        packages: &["hypersender", "hypersender-tests"],
    },
    Group {
        name: "webhooks",
        files: &["client/src/webhooks/*.rs"],
        packages: &["hypersender", "hypersender-tests"],
    },
    Group {
        name: "onboarding",
        files: &["client/src/onboarding/*.rs"],
        packages: &["hypersender", "hypersender-tests"],
    },
];

/// Runs the groups named in `only` (all when empty), passing `in_diff` on.
pub fn run(root: &Path, only: &[String], in_diff: Option<&Path>) -> Result<Outcome, String> {
    let unknown: Vec<&String> = only
        .iter()
        .filter(|name| !GROUPS.iter().any(|g| g.name == name.as_str()))
        .collect();
    if !unknown.is_empty() {
        let names: Vec<&str> = GROUPS.iter().map(|g| g.name).collect();
        return Err(format!(
            "unknown group {unknown:?}; the groups are {}",
            names.join(", ")
        ));
    }
    let mut survivors = Vec::new();
    for group in GROUPS
        .iter()
        .filter(|g| only.is_empty() || only.iter().any(|n| n == g.name))
    {
        survivors.extend(run_group(root, group, in_diff)?);
    }
    if survivors.is_empty() {
        println!("no viable mutant survived");
        Ok(Outcome::Ok)
    } else {
        println!("{} mutant(s) survived:", survivors.len());
        for survivor in &survivors {
            println!("  {survivor}");
        }
        Ok(Outcome::Drift)
    }
}

/// One group: cargo-mutants into `target/mutants/<group>`, then its counts.
fn run_group(root: &Path, group: &Group, in_diff: Option<&Path>) -> Result<Vec<String>, String> {
    let output = root.join("target/mutants").join(group.name);
    std::fs::create_dir_all(&output)
        .map_err(|e| format!("cannot create {}: {e}", output.display()))?;
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .current_dir(root)
        .args([
            "mutants",
            "--no-shuffle",
            "--baseline",
            "skip",
            "--timeout",
            "300",
        ])
        .arg("--output")
        .arg(&output);
    for file in group.files {
        command.args(["--file", file]);
    }
    for package in group.packages {
        command.args(["--test-package", package]);
    }
    if let Some(diff) = in_diff {
        command.arg("--in-diff").arg(diff);
    }
    println!("mutants of {}: {}", group.name, group.files.join(" "));
    let started = Instant::now();
    let status = command.status().map_err(|e| {
        format!("cannot run cargo mutants (cargo install cargo-mutants --locked): {e}")
    })?;
    // 0: all caught; 2: some missed; 3: some timed out; others: a failure.
    if !matches!(status.code(), Some(0 | 2 | 3)) {
        return Err(format!("cargo mutants failed for {}: {status}", group.name));
    }
    let results = output.join("mutants.out");
    let read = |name: &str| -> Vec<String> {
        std::fs::read_to_string(results.join(name))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    };
    let (caught, missed, unviable, timeout) = (
        read("caught.txt"),
        read("missed.txt"),
        read("unviable.txt"),
        read("timeout.txt"),
    );
    println!(
        "{}: {} mutants, {} caught, {} timed out (caught), {} unviable, {} missed, {:.0} min",
        group.name,
        caught.len() + missed.len() + unviable.len() + timeout.len(),
        caught.len(),
        timeout.len(),
        unviable.len(),
        missed.len(),
        started.elapsed().as_secs_f64() / 60.0
    );
    Ok(missed)
}
