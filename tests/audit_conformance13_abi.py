#!/usr/bin/env python3
"""Conformance audit round 13: C ABI edges through libmailfold.so (ctypes), beyond
tests/audit_conformance3_abi.py. Expectations come from include/mailfold.h and SPEC §1.2.

* every flag bit 0..31 alone, for every function taking options: the five known bits are
  accepted, every other one gives MAILFOLD_INVALID_OPTION ("Unknown bits ... give
  MAILFOLD_INVALID_OPTION"); max_line_len 0, 40, 998 accepted, 1, 39, 999, UINT32_MAX refused;
* error_at of mailfold_format_field for every status: an offset into the value for
  INVALID_UTF8 (in the value), CONTROL_CHARACTER, NON_ASCII, INVALID_MSG_ID,
  INVALID_ADDRESS, INVALID_PARAMETER; SIZE_MAX for every other status, success and
  BUFFER_TOO_SMALL included, and for INVALID_UTF8 in the name;
* out_cap = needed (no NUL, nothing past it), needed + 1 (a NUL after), needed - 1
  (BUFFER_TOO_SMALL with the same needed) for every function, guard bytes checked;
* mailfold_status_str for codes 0..12 names them and is static; unknown codes (-1, 13,
  INT32_MIN, INT32_MAX) get a static, non-NULL string different from every known one.

Usage: audit_conformance13_abi.py --lib PATH; prints "N passed, M failed".
"""
import ctypes
import sys

VP, SZ, I32, U32 = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int32, ctypes.c_uint32
SIZE_MAX = (1 << (8 * ctypes.sizeof(SZ))) - 1
OK, TOO_SMALL, NULLARG, INV_NAME, INV_UTF8, CONTROL, NON_ASCII, INV_ID, INV_ADDR, LINE_LONG, \
    INV_OPT, INV_DATE, INV_PARAM = range(13)

passed = 0
failures = []


def check(cond, what):
    global passed
    if cond:
        passed += 1
    else:
        failures.append(what)


class Options(ctypes.Structure):
    _fields_ = [("max_line_len", U32), ("flags", U32)]


class Mailbox(ctypes.Structure):
    _fields_ = [("display_name", VP), ("display_name_len", SZ),
                ("addr_spec", VP), ("addr_spec_len", SZ)]


class Param(ctypes.Structure):
    _fields_ = [("name", VP), ("name_len", SZ), ("value", VP), ("value_len", SZ)]


KEEP = []


def cbuf(b):
    a = (ctypes.c_char * max(1, len(b))).from_buffer_copy(b if b else b"\0")
    KEEP.append(a)
    return ctypes.addressof(a)


def load(path):
    lib = ctypes.CDLL(path)
    sig = {
        "mailfold_format_header": [VP, SZ, VP, SZ, VP, VP, SZ, VP],
        "mailfold_format_field": [VP, SZ, I32, VP, SZ, VP, VP, SZ, VP, VP],
        "mailfold_format_mailboxes": [VP, SZ, VP, SZ, VP, VP, SZ, VP],
        "mailfold_format_mime": [VP, SZ, VP, SZ, VP, SZ, VP, VP, SZ, VP, VP],
        "mailfold_format_date": [ctypes.c_int64, I32, VP, SZ, VP],
        "mailfold_make_msg_id": [VP, VP, SZ, VP, SZ, VP],
    }
    for f, a in sig.items():
        getattr(lib, f).argtypes = a
        getattr(lib, f).restype = I32
    lib.mailfold_status_str.argtypes = [I32]
    lib.mailfold_status_str.restype = VP
    return lib


