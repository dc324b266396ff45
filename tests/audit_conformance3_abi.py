#!/usr/bin/env python3
"""The C ABI contract of SPEC §1.2, checked through the real shared library with ctypes.

Run by tests/audit_conformance3.rs (which builds libmailfold.so first):

    audit_conformance3_abi.py --lib PATH --version X.Y.Z

Every exported function that writes (format_header, format_field, format_mailboxes,
format_mime, format_date, make_msg_id) is called with buffers that sit between guard bytes,
and checked against the SPEC text, never against output of this library:

* size query (`out == NULL, out_cap == 0`) -> BUFFER_TOO_SMALL with the exact size;
* valid input, every out_cap from 0 to needed + 1: BUFFER_TOO_SMALL and `*out_len == needed`
  below needed, OK and the same bytes at and after it, a NUL after the output only when
  `out_cap > *out_len`, nothing written at or past `out + out_cap`;
* invalid input, every out_cap from 0 up to past the point where the error is: the same
  status, `*out_len == 0`, the same `*error_at`, the size query included;
* NULL pointers: accepted with length 0, NULL_ARGUMENT with a non-zero length or a NULL
  out_len (and then nothing written);
* INVALID_UTF8 in every string argument, error_at where the SPEC/README defines it;
* FORCE_Q | FORCE_B and unknown flags -> INVALID_OPTION for every function taking options;
  unknown class numbers -> INVALID_OPTION;
* mailfold_status_str for every code and unknown ones (static, never NULL, distinct);
  mailfold_version (static, the crate version); mailfold_options_default;
* reentrancy: threads formatting different fields at once get each their own result.

Prints `N passed, M failed` and exits non-zero on any failure.
"""

import argparse
import ctypes
import sys
import threading

OK, TOO_SMALL, NULL_ARG, INVALID_NAME, INVALID_UTF8 = 0, 1, 2, 3, 4
CONTROL, NON_ASCII, INVALID_MSG_ID, INVALID_ADDRESS = 5, 6, 7, 8
LINE_TOO_LONG, INVALID_OPTION, INVALID_DATE, INVALID_PARAMETER = 9, 10, 11, 12
FLAG_LF, FLAG_UTF8, FLAG_Q, FLAG_B, FLAG_2047 = 1, 2, 4, 8, 16
CLASS = dict(auto=0, unstructured=1, msgid=2, address=3, return_path=4, ascii=5, mime=6,
             verbatim=7)
SIZE_MAX = ctypes.c_size_t(-1).value
GUARD = 16
GUARD_BYTE = 0xA5

passed = failed = 0
failures = []


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        if len(failures) < 60:
            failures.append(what)


class Options(ctypes.Structure):
    _fields_ = [("max_line_len", ctypes.c_uint32), ("flags", ctypes.c_uint32)]


class Mailbox(ctypes.Structure):
    _fields_ = [("display_name", ctypes.c_void_p), ("display_name_len", ctypes.c_size_t),
                ("addr_spec", ctypes.c_void_p), ("addr_spec_len", ctypes.c_size_t)]


class Param(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("name_len", ctypes.c_size_t),
                ("value", ctypes.c_void_p), ("value_len", ctypes.c_size_t)]


VP, SZ, I32 = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int32


def load(path):
    lib = ctypes.CDLL(path)
    sig = {
        "mailfold_format_header": [VP, SZ, VP, SZ, VP, VP, SZ, VP],
        "mailfold_format_field": [VP, SZ, I32, VP, SZ, VP, VP, SZ, VP, VP],
        "mailfold_format_mailboxes": [VP, SZ, VP, SZ, VP, VP, SZ, VP],
        "mailfold_format_mime": [VP, SZ, VP, SZ, VP, SZ, VP, VP, SZ, VP, VP],
        "mailfold_format_date": [ctypes.c_int64, ctypes.c_int32, VP, SZ, VP],
        "mailfold_make_msg_id": [VP, VP, SZ, VP, SZ, VP],
    }
    for f, args in sig.items():
        getattr(lib, f).argtypes = args
        getattr(lib, f).restype = I32
    lib.mailfold_status_str.argtypes = [I32]
    lib.mailfold_status_str.restype = VP
    lib.mailfold_version.argtypes = []
    lib.mailfold_version.restype = VP
    lib.mailfold_options_default.argtypes = []
    lib.mailfold_options_default.restype = Options
    return lib


