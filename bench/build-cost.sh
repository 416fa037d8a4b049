#!/usr/bin/env bash
# Build cost, measured in one run on this machine:
#  1. users: a clean debug build of `hypersender` (default features) versus
#     the hand-written baseline-client (reqwest + serde + chrono, same TLS
#     choice), same profile and Cargo.lock, separate empty target folders,
#     one after the other;
#  2. maintainers: a rebuild after touching a source file must not rerun the
#     build script (generation); after touching the spec it must (control).
# Usage: bench/build-cost.sh [SCRATCH_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=${1:-$(mktemp -d)}
cargo fetch --locked --quiet

seconds_of() { # name, cargo build arguments...
  local name=$1; shift
  rm -rf "${scratch:?}/$name"
  local start end
  start=$(date +%s.%N)
  cargo build --locked --quiet --target-dir "$scratch/$name" "$@"
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}

echo "machine: $(nproc) cores, $(rustc --version)"
baseline=$(seconds_of baseline -p baseline-client)
generated=$(seconds_of hypersender -p hypersender)
printf 'clean build, baseline-client: %.1f s\n' "$baseline"
printf 'clean build, hypersender:     %.1f s\n' "$generated"
printf 'ratio hypersender / baseline: %.2f\n' "$(awk -v g="$generated" -v b="$baseline" 'BEGIN { print g / b }')"

build_script_runs() {
  cargo build --locked -v --target-dir "$scratch/hypersender" -p hypersender 2>&1 \
    | grep -c 'Running `[^`]*hypersender-[0-9a-f]*/build-script-build`' || true
}
touch client/src/lib.rs
echo "build script runs after touching client/src/lib.rs: $(build_script_runs) (expected 0)"
touch openapi/local-overlay.yaml
echo "build script runs after touching openapi/local-overlay.yaml: $(build_script_runs) (expected 1)"
