# Shared by run.sh and measure.sh: paths, tool installation and the build steps.
# Every build step is idempotent (cargo and make-style checks), so running both scripts
# after each other rebuilds nothing.
# shellcheck shell=bash

FW_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$FW_DIR/../.." && pwd)
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

TARGET=thumbv7em-none-eabihf
PROFILE=firmware                 # Cargo.toml [profile.firmware]: release with opt-level = "z"
STATICLIB=$ROOT/target/$TARGET/$PROFILE/libmailfold.a
OUT=$FW_DIR/target/fw
QEMU_TIMEOUT=${QEMU_TIMEOUT:-60}

CFLAGS=(-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Os -g -std=c99
        -Wall -Wextra -Werror -ffunction-sections -fdata-sections
        -I"$ROOT/include" -I"$OUT" -I"$FW_DIR/src")
# shellcheck disable=SC2054 # the commas belong to -Wl, options
LDFLAGS=(-nostartfiles -Wl,--no-warn-execstack --specs=nano.specs --specs=nosys.specs -Wl,--gc-sections
         -T"$FW_DIR/src/mps2-an386.ld")

fw_ensure_tools() {
  ensure_target "$TARGET"
  ensure_apt gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm
  mkdir -p "$OUT"
}

# The crate as a static library for the Cortex-M4F: default features (no std, no alloc),
# the C ABI, and the bare-metal panic handler.
fw_staticlib() {
  (cd "$ROOT" && cargo rustc --quiet --lib --profile "$PROFILE" --target "$TARGET" \
     --features panic-handler --crate-type staticlib)
}

# expected.h: the cases and the host build's results for them.
fw_expected() {
  cargo build --quiet --release --manifest-path "$FW_DIR/gen-expected/Cargo.toml" \
    --target-dir "$FW_DIR/target"
  "$FW_DIR/target/release/mailfold-fw-gen-expected" "$OUT/expected.h"
}

# fw_link NAME [cc args...]: links $OUT/NAME.elf from start-up code, semihosting, the given
# sources/flags and libmailfold.a (only what is referenced survives --gc-sections).
fw_link() {
  local name=$1; shift
  arm-none-eabi-gcc "${CFLAGS[@]}" "${LDFLAGS[@]}" -Wl,-Map="$OUT/$name.map" \
    -o "$OUT/$name.elf" "$FW_DIR/src/startup.c" "$FW_DIR/src/semihost.c" "$@" "$STATICLIB"
}

fw_build_test() {
  fw_link fw "$FW_DIR/src/test_main.c"
}

# fw_qemu ELF: runs it on the emulated MPS2 AN386 board; the exit status is the firmware's.
fw_qemu() {
  timeout --kill-after=5 "$QEMU_TIMEOUT" qemu-system-arm -M mps2-an386 -nographic \
    -monitor none -semihosting-config enable=on,target=native -kernel "$1" </dev/null 2>&1
}
