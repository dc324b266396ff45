# Shared helpers for the test scripts: timed steps and installing what is missing.
# shellcheck shell=bash

MAILFOLD_STEPS_PASSED=0
MAILFOLD_T0=$(date +%s)

step() {
  local label=$1; shift
  local t0; t0=$(date +%s)
  printf '\n==> %s\n' "$label"
  "$@"
  printf '<== %s ok (%ss)\n' "$label" "$(( $(date +%s) - t0 ))"
  MAILFOLD_STEPS_PASSED=$((MAILFOLD_STEPS_PASSED + 1))
}

summary() {
  printf '\ntest-all: %d steps in %ss\n' "$MAILFOLD_STEPS_PASSED" "$(( $(date +%s) - MAILFOLD_T0 ))"
  # A step that fails stops the script (set -e), so reaching here means none failed.
  printf '%d passed, 0 failed\n' "$MAILFOLD_STEPS_PASSED"
}

# ensure_apt PKG...: installs Debian packages that are not installed yet (needs root).
ensure_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages; run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    return 1
  fi
  echo "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ensure_target TRIPLE [TOOLCHAIN]
ensure_target() {
  local tc=${2:-stable}
  rustup +"$tc" target list --installed | grep -qx "$1" || rustup +"$tc" target add "$1"
}

# ensure_nightly_component COMPONENT...
ensure_nightly_component() {
  rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
  for c in "$@"; do
    rustup +nightly component list --installed | grep -q "^$c" || rustup +nightly component add "$c"
  done
}

# ensure_cargo_tool BINARY CRATE [extra cargo install args]
ensure_cargo_tool() {
  local bin=$1 crate=$2; shift 2
  command -v "$bin" >/dev/null 2>&1 || cargo install --locked "$crate" "$@"
}
