#!/usr/bin/env bash
# Build cost, measured in one run on this machine (run it on an otherwise
# idle machine: a parallel build once doubled one side of the ratio):
#  1. consumers: a fresh one-crate project depending on `hypersender` (a path
#     dependency with default features, so it is what the published crate
#     compiles: the golden generated code, no generator), against a fresh
#     one-crate project using reqwest (rustls) + serde + serde_json + chrono
#     directly, both with tokio (macros, rt-multi-thread) and a main that
#     lists instances. Each project is its own workspace with the default
#     dev profile, this workspace's Cargo.lock (so both resolve the same
#     versions) and an empty target folder, dependencies already
#     downloaded; they are built in the order direct, SDK, SDK, direct, so
#     a machine that warms up or slows down over the run loads both sides
#     alike. The ratio of the means is the cost of the SDK over
#     hand-writing the client (goal: <= 1.05);
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
  # The workspace's versions; cargo drops the packages the project does not use.
  cp "$workspace/Cargo.lock" "$dir/Cargo.lock"
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

echo "machine: $(nproc) cores, $(rustc --version), load $(cut -d' ' -f1-3 /proc/loadavg)"
direct1=$(seconds_to_build consumer-direct)
sdk1=$(seconds_to_build consumer-sdk)
sdk2=$(seconds_to_build consumer-sdk)
direct2=$(seconds_to_build consumer-direct)
printf 'fresh consumer builds, in order: direct %.1f s, SDK %.1f s, SDK %.1f s, direct %.1f s\n' \
  "$direct1" "$sdk1" "$sdk2" "$direct2"
awk -v d1="$direct1" -v d2="$direct2" -v s1="$sdk1" -v s2="$sdk2" 'BEGIN {
  d = (d1 + d2) / 2; s = (s1 + s2) / 2
  printf "the SDK adds %.1f s to a fresh build (%.1f s against %.1f s)\n", s - d, s, d
  printf "ratio hypersender / direct: %.2f (goal <= 1.05)\n", s / d
}'
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
