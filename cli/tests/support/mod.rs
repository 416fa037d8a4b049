//! What the CLI tests share: the binary run against a base URL (every run
//! checked for a leaked API token or a panic), a mock on its own runtime,
//! and golden files.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

use chrono::{TimeZone, Utc};
use hypersender_mock_server::{MockConfig, MockServer};

pub const WORKING_ID: &str = "fa3d01c4-1234-4c0d-a12f-df319b612f8c";
pub const WAITING_ID: &str = "c9a1dd76-5678-4f9d-9012-a5b78de100c3";
/// The API token the tests use; no output may ever contain it.
pub const API_TOKEN: &str = "7|cliTestApiTokenSecretPart0123456789";
/// The seeded WORKING instance's access token (the documented example).
pub const ACCESS_TOKEN: &str = "234|3uB2pBST2H6If8twXIeUaeNu23VJ8XassYoOVJuva48388e1";

/// A mock on its own runtime, so tests can run the binary synchronously.
pub struct Mock {
    pub server: MockServer,
    _runtime: tokio::runtime::Runtime,
}

impl Mock {
    pub fn start(config: MockConfig) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let server = runtime
            .block_on(MockServer::start(config.token(API_TOKEN)))
            .unwrap();
        Self {
            server,
            _runtime: runtime,
        }
    }

    /// Frozen at a fixed time, so created instances print the same each run.
    pub fn frozen() -> Self {
        let at = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        Self::start(MockConfig::default().frozen_clock(at))
    }

    /// Runs the binary against this mock.
    pub fn run(&self, args: &[&str]) -> Run {
        against(&self.server.base_url(), args)
    }
}

/// Runs `hypersender --base-url <base_url> --token <API_TOKEN> args...`.
pub fn against(base_url: &str, args: &[&str]) -> Run {
    let mut all = vec!["--base-url", base_url, "--token", API_TOKEN];
    all.extend_from_slice(args);
    hypersender(&all, &[])
}

#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the binary with a clean environment plus `env`; checks that the
/// API token appears in no output.
pub fn hypersender(args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_hypersender"))
        .args(args)
        .env_remove("HYPERSENDER_TOKEN")
        .env_remove("HYPERSENDER_BASE_URL")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let run = Run {
        code: output.status.code().unwrap(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    };
    for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(
            !text.contains(API_TOKEN),
            "the API token leaked to {name}: {run:?}"
        );
        assert!(!text.contains("panicked"), "{run:?}");
    }
    run
}

/// Compares with tests/golden/<name>, or rewrites it with UPDATE_GOLDEN=1.
pub fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    assert_eq!(actual, expected, "output differs from {}", path.display());
}

pub fn succeeded(run: Run) -> Run {
    assert_eq!(run.code, 0, "{run:?}");
    run
}
