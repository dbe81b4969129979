#!/usr/bin/env bash
# Runs each fuzz target for SECONDS (default 1200 = 20 minutes) on the seed corpus, one after
# the other: `core/fuzz/run.sh [SECONDS] [TARGET…]`. Needs `cargo install cargo-fuzz`; the
# sanitizer flags need a nightly compiler, or RUSTC_BOOTSTRAP=1 on a stable one.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-1200}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(parse policy evaluate)
export RUSTC_BOOTSTRAP=${RUSTC_BOOTSTRAP:-1}
./seed.sh
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" artifacts
  echo "== $t for ${seconds}s"
  cargo fuzz run "$t" "corpus/$t" "seeds/$t" -- -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 2>&1 | tee "logs-$t.txt" | grep -E "^#[0-9]+.*(DONE|pulse)|ERROR|SUMMARY|crash-|Done" || true
done