# Keeps every input buffer alive for as long as the pointers into it are used.
KEEP = []


def buf(data):
    """A pointer to exactly len(data) bytes holding data (no NUL after them), or None."""
    if data is None:
        return None
    b = (ctypes.c_char * len(data)).from_buffer_copy(data) if data else (ctypes.c_char * 1)()
    KEEP.append(b)
    return ctypes.addressof(b)


def enc(s):
    return s if isinstance(s, (bytes, type(None))) else s.encode("utf-8")


class Call:
    """One call of one exported function, runnable with any out/out_cap/out_len/error_at."""

    def __init__(self, lib, kind, label, **kw):
        self.lib, self.kind, self.label, self.kw = lib, kind, label, kw
        self.has_at = kind in ("field", "mime")

    def run(self, out, cap, out_len, error_at=None):
        k, lib = self.kw, self.lib
        if self.kind in ("header", "field"):
            name, value = k["name"], k["value"]
            nl = k.get("name_len", len(name) if name is not None else 0)
            vl = k.get("value_len", len(value) if value is not None else 0)
            opts = ctypes.addressof(k["opts"]) if k.get("opts") is not None else None
            if self.kind == "header":
                return lib.mailfold_format_header(buf(name), nl, buf(value), vl, opts, out, cap,
                                                  out_len)
            return lib.mailfold_format_field(buf(name), nl, k.get("cls", 0), buf(value), vl,
                                             opts, out, cap, out_len, error_at)
        if self.kind == "boxes":
            name = k["name"]
            boxes = k.get("boxes")
            arr = None
            if boxes is not None:
                a = (Mailbox * max(1, len(boxes)))()
                for i, (d, ad) in enumerate(boxes):
                    dl = d[1] if isinstance(d, tuple) else (len(d) if d is not None else 0)
                    d = d[0] if isinstance(d, tuple) else d
                    al = ad[1] if isinstance(ad, tuple) else (len(ad) if ad is not None else 0)
                    ad = ad[0] if isinstance(ad, tuple) else ad
                    a[i] = Mailbox(buf(d), dl, buf(ad), al)
                KEEP.append(a)
                arr = ctypes.addressof(a)
            n = k.get("n", len(boxes) if boxes is not None else 0)
            opts = ctypes.addressof(k["opts"]) if k.get("opts") is not None else None
            return lib.mailfold_format_mailboxes(buf(name), k.get("name_len", len(name or b"")), arr, n,
                                                 opts, out, cap, out_len)
        if self.kind == "mime":
            name, mt = k["name"], k["media_type"]
            params = k.get("params")
            arr = None
            if params is not None:
                a = (Param * max(1, len(params)))()
                for i, (pn, pv) in enumerate(params):
                    pnl = pn[1] if isinstance(pn, tuple) else (len(pn) if pn is not None else 0)
                    pn = pn[0] if isinstance(pn, tuple) else pn
                    pvl = pv[1] if isinstance(pv, tuple) else (len(pv) if pv is not None else 0)
                    pv = pv[0] if isinstance(pv, tuple) else pv
                    a[i] = Param(buf(pn), pnl, buf(pv), pvl)
                KEEP.append(a)
                arr = ctypes.addressof(a)
            n = k.get("n", len(params) if params is not None else 0)
            mtl = k.get("media_type_len", len(mt) if mt is not None else 0)
            opts = ctypes.addressof(k["opts"]) if k.get("opts") is not None else None
            return lib.mailfold_format_mime(buf(name), len(name), buf(mt), mtl, arr, n, opts,
                                            out, cap, out_len, error_at)
        if self.kind == "date":
            return lib.mailfold_format_date(k["secs"], k["offset"], out, cap, out_len)
        if self.kind == "msgid":
            rnd, dom = k["random"], k["domain"]
            dl = k.get("domain_len", len(dom) if dom is not None else 0)
            return lib.mailfold_make_msg_id(buf(rnd), buf(dom), dl, out, cap, out_len)
        raise ValueError(self.kind)

    def at_cap(self, cap, null_out=False):
        """Calls with a guarded buffer of cap bytes; returns (rc, out_len, error_at, bytes of
        the buffer, guards intact)."""
        block = (ctypes.c_ubyte * (cap + 2 * GUARD))(*([GUARD_BYTE] * (cap + 2 * GUARD)))
        out = None if null_out else ctypes.addressof(block) + GUARD
        n = ctypes.c_size_t(0x5A5A)
        at = ctypes.c_size_t(0x5A5A)
        rc = self.run(out, cap, ctypes.addressof(n),
                      ctypes.addressof(at) if self.has_at else None)
        raw = bytes(block)
        guards = (raw[:GUARD] == bytes([GUARD_BYTE]) * GUARD
                  and raw[GUARD + cap:] == bytes([GUARD_BYTE]) * GUARD)
        return rc, n.value, (at.value if self.has_at else None), raw[GUARD:GUARD + cap], guards


