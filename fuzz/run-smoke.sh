#!/usr/bin/env bash
# Runs each fuzz target for a bounded time (CI smoke run; see fuzz/README.md for long runs).
#
#   fuzz/run-smoke.sh            # every target, FUZZ_SECONDS (default 60) each
#   FUZZ_SECONDS=300 fuzz/run-smoke.sh rust_api
#   FUZZ_SEED=0 fuzz/run-smoke.sh   # libFuzzer picks a random seed (default: fixed seed 1,
#                                   # so a CI failure can be replayed)
#
# Installs what is missing: the nightly toolchain and cargo-fuzz. Fuzzes a scratch copy of
# the checked-in seed corpus (fuzz/corpus/<target>), so the repository is left as it was.
# Fails on any crash or invariant violation, printing the reproducer; failing inputs are
# kept under fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd .. && pwd)
# shellcheck source=scripts/lib.sh
. "$root/scripts/lib.sh"

seconds=${FUZZ_SECONDS:-60}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(rust_api c_abi)

rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
ensure_cargo_tool cargo-fuzz cargo-fuzz

# Build first (its time does not count against the fuzzing budget), then fuzz.
for t in "${targets[@]}"; do
  cargo +nightly fuzz build "$t"
done

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t" "artifacts/$t"
  cp corpus/"$t"/* "$scratch/$t/"
  echo "fuzzing $t for ${seconds}s"
  # -max_total_time bounds the fuzzing; the wall-clock timeout bounds everything else (a hang
  # in the target, a slow start). A timeout counts as a failure.
  if ! timeout --kill-after=10 $((seconds + 120)) \
      cargo +nightly fuzz run "$t" "$scratch/$t" -- \
      -max_total_time="$seconds" -seed="${FUZZ_SEED:-1}" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 \
      >"$scratch/$t.log" 2>&1; then
    tail -n 60 "$scratch/$t.log"
    echo "fuzz target $t failed (reproducer above, inputs in fuzz/artifacts/$t/)" >&2
    exit 1
  fi
  grep -E '^(Done|stat::number_of_executed_units)' "$scratch/$t.log" || true
done
