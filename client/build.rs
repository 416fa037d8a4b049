//! With the `codegen` feature (enabled in this workspace), regenerates the
//! client from the vendored spec and the overlay into `$OUT_DIR/client.rs`;
//! without it (every consumer), the committed `generated/client.rs` is used
//! and nothing is generated.

fn main() -> std::process::ExitCode {
    #[cfg(feature = "codegen")]
    return hypersender_openapi::build_script::generate("client/generated/client.rs");
    #[cfg(not(feature = "codegen"))]
    {
        println!("cargo::rerun-if-changed=build.rs");
        std::process::ExitCode::SUCCESS
    }
}