def sweep_valid(c, want=None):
    """The size query and every out_cap from 0 to needed + 1."""
    rc, needed, at, _, guards = c.at_cap(0, null_out=True)
    check(rc == TOO_SMALL, f"{c.label}: size query status {rc}, want BUFFER_TOO_SMALL")
    if rc != TOO_SMALL:
        return None
    if c.has_at:
        check(at == SIZE_MAX, f"{c.label}: size query error_at {at}, want SIZE_MAX")
    ref = None
    for cap in range(0, needed + 2):
        rc, n, at, data, guards = c.at_cap(cap)
        check(guards, f"{c.label}: out_cap {cap}: a byte outside [out, out + out_cap) changed")
        if cap < needed:
            check(rc == TOO_SMALL and n == needed,
                  f"{c.label}: out_cap {cap}: status {rc} out_len {n}, want 1 and {needed}")
        else:
            check(rc == OK and n == needed,
                  f"{c.label}: out_cap {cap}: status {rc} out_len {n}, want 0 and {needed}")
            if ref is None:
                ref = data[:needed]
            check(data[:needed] == ref, f"{c.label}: out_cap {cap}: different output")
            if cap > needed:
                check(data[needed] == 0, f"{c.label}: out_cap {cap}: no NUL after the output")
            check(b"\0" not in ref, f"{c.label}: a NUL inside the output")
        if c.has_at:
            check(at == SIZE_MAX, f"{c.label}: out_cap {cap}: error_at {at}, want SIZE_MAX")
    # A non-NULL out with out_cap 0 is a size query too.
    rc, n, _, _, guards = c.at_cap(0)
    check(rc == TOO_SMALL and n == needed and guards,
          f"{c.label}: non-NULL out, out_cap 0: status {rc} out_len {n}")
    if want is not None and ref is not None:
        check(ref == want, f"{c.label}: got {ref!r}, want {want!r}")
    return ref


def sweep_invalid(c, status, at=None, upto=None):
    """The same status, out_len 0 and error_at at every out_cap (the size query included)."""
    if upto is None:
        # Past the end of what the valid part of the value would need.
        upto = max(300, 2 * len(c.kw.get("value") or b""))
    rc, n, got_at, _, _ = c.at_cap(0, null_out=True)
    check(rc == status and n == 0,
          f"{c.label}: size query: status {rc} out_len {n}, want {status} and 0")
    if c.has_at and at is not None:
        check(got_at == at, f"{c.label}: size query: error_at {got_at}, want {at}")
    for cap in range(0, upto + 1):
        rc, n, got_at, _, guards = c.at_cap(cap)
        check(rc == status and n == 0,
              f"{c.label}: out_cap {cap}: status {rc} out_len {n}, want {status} and 0")
        check(guards, f"{c.label}: out_cap {cap}: a byte outside the buffer changed")
        if c.has_at and at is not None:
            check(got_at == at, f"{c.label}: out_cap {cap}: error_at {got_at}, want {at}")
        if rc != status:
            break


def opts(max_line_len=0, flags=0):
    o = Options(max_line_len, flags)
    KEEP.append(o)
    return o


RANDOM16 = bytes(range(16))


