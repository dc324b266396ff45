#!/usr/bin/env python3
"""Conformance audit round 14: the C ABI against the Rust API (driven by
tests/audit_conformance14.rs, which writes the rows from the Rust API's results).

Each row: class, flags, max_line_len, hex(name), hex(value), expected status, expected
error_at, hex(expected output). For every row, through libmailfold.so with ctypes:
* the size query (out == NULL, out_cap == 0): BUFFER_TOO_SMALL with the exact size for valid
  input, the row's status, *out_len == 0 and *error_at otherwise (SPEC §1.2: validation does
  not depend on out_cap);
* out_cap = needed - 1 (BUFFER_TOO_SMALL, same size), needed (the bytes, no NUL), needed + 1
  and needed + 64 (the bytes and one NUL after them), guard bytes after out_cap untouched;
* invalid input at out_cap 0 (non-NULL out), 1 and 4096: same status and error_at;
* mailfold_format_header for rows of class AUTO: the same result;
* NULL with length 0 where a row's string is empty; NULL with a non-zero length, a NULL
  out_len, and a NULL out with out_cap > 0: MAILFOLD_NULL_ARGUMENT;
* invalid UTF-8 of each kind at the start, middle and end of the media type, a parameter
  name and value (mailfold_format_mime: error_at the offset within that string), a display
  name and an addr-spec (mailfold_format_mailboxes) and the domain (mailfold_make_msg_id).
Then tests/audit_conformance14_abi.cpp, compiled with g++ -std=c++11 -Werror -pedantic
against include/mailfold.h and the same library, checks the same rows from C++.

Usage: audit_conformance14_abi.py --lib PATH ROWS; prints "N passed, M failed".
"""
import ctypes
import os
import re
import subprocess
import sys
import tempfile

VP, SZ, I32, U32 = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int32, ctypes.c_uint32
SIZE_MAX = (1 << (8 * ctypes.sizeof(SZ))) - 1
OK, TOO_SMALL, NULLARG = 0, 1, 2
GUARD = 0xA5

passed = 0
failures = []


class Opts(ctypes.Structure):
    _fields_ = [("max_line_len", U32), ("flags", U32)]


def check(ok, what):
    global passed
    if ok:
        passed += 1
    else:
        failures.append(what)


