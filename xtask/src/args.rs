//! The command line, read by clap (as the `hypersender` CLI is).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

/// The canonical docs site; provenance records URLs on it even when the
/// pages were fetched from a mirror.
pub const DOCS_SITE: &str = "https://docs.hypersender.com";

/// Maintenance commands of the hypersender workspace. Exit codes: 0 done
/// (no drift, golden files fresh), 1 drift or stale golden files, 2 could
/// not check (docs unreachable or unparseable, bad arguments).
#[derive(Debug, Parser)]
#[command(name = "cargo xtask")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// A maintenance command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Keep the vendored spec in step with docs.hypersender.com.
    #[command(subcommand)]
    Spec(SpecCommand),
    /// Check, rewrite or write out the generated code (the golden files).
    Codegen(CodegenArgs),
    /// Serve recorded docs pages on loopback (what CI checks the spec against).
    ServeSnapshot(ServeArgs),
    /// Mutation testing (cargo-mutants) of the request path, the limiter,
    /// the catalog's rules and the flows: exit 1 if a viable mutant survives.
    Mutants(MutantsArgs),
}

/// `mutants`.
#[derive(Debug, Args)]
pub struct MutantsArgs {
    /// Only these groups (request-path, limiter, catalog, flows); default all.
    #[arg(long = "group", value_name = "NAME")]
    pub groups: Vec<String>,
    /// Only mutants in the lines a diff touches (`git diff main > d.diff`).
    #[arg(long, value_name = "FILE")]
    pub in_diff: Option<PathBuf>,
    /// The workspace (default: this one).
    #[arg(long, value_name = "DIR", default_value_os_t = workspace_root())]
    pub root: PathBuf,
}

/// `spec refresh` and `spec check`.
#[derive(Debug, Subcommand)]
pub enum SpecCommand {
    /// Fetch the Enterprise pages and rewrite openapi/ (spec, provenance, recorded pages).
    Refresh(SpecArgs),
    /// The same fetch, writing nothing: exit 0 no drift, 1 drift, 2 could not check.
    Check(SpecArgs),
}

/// Options of `spec refresh` and `spec check`.
#[derive(Debug, Clone, Args)]
pub struct SpecArgs {
    /// The docs site or a mirror of it.
    #[arg(long, default_value = DOCS_SITE, value_parser = parse_docs_url, value_name = "URL")]
    pub docs_url: String,
    /// The API tree to read (v1 or v2).
    #[arg(long, default_value = "v1", value_name = "V")]
    pub api_version: String,
    /// Where the vendored spec lives (default: the workspace's openapi/).
    #[arg(long, value_name = "DIR", default_value_os_t = workspace_root().join("openapi"))]
    pub openapi_dir: PathBuf,
    /// Pages fetched at once (8 small static pages: 20 pages in 3 rounds).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..), value_name = "N")]
    pub concurrency: u16,
    /// Per request, in seconds.
    #[arg(long = "timeout", default_value_t = 10.0, value_name = "SECS")]
    pub timeout_secs: f64,
    /// Extra tries per request on network errors and 5xx.
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub retries: u32,
}

impl SpecArgs {
    /// The per-request timeout.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs_f64(self.timeout_secs.max(0.001))
    }
}

/// `codegen`: exactly one of `--check`, `--bless`, `--out`.
#[derive(Debug, Args)]
pub struct CodegenArgs {
    /// Compare the golden files with what the spec generates; exit 1 with a
    /// unified diff when they differ.
    #[arg(long, conflicts_with_all = ["bless", "out"], required_unless_present_any = ["bless", "out"])]
    pub check: bool,
    /// Rewrite the golden files that differ.
    #[arg(long, conflicts_with = "out")]
    pub bless: bool,
    /// Write the contract document, progenitor's input and the generated
    /// Rust into DIR, for review (the golden files are left alone).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The workspace whose openapi/ inputs and golden files to use.
    #[arg(long, value_name = "DIR", default_value_os_t = workspace_root())]
    pub root: PathBuf,
}

/// `serve-snapshot`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The recorded pages (default: the workspace's openapi/docs-snapshot).
    #[arg(long, value_name = "DIR", default_value_os_t = workspace_root().join("openapi/docs-snapshot"))]
    pub dir: PathBuf,
    /// Where to listen; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    pub addr: String,
}

/// The workspace this xtask belongs to.
pub fn workspace_root() -> PathBuf {
    let xtask_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask_dir.parent().unwrap_or(xtask_dir).to_path_buf()
}

fn parse_docs_url(text: &str) -> Result<String, String> {
    if text.starts_with("http://") || text.starts_with("https://") {
        Ok(text.trim_end_matches('/').to_owned())
    } else {
        Err("must be an http or https URL".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Command, String> {
        let words = std::iter::once("xtask").chain(line.split_whitespace());
        Cli::try_parse_from(words)
            .map(|cli| cli.command)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn spec_options_have_defaults_and_overrides() {
        let Ok(Command::Spec(SpecCommand::Check(options))) =
            parse("spec check --docs-url http://127.0.0.1:9/ --timeout 0.5 --retries 0")
        else {
            panic!("check parses")
        };
        assert_eq!(options.docs_url, "http://127.0.0.1:9");
        assert_eq!(options.api_version, "v1");
        assert_eq!(options.timeout(), Duration::from_millis(500));
        assert_eq!(options.retries, 0);
        assert_eq!(options.concurrency, 8);
        assert!(options.openapi_dir.ends_with("openapi"));
    }

    #[test]
    fn usage_errors_say_what_is_wrong() {
        let error = |line: &str| parse(line).unwrap_err();
        assert!(error("spec check --bogus 1").contains("unexpected argument '--bogus'"));
        assert!(error("spec check --timeout").contains("a value is required for '--timeout"));
        assert!(error("spec check --retries x").contains("invalid value 'x' for '--retries"));
        assert!(error("spec check --docs-url ftp://x").contains("must be an http or https URL"));
        assert!(error("codegen").contains("required"));
        assert!(error("codegen --check --bless").contains("cannot be used with"));
        assert!(error("spec drift").contains("unrecognized subcommand 'drift'"));
    }
}
