//! The committed generated files are what the vendored spec and the overlay
//! generate now: `cargo test` fails on a stale one, saying how to fix it
//! (the same comparison as `cargo xtask codegen --check`).

use hypersender_openapi::golden::{self, Freshness};
use hypersender_openapi::{GENERATED_HEADER, Source};

#[test]
fn the_golden_files_are_what_the_spec_generates() {
    let root = golden::workspace_root();
    let compared = golden::compare(&root, Source::VENDORED, Source::OVERLAY).unwrap();
    assert_eq!(compared.len(), golden::FILES.len());
    for (file, freshness) in compared {
        if let Freshness::Stale {
            committed,
            generated,
        } = freshness
        {
            let line = committed
                .lines()
                .zip(generated.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()))
                + 1;
            panic!(
                "{} ({}) is stale, first difference at line {line}: run `cargo xtask codegen --bless` and commit the result",
                file.path, file.what
            );
        }
    }
}

#[test]
fn every_golden_file_says_it_is_generated_and_how_to_regenerate_it() {
    let command = "`cargo xtask codegen --bless`";
    assert!(GENERATED_HEADER.contains(command));
    for file in golden::FILES {
        let text = file.generate(Source::VENDORED, Source::OVERLAY).unwrap();
        if file.path.ends_with(".rs") {
            assert!(text.starts_with(GENERATED_HEADER), "{}", file.path);
        } else {
            let json: serde_json::Value = serde_json::from_str(&text).unwrap();
            let (first_key, header) = json.as_object().unwrap().iter().next().unwrap();
            assert_eq!(first_key, golden::JSON_HEADER_KEY, "{}", file.path);
            assert!(header.as_str().unwrap().contains(command), "{}", file.path);
        }
    }
}

#[test]
fn generation_is_deterministic() {
    for file in golden::FILES {
        assert_eq!(
            file.generate(Source::VENDORED, Source::OVERLAY).unwrap(),
            file.generate(Source::VENDORED, Source::OVERLAY).unwrap(),
            "{}",
            file.path
        );
    }
}
