#!/usr/bin/env bash
# Runs one fuzz target for SECONDS (default 600), seeded with the recorded
# responses or the vendored spec. cargo-fuzz needs nightly-only flags; on a
# stable toolchain RUSTC_BOOTSTRAP=1 enables them.
#   fuzz/run.sh decode_response 600
#   fuzz/run.sh prepare_spec 600
#   fuzz/run.sh webhook 600
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?usage: fuzz/run.sh decode_response|prepare_spec|webhook [SECONDS]}
seconds=${2:-600}
mkdir -p "corpus/$target"
case "$target" in
  decode_response) cp ../tests/fixtures/*.json "corpus/$target/" ;;
  prepare_spec) cp ../openapi/hypersender-enterprise.yaml ../openapi/local-overlay.yaml "corpus/$target/" ;;
  # The recorded examples, each behind an Authorization line.
  webhook) for f in ../client/recorded/webhooks/*.json; do
             { echo "fuzz-secret"; cat "$f"; } >"corpus/$target/$(basename "$f")"
           done ;;
esac
RUSTC_BOOTSTRAP=1 cargo fuzz run -O "$target" "corpus/$target" -- -max_total_time="$seconds" -rss_limit_mb=4096
