#!/usr/bin/env bash
# The full benchmark of issue 7 (about 10 minutes plus the first LTO build): criterion runs
# mailfold, mail-builder, email-encoding, lettre and the memcpy floor side by side and prints
# the Markdown tables at its end, then the paired, interleaved ratios (benches/src/paired.rs);
# then CPython's email runs on the same corpus.
# Extra arguments go to criterion, e.g. `scripts/bench.sh --measurement-time 5` or a filter.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
cargo bench -p mailfold-benches --bench headers -- "$@"
cargo run -q -p mailfold-benches --bin corpus > "$target/mailfold-corpus.jsonl"
python3 benches/cpython_email.py "$target/mailfold-corpus.jsonl" --repeat 2 \
  --rust-summary "${CRITERION_HOME:-$target/criterion}/mailfold-summary.json"
