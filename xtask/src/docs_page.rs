//! Reading the raw Markdown pages of docs.hypersender.com.
//!
//! Each operation's page ends with `## OpenAPI` followed by a four-backtick
//! fence whose info string is `yaml <source-file> <METHOD> <path>` and whose
//! body is that operation's slice of the OpenAPI document.

/// The OpenAPI block of one docs page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenApiBlock<'a> {
    /// The file the vendor generated the block from (`v1/.../enterprise-collection.json`).
    pub source_file: &'a str,
    /// The HTTP method the fence names, as written (`GET`).
    pub method: &'a str,
    /// The path the fence names (`/instances`).
    pub path: &'a str,
    /// The YAML text between the fences, byte for byte, ending in a newline.
    pub yaml: &'a str,
}

/// Why a page holds no usable OpenAPI block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageError {
    /// The page has no `## OpenAPI` heading followed by a yaml fence.
    NoBlock,
    /// The fence's info string is not `yaml <source-file> <METHOD> <path>`.
    BadInfoString(String),
    /// The fence is never closed.
    Unterminated,
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoBlock => f.write_str("no ```` yaml block after a `## OpenAPI` heading"),
            Self::BadInfoString(info) => write!(
                f,
                "the fence info string {info:?} is not `yaml <source-file> <METHOD> <path>`"
            ),
            Self::Unterminated => f.write_str("the OpenAPI block's ```` fence is never closed"),
        }
    }
}

impl std::error::Error for PageError {}

const FENCE: &str = "````";

/// Finds the OpenAPI block of a docs page.
pub fn extract_openapi_block(page: &str) -> Result<OpenApiBlock<'_>, PageError> {
    let heading =
        find_line(page, 0, |line| line.trim_end() == "## OpenAPI").ok_or(PageError::NoBlock)?;
    let (fence_start, fence_end) =
        find_line(page, heading.1, |line| line.starts_with(FENCE)).ok_or(PageError::NoBlock)?;
    let info = page[fence_start..fence_end].trim_end_matches(['\n', '\r']);
    let info = &info[FENCE.len()..];
    let (source_file, method, path) = parse_info(info)?;
    let (close_start, _) = find_line(page, fence_end, |line| line.trim_end() == FENCE)
        .ok_or(PageError::Unterminated)?;
    Ok(OpenApiBlock {
        source_file,
        method,
        path,
        yaml: &page[fence_end..close_start],
    })
}

fn parse_info(info: &str) -> Result<(&str, &str, &str), PageError> {
    let bad = || PageError::BadInfoString(info.to_owned());
    let mut words = info.split_whitespace();
    if words.next() != Some("yaml") {
        return Err(bad());
    }
    match (words.next(), words.next(), words.next(), words.next()) {
        (Some(source), Some(method), Some(path), None) if path.starts_with('/') => {
            Ok((source, method, path))
        }
        _ => Err(bad()),
    }
}

/// The byte range (start, end including its newline) of the first line at or
/// after `from` that satisfies `matches`.
fn find_line(text: &str, from: usize, matches: impl Fn(&str) -> bool) -> Option<(usize, usize)> {
    let mut start = from;
    while start < text.len() {
        let end = text[start..]
            .find('\n')
            .map_or(text.len(), |i| start + i + 1);
        if matches(&text[start..end]) {
            return Some((start, end));
        }
        start = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_the_block_and_its_info_string() {
        let page =
            "# T\n\n## OpenAPI\n\n````yaml v1/c.json GET /instances\nopenapi: 3.1.0\n\n````\n";
        let block = extract_openapi_block(page).unwrap();
        assert_eq!(block.source_file, "v1/c.json");
        assert_eq!(block.method, "GET");
        assert_eq!(block.path, "/instances");
        assert_eq!(block.yaml, "openapi: 3.1.0\n\n");
    }

    #[test]
    fn an_inner_three_backtick_fence_does_not_end_the_block() {
        let page = "## OpenAPI\n````yaml s GET /a\ndescription: |\n  ```json\n  {}\n  ```\n````\n";
        assert_eq!(
            extract_openapi_block(page).unwrap().yaml,
            "description: |\n  ```json\n  {}\n  ```\n"
        );
    }

    #[test]
    fn errors_say_what_is_missing() {
        assert_eq!(
            extract_openapi_block("<html>oops</html>"),
            Err(PageError::NoBlock)
        );
        assert_eq!(
            extract_openapi_block("## OpenAPI\n\ntext only\n"),
            Err(PageError::NoBlock)
        );
        assert_eq!(
            extract_openapi_block("## OpenAPI\n````yaml only-a-file\nx: 1\n````\n"),
            Err(PageError::BadInfoString("yaml only-a-file".into()))
        );
        assert_eq!(
            extract_openapi_block("## OpenAPI\n````yaml s GET /a\nx: 1\n"),
            Err(PageError::Unterminated)
        );
    }
}
