//! Command-line parsing (a handful of flags: no parser crate needed).

use std::path::PathBuf;
use std::time::Duration;

/// Shown for `help` and after a usage error.
pub const USAGE: &str = "\
usage:
  cargo xtask spec refresh [OPTIONS]   fetch the Enterprise API pages and rewrite the vendored spec
  cargo xtask spec check   [OPTIONS]   fetch and compare, writing nothing (exit 0 same, 1 drift, 2 could not check)
  cargo xtask codegen --out DIR [--openapi-dir DIR]
                                       write the prepared OpenAPI 3.0 document and the generated Rust for review
  cargo xtask serve-snapshot [--dir DIR] [--addr ADDR]
                                       serve recorded docs pages (default openapi/docs-snapshot) on loopback

OPTIONS:
  --docs-url URL       docs site or a mirror of it (default https://docs.hypersender.com)
  --api-version V      API tree to read, v1 or v2 (default v1)
  --openapi-dir DIR    where the vendored spec lives (default the workspace's openapi/)
  --concurrency N      pages fetched at once (default 8)
  --timeout SECS       per request (default 10)
  --retries N          extra tries per request on network errors and 5xx (default 2)";

/// The canonical docs site; provenance records URLs on it even when the
/// pages were fetched from a mirror.
pub const DOCS_SITE: &str = "https://docs.hypersender.com";

/// Options of `spec refresh` and `spec check`.
#[derive(Debug, Clone)]
pub struct SpecOptions {
    pub docs_url: String,
    pub api_version: String,
    pub openapi_dir: PathBuf,
    pub concurrency: usize,
    pub timeout: Duration,
    pub retries: u32,
}

/// A parsed command line.
#[derive(Debug)]
pub enum Command {
    Help,
    Refresh(SpecOptions),
    Check(SpecOptions),
    Codegen { openapi_dir: PathBuf, out: PathBuf },
    ServeSnapshot { dir: PathBuf, addr: String },
}

fn workspace_openapi_dir() -> PathBuf {
    let xtask_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask_dir.parent().unwrap_or(xtask_dir).join("openapi")
}

impl Command {
    pub fn parse(arguments: &[String]) -> Result<Self, String> {
        let words: Vec<&str> = arguments.iter().map(String::as_str).collect();
        match words.as_slice() {
            [] | ["help" | "--help" | "-h", ..] => Ok(Self::Help),
            ["spec", "refresh", rest @ ..] => Ok(Self::Refresh(spec_options(rest)?)),
            ["spec", "check", rest @ ..] => Ok(Self::Check(spec_options(rest)?)),
            ["codegen", rest @ ..] => {
                let mut flags = Flags::new(rest, &["--out", "--openapi-dir"])?;
                let out = flags.take("--out").ok_or("codegen needs --out DIR")?;
                let openapi_dir = flags
                    .take("--openapi-dir")
                    .map_or_else(workspace_openapi_dir, PathBuf::from);
                Ok(Self::Codegen {
                    openapi_dir,
                    out: PathBuf::from(out),
                })
            }
            ["serve-snapshot", rest @ ..] => {
                let mut flags = Flags::new(rest, &["--dir", "--addr"])?;
                let dir = flags.take("--dir").map_or_else(
                    || workspace_openapi_dir().join("docs-snapshot"),
                    PathBuf::from,
                );
                let addr = flags.take("--addr").unwrap_or_else(|| "127.0.0.1:0".into());
                Ok(Self::ServeSnapshot { dir, addr })
            }
            other => Err(format!("unknown command `{}`", other.join(" "))),
        }
    }
}

fn spec_options(rest: &[&str]) -> Result<SpecOptions, String> {
    let mut flags = Flags::new(
        rest,
        &[
            "--docs-url",
            "--api-version",
            "--openapi-dir",
            "--concurrency",
            "--timeout",
            "--retries",
        ],
    )?;
    let docs_url = flags.take("--docs-url").unwrap_or_else(|| DOCS_SITE.into());
    if !(docs_url.starts_with("http://") || docs_url.starts_with("https://")) {
        return Err(format!(
            "--docs-url {docs_url:?} must be an http or https URL"
        ));
    }
    Ok(SpecOptions {
        docs_url: docs_url.trim_end_matches('/').to_owned(),
        api_version: flags.take("--api-version").unwrap_or_else(|| "v1".into()),
        openapi_dir: flags
            .take("--openapi-dir")
            .map_or_else(workspace_openapi_dir, PathBuf::from),
        // 8 small static pages at once: 20 pages in 3 rounds, still polite.
        concurrency: flags.number("--concurrency", 8)?.max(1),
        timeout: Duration::from_secs_f64(flags.number("--timeout", 10.0)?),
        retries: flags.number("--retries", 2)?,
    })
}

/// `--name value` pairs, each name at most once, only the known names.
struct Flags(Vec<(String, String)>);

impl Flags {
    fn new(words: &[&str], known: &[&str]) -> Result<Self, String> {
        let mut pairs = Vec::new();
        let mut words = words.iter();
        while let Some(name) = words.next() {
            if !known.contains(name) {
                return Err(format!("unknown option `{name}`"));
            }
            let value = words
                .next()
                .ok_or_else(|| format!("{name} needs a value"))?;
            if pairs.iter().any(|(n, _)| n == name) {
                return Err(format!("{name} is given twice"));
            }
            pairs.push(((*name).to_owned(), (*value).to_owned()));
        }
        Ok(Self(pairs))
    }

    fn take(&mut self, name: &str) -> Option<String> {
        let index = self.0.iter().position(|(n, _)| n == name)?;
        Some(self.0.remove(index).1)
    }

    fn number<T: std::str::FromStr>(&mut self, name: &str, default: T) -> Result<T, String> {
        match self.take(name) {
            None => Ok(default),
            Some(text) => text
                .parse()
                .map_err(|_| format!("{name} takes a number, not {text:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Command, String> {
        let words: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
        Command::parse(&words)
    }

    #[test]
    fn spec_options_have_defaults_and_overrides() {
        let Ok(Command::Check(options)) =
            parse("spec check --docs-url http://127.0.0.1:9/ --timeout 0.5 --retries 0")
        else {
            panic!("check parses")
        };
        assert_eq!(options.docs_url, "http://127.0.0.1:9");
        assert_eq!(options.api_version, "v1");
        assert_eq!(options.timeout, Duration::from_millis(500));
        assert_eq!(options.retries, 0);
        assert_eq!(options.concurrency, 8);
    }

    #[test]
    fn usage_errors_say_what_is_wrong() {
        assert_eq!(
            parse("spec check --bogus 1").unwrap_err(),
            "unknown option `--bogus`"
        );
        assert_eq!(
            parse("spec check --timeout").unwrap_err(),
            "--timeout needs a value"
        );
        assert_eq!(
            parse("spec check --retries x").unwrap_err(),
            "--retries takes a number, not \"x\""
        );
        assert_eq!(
            parse("spec check --docs-url ftp://x").unwrap_err(),
            "--docs-url \"ftp://x\" must be an http or https URL"
        );
        assert_eq!(parse("codegen").unwrap_err(), "codegen needs --out DIR");
        assert_eq!(
            parse("spec drift").unwrap_err(),
            "unknown command `spec drift`"
        );
    }
}