def main():
    lib_path, rows_path = sys.argv[2], sys.argv[3]
    lib = ctypes.CDLL(lib_path)
    ff = lib.mailfold_format_field
    ff.argtypes = [VP, SZ, I32, VP, SZ, ctypes.POINTER(Opts), VP, SZ,
                   ctypes.POINTER(SZ), ctypes.POINTER(SZ)]
    ff.restype = I32
    fh = lib.mailfold_format_header
    fh.argtypes = [VP, SZ, VP, SZ, ctypes.POINTER(Opts), VP, SZ, ctypes.POINTER(SZ)]
    fh.restype = I32
    rows = []
    with open(rows_path) as f:
        for line in f:
            c, fl, mx, name, value, st, at, out = line.rstrip("\n").split("\t")
            rows.append((int(c), int(fl), int(mx), bytes.fromhex(name), bytes.fromhex(value),
                         int(st), int(at), bytes.fromhex(out)))

    def call(row, cap, null_out=False, null_value=False, null_name=False, header=False,
             value_len=None, no_out_len=False):
        c, fl, mx, name, value, _, _, _ = row
        o = Opts(mx, fl)
        buf = ctypes.create_string_buffer(bytes([GUARD]) * (cap + 16), cap + 16)
        out_ptr = None if null_out else ctypes.cast(buf, VP)
        nm = ctypes.create_string_buffer(name, len(name) + 1)
        vb = ctypes.create_string_buffer(value, len(value) + 1)
        n_ptr = None if null_name else ctypes.cast(nm, VP)
        v_ptr = None if null_value else ctypes.cast(vb, VP)
        vlen = len(value) if value_len is None else value_len
        out_len = SZ(12345)
        err_at = SZ(777)
        olp = None if no_out_len else ctypes.byref(out_len)
        if header:
            rc = fh(n_ptr, len(name), v_ptr, vlen, ctypes.byref(o), out_ptr, cap, olp)
        else:
            rc = ff(n_ptr, len(name), c, v_ptr, vlen, ctypes.byref(o), out_ptr, cap, olp,
                    ctypes.byref(err_at))
        return rc, out_len.value, err_at.value, buf.raw

    for i, row in enumerate(rows):
        c, fl, mx, name, value, st, at, want = row
        tag = "row %d (%r %r class %d flags %d max %d)" % (i, name, value[:40], c, fl, mx)
        rc, n, ea, _ = call(row, 0, null_out=True)
        if st == OK:
            check((rc, n, ea) == (TOO_SMALL, len(want), SIZE_MAX),
                  "%s: size query gave %r, want (1, %d, SIZE_MAX)" % (tag, (rc, n, ea), len(want)))
            caps = [len(want), len(want) + 1, len(want) + 64]
            if want:
                caps.insert(0, len(want) - 1)
            for cap in caps:
                rc, n, ea, buf = call(row, cap)
                if cap < len(want):
                    check((rc, n, ea) == (TOO_SMALL, len(want), SIZE_MAX),
                          "%s: cap %d gave %r" % (tag, cap, (rc, n, ea)))
                    check(all(b == GUARD for b in buf[cap:]), "%s: wrote past cap %d" % (tag, cap))
                    continue
                check((rc, n, ea) == (OK, len(want), SIZE_MAX), "%s: cap %d gave %r" % (tag, cap, (rc, n, ea)))
                check(buf[:len(want)] == want, "%s: cap %d wrote %r, want %r" % (tag, cap, buf[:n], want))
                if cap > len(want):
                    check(buf[len(want)] == 0, "%s: cap %d: no NUL after the output" % (tag, cap))
                    check(all(b == GUARD for b in buf[len(want) + 1:]),
                          "%s: cap %d: wrote after the NUL" % (tag, cap))
                else:
                    check(all(b == GUARD for b in buf[cap:]), "%s: cap %d: wrote past cap" % (tag, cap))
        else:
            for cap, null_out in [(0, True), (0, False), (1, False), (4096, False)]:
                rc, n, ea, buf = call(row, cap, null_out=null_out)
                check((rc, n, ea) == (st, 0, at),
                      "%s: cap %d gave %r, want %r" % (tag, cap, (rc, n, ea), (st, 0, at)))
                check(all(b == GUARD for b in buf[cap:]), "%s: wrote past cap %d" % (tag, cap))
        big = max(len(want) + 1, 4096)
        if c == 0:
            rc, n, _, buf = call(row, big, header=True)
            want_n = len(want) if st == OK else 0
            check((rc, n) == (st, want_n) and buf[:want_n] == want,
                  "%s: format_header gave %r" % (tag, (rc, n)))
        if not value:
            rc, n, ea, buf = call(row, big, null_value=True)
            want_n = len(want) if st == OK else 0
            check((rc, n, ea) == (st, want_n, at) and buf[:want_n] == want,
                  "%s: NULL value with length 0 gave %r" % (tag, (rc, n, ea)))
        # NULL with a non-zero length and a NULL out_len win over every other code.
        for kw in [dict(null_value=True, value_len=len(value) + 1), dict(null_name=True),
                   dict(null_out=True, cap=8)]:
            cap = kw.pop("cap", big)
            if kw.get("null_name") and not name:
                continue
            rc, n, ea, _ = call(row, cap, **kw)
            check((rc, n, ea) == (NULLARG, 0, SIZE_MAX), "%s: %r gave %r" % (tag, kw, (rc, n, ea)))
        rc, _, _, buf = call(row, big, no_out_len=True)
        check(rc == NULLARG and all(b == GUARD for b in buf), "%s: NULL out_len gave %d" % (tag, rc))

    # Invalid UTF-8 of every kind at the start, in the middle and at the end of every string
    # argument of the other writers: MAILFOLD_INVALID_UTF8 at every out_cap, *out_len 0, and
    # for mailfold_format_mime *error_at the offset within the string that holds it.
    class Param(ctypes.Structure):
        _fields_ = [("name", ctypes.c_char_p), ("name_len", SZ), ("value", ctypes.c_char_p),
                    ("value_len", SZ)]

    class Box(ctypes.Structure):
        _fields_ = [("display_name", ctypes.c_char_p), ("display_name_len", SZ),
                    ("addr_spec", ctypes.c_char_p), ("addr_spec_len", SZ)]

    fm = lib.mailfold_format_mime
    fm.argtypes = [VP, SZ, VP, SZ, ctypes.POINTER(Param), SZ, ctypes.POINTER(Opts), VP, SZ,
                   ctypes.POINTER(SZ), ctypes.POINTER(SZ)]
    fm.restype = I32
    fb = lib.mailfold_format_mailboxes
    fb.argtypes = [VP, SZ, ctypes.POINTER(Box), SZ, ctypes.POINTER(Opts), VP, SZ,
                   ctypes.POINTER(SZ)]
    fb.restype = I32
    fi = lib.mailfold_make_msg_id
    fi.argtypes = [ctypes.c_char_p, VP, SZ, VP, SZ, ctypes.POINTER(SZ)]
    fi.restype = I32
    bad_kinds = [b"\x80", b"\xbf", b"\xc3", b"\xe2\x82", b"\xf0\x9f\x98", b"\xc0\xaf",
                 b"\xe0\x80\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80",
                 b"\xfe", b"\xff"]

    def spots(pre, post):
        for bad in bad_kinds:
            for p, q in [(b"", post), (pre, post), (pre, b"")]:
                yield p + bad + q, len(p)

    def buf_of(cap):
        return ctypes.create_string_buffer(bytes([GUARD]) * (cap + 16), cap + 16)

    def mime(media, pname, pvalue, cap):
        b = buf_of(cap)
        n, at = SZ(99), SZ(99)
        par = (Param * 2)(Param(b"size", 4, b"1", 1), Param(pname, len(pname), pvalue, len(pvalue)))
        mt = ctypes.create_string_buffer(media, len(media) + 1)
        rc = fm(b"Content-Disposition", 19, ctypes.cast(mt, VP), len(media), par, 2, None,
                ctypes.cast(b, VP) if cap else None, cap, ctypes.byref(n), ctypes.byref(at))
        return rc, n.value, at.value, b.raw

    INV_UTF8 = 4
    for where in ("media", "name", "value"):
        pre, post = {"media": (b"attach", b"ment"), "name": (b"file", b"name"),
                     "value": ("R\u00e9sum\u00e9 ".encode(), b".pdf")}[where]
        for s, at in spots(pre, post):
            args = {"media": (s, b"filename", b"x.pdf"), "name": (b"attachment", s, b"x.pdf"),
                    "value": (b"attachment", b"filename", s)}[where]
            for cap in (0, 1, 4096):
                rc, n, ea, raw = mime(*args, cap)
                check((rc, n, ea) == (INV_UTF8, 0, at) and all(x == GUARD for x in raw[cap:]),
                      "mime: invalid UTF-8 in the %s %r, cap %d: %r, want at %d"
                      % (where, s, cap, (rc, n, ea), at))
    for which in ("display", "addr"):
        pre, post = {"display": ("Zo\u00eb ".encode(), b"Smith"), "addr": (b"zoe", b"@x.org")}[which]
        for s, _ in spots(pre, post):
            box = (Box * 2)(Box(b"Ann", 3, b"ann@x.org", 9),
                            Box(s, len(s), b"z@x.org", 7) if which == "display"
                            else Box(b"Zo", 2, s, len(s)))
            for cap in (0, 4096):
                b = buf_of(cap)
                n = SZ(99)
                rc = fb(b"To", 2, box, 2, None, ctypes.cast(b, VP) if cap else None, cap,
                        ctypes.byref(n))
                check((rc, n.value) == (INV_UTF8, 0) and all(x == GUARD for x in b.raw[cap:]),
                      "mailboxes: invalid UTF-8 in the %s %r, cap %d: %r" % (which, s, cap, (rc, n.value)))
    for s, _ in spots(b"mail", b".example.org"):
        for cap in (0, 4096):
            b = buf_of(cap)
            n = SZ(99)
            d = ctypes.create_string_buffer(s, len(s) + 1)
            rc = fi(bytes(16), ctypes.cast(d, VP), len(s), ctypes.cast(b, VP) if cap else None,
                    cap, ctypes.byref(n))
            check((rc, n.value) == (INV_UTF8, 0) and all(x == GUARD for x in b.raw[cap:]),
                  "make_msg_id: invalid UTF-8 domain %r, cap %d: %r" % (s, cap, (rc, n.value)))

    # The same rows from C++11.
    here = os.path.dirname(os.path.abspath(__file__))
    inc = os.path.join(here, "..", "include")
    src = os.path.join(here, "audit_conformance14_abi.cpp")
    with tempfile.TemporaryDirectory() as d:
        exe = os.path.join(d, "abi14")
        cc = subprocess.run(["g++", "-std=c++11", "-Wall", "-Wextra", "-Werror", "-pedantic",
                             "-Wold-style-cast", "-Wzero-as-null-pointer-constant", "-I", inc,
                             src, lib_path, "-Wl,-rpath," + os.path.dirname(lib_path), "-o", exe],
                            capture_output=True, text=True)
        check(cc.returncode == 0, "g++ failed: %s" % cc.stderr)
        if cc.returncode == 0:
            run = subprocess.run([exe, rows_path], capture_output=True, text=True)
            sys.stdout.write(run.stderr[:4000])
            m = re.search(r"(\d+) passed, (\d+) failed", run.stdout)
            check(run.returncode == 0 and m is not None and m.group(2) == "0",
                  "C++ checks: %s %s" % (run.stdout, run.stderr[:2000]))
            if m:
                print("C++: %s" % m.group(0))
                check(int(m.group(1)) >= len(rows), "C++ checked only %s" % m.group(1))

    for f in failures[:20]:
        print("FAIL " + f)
    print("%d rows; %d passed, %d failed" % (len(rows), passed, len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
