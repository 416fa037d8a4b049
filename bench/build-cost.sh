#!/usr/bin/env bash
# Build cost, measured in one run on this machine:
#  1. consumers: a fresh one-crate project depending on `hypersender` (a path
#     dependency with default features, so it is what the published crate
#     compiles: the golden generated code, no generator), against a fresh
#     one-crate project using reqwest (rustls) + serde + serde_json + chrono
#     directly. Each project is its own workspace with the default dev
#     profile and an empty target folder; the two are built one after the
#     other, dependencies already downloaded. The ratio is the cost of the
#     SDK over hand-writing the client (goal: <= 1.10);
#  2. maintainers: in this workspace (codegen on), a rebuild after touching a
#     source file must not rerun the build script (generation); after
#     touching the spec it must (control).
# Usage: bench/build-cost.sh [SCRATCH_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
workspace=$(pwd)
scratch=${1:-$(mktemp -d)}
mkdir -p "$scratch"

# One consumer project: its manifest's [dependencies], and its main.rs.
new_project() { # name, dependencies, main.rs
  local dir="$scratch/$1"
  rm -rf "$dir"
  mkdir -p "$dir/src"
  cat >"$dir/Cargo.toml" <<EOF
[package]
name = "$1"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
$2

# A workspace of its own: the consumer is not part of this repository's.
[workspace]
EOF
  printf '%s\n' "$3" >"$dir/src/main.rs"
  (cd "$dir" && cargo generate-lockfile --quiet --offline 2>/dev/null || cargo generate-lockfile --quiet)
  (cd "$dir" && cargo fetch --quiet)
}

seconds_to_build() { # name
  local dir="$scratch/$1" start end
  rm -rf "$dir/target"
  start=$(date +%s.%N)
  (cd "$dir" && cargo build --quiet --offline)
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}

new_project consumer-sdk \
  "hypersender = { path = \"$workspace/client\" }
tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }" \
  '#[tokio::main]
async fn main() -> Result<(), hypersender::Error> {
    let client = hypersender::Client::from_env()?;
    for instance in client.list_instances().send().await? {
        println!("{} {}", instance.id, instance.status);
    }
    Ok(())
}'

new_project consumer-direct \
  'reqwest = { version = "0.13", default-features = false, features = ["json", "query", "rustls"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
chrono = { version = "0.4", default-features = false, features = ["std", "clock", "serde"] }
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }' \
  '#[derive(serde::Deserialize)]
struct Instance {
    id: String,
    status: String,
    #[allow(dead_code)]
    created_at: chrono::NaiveDateTime,
}

#[tokio::main]
async fn main() -> Result<(), reqwest::Error> {
    let token = std::env::var("HYPERSENDER_TOKEN").unwrap_or_default();
    let instances: Vec<Instance> = reqwest::Client::new()
        .get("https://app.hypersender.com/api/whatsapp/v1/instances")
        .bearer_auth(token)
        .send()
        .await?
        .json()
        .await?;
    for instance in instances {
        println!("{} {}", instance.id, instance.status);
    }
    Ok(())
}'

echo "machine: $(nproc) cores, $(rustc --version)"
direct=$(seconds_to_build consumer-direct)
sdk=$(seconds_to_build consumer-sdk)
printf 'fresh consumer build, reqwest + serde + serde_json + chrono: %.1f s\n' "$direct"
printf 'fresh consumer build, hypersender:                          %.1f s\n' "$sdk"
printf 'ratio hypersender / direct: %.2f (goal <= 1.10)\n' \
  "$(awk -v s="$sdk" -v d="$direct" 'BEGIN { print s / d }')"
if (cd "$scratch/consumer-sdk" && cargo tree --offline -e normal,build 2>/dev/null | grep -qE 'progenitor v|typify|regress|hypersender-openapi'); then
  echo "the consumer compiles the generator: FAIL"
else
  echo "the consumer compiles the generator: no"
fi

# Maintainers: the build script reruns only when the spec changes.
build_script_runs() {
  cargo build --locked -v -p hypersender --features codegen --target-dir "$scratch/workspace" 2>&1 |
    grep -c 'Running `[^`]*hypersender-[0-9a-f]*/build-script-build`' || true
}
build_script_runs >/dev/null
touch client/src/lib.rs
echo "build script runs after touching client/src/lib.rs: $(build_script_runs) (expected 0)"
touch openapi/local-overlay.yaml
echo "build script runs after touching openapi/local-overlay.yaml: $(build_script_runs) (expected 1)"
