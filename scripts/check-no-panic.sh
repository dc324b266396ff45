#!/usr/bin/env bash
# Panic-freedom (SPEC §9): proves that no panic path survives in a release build of the C
# exports, which call every formatting function of the Rust API (format_header/format_field,
# format_mailboxes, format_date, make_msg_id).
#
# 1. Cortex-M4F (thumbv7em-none-eabihf): the static library, release profile, with the
#    `panic-handler` feature, linked by arm-none-eabi-gcc with --gc-sections into
#    scripts/no-panic/main.c, which references every export. Only code an export can reach
#    survives, so any core::panicking::*, index-failure or unwrap-failure symbol, or the panic
#    handler itself (rust_begin_unwind), left in the ELF is a reachable panic. nm decides.
# 2. Host (x86_64): the std static library linked into the same program. std brings panics of
#    its own, so there the disassembly is searched for branches to the panic entry points
#    whose source (addr2line, inlining chain) is in this crate's src/.
#
# On failure it lists each panicking operation as src/file.rs:line (from line tables; see
# scripts/no-panic/panic-sites.py) and exits 1. Set NO_PANIC_HOST=0 to skip the host part.
#
# Build output goes to $CARGO_TARGET_DIR (default target/), like cargo's own; a relative
# CARGO_TARGET_DIR is taken from the directory the script was started in, as cargo would.
set -euo pipefail
TGT=${CARGO_TARGET_DIR:-}
case "$TGT" in
  "") ;;
  /*) ;;
  *) TGT="$PWD/$TGT" ;;
esac
cd "$(dirname "$0")/.."
. scripts/lib.sh
TGT=${TGT:-$PWD/target}
export CARGO_TARGET_DIR="$TGT"

TARGET=thumbv7em-none-eabihf
OUT="$TGT/no-panic"
mkdir -p "$OUT"
ensure_target "$TARGET"
ensure_apt gcc-arm-none-eabi libnewlib-arm-none-eabi binutils gcc python3

# Line tables only: they do not change the code, and give file:line for the report.
export CARGO_PROFILE_RELEASE_DEBUG=line-tables-only
status=0

echo "building the $TARGET static library (release, panic-handler)"
cargo rustc --quiet --lib --release --target "$TARGET" --features panic-handler \
  --crate-type staticlib
arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Os -g -std=c99 \
  -Wall -Wextra -Werror -ffunction-sections -fdata-sections -Iinclude \
  --specs=nano.specs --specs=nosys.specs -Wl,--gc-sections -Wl,--no-warn-execstack \
  -Wl,-Map="$OUT/arm.map" -o "$OUT/arm.elf" scripts/no-panic/main.c \
  "$TGT/$TARGET/release/libmailfold.a"

# Every export must be there, or the check proves nothing.
syms=$(arm-none-eabi-nm "$OUT/arm.elf")
for sym in mailfold_format_header mailfold_format_field mailfold_format_mailboxes \
           mailfold_format_date mailfold_make_msg_id mailfold_status_str mailfold_version \
           mailfold_options_default; do
  grep -q " T $sym\$" <<<"$syms" || { echo "export $sym missing from $OUT/arm.elf" >&2; exit 1; }
done

panic_syms=$(arm-none-eabi-nm -C "$OUT/arm.elf" \
  | grep -E ' (rust_begin_unwind|core::panicking::|core::slice::index::.*fail|core::str::slice_error_fail|core::option::(unwrap|expect)_failed|core::result::unwrap_failed)' || true)
if [ -n "$panic_syms" ]; then
  echo "FAIL: panic paths survive --gc-sections in $OUT/arm.elf:"
  printf '%s\n' "$panic_syms" | sed 's/^/  /'
  echo "reached from:"
  python3 scripts/no-panic/panic-sites.py arm-none-eabi-objdump arm-none-eabi-addr2line "$OUT/arm.elf" \
    | sed 's/^/  /' || true
  status=1
else
  echo "ok: no panic path in the $TARGET release build ($(arm-none-eabi-size -B "$OUT/arm.elf" | awk 'NR==2{print $1}') bytes of text)"
fi

if [ "${NO_PANIC_HOST:-1}" != 0 ]; then
  echo "building the host static library (release, std)"
  cargo rustc --quiet --lib --release --features std --crate-type staticlib
  cc -O2 -g -std=c99 -Wall -Wextra -Werror -ffunction-sections -fdata-sections -Iinclude \
    -Wl,--gc-sections -o "$OUT/host" scripts/no-panic/main.c "$TGT/release/libmailfold.a" \
    -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
  if sites=$(python3 scripts/no-panic/panic-sites.py objdump addr2line "$OUT/host" "$PWD/src/"); then
    echo "ok: no branch from mailfold's code to a panic in the host release build"
  else
    echo "FAIL: host release build, mailfold code that branches to a panic:"
    printf '%s\n' "$sites" | sed 's/^/  /'
    status=1
  fi
fi
exit $status