def valid_calls(lib):
    H = lambda name, value, o=None, label=None, **kw: Call(  # noqa: E731
        lib, "header", label or f"header {name}: {value!r:.60}", name=enc(name),
        value=enc(value), opts=o, **kw)
    F = lambda name, cls, value, o=None: Call(  # noqa: E731
        lib, "field", f"field {name} class {cls}: {value!r:.60}", name=enc(name),
        value=enc(value), cls=cls, opts=o)
    calls = [
        (H("Subject", "hello"), b"Subject: hello\r\n"),
        (H("Subject", "hello", opts(0, FLAG_LF)), b"Subject: hello\n"),
        (H("sUbJeCt", ""), b"sUbJeCt: \r\n"),
        (H("Subject", "Gr\u00fc\u00dfe aus K\u00f6ln, " * 6), None),
        (H("Subject", "Gr\u00fc\u00dfe aus K\u00f6ln " * 6, opts(40, FLAG_LF | FLAG_B)), None),
        (H("Subject", "Gr\u00fc\u00dfe aus K\u00f6ln " * 6, opts(998, FLAG_UTF8)), None),
        (H("Subject", "x" * 1200), None),
        (H("To", "\"Doe, John\" <jd@example.com>, Zo\u00eb <zoe@example.com>, "
                 "Team: a@x.org, b@x.org;"), None),
        (H("Bcc", ""), b"Bcc: \r\n"),
        (H("References", " ".join(f"<id{i}@example.com>" for i in range(12))), None),
        (H("Message-ID", "abc@example.com"), b"Message-ID: <abc@example.com>\r\n"),
        (H("Return-Path", "<>"), b"Return-Path: <>\r\n"),
        (H("Date", "Thu, 01 Jan 1970 00:00:00 +0000"),
         b"Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"),
        (H("Content-Disposition", "attachment; filename=\"R\u00e9sum\u00e9.pdf\""),
         b"Content-Disposition: attachment; filename*=utf-8''R%C3%A9sum%C3%A9.pdf\r\n"),
        (H("Keywords", "Zo\u00eb, x"), None),
        (H("List-Id", "Zo\u00eb's list <list.example.com>"), None),
        (F("X-A", CLASS["auto"], "text"), b"X-A: text\r\n"),
        (F("X-A", CLASS["unstructured"], "a\r\n b"), b"X-A: a b\r\n"),
        (F("X-A", CLASS["msgid"], "a@b c@d"), b"X-A: <a@b> <c@d>\r\n"),
        (F("X-A", CLASS["address"], "a@b.org"), b"X-A: a@b.org\r\n"),
        (F("X-A", CLASS["return_path"], "<a@b.org>"), b"X-A: <a@b.org>\r\n"),
        (F("X-A", CLASS["ascii"], "v=1; a=b"), b"X-A: v=1; a=b\r\n"),
        (F("X-A", CLASS["mime"], "text/plain"), b"X-A: text/plain\r\n"),
        (F("X-A", CLASS["verbatim"], "a;\r\n\tb"), b"X-A: a;\r\n\tb\r\n"),
        (Call(lib, "date", "date 0", secs=0, offset=0), b"Thu, 01 Jan 1970 00:00:00 +0000"),
        (Call(lib, "date", "date -0330", secs=1795916715, offset=-210),
         b"Sat, 28 Nov 2026 22:15:15 -0330"),
        (Call(lib, "msgid", "make_msg_id", random=RANDOM16, domain=b"example.com"),
         # uuid.UUID(bytes=bytes(range(16)), version=4).hex
         b"<000102030405460788090a0b0c0d0e0f@example.com>"),
        (Call(lib, "boxes", "mailboxes To", name=b"To",
              boxes=[(b"Doe, John", b"jd@example.com"), (None, b"ops@example.com")]),
         b"To: \"Doe, John\" <jd@example.com>, ops@example.com\r\n"),
        (Call(lib, "boxes", "mailboxes Bcc, NULL boxes", name=b"Bcc", boxes=None), b"Bcc: \r\n"),
        (Call(lib, "boxes", "mailboxes Return-Path", name=b"Return-Path",
              boxes=[(None, b"a@b.org")]), b"Return-Path: <a@b.org>\r\n"),
        (Call(lib, "mime", "mime", name=b"Content-Disposition", media_type=b"attachment",
              params=[(b"filename", enc("R\u00e9sum\u00e9.pdf"))]),
         b"Content-Disposition: attachment; filename*=utf-8''R%C3%A9sum%C3%A9.pdf\r\n"),
        (Call(lib, "mime", "mime, NULL params", name=b"Content-Type", media_type=b"text/plain",
              params=None), b"Content-Type: text/plain\r\n"),
        (Call(lib, "mime", "mime, long", name=b"Content-Disposition", media_type=b"attachment",
              params=[(b"filename", enc("\u5c71" * 60))]), None),
    ]
    return calls


