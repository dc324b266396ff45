#!/usr/bin/env bash
# The firmware test (issue 4, SPEC §9): mailfold's thumbv7em-none-eabihf build on a
# Cortex-M4 under QEMU (mps2-an386), compared byte for byte with the host build; a no_std
# binary with no global allocator; the defmt build; and the flash/stack budgets.
# Installs what is missing (rustup target, Debian packages as root). Takes a few minutes
# from scratch, seconds when everything is built.
# `run.sh --no-measure` leaves the footprint budgets to a separate `measure.sh` step.
set -euo pipefail
# shellcheck source=ffi-tests/firmware/common.sh
. "$(dirname "$0")/common.sh"

measure=1
[ "${1:-}" = "--no-measure" ] && measure=0

fw_ensure_tools

echo "-- host expectations (gen-expected)"
fw_expected

echo "-- $TARGET static library (profile $PROFILE, feature panic-handler)"
fw_staticlib

echo "-- C firmware test under qemu-system-arm -M mps2-an386"
fw_build_test
rc=0
fw_qemu "$OUT/fw.elf" || rc=$?
if [ "$rc" -ne 0 ]; then
  echo "firmware test FAILED (exit status $rc; 124 = timeout, 70 = fault/panic)" >&2
  exit 1
fi
# A heap would show up as the allocator or its system call in the linked firmware.
if arm-none-eabi-nm "$OUT/fw.elf" | grep -Ew '(malloc|free|realloc|_sbrk|_sbrk_r|__rust_alloc|__rdl_alloc)$'; then
  echo "the firmware links a heap allocator" >&2
  exit 1
fi

echo "-- no_std binary without a global allocator (noalloc/)"
cargo build --quiet --release --target "$TARGET" \
  --manifest-path "$FW_DIR/noalloc/Cargo.toml" --target-dir "$FW_DIR/target"
NOALLOC=$FW_DIR/target/$TARGET/release/mailfold-noalloc
rc=0
fw_qemu "$NOALLOC" || rc=$?
if [ "$rc" -ne 0 ]; then
  echo "noalloc binary FAILED under QEMU (exit status $rc)" >&2
  exit 1
fi
# Information for the panic-freedom work (issue 5): does any panic path survive linking?
if arm-none-eabi-nm "$NOALLOC" | grep -q ' mailfold_noalloc_panicked$'; then
  echo "note: a panic path survives --gc-sections in the noalloc binary" \
       "($(arm-none-eabi-nm "$NOALLOC" | grep -c 'panic') panic-related symbols)"
else
  echo "no panic path survives --gc-sections in the noalloc binary"
fi

echo "-- $TARGET build with --features defmt"
(cd "$ROOT" && cargo build --quiet --lib --target "$TARGET" --features defmt)

if [ "$measure" -eq 1 ]; then
  echo "-- footprint"
  "$FW_DIR/measure.sh"
fi
