//! Fetching the site index and the raw Markdown pages.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use crate::args::SpecArgs as SpecOptions;

/// One fetched page: its path on the site and its text.
#[derive(Debug, Clone)]
pub struct Page {
    /// The page's path, ending in `.md` (`/v1/api-reference/.../list-instances.md`).
    pub path: String,
    /// The page, byte for byte.
    pub text: String,
}

/// Downloads over HTTP with the options' timeout and retries.
pub struct Fetcher {
    client: reqwest::Client,
    options: SpecOptions,
}

impl Fetcher {
    pub fn new(options: &SpecOptions) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(options.timeout())
            .connect_timeout(options.timeout())
            .user_agent(concat!(
                "hypersender-rust-xtask/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
        Ok(Self {
            client,
            options: options.clone(),
        })
    }

    /// The site index, `llms.txt`.
    pub async fn index(&self) -> Result<String, String> {
        self.get("/llms.txt").await
    }

    /// Every page in `paths`, at most `concurrency` at a time, with a
    /// progress line per page on stderr. The first failure is returned.
    pub async fn pages(self: Arc<Self>, paths: Vec<String>) -> Result<Vec<Page>, String> {
        let permits = Arc::new(Semaphore::new(usize::from(self.options.concurrency)));
        let total = paths.len();
        let mut tasks = tokio::task::JoinSet::new();
        for path in paths {
            let fetcher = Arc::clone(&self);
            let permits = Arc::clone(&permits);
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await.map_err(|e| e.to_string())?;
                let started = Instant::now();
                let text = fetcher.get(&path).await?;
                eprintln!(
                    "fetched {path} ({} bytes, {} ms)",
                    text.len(),
                    started.elapsed().as_millis()
                );
                Ok::<_, String>(Page { path, text })
            });
        }
        let mut pages = Vec::with_capacity(total);
        while let Some(joined) = tasks.join_next().await {
            match joined.map_err(|e| format!("a fetch task failed: {e}"))? {
                Ok(page) => pages.push(page),
                Err(message) => {
                    tasks.abort_all();
                    return Err(message);
                }
            }
        }
        eprintln!("fetched {} of {total} pages", pages.len());
        Ok(pages)
    }

    /// GETs `path` on the docs site, retrying network errors, timeouts and
    /// 5xx/429 answers; refuses anything but a 200 with a non-HTML body.
    async fn get(&self, path: &str) -> Result<String, String> {
        let url = format!("{}{path}", self.options.docs_url);
        let mut attempt = 0;
        loop {
            match self.get_once(&url).await {
                Ok(text) => return Ok(text),
                Err(Failure::Final(message)) => return Err(format!("page {path}: {message}")),
                Err(Failure::Retryable(message)) if attempt < self.options.retries => {
                    attempt += 1;
                    eprintln!(
                        "retrying {path} ({attempt}/{}): {message}",
                        self.options.retries
                    );
                    tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
                }
                Err(Failure::Retryable(message)) => {
                    return Err(format!(
                        "page {path}: {message} (after {} tries)",
                        attempt + 1
                    ));
                }
            }
        }
    }

    async fn get_once(&self, url: &str) -> Result<String, Failure> {
        let response = self
            .client
            .get(url)
            .send()
            .await
            .map_err(|e| Failure::Retryable(describe(&e)))?;
        let status = response.status();
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(Failure::Retryable(format!("HTTP {status}")));
        }
        if status.as_u16() != 200 {
            return Err(Failure::Final(format!("HTTP {status}")));
        }
        let html_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
        let text = response
            .text()
            .await
            .map_err(|e| Failure::Retryable(describe(&e)))?;
        if html_type || looks_like_html(&text) {
            return Err(Failure::Final(
                "the server sent an HTML page, not the raw Markdown".into(),
            ));
        }
        Ok(text)
    }
}

enum Failure {
    Retryable(String),
    Final(String),
}

fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".into()
    } else if error.is_connect() {
        "could not connect".into()
    } else {
        error.to_string()
    }
}

fn looks_like_html(text: &str) -> bool {
    let start: String = text
        .trim_start()
        .chars()
        .take(15)
        .collect::<String>()
        .to_ascii_lowercase();
    start.starts_with("<!doctype html") || start.starts_with("<html")
}

/// The Enterprise API pages the index lists for `api_version`, as sorted,
/// de-duplicated `.md` paths. Index lines look like `- [Title](URL): text`.
pub fn enterprise_pages(index: &str, api_version: &str) -> Vec<String> {
    let prefix = format!("/{api_version}/api-reference/enterprise/");
    let mut paths: Vec<String> = index
        .lines()
        .filter_map(link_target)
        .map(url_path)
        .filter(|path| path.starts_with(&prefix))
        .map(|path| {
            if path.ends_with(".md") {
                path.to_owned()
            } else {
                format!("{path}.md")
            }
        })
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// `- [Title](URL): description` gives `URL`.
fn link_target(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix("- [")?;
    let start = rest.find("](")? + 2;
    let end = start + rest[start..].find(')')?;
    Some(&rest[start..end])
}

/// The path of an absolute or site-relative URL, without query or fragment.
fn url_path(url: &str) -> &str {
    let without_origin = match url.find("://") {
        Some(scheme_end) => url[scheme_end + 3..]
            .find('/')
            .map_or("/", |i| &url[scheme_end + 3 + i..]),
        None => url,
    };
    without_origin.split(['?', '#']).next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = "\
# Hypersender

## Enterprise
- [List Instances](https://docs.hypersender.com/v1/api-reference/enterprise/instance-management/list-instances): Retrieve all
- [Create Instance](https://docs.hypersender.com/v1/api-reference/enterprise/instance-management/create-instance.md): Create
- [Again](https://docs.hypersender.com/v1/api-reference/enterprise/instance-management/list-instances#top): duplicate
- [V2 twin](https://docs.hypersender.com/v2/api-reference/enterprise/instance-management/check-health): v2
- [Messages](https://docs.hypersender.com/v1/api-reference/messages/send-text): not enterprise
- not a link
";

    #[test]
    fn picks_enterprise_pages_of_the_version() {
        assert_eq!(
            enterprise_pages(INDEX, "v1"),
            [
                "/v1/api-reference/enterprise/instance-management/create-instance.md",
                "/v1/api-reference/enterprise/instance-management/list-instances.md",
            ]
        );
        assert_eq!(
            enterprise_pages(INDEX, "v2"),
            ["/v2/api-reference/enterprise/instance-management/check-health.md"]
        );
        assert!(enterprise_pages("", "v1").is_empty());
    }

    #[test]
    fn html_is_recognised() {
        assert!(looks_like_html("\n  <!DOCTYPE html><html>"));
        assert!(looks_like_html("<HTML><body>"));
        assert!(!looks_like_html("> ## Documentation Index"));
    }
}