def invalid_calls(lib):
    """(call, status, error_at or None, how far to sweep out_cap). The errors sit late in the
    value, after enough valid text to fill small buffers."""
    F = lambda name, cls, value, o=None: Call(  # noqa: E731
        lib, "field", f"field {name!r:.30} class {cls}: {value!r:.70}", name=enc(name),
        value=enc(value), cls=cls, opts=o)
    many = ", ".join(f"user{i}@example.com" for i in range(15))
    ids = " ".join(f"<id{i}@example.com>" for i in range(15))
    words = "word " * 60
    out = []
    for cls in (0, CLASS["unstructured"]):
        v = words + "\x01"
        out.append((F("Subject", cls, v), CONTROL, len(v) - 1))
        v = words + "x\r\nBcc: v@example.com"
        out.append((F("Subject", cls, v), CONTROL, len(words) + 1))
    v = many + ", c@@d.org"
    out.append((F("To", 0, v), INVALID_ADDRESS, len(v) - 6))
    v = many + ",\r\n Zo\u00eb <c\u00e9@d.org>"
    out.append((F("Cc", 0, v), NON_ASCII, len(enc(v)) - len(enc("\u00e9@d.org>"))))
    v = ids + " <a..b@c>"
    out.append((F("References", 0, v), INVALID_MSG_ID, len(v) - 5))
    v = ids + " <a@b\u00e9>"
    out.append((F("References", 0, v), INVALID_MSG_ID, len(ids) + 5))
    v = "from " + "x " * 80 + "\u00e9"
    out.append((F("Received", 0, v), NON_ASCII, len(v) - 1))
    v = "from " + "x " * 80 + "y" * 999
    out.append((F("Received", 0, v), LINE_TOO_LONG, SIZE_MAX))
    v = "text/plain; " + "; ".join(f"p{i}=v{i}" for i in range(20)) + "; P3=x"
    out.append((F("Content-Type", 0, v), INVALID_PARAMETER, len(v) - 4))
    v = "v=1;\r\n b=" + "A" * 200 + "\r\nx"
    out.append((F("X-Sig", CLASS["verbatim"], v), CONTROL, len(v) - 3))
    v = "Thu, 01 Jan 1970 00:00:00 +0000 x"
    out.append((F("Date", 0, v), INVALID_DATE, SIZE_MAX))
    v = "Fri, 01 Jan 1970 00:00:00 +0000"
    out.append((F("Resent-Date", 0, v), INVALID_DATE, SIZE_MAX))
    out.append((F("To", 0, ""), INVALID_ADDRESS, 0))
    out.append((F("Return-Path", 0, "<a@b> x"), INVALID_ADDRESS, 6))
    out.append((F("Bad Name", 0, "x"), INVALID_NAME, SIZE_MAX))
    out.append((F("", 0, "x"), INVALID_NAME, SIZE_MAX))
    for cls in (8, 9, 100, -1, -2**31, 2**31 - 1):
        out.append((F("Subject", cls, "x"), INVALID_OPTION, SIZE_MAX))
    # Invalid UTF-8: error_at is the first byte that is not UTF-8 (README, C ABI); in the name
    # there is no position in the value.
    v = enc(words) + b"\xc3("
    out.append((F("Subject", 0, v), INVALID_UTF8, len(v) - 2))
    out.append((F(b"X-\xff", 0, "x"), INVALID_UTF8, SIZE_MAX))
    # Every error of the mailbox array.
    good = [(None, f"user{i}@example.com".encode()) for i in range(12)]
    for label, last, status in [
        ("bad addr-spec", (None, b"c@@d.org"), INVALID_ADDRESS),
        ("CRLF in a display name", (b"Eve\r\nBcc: v@x.org", b"e@x.org"), CONTROL),
        ("non-ASCII addr-spec", (None, enc("\u00e9@x.org")), NON_ASCII),
        ("invalid UTF-8 display name", (b"Zo\xeb", b"z@x.org"), INVALID_UTF8),
        ("invalid UTF-8 addr-spec", (None, b"z\xff@x.org"), INVALID_UTF8),
    ]:
        out.append((Call(lib, "boxes", f"mailboxes: {label}", name=b"To", boxes=good + [last]),
                    status, None))
    out.append((Call(lib, "boxes", "mailboxes: Message-ID", name=b"Message-ID",
                     boxes=[(None, b"a@b.org")]), INVALID_NAME, None))
    out.append((Call(lib, "boxes", "mailboxes: empty To", name=b"To", boxes=None),
                INVALID_ADDRESS, None))
    params = [(f"p{i}".encode(), f"v{i}".encode()) for i in range(20)]
    for label, last, status, at in [
        ("repeated name", (b"P3", b"x"), INVALID_PARAMETER, 0),
        ("space in a name", (b"a b", b"x"), INVALID_PARAMETER, 1),
        ("CRLF in a value", (b"q", b"ab\r\nBcc: x"), CONTROL, 2),
        ("invalid UTF-8 value", (b"q", b"ab\xe9"), INVALID_UTF8, 2),
        ("invalid UTF-8 name", (b"q\xff", b"x"), INVALID_UTF8, 1),
    ]:
        out.append((Call(lib, "mime", f"mime: {label}", name=b"Content-Type",
                         media_type=b"text/plain", params=params + [last]), status, at))
    out.append((Call(lib, "mime", "mime: media type without subtype", name=b"Content-Type",
                     media_type=b"text", params=params), INVALID_PARAMETER, 4))
    out.append((Call(lib, "mime", "mime: invalid UTF-8 media type", name=b"Content-Type",
                     media_type=b"text/pl\xe1in", params=params), INVALID_UTF8, 7))
    for secs, off in [(0, 1440), (0, -1440), (-2208988801, 0), (253402300800, 0),
                      (2**63 - 1, 0), (-2**63, 0), (0, 2**31 - 1)]:
        out.append((Call(lib, "date", f"date({secs}, {off})", secs=secs, offset=off),
                    INVALID_DATE, None))
    for dom, status in [(b"a..b", INVALID_MSG_ID), (b"", INVALID_MSG_ID),
                        (enc("ex\u00e4mple.com"), NON_ASCII), (b"ex\xe2\x82.com", INVALID_UTF8),
                        (b"a" * 990, LINE_TOO_LONG), (b"a b", INVALID_MSG_ID)]:
        out.append((Call(lib, "msgid", f"make_msg_id({dom!r:.30})", random=RANDOM16,
                         domain=dom), status, None))
    return out