def calls(lib, o):
    """name -> function(out, cap, out_len_ptr, at_ptr) for each exported writer, with the
    options pointer o (None = defaults) where the function takes one."""
    op = ctypes.byref(o) if o is not None else None
    name, val = b"Subject", "Grüße aus Köln, wörtlich".encode()
    boxes = (Mailbox * 2)(Mailbox(cbuf(b"Doe, John"), 9, cbuf(b"jd@example.com"), 14),
                          Mailbox(None, 0, cbuf(b"ops@example.com"), 15))
    params = (Param * 1)(Param(cbuf(b"filename"), 8, cbuf("Résumé.pdf".encode()), 11))
    KEEP.extend([boxes, params])
    rnd = cbuf(bytes(range(16)))
    return {
        "header": lambda out, cap, ol, at: lib.mailfold_format_header(
            cbuf(name), len(name), cbuf(val), len(val), op, out, cap, ol),
        "field": lambda out, cap, ol, at: lib.mailfold_format_field(
            cbuf(name), len(name), 1, cbuf(val), len(val), op, out, cap, ol, at),
        "mailboxes": lambda out, cap, ol, at: lib.mailfold_format_mailboxes(
            cbuf(b"To"), 2, ctypes.addressof(boxes), 2, op, out, cap, ol),
        "mime": lambda out, cap, ol, at: lib.mailfold_format_mime(
            cbuf(b"Content-Disposition"), 19, cbuf(b"attachment"), 10,
            ctypes.addressof(params), 1, op, out, cap, ol, at),
        "date": lambda out, cap, ol, at: lib.mailfold_format_date(
            1_700_000_000, 330, out, cap, ol),
        "msgid": lambda out, cap, ol, at: lib.mailfold_make_msg_id(
            rnd, cbuf(b"example.org"), 11, out, cap, ol),
    }


def run(f, cap, guard=8):
    """Calls f with an out buffer of cap bytes followed by guard bytes; returns (status,
    out_len, error_at, bytes of the buffer including the guard)."""
    raw = (ctypes.c_char * (cap + guard))(*([b"\xa5"] * (cap + guard)))
    ol, at = SZ(12345), SZ(54321)
    st = f(ctypes.addressof(raw) if cap else None if guard == 0 else ctypes.addressof(raw),
           cap, ctypes.byref(ol), ctypes.byref(at))
    return st, ol.value, at.value, bytes(raw)


def test_out_cap(lib):
    for label, f in calls(lib, None).items():
        st, need, _, _ = run(f, 0, guard=0)
        check(st == TOO_SMALL and need > 0, f"{label}: size query {st} {need}")
        st, n, _, raw = run(f, need)
        check(st == OK and n == need, f"{label}: out_cap = needed gives {st}, {n}")
        check(raw[need:] == b"\xa5" * 8, f"{label}: wrote past out_cap = needed")
        st1, n1, _, raw1 = run(f, need + 1)
        check(st1 == OK and n1 == need and raw1[need] == 0 and raw1[need + 1:] == b"\xa5" * 8,
              f"{label}: out_cap = needed + 1: {st1} {n1} {raw1[need:]!r}")
        check(raw1[:need] == raw[:need], f"{label}: output differs with one more byte")
        st2, n2, _, raw2 = run(f, need - 1)
        check(st2 == TOO_SMALL and n2 == need and raw2[need - 1:] == b"\xa5" * 8,
              f"{label}: out_cap = needed - 1: {st2} {n2}")


def test_flags(lib):
    known = {1, 2, 4, 8, 16}
    for bit in range(32):
        for mll in (0, 40, 998):
            o = Options(mll, 1 << bit)
            for label, f in calls(lib, o).items():
                if label in ("date", "msgid"):
                    continue
                st, _, _, _ = run(f, 4096)
                want = OK if (1 << bit) in known else INV_OPT
                check(st == want, f"{label}: flag bit {bit}, max_line_len {mll}: {st}, want {want}")
    for mll in (1, 39, 999, 0xFFFFFFFF, 0x80000028):
        for label, f in calls(lib, Options(mll, 0)).items():
            if label in ("date", "msgid"):
                continue
            st, n, at, _ = run(f, 4096)
            check(st == INV_OPT and n == 0, f"{label}: max_line_len {mll}: {st} {n}")
            if label in ("field", "mime"):
                check(at == SIZE_MAX, f"{label}: error_at {at} for max_line_len {mll}")


def field(lib, name, cls, value, o=None, cap=4096):
    op = ctypes.byref(o) if o is not None else None
    f = lambda out, c, ol, at: lib.mailfold_format_field(  # noqa: E731
        cbuf(name), len(name), cls, cbuf(value), len(value), op, out, c, ol, at)
    return run(f, cap)


