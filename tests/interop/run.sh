#!/usr/bin/env bash
# Decodes the differential test's fields with decoders beyond CPython's and Perl's: two
# JavaScript parsers (mailparser, postal-mime; decode.mjs), Jakarta Mail (Decode.java) and
# Go's net/mail and mime (decode.go), and Rust's mail-parser and mailparse (rust/, built with
# its own lock file). Installs what is missing (Node.js and npm, a JDK,
# libjakarta-mail-java and golang-go from Debian; the npm packages, pinned in package.json,
# into target/interop). Fails on any mismatch.
# MAILFOLD_DIFF_SEED=<u64> decodes another seed's cases.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh

{ command -v node && command -v npm; } >/dev/null || ensure_apt nodejs npm
command -v javac >/dev/null || ensure_apt default-jdk-headless
ensure_apt libjakarta-mail-java
command -v go >/dev/null || ensure_apt golang-go

work=target/interop
mkdir -p "$work"
cp tests/interop/package.json tests/interop/decode.mjs "$work/"
if ! cmp -s tests/interop/package.json "$work/.installed" 2>/dev/null; then
  (cd "$work" && npm install --no-audit --no-fund --no-package-lock --silent)
  cp tests/interop/package.json "$work/.installed"
fi
jars=/usr/share/java/jakarta-mail.jar:/usr/share/java/jakarta-activation.jar
javac -d "$work" -cp "$jars" tests/interop/Decode.java
CGO_ENABLED=0 GOCACHE=$PWD/$work/gocache GOPATH=$PWD/$work/gopath go build -o "$work/decode-go" tests/interop/decode.go
cargo build -q --release --locked --manifest-path tests/interop/rust/Cargo.toml --target-dir "$work/rust"

cases=$PWD/$work/cases.jsonl
# Its own output only matters when it fails (the test command runs it in full elsewhere).
if ! MAILFOLD_DIFF_CASES=$cases cargo test -q --all-features --test differential \
  differential_against_cpython_email >"$work/differential.log" 2>&1; then
  cat "$work/differential.log"
  exit 1
fi
status=0
echo "== JavaScript: mailparser, postal-mime"
node "$work/decode.mjs" "$cases" || status=1
echo "== Java: Jakarta Mail"
python3 tests/interop/to_tsv.py "$cases" >"$work/cases.tsv"
java -cp "$jars:$work" Decode "$work/cases.tsv" || status=1
echo "== Go: net/mail, mime"
"$work/decode-go" "$cases" || status=1
echo "== Rust: mail-parser, mailparse"
"$work/rust/release/mailfold-interop-rust" "$cases" || status=1
exit $status
