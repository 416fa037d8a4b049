//! `cargo xtask serve-snapshot`: serves recorded docs pages on loopback, so
//! that `spec check` can run offline (CI) exactly as against the live site.
//!
//! Files are served from `DIR/docs.hypersender.com/<URL path>`. The site
//! index was not recorded, so unless `DIR/docs.hypersender.com/llms.txt`
//! exists, `/llms.txt` is made here in the site's format, listing the
//! recorded `.md` pages.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};

use crate::Outcome;
use crate::args::DOCS_SITE;

pub fn serve(dir: &Path, addr: &str) -> Result<Outcome, String> {
    let root = dir.join("docs.hypersender.com");
    if !root.is_dir() {
        return Err(format!(
            "{} is not a folder of recorded pages",
            root.display()
        ));
    }
    let listener = TcpListener::bind(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    println!("serving http://{local}");
    std::io::stdout().flush().map_err(|e| e.to_string())?;
    for stream in listener.incoming().flatten() {
        let root = root.clone();
        std::thread::spawn(move || {
            let _ = answer(stream, &root);
        });
    }
    Ok(Outcome::Ok)
}

fn answer(stream: TcpStream, root: &Path) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    let (status, body) = match body_for(root, path) {
        Some(body) => ("200 OK", body),
        None => ("404 Not Found", format!("no recorded page at {path}\n")),
    };
    let mut stream = reader.into_inner();
    write!(
        stream,
        "HTTP/1.1 {status}\r\ncontent-type: text/markdown; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn body_for(root: &Path, path: &str) -> Option<String> {
    let relative = path.split(['?', '#']).next()?.trim_start_matches('/');
    if relative
        .split('/')
        .any(|segment| segment == ".." || segment.is_empty())
    {
        return None;
    }
    let file = root.join(relative);
    if let Ok(text) = std::fs::read_to_string(&file) {
        return Some(text);
    }
    (relative == "llms.txt").then(|| made_index(root))
}

/// An index in the site's format listing every recorded page.
fn made_index(root: &Path) -> String {
    let mut pages = Vec::new();
    collect_pages(root, root, &mut pages);
    pages.sort();
    let mut index = String::from("# Hypersender (recorded pages)\n\n## Pages\n\n");
    for page in pages {
        let name = page.rsplit('/').next().unwrap_or_default();
        index.push_str(&format!("- [{name}]({DOCS_SITE}/{page}): recorded page\n"));
    }
    index
}

fn collect_pages(root: &Path, dir: &Path, pages: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path: PathBuf = entry.path();
        if path.is_dir() {
            collect_pages(root, &path, pages);
        } else if path.extension().is_some_and(|e| e == "md")
            && let Ok(relative) = path.strip_prefix(root)
        {
            pages.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}
