//! Any text as the vendored spec: preparation returns a document or an
//! error naming the file, never a panic.
#![no_main]

use hypersender_openapi::{Source, prepare_for_progenitor};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let spec = Source { name: "fuzzed.yaml", text };
    let _ = prepare_for_progenitor(spec, Source::OVERLAY);
});
