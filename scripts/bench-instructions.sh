#!/usr/bin/env bash
# Instructions per field for each corpus category and system, counted by callgrind: a figure
# that does not depend on how loaded the machine is (wall-clock ratios from scripts/bench.sh
# do). Uses the benchmark binary itself (same fat-LTO build, same corpus) in its profiling
# mode, two passes over the category, and counts only the timed loop (`run_all`).
#
#   scripts/bench-instructions.sh                      # every category, 4 systems
#   SYSTEMS="mailfold mail_builder" scripts/bench-instructions.sh references utf8_subject
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_apt valgrind

target=${CARGO_TARGET_DIR:-target}
cargo bench -q -p mailfold-benches --bench headers --no-run 2>/dev/null
bin=$(ls -t "$target"/release/deps/headers-* | grep -v '\.d$' | head -1)

categories=("$@")
[ ${#categories[@]} -gt 0 ] ||
  categories=(ascii_subject utf8_subject address_list message_id references in_reply_to long_x)
read -r -a systems <<<"${SYSTEMS:-floor mailfold mailfold_mailboxes mail_builder}"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '| category |'
printf ' %s |' "${systems[@]}"
printf '\n|---|'
printf -- '---:|%.0s' "${systems[@]}"
printf '\n'
for cat in "${categories[@]}"; do
  printf '| %s |' "$cat"
  for sys in "${systems[@]}"; do
    if [ "$sys" = mailfold_mailboxes ] && [ "$cat" != address_list ]; then
      printf ' n/a |'
      continue
    fi
    log=$(MAILFOLD_BENCH_PROFILE="$cat:$sys:2" valgrind --tool=callgrind \
      --callgrind-out-file="$out/cg" --toggle-collect='*run_all*' "$bin" 2>&1)
    fields=$(sed -n 's/.* passes over \([0-9]*\) fields.*/\1/p' <<<"$log")
    total=$(callgrind_annotate "$out/cg" 2>/dev/null | sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' | tr -d ,)
    printf ' %s |' "$((total / (2 * fields)))"
  done
  printf '\n'
done