def option_calls(lib):
    """Each function that takes options, with options that are invalid."""
    res = []
    for label, o in [("FORCE_Q|FORCE_B", opts(0, FLAG_Q | FLAG_B)),
                     ("LF|UTF8|FORCE_Q|FORCE_B", opts(0, FLAG_LF | FLAG_UTF8 | FLAG_Q | FLAG_B)),
                     ("unknown flag 32", opts(0, 32)), ("unknown flag 1<<31", opts(0, 1 << 31)),
                     ("max_line_len 39", opts(39, 0)), ("max_line_len 999", opts(999, 0))]:
        res += [
            Call(lib, "header", f"header, {label}", name=b"Subject", value=b"x", opts=o),
            Call(lib, "field", f"field, {label}", name=b"Subject", value=b"x", cls=0, opts=o),
            Call(lib, "boxes", f"mailboxes, {label}", name=b"To", boxes=[(None, b"a@b.org")],
                 opts=o),
            Call(lib, "mime", f"mime, {label}", name=b"Content-Type", media_type=b"text/plain",
                 params=None, opts=o),
        ]
    return res


def test_null_arguments(lib):
    """SPEC §1.2: pointers may be NULL only with length 0; NULL out_len -> NULL_ARGUMENT."""
    def C(kind, label, **kw):
        return Call(lib, kind, label, **kw)
    nulls = [
        C("header", "header NULL name, length 7", name=None, name_len=7, value=b"x"),
        C("header", "header NULL value, length 1", name=b"Subject", value=None, value_len=1),
        C("field", "field NULL value, length 3", name=b"Subject", value=None, value_len=3,
          cls=0),
        C("field", "field NULL name, length 1", name=None, name_len=1, value=b"x", cls=0),
        C("boxes", "mailboxes NULL boxes, n 1", name=b"To", boxes=None, n=1),
        C("boxes", "mailboxes NULL display name, length 2", name=b"To",
          boxes=[((None, 2), b"a@b.org")]),
        C("boxes", "mailboxes NULL addr-spec, length 7", name=b"To",
          boxes=[(b"A", (None, 7))]),
        C("boxes", "mailboxes NULL name, length 2", name=None, name_len=2,
          boxes=[(None, b"a@b.org")]),
        C("mime", "mime NULL params, n 1", name=b"Content-Type", media_type=b"text/plain",
          params=None, n=1),
        C("mime", "mime NULL media type, length 10", name=b"Content-Type", media_type=None,
          media_type_len=10, params=None),
        C("mime", "mime NULL parameter name, length 3", name=b"Content-Type",
          media_type=b"text/plain", params=[((None, 3), b"x")]),
        C("mime", "mime NULL parameter value, length 3", name=b"Content-Type",
          media_type=b"text/plain", params=[(b"a", (None, 3))]),
        C("msgid", "make_msg_id NULL random", random=None, domain=b"example.com"),
        C("msgid", "make_msg_id NULL domain, length 5", random=RANDOM16, domain=None,
          domain_len=5),
    ]
    for c in nulls:
        sweep_invalid(c, NULL_ARG, SIZE_MAX, upto=64)
    # NULL out with out_cap > 0, for every function.
    for c in [
        C("header", "header", name=b"Subject", value=b"x"),
        C("field", "field", name=b"Subject", value=b"x", cls=0),
        C("boxes", "mailboxes", name=b"To", boxes=[(None, b"a@b.org")]),
        C("mime", "mime", name=b"Content-Type", media_type=b"text/plain", params=None),
        C("date", "date", secs=0, offset=0),
        C("msgid", "make_msg_id", random=RANDOM16, domain=b"example.com"),
    ]:
        for cap in (1, 5, 1000):
            n = ctypes.c_size_t(77)
            at = ctypes.c_size_t(77)
            rc = c.run(None, cap, ctypes.addressof(n), ctypes.addressof(at) if c.has_at else None)
            check(rc == NULL_ARG and n.value == 0,
                  f"{c.label}: NULL out with out_cap {cap}: status {rc} out_len {n.value}")
            if c.has_at:
                check(at.value == SIZE_MAX, f"{c.label}: NULL out: error_at {at.value}")
        # A NULL out_len: NULL_ARGUMENT and nothing written, whatever the buffer.
        for cap in (0, 8, 200):
            block = (ctypes.c_ubyte * (cap + 2 * GUARD))(*([GUARD_BYTE] * (cap + 2 * GUARD)))
            rc = c.run(ctypes.addressof(block) + GUARD if cap else None, cap, None, None)
            check(rc == NULL_ARG, f"{c.label}: NULL out_len, out_cap {cap}: status {rc}")
            check(bytes(block) == bytes([GUARD_BYTE]) * (cap + 2 * GUARD),
                  f"{c.label}: NULL out_len, out_cap {cap}: the buffer was written")
        # error_at may be NULL.
        if c.has_at:
            n = ctypes.c_size_t(0)
            rc = c.run(None, 0, ctypes.addressof(n), None)
            check(rc == TOO_SMALL and n.value > 0, f"{c.label}: NULL error_at: status {rc}")
    # NULL with length 0 is an empty string (and not the same as a NULL with a length).
    empties = [
        (C("header", "header NULL empty value", name=b"Subject", value=None), OK),
        (C("field", "field NULL empty value", name=b"X-A", value=None, cls=1), OK),
        (C("header", "header NULL empty name", name=None, value=b"x"), INVALID_NAME),
        (C("boxes", "mailboxes NULL display name, length 0", name=b"To",
           boxes=[(None, b"a@b.org")]), OK),
        (C("boxes", "mailboxes NULL addr-spec, length 0", name=b"To", boxes=[(b"A", None)]),
         INVALID_ADDRESS),
        (C("mime", "mime NULL empty value", name=b"Content-Disposition",
           media_type=b"attachment", params=[(b"filename", None)]), OK),
        (C("mime", "mime NULL empty media type", name=b"Content-Type", media_type=None,
           params=None), INVALID_PARAMETER),
        (C("msgid", "make_msg_id NULL empty domain", random=RANDOM16, domain=None),
         INVALID_MSG_ID),
    ]
    for c, want in empties:
        if want == OK:
            sweep_valid(c)
        else:
            sweep_invalid(c, want, None, upto=64)
    # The exact outputs for the empty ones.
    for c, want in [
        (empties[0][0], b"Subject: \r\n"),
        (empties[1][0], b"X-A: \r\n"),
        (empties[3][0], b"To: a@b.org\r\n"),
        (empties[5][0], b"Content-Disposition: attachment; filename=\"\"\r\n"),
    ]:
        sweep_valid(c, want)


