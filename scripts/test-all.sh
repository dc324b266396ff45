#!/usr/bin/env bash
# The whole test suite: what README.md calls "the test command" and what .ci/run runs.
# Installs what is missing (rustup components and targets, Debian packages) by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

step "rustfmt" cargo fmt --all -- --check
step "clippy" cargo clippy --all-targets --all-features -- -D warnings
step "rustdoc" env RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --all-features
step "rust tests (all features)" cargo test --all-features
step "rust tests (no default features)" cargo test --no-default-features --lib

summary
