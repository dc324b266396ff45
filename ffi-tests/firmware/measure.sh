#!/usr/bin/env bash
# What mailfold costs a Cortex-M4 firmware, at opt-level "z" after --gc-sections:
#   flash (text + rodata, + .data's load image) it adds to a baseline firmware, for
#   mailfold_format_header alone and for the whole C API, and the peak stack depth of the
#   deepest call in the QEMU firmware test (stack painting).
# Fails when a budget below is exceeded, so the test command catches regressions.
set -euo pipefail

# Issue 4 asked for 16 KiB of flash for the whole C API; the C API with every field class
# (MIME parameters, RFC 2231 and 2047, addresses, dates) measures about 33 KiB, so 16 KiB is a
# target that is reported, not enforced. The enforced ceiling sits ~10% above the measured
# size, so a change that grows the firmware noticeably fails here and has to move it on
# purpose (README, "Footprint"). History: 40 KiB until round 8, 44 KiB in rounds 8-10 (at
# opt-level "s", the C API grew to 43,328 B); 38 KiB from round 11, when the firmware profile
# moved to opt-level "z" and the C API measured 33,506 B, then 35,006 B after that round's
# address fixes; 40 KiB from round 27 (38,876 B after the fold repair of white-space runs);
# 42 KiB from audit 24, whose look-ahead counting the soft limit and 998 at once took it to
# 40,954 B, 6 B under 40 KiB: less than a compiler update can move it (40,220 B once the
# one-line fold repair was removed).
TARGET_FLASH_C_API=16384   # the issue's target (reported)
BUDGET_FLASH_C_API=43008   # bytes of flash the whole C API may add (42 KiB, enforced)
BUDGET_STACK=2048          # bytes of stack the deepest call may use (2 KiB)

# shellcheck source=ffi-tests/firmware/common.sh
. "$(dirname "$0")/common.sh"

fw_ensure_tools
fw_staticlib
# The stack numbers come from the test firmware, which needs expected.h. Measuring does not
# depend on the expectations being right (run.sh checks those), so a broken core is no
# reason to skip the measurement.
MAILFOLD_FW_ALLOW_BROKEN_CORE=1 fw_expected 2>/dev/null
fw_build_test
fw_link probe-base "$FW_DIR/src/size_probe.c"
fw_link probe-header -DPROBE_HEADER "$FW_DIR/src/size_probe.c"
fw_link probe-full -DPROBE_FULL "$FW_DIR/src/size_probe.c"

# section SIZE-OF ELF NAME...: summed sizes of the named sections
sections() {
  local elf=$1; shift
  arm-none-eabi-size -A "$elf" | awk -v names=" $* " \
    'index(names, " " $1 " ") { s += $2 } END { print s + 0 }'
}
flash() { sections "$1" .vectors .text .rodata .ARM.exidx .data; }

base=$(flash "$OUT/probe-base.elf")
printf '\n| firmware (thumbv7em-none-eabihf, opt-level "z", --gc-sections) | .text | .rodata | flash | added by mailfold |\n'
printf '| --- | ---: | ---: | ---: | ---: |\n'
for v in base header full; do
  elf=$OUT/probe-$v.elf
  case $v in
    base) label="baseline: start-up + semihosting, no mailfold" ;;
    header) label="+ mailfold_format_header only" ;;
    full) label="+ every C API function" ;;
  esac
  f=$(flash "$elf")
  printf '| %s | %d | %d | %d | %d |\n' "$label" "$(sections "$elf" .text)" \
    "$(sections "$elf" .rodata)" "$f" "$((f - base))"
done
header_added=$(( $(flash "$OUT/probe-header.elf") - base ))
full_added=$(( $(flash "$OUT/probe-full.elf") - base ))

# What dominates: flash of the whole-C-API probe by source file (from the line tables;
# code inlined from core shows up under core's file), then the largest symbols that the
# baseline does not have.
echo
echo "flash by source file (whole C API probe, bytes of .text):"
arm-none-eabi-objdump -dl --no-show-raw-insn "$OUT/probe-full.elf" | awk '
  function hex(s,   i, n) {
    n = 0; s = tolower(s)
    for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
    return n
  }
  /^\/.*:[0-9]+/ { f = $1; sub(/:[0-9]+.*/, "", f); sub(/.*\/(src|library)\//, "", f); next }
  /^[0-9a-f]+ <.*>:$/ { if (prev != "") size[prevf] += hex($1) - prev; prev = ""; f = "?"; next }
  /^ *[0-9a-f]+:\t/ {
    a = $1; sub(/:$/, "", a); addr = hex(a)
    if (prev != "") size[prevf] += addr - prev
    prev = addr; prevf = f; next
  }
  END { for (k in size) printf "  %6d  %s\n", size[k], k }' | sort -rn | awk 'NR <= 16'
echo
echo "largest symbols mailfold brings in (bytes, whole C API):"
arm-none-eabi-nm -S --size-sort -t d "$OUT/probe-base.elf" | awk '{print $4}' | sort >"$OUT/base.syms"
arm-none-eabi-nm -S --size-sort -t d "$OUT/probe-full.elf" |
  awk 'NF == 4 { print $2 + 0, $3, $4 }' | sort -k3,3 | join -1 3 -2 1 -v 1 - "$OUT/base.syms" |
  awk '{ print $2, $1 }' | sort -rn | awk 'NR <= 12' |
  while read -r size sym; do printf '  %6d  %s\n' "$size" "$(echo "$sym" | arm-none-eabi-c++filt)"; done

rc=0
log=$(fw_qemu "$OUT/fw.elf") || rc=$?
peak_line=$(grep -m1 '^stack peak:' <<<"$log" || true)
if [ -z "$peak_line" ]; then
  printf '%s\n' "$log" >&2
  echo "measure: the firmware test did not report its stack peak (exit status $rc)" >&2
  exit 1
fi
stack=$(awk '{print $3}' <<<"$peak_line")
echo
echo "$peak_line: deepest library call, measured from the caller's stack pointer"
[ "$rc" -eq 0 ] || echo "note: the firmware test itself failed (status $rc); the numbers cover the code paths it took"

echo
printf 'budgets: whole C API %d / %d bytes flash (target %d: %s), format_header alone %d bytes, stack %d / %d bytes\n' \
  "$full_added" "$BUDGET_FLASH_C_API" "$TARGET_FLASH_C_API" \
  "$([ "$full_added" -le "$TARGET_FLASH_C_API" ] && echo met || echo not met)" \
  "$header_added" "$stack" "$BUDGET_STACK"
over=0
if [ "$full_added" -gt "$BUDGET_FLASH_C_API" ]; then
  echo "OVER BUDGET: the C API adds $full_added bytes of flash (budget $BUDGET_FLASH_C_API)" >&2
  over=1
fi
if [ "$stack" -gt "$BUDGET_STACK" ]; then
  echo "OVER BUDGET: the deepest call uses $stack bytes of stack (budget $BUDGET_STACK)" >&2
  over=1
fi
exit "$over"
