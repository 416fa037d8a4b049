//! With the `codegen` feature (this workspace), regenerates the typed mocks
//! from the same spec and settings as the client into
//! `$OUT_DIR/httpmock.rs`; without it, `generated/httpmock.rs` is used.

fn main() -> std::process::ExitCode {
    #[cfg(feature = "codegen")]
    return hypersender_openapi::build_script::generate("httpmock/generated/httpmock.rs");
    #[cfg(not(feature = "codegen"))]
    {
        println!("cargo::rerun-if-changed=build.rs");
        std::process::ExitCode::SUCCESS
    }
}
