#!/usr/bin/env bash
# Instructions per field for each corpus category and system, counted by callgrind: a figure
# that does not depend on how loaded the machine is (wall-clock ratios from scripts/bench.sh
# do). Uses the benchmark binary itself (same fat-LTO build, same corpus) in its profiling
# mode, two passes over the category, and counts only the timed loop (`run_all`).
#
#   scripts/bench-instructions.sh                      # every category, 4 systems
#   SYSTEMS="mailfold mail_builder" scripts/bench-instructions.sh references utf8_subject
#   scripts/bench-instructions.sh --scaling            # instructions per byte, one field of
#                                                      # 100 B .. 100 KB (linearity)
#   scripts/bench-instructions.sh --footprint          # whole corpus: hot code and simulated
#                                                      # L1i misses per field (mixed fields)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_apt valgrind

target=${CARGO_TARGET_DIR:-target}
cargo bench -q -p mailfold-benches --bench headers --no-run 2>/dev/null
bin=$(ls -t "$target"/release/deps/headers-* | grep -v '\.d$' | head -1)

# Callgrind's total for one profiling run: MAILFOLD_BENCH_PROFILE=$1, counted in run_all.
instructions() {
  MAILFOLD_BENCH_PROFILE="$1" valgrind --tool=callgrind --callgrind-out-file="$out/cg" \
    --toggle-collect='*run_all*' "$bin" >"$out/log" 2>&1
  callgrind_annotate "$out/cg" 2>/dev/null | sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' | tr -d ,
}

if [ "${1:-}" = --scaling ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
  read -r -a systems <<<"${SYSTEMS:-floor mailfold mail_builder}"
  printf '| value | bytes |'
  printf ' %s instr/byte |' "${systems[@]}"
  printf '\n|---|---:|'
  printf -- '---:|%.0s' "${systems[@]}"
  printf '\n'
  for kind in ascii utf8 references; do
    for size in 100 1000 10000 100000; do
      bytes=
      row=
      for sys in "${systems[@]}"; do
        total=$(instructions "scaling:$kind:$size:$sys:4")
        bytes=$(sed -n 's/.*value of \([0-9]*\) bytes.*/\1/p' "$out/log")
        row+=$(awk -v t="$total" -v b="$bytes" 'BEGIN { printf " %.2f |", t / (4 * b) }')
      done
      printf '| %s | %s |%s\n' "$kind" "$bytes" "$row"
    done
  done
  exit 0
fi

if [ "${1:-}" = --footprint ]; then
  # The whole corpus, fields of every category interleaved as in a real header block: how
  # much machine code the loop keeps hot (scripts/code-footprint.py) and how often the
  # instruction fetch misses a simulated 32 KB, 8-way level-1 instruction cache.
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
  read -r -a systems <<<"${SYSTEMS:-floor mailfold mail_builder}"
  printf '| system | instr/field | L1i misses/field (32 KB sim.) | hot code KB |\n|---|---:|---:|---:|\n'
  for sys in "${systems[@]}"; do
    MAILFOLD_BENCH_PROFILE="all:$sys:1" valgrind --tool=callgrind --dump-instr=yes \
      --callgrind-out-file="$out/cg" --toggle-collect='*run_all*' "$bin" >"$out/log" 2>&1
    fields=$(sed -n 's/.* passes over \([0-9]*\) fields.*/\1/p' "$out/log")
    total=$(callgrind_annotate "$out/cg" 2>/dev/null | sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' | tr -d ,)
    hot=$(python3 scripts/code-footprint.py "$out/cg" "$bin" "$fields" --top 0 |
      sed -n 's/^hot code: \([0-9.]*\) KB.*/\1/p')
    MAILFOLD_BENCH_PROFILE="all:$sys:1" valgrind --tool=callgrind --cache-sim=yes \
      --I1=32768,8,64 --D1=32768,8,64 --LL=16777216,16,64 \
      --callgrind-out-file="$out/cgc" --toggle-collect='*run_all*' "$bin" >"$out/logc" 2>&1
    misses=$(sed -n 's/.*I1  misses: *\([0-9,]*\).*/\1/p' "$out/logc" | tr -d ,)
    awk -v s="$sys" -v t="$total" -v m="$misses" -v f="$fields" -v h="$hot" \
      'BEGIN { printf "| %s | %d | %.2f | %s |\n", s, t / f, m / f, h }'
  done
  exit 0
fi

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