def test_static_strings(lib, version):
    codes = range(0, 13)
    seen = {}
    for code in codes:
        p = lib.mailfold_status_str(code)
        check(p is not None, f"status_str({code}) is NULL")
        if p is None:
            continue
        s = ctypes.string_at(p)
        check(len(s) > 0 and s.isascii(), f"status_str({code}) = {s!r}")
        check(lib.mailfold_status_str(code) == p, f"status_str({code}) is not static")
        check(s not in seen.values(), f"status_str({code}) = {s!r} repeats another code")
        seen[code] = s
    for code in (-1, 13, 14, 100, 2**31 - 1, -2**31):
        p = lib.mailfold_status_str(code)
        check(p is not None, f"status_str({code}) of an unknown code is NULL")
        if p is None:
            continue
        s = ctypes.string_at(p)
        check(len(s) > 0 and s not in seen.values(),
              f"status_str({code}) of an unknown code = {s!r}")
        check(lib.mailfold_status_str(code) == p, f"status_str({code}) is not static")
    p = lib.mailfold_version()
    check(p is not None and ctypes.string_at(p) == version.encode(),
          f"version {ctypes.string_at(p) if p else None!r}, want {version!r}")
    check(lib.mailfold_version() == p, "version is not a static string")
    d = lib.mailfold_options_default()
    check((d.max_line_len, d.flags) == (78, 0),
          f"options_default {(d.max_line_len, d.flags)}, want (78, 0)")


