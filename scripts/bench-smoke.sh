#!/usr/bin/env bash
# Quick CI check that the benchmark harness still builds and runs (issue 7), in a few minutes:
# the harness's unit tests and doctests, every criterion benchmark run once (`--test`) in the
# dev profile (no LTO build of criterion and the peers), one round of the paired ratios, and
# the CPython script on a slice of
# the corpus. With MAILFOLD_BENCH_STRICT=1 the bench also fails if mailfold errs on, or does not
# round-trip, any of the 20,000 corpus fields.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v python3 >/dev/null 2>&1; then
  . scripts/lib.sh
  ensure_apt python3
fi

target=${CARGO_TARGET_DIR:-target}
timeout 900 cargo test -q -p mailfold-benches
MAILFOLD_BENCH_STRICT=1 timeout 900 cargo bench -p mailfold-benches --profile dev --bench headers -- --test
MAILFOLD_BENCH_PAIRED=1 timeout 300 cargo bench -p mailfold-benches --profile dev --bench headers
timeout 300 cargo run -q -p mailfold-benches --bin corpus -- --fields 1000 > "$target/mailfold-corpus-smoke.jsonl"
timeout 300 python3 benches/cpython_email.py "$target/mailfold-corpus-smoke.jsonl" --limit 20 --repeat 1
echo "bench smoke: ok"