def test_error_at(lib):
    pad = b"word " * 30
    cases = [
        # (name, class, value, options, status, error_at)
        (b"Subject", 0, pad + b"\xff", None, INV_UTF8, len(pad)),
        (b"Subject", 0, pad + b"\xe2\x82", None, INV_UTF8, len(pad)),
        (b"Subje\xffct", 0, b"x", None, INV_UTF8, SIZE_MAX),
        (b"Subject", 0, pad + b"\x01", None, CONTROL, len(pad)),
        (b"Subject", 0, pad + b"x\r\nBcc: a@b", None, CONTROL, len(pad) + 1),
        (b"Message-ID", 0, b"<a@b\xc2\x85>", None, CONTROL, 4),
        (b"Date", 0, b"Thu, 01 Jan 1970 00:00:00 +0000\x7f", None, CONTROL, 31),
        (b"Received", 0, pad + "é".encode(), None, NON_ASCII, len(pad)),
        (b"To", 0, b"a@b, " + "j\u00f6@x.org".encode(), None, NON_ASCII, 6),
        (b"Message-ID", 0, b"<a@b> <c@d>", None, INV_ID, 6),
        (b"References", 0, b"<a@b> <c d@e>", None, INV_ID, 8),
        (b"To", 0, b"a@b, (c) d@e", None, INV_ADDR, 5),
        (b"To", 0, b"", None, INV_ADDR, 0),
        (b"Content-Type", 0, b"text/plain; a=1; a=2", None, INV_PARAM, None),
        (b"Content-Type", 0, b"text/plain; na\"me=1", None, INV_PARAM, None),
        (b"Bad Name", 0, b"x", None, INV_NAME, SIZE_MAX),
        (b"", 0, b"x", None, INV_NAME, SIZE_MAX),
        (b"Received", 0, b"x" * 1000, None, LINE_LONG, SIZE_MAX),
        (b"X-Sig", 7, b"y" * 999, None, LINE_LONG, SIZE_MAX),
        (b"Subject", 99, b"x", None, INV_OPT, SIZE_MAX),
        (b"Subject", -1, b"x", None, INV_OPT, SIZE_MAX),
        (b"Subject", 0, b"x", Options(0, 12), INV_OPT, SIZE_MAX),
        (b"Date", 0, b"yesterday", None, INV_DATE, SIZE_MAX),
        (b"Subject", 0, b"fine", None, OK, SIZE_MAX),
    ]
    for name, cls, value, o, want, want_at in cases:
        for cap in (4096, 0, 3):
            st, n, at, _ = field(lib, name, cls, value, o, cap)
            if want == OK and cap < 4096:
                check(st == TOO_SMALL and at == SIZE_MAX,
                      f"{name!r} {value[-20:]!r} cap {cap}: {st}, error_at {at}")
                continue
            check(st == want, f"{name!r} {value[-20:]!r} cap {cap}: status {st}, want {want}")
            check(n == (0 if want != OK else n), f"{name!r}: out_len {n} after error")
            if want_at is None:
                check(at != SIZE_MAX and at < len(value),
                      f"{name!r} {value!r}: error_at {at}, want an offset")
            else:
                check(at == want_at, f"{name!r} {value[-20:]!r} cap {cap}: error_at {at}, "
                      f"want {want_at}")


def test_status_strings(lib):
    known = {}
    for code in range(13):
        p = lib.mailfold_status_str(code)
        check(p is not None and p == lib.mailfold_status_str(code), f"status_str({code})")
        known[code] = ctypes.string_at(p)
    check(len(set(known.values())) == 13, f"status strings repeat: {known}")
    for code in (-1, 13, 14, -2**31, 2**31 - 1):
        p = lib.mailfold_status_str(code)
        check(p is not None, f"status_str({code}) is NULL")
        if p is None:
            continue
        s = ctypes.string_at(p)
        check(s not in known.values() and len(s) > 0, f"status_str({code}) = {s!r}")
        check(p == lib.mailfold_status_str(code), f"status_str({code}) not static")


def main():
    lib = load(sys.argv[sys.argv.index("--lib") + 1])
    test_out_cap(lib)
    test_flags(lib)
    test_error_at(lib)
    test_status_strings(lib)
    for f in failures[:40]:
        print("FAIL:", f)
    print(f"{passed} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


main()