def test_threads(lib):
    """Reentrant (SPEC §1.2): concurrent calls each get their own result."""
    results = {}

    def work(i):
        got = []
        for j in range(200):
            value = f"thread {i} call {j} " + "\u00e9" * (i % 5) + " x" * (j % 40)
            c = Call(lib, "header", "t", name=b"Subject", value=enc(value))
            rc, n, _, data, _ = c.at_cap(512)
            got.append((rc, data[:n], value))
        results[i] = got

    ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    for i, got in results.items():
        for rc, data, value in got:
            c = Call(lib, "header", "t", name=b"Subject", value=enc(value))
            rc2, n2, _, data2, _ = c.at_cap(512)
            check(rc == rc2 == OK and data == data2[:n2],
                  f"thread {i}: {value!r}: a concurrent call gave another result")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", required=True)
    ap.add_argument("--version", required=True)
    args = ap.parse_args()
    lib = load(args.lib)

    for c, want in valid_calls(lib):
        sweep_valid(c, want)
    for c, status, at in invalid_calls(lib):
        sweep_invalid(c, status, at)
    for c in option_calls(lib):
        sweep_invalid(c, INVALID_OPTION, SIZE_MAX, upto=64)
    test_null_arguments(lib)
    test_static_strings(lib, args.version)
    test_threads(lib)

    for f in failures:
        print("FAIL", f)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
