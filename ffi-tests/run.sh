#!/usr/bin/env bash
# Builds the C artifacts (scripts/build-c.sh) and runs every test of the C ABI:
#   1. the header alone under strict C99 warnings;
#   2. test_c.c (C99, -Wall -Wextra -Werror -pedantic) against libmailfold.a;
#   3. the same under -fsanitize=address,undefined;
#   4. the same against libmailfold.so (checks the SONAME is what the binary records);
#   5. test_cpp.cpp (C++11, -Werror) against libmailfold.a;
#   6. an install into a scratch prefix, then a build through pkg-config (shared), and a
#      fully static one (`-static`, `pkg-config --static`);
#   7. test_ctypes.py: the differential check through ctypes, decoded by CPython's email;
#   8. header_examples.py: every ```c example in the header, and the C programs of README.md
#      and ffi-tests/README.md, compile, run clean under ASan + UBSan and print what their
#      comments say; the Python (ctypes) example of ffi-tests/README.md runs and is checked.
#   9. where clang is installed (it is not installed for this), the header's comments under
#      clang -Wdocumentation in C and C++, which -Weverything users see.
# Runs everything, then exits non-zero if any part failed. Idempotent; ~1 minute after the
# release build. Installs gcc, g++, pkg-config and python3 from Debian when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

