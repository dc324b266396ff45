#!/usr/bin/env bash
# Runs the Rust-side tests of the C ABI (src/ffi.rs, `ffi::tests`) under Miri, which checks
# every raw-pointer access of the FFI layer and of the core code it calls: reads and writes
# outside the caller's blocks, uninitialised memory, aliasing violations, provenance.
# Installs the nightly miri and rust-src components when missing. A few minutes at most: the
# inputs of those tests are kept small.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_nightly_component miri rust-src
cargo +nightly miri setup
# The C ABI, and the fold look-ahead's `MaybeUninit` pairs.
MIRIFLAGS="${MIRIFLAGS:--Zmiri-strict-provenance}" cargo +nightly miri test --lib -- ffi::tests \
  fold::tests::run_chain_bounds
