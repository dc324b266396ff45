#!/usr/bin/env bash
# Builds the C artifacts of mailfold, or installs them.
#
#   scripts/build-c.sh            -> target/mailfold-c/{libmailfold.a, libmailfold.so,
#                                    libmailfold.so.0, mailfold.pc, include/mailfold.h}
#   scripts/build-c.sh install    -> builds, then installs under $PREFIX (default /usr/local):
#                                    $LIBDIR (default $PREFIX/lib) gets libmailfold.a,
#                                    libmailfold.so.X.Y.Z + .so.0 + .so links and
#                                    pkgconfig/mailfold.pc; $PREFIX/include gets mailfold.h.
#                                    DESTDIR is honoured for packaging.
#
# The crate itself stays an rlib (a staticlib crate-type in Cargo.toml breaks host test builds
# of a no_std crate), so the libraries come from `cargo rustc --crate-type`. They are built with
# the `std` feature: on a hosted target std supplies the panic handler (a panic, which the
# core never raises, aborts: extern "C" does not unwind and the release profile aborts).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-build}
case $mode in
  build|install) ;;
  *) echo "usage: $0 [build|install]   (install honours PREFIX, LIBDIR, INCLUDEDIR, DESTDIR)" >&2; exit 2 ;;
esac

out=target/mailfold-c
version=$(sed -n '0,/^version = "\([^"]*\)"/s//\1/p' Cargo.toml)
soname=libmailfold.so.0
mkdir -p "$out/include"

# Static library. rustc prints the system libraries a C link of it needs only when it really
# compiles, so they are kept next to it for the pkg-config file.
build_static() {
  cargo rustc --quiet --lib --release --features std --crate-type staticlib \
    -- --print native-static-libs 2>&1
}
log=$(build_static) || { printf '%s\n' "$log" >&2; exit 1; }
native=$(printf '%s\n' "$log" | sed -n 's/^.*native-static-libs: //p' | tail -n1)
if [ -z "$native" ] && [ ! -s "$out/native-static-libs" ]; then
  # Up to date from an earlier build whose note is lost: make rustc run once more.
  touch src/ffi.rs
  log=$(build_static) || { printf '%s\n' "$log" >&2; exit 1; }
  native=$(printf '%s\n' "$log" | sed -n 's/^.*native-static-libs: //p' | tail -n1)
fi
if [ -n "$native" ]; then
  printf '%s\n' "$native" > "$out/native-static-libs"
fi
# Without `-lgcc_s`: the C compiler driver links libgcc's unwinder itself, shared (libgcc_s)
# in a dynamic link and static (libgcc_eh) with `-static`, where a `-lgcc_s` from pkg-config
# would fail (there is no static libgcc_s).
native=$(sed 's/\(^\| \)-lgcc_s\( \|$\)/\1/' "$out/native-static-libs")
cp target/release/libmailfold.a "$out/libmailfold.a"

# Shared library, with the SONAME C programs record (bumped only on an ABI break).
cargo rustc --quiet --lib --release --features std --crate-type cdylib \
  -- -C link-arg=-Wl,-soname,$soname
cp target/release/libmailfold.so "$out/libmailfold.so"
ln -sf libmailfold.so "$out/$soname"

cp include/mailfold.h "$out/include/mailfold.h"

# write_pc FILE PREFIX LIBDIR INCLUDEDIR
write_pc() {
  cat > "$1" <<PC
prefix=$2
libdir=$3
includedir=$4

Name: mailfold
Description: RFC 5322 header fields formatted and folded into caller buffers
URL: https://crates.io/crates/mailfold
Version: $version
Libs: -L\${libdir} -lmailfold
Libs.private: $native
Cflags: -I\${includedir}
PC
}
# In-tree: PKG_CONFIG_PATH=target/mailfold-c finds the build output itself.
abs=$(cd "$out" && pwd)
write_pc "$out/mailfold.pc" "$abs" "\${prefix}" "\${prefix}/include"

if [ "$mode" = build ]; then
  echo "built $out: libmailfold.a libmailfold.so ($soname) mailfold.pc include/mailfold.h"
  exit 0
fi

PREFIX=${PREFIX:-/usr/local}
LIBDIR=${LIBDIR:-$PREFIX/lib}
INCLUDEDIR=${INCLUDEDIR:-$PREFIX/include}
DESTDIR=${DESTDIR:-}
install -d "$DESTDIR$LIBDIR/pkgconfig" "$DESTDIR$INCLUDEDIR"
install -m 644 "$out/libmailfold.a" "$DESTDIR$LIBDIR/libmailfold.a"
install -m 755 "$out/libmailfold.so" "$DESTDIR$LIBDIR/libmailfold.so.$version"
ln -sf "libmailfold.so.$version" "$DESTDIR$LIBDIR/$soname"
ln -sf "$soname" "$DESTDIR$LIBDIR/libmailfold.so"
install -m 644 include/mailfold.h "$DESTDIR$INCLUDEDIR/mailfold.h"
write_pc "$DESTDIR$LIBDIR/pkgconfig/mailfold.pc" "$PREFIX" "$LIBDIR" "$INCLUDEDIR"
# Refresh the loader cache for a real system install (not when staging into DESTDIR).
if [ -z "$DESTDIR" ] && [ "$(id -u)" -eq 0 ] && command -v ldconfig >/dev/null; then
  ldconfig 2>/dev/null || true
fi
echo "installed mailfold $version under $DESTDIR$PREFIX"