need=()
command -v gcc >/dev/null || need+=(gcc libc6-dev)
command -v g++ >/dev/null || need+=(g++)
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v python3 >/dev/null || need+=(python3)
[ ${#need[@]} -eq 0 ] || ensure_apt "${need[@]}"

scripts/build-c.sh
C=target/mailfold-c
B=ffi-tests/build
rm -rf "$B"
mkdir -p "$B"
version=$(sed -n 's/^version = "\([^"]*\)"/\1/p' Cargo.toml | head -n1)
STRICT_C=(-std=c99 -Wall -Wextra -Werror -pedantic)
STRICT_CXX=(-std=c++11 -Wall -Wextra -Werror -pedantic)
# What a C program linking the Rust static library needs (rustc's native-static-libs list).
read -r -a SYSLIBS < "$C/native-static-libs"

failures=()
parts_passed=0
part() {
  local label=$1; shift
  printf -- '--- %s\n' "$label"
  if "$@"; then
    parts_passed=$((parts_passed + 1))
  else
    failures+=("$label")
    printf -- '--- FAILED: %s\n' "$label"
  fi
}

header_only() {
  printf '#include "mailfold.h"\nint main(void) { return mailfold_version()[0] == 0; }\n' > "$B/header_only.c"
  gcc "${STRICT_C[@]}" -Wstrict-prototypes -Wmissing-prototypes -Wconversion -Wshadow \
    -Wcast-qual -Wundef -I"$C/include" -c "$B/header_only.c" -o "$B/header_only.o"
  cp "$B/header_only.c" "$B/header_only.cpp"
  g++ "${STRICT_CXX[@]}" -Wold-style-cast -Wzero-as-null-pointer-constant -I"$C/include" \
    -c "$B/header_only.cpp" -o "$B/header_only_cpp.o"
}

# clang reads the header's comments as Doxygen: a `\r` or `local@domain` in an example is an
# unknown command to it, a warning in every C and C++ build using -Wdocumentation or
# -Weverything. gcc has no such check, so this part runs where clang is (not installed for it).
header_docs() {
  printf '#include "mailfold.h"\n' > "$B/header_docs.c"
  local lang
  for lang in c c++; do
    clang -x "$lang" -fsyntax-only -Werror -Wdocumentation -Wdocumentation-pedantic \
      -Wdocumentation-unknown-command -I"$C/include" "$B/header_docs.c"
  done
}

c_static() {
  gcc "${STRICT_C[@]}" -O1 -I"$C/include" -DMAILFOLD_EXPECTED_VERSION="\"$version\"" \
    ffi-tests/test_c.c "$C/libmailfold.a" "${SYSLIBS[@]}" -o "$B/test_c"
  "$B/test_c"
}

c_sanitized() {
  gcc "${STRICT_C[@]}" -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
    -fno-omit-frame-pointer -I"$C/include" -DMAILFOLD_EXPECTED_VERSION="\"$version\"" \
    ffi-tests/test_c.c "$C/libmailfold.a" -lpthread -ldl -lm -o "$B/test_c_asan"
  ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$B/test_c_asan"
}

c_shared() {
  gcc "${STRICT_C[@]}" -O1 -I"$C/include" -DMAILFOLD_EXPECTED_VERSION="\"$version\"" \
    ffi-tests/test_c.c -L"$C" -lmailfold -o "$B/test_c_shared"
  if ! readelf -d "$B/test_c_shared" | grep -q 'NEEDED.*\[libmailfold\.so\.0\]'; then
    echo "test_c_shared does not record libmailfold.so.0:" >&2
    readelf -d "$B/test_c_shared" | grep NEEDED >&2
    return 1
  fi
  LD_LIBRARY_PATH="$C" "$B/test_c_shared"
}

cxx_static() {
  g++ "${STRICT_CXX[@]}" -O1 -I"$C/include" ffi-tests/test_cpp.cpp "$C/libmailfold.a" \
    "${SYSLIBS[@]}" -o "$B/test_cpp"
  "$B/test_cpp"
}

installed() {
  local prefix; prefix="$(pwd)/$B/prefix"
  PREFIX="$prefix" scripts/build-c.sh install
  local pc="$prefix/lib/pkgconfig"
  [ "$(PKG_CONFIG_PATH="$pc" pkg-config --modversion mailfold)" = "$version" ]
  # shellcheck disable=SC2046 # word splitting of pkg-config output is intended
  g++ "${STRICT_CXX[@]}" ffi-tests/test_cpp.cpp $(PKG_CONFIG_PATH="$pc" pkg-config --cflags --libs mailfold) \
    -o "$B/test_cpp_pkgconfig"
  LD_LIBRARY_PATH="$prefix/lib" "$B/test_cpp_pkgconfig"
  # A fully static program (`-static`) from `pkg-config --static`: its Libs.private must name
  # only libraries that have a static form (audit 24: `-lgcc_s` has none). glibc warns about
  # its own functions that need shared libraries at run time; mailfold uses none of them.
  # shellcheck disable=SC2046 # word splitting of pkg-config output is intended
  gcc -std=c99 -static -DMAILFOLD_EXPECTED_VERSION="\"$version\"" ffi-tests/test_c.c \
    $(PKG_CONFIG_PATH="$pc" pkg-config --static --cflags --libs mailfold) \
    -o "$B/test_c_fully_static" 2> "$B/static-link.log" || { cat "$B/static-link.log" >&2; return 1; }
  "$B/test_c_fully_static"
}

ctypes() {
  python3 ffi-tests/test_ctypes.py --lib "$C/libmailfold.so" --count "${MAILFOLD_CTYPES_COUNT:-2000}"
}

header_examples() {
  python3 ffi-tests/header_examples.py --header "$C/include/mailfold.h" --lib "$C/libmailfold.a" \
    --build "$B/examples" --programs README.md ffi-tests/README.md -- -lpthread -ldl -lm
}

part "header alone, strict C99 and C++11" header_only
part "C99 tests, static library" c_static
part "C99 tests, ASan + UBSan" c_sanitized
part "C99 tests, shared library" c_shared
part "C++11 tests" cxx_static
part "install + pkg-config" installed
part "Python ctypes differential test" ctypes
part "header examples compile, run and print what they say" header_examples
if command -v clang >/dev/null; then
  part "header comments, clang -Wdocumentation (C and C++)" header_docs
else
  echo "--- not run (no clang): header comments, clang -Wdocumentation"
fi

if [ ${#failures[@]} -ne 0 ]; then
  printf 'C ABI tests failed: %s\n' "${failures[*]}" >&2
fi
# One line per part of this script, in the plain closing form CI reads.
echo "ffi: $parts_passed passed, ${#failures[@]} failed"
[ ${#failures[@]} -eq 0 ]
