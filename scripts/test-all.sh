#!/usr/bin/env bash
# The whole test suite: what README.md calls "the test command" and what .ci/run runs.
# Installs what is missing (rustup components and targets, Debian packages, cargo tools) by
# itself; every step is bounded in time. Prints a closing "N passed, 0 failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

# The differential tests decode our output with CPython's email package and Perl's Encode; the C tests need a
# C and a C++ compiler.
step "tools" ensure_apt python3 perl gcc g++ pkg-config

step "rustfmt" cargo fmt --all -- --check
step "clippy" cargo clippy --workspace --all-targets --all-features -- -D warnings
# The public docs, then every item's (the private ones document the fast paths and the fold).
step "rustdoc" env RUSTDOCFLAGS="-D warnings" bash -c \
  'cargo doc --no-deps --all-features && cargo doc --no-deps --all-features --document-private-items'
# On a CPU with every feature the AVX2 paths need, their unit tests must run, not skip.
avx2_flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)
require_avx2=$([ -n "$avx2_flags" ] && echo 1 || echo 0)
for f in avx2 bmi1 bmi2 abm popcnt; do
  case " $avx2_flags " in *" $f "*) ;; *) require_avx2=0 ;; esac
done
step "rust tests: unit, edges, properties, CPython differential, CLI, header" env MAILFOLD_REQUIRE_AVX2=$require_avx2 cargo test --all-features
step "other decoders: mailparser, postal-mime (Node.js), Jakarta Mail (Java), net/mail (Go), mail-parser and mailparse (Rust)" tests/interop/run.sh
step "rust tests without default features" cargo test --no-default-features --lib
step "C ABI: C99, ASan+UBSan, shared library, C++11, pkg-config, Python ctypes" ffi-tests/run.sh
step "miri over the FFI tests" ffi-tests/run-miri.sh
step "firmware under QEMU (thumbv7em, mps2-an386)" ffi-tests/firmware/run.sh --no-measure
step "firmware footprint budgets" ffi-tests/firmware/measure.sh
step "no panic paths after --gc-sections (thumbv7em + host release builds)" scripts/check-no-panic.sh
step "fuzz smoke (rust_api, c_abi: 60 s each)" fuzz/run-smoke.sh
step "bench harness smoke (every benchmark once, corpus round-trips)" scripts/bench-smoke.sh

summary
