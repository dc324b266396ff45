#!/usr/bin/env python3
"""Differential checks of mailfold against CPython's `email` package, through the real shared
library (ctypes). Run by tests/audit_conformance4.rs:

    audit_conformance4_diff.py --lib PATH

On seeded random inputs, every check against the SPEC text or CPython, never against output
of this library:

* unstructured (SPEC §3, §4): every soft limit from the minimum to 998, utf8 on/off, Q/B/Auto,
  LF and CRLF; 4-byte UTF-8, combining marks, RTL text, emoji ZWJ sequences, U+0085,
  U+2028/U+2029, C1 controls, `=?`. CPython's policy.default reads back exactly the input;
  no encoded-word over 75 characters, every line holding one within 76, every line within
  the soft limit unless it holds one unbreakable token, none over 998 octets;
* format_mailboxes (SPEC §6): display names taken literally come back exactly (decoded by
  RFC 2047 §6.2 here, CPython gh-128110), CPython's headerregistry finds the same addr-specs,
  and every Q word of a display name uses only the phrase-safe set;
* MIME parameters (SPEC §7): CPython's get_param reads back the value; every RFC 2231
  segment holds whole UTF-8 characters and whole %XX escapes; the RFC 2047 compatibility
  form decodes to the value;
* the LF output of every class is the CRLF output with CRLF replaced by LF.

Prints `N passed, M failed` and exits non-zero on any failure.
"""

import argparse
import base64
import ctypes
import email
import email.utils
import random
import re
import string
import sys
from email import policy

SZ, I32, VP = ctypes.c_size_t, ctypes.c_int32, ctypes.c_void_p
FLAG_LF, FLAG_UTF8, FLAG_Q, FLAG_B, FLAG_2047 = 1, 2, 4, 8, 16
CLASS_UNSTRUCTURED, CLASS_AUTO = 1, 0
EW = re.compile(rb"=\?([^?]*)\?([qQbB])\?([^?]*)\?=")
PHRASE_SAFE = set((string.ascii_letters + string.digits + "!*+-/=_").encode())

passed = failed = 0
failures = []


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        if len(failures) < 40:
            failures.append(what)


class Options(ctypes.Structure):
    _fields_ = [("max_line_len", ctypes.c_uint32), ("flags", ctypes.c_uint32)]


class Mailbox(ctypes.Structure):
    _fields_ = [("display_name", ctypes.c_char_p), ("display_name_len", SZ),
                ("addr_spec", ctypes.c_char_p), ("addr_spec_len", SZ)]


class Param(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("name_len", SZ),
                ("value", ctypes.c_char_p), ("value_len", SZ)]


class Lib:
    def __init__(self, path):
        lib = ctypes.CDLL(path)
        lib.mailfold_format_field.argtypes = [ctypes.c_char_p, SZ, I32, ctypes.c_char_p, SZ, VP,
                                              VP, SZ, VP, VP]
        lib.mailfold_format_mailboxes.argtypes = [ctypes.c_char_p, SZ, VP, SZ, VP, VP, SZ, VP]
        lib.mailfold_format_mime.argtypes = [ctypes.c_char_p, SZ, ctypes.c_char_p, SZ, VP, SZ,
                                             VP, VP, SZ, VP, VP]
        for f in ("mailfold_format_field", "mailfold_format_mailboxes", "mailfold_format_mime"):
            getattr(lib, f).restype = I32
        self.lib = lib
        self.out = ctypes.create_string_buffer(1 << 16)

    def _done(self, rc, n):
        return (rc, self.out.raw[:n.value] if rc == 0 else None)

    def field(self, name, cls, value, mll, flags):
        n, v = name.encode(), value.encode()
        o, ln, at = Options(mll, flags), SZ(0), SZ(0)
        rc = self.lib.mailfold_format_field(n, len(n), cls, v, len(v), ctypes.addressof(o),
                                            ctypes.addressof(self.out), len(self.out),
                                            ctypes.addressof(ln), ctypes.addressof(at))
        return self._done(rc, ln)

    def mailboxes(self, name, boxes, mll, flags):
        n = name.encode()
        arr = (Mailbox * len(boxes))()
        keep = []
        for k, (d, a) in enumerate(boxes):
            db, ab = d.encode(), a.encode()
            keep += [db, ab]
            arr[k] = Mailbox(db, len(db), ab, len(ab))
        o, ln = Options(mll, flags), SZ(0)
        rc = self.lib.mailfold_format_mailboxes(n, len(n), ctypes.addressof(arr), len(boxes),
                                                ctypes.addressof(o), ctypes.addressof(self.out),
                                                len(self.out), ctypes.addressof(ln))
        return self._done(rc, ln)

    def mime(self, name, typ, params, mll, flags):
        n, t = name.encode(), typ.encode()
        arr = (Param * len(params))()
        keep = []
        for k, (pn, pv) in enumerate(params):
            a, b = pn.encode(), pv.encode()
            keep += [a, b]
            arr[k] = Param(a, len(a), b, len(b))
        o, ln, at = Options(mll, flags), SZ(0), SZ(0)
        rc = self.lib.mailfold_format_mime(n, len(n), t, len(t), ctypes.addressof(arr),
                                           len(params), ctypes.addressof(o),
                                           ctypes.addressof(self.out), len(self.out),
                                           ctypes.addressof(ln), ctypes.addressof(at))
        return self._done(rc, ln)


def ending(flags):
    return b"\n" if flags & FLAG_LF else b"\r\n"


def lines(out, flags):
    end = ending(flags)
    if not out.endswith(end):
        return None
    return out[:-len(end)].split(end)


def line_problems(name, out, mll, flags):
    """SPEC §3's length rules; a quoted-string counts as one unbreakable token."""
    probs = []
    ls = lines(out, flags)
    if ls is None:
        return ["no line ending at the end"]
    soft = mll or 78
    for k, line in enumerate(ls):
        if b"\r" in line or b"\n" in line:
            probs.append("bare CR or LF")
        if k > 0 and line[:1] not in (b" ", b"\t"):
            probs.append("continuation without white space")
        if len(line) > 998:
            probs.append("line of %d octets" % len(line))
        if not flags & FLAG_UTF8 and any(c >= 0x80 for c in line):
            probs.append("8-bit byte with utf8 off")
        words = [m.group(0) for m in EW.finditer(line)]
        width = len(line.decode("utf-8")) if flags & FLAG_UTF8 else len(line)
        for w in words:
            if len(w) > 75:
                probs.append("encoded-word of %d" % len(w))
        if words and width > 76:
            probs.append("encoded-word line of %d" % width)
        if width > soft:
            core = line[len(name) + 2:] if k == 0 else line.lstrip(b" \t")
            core = re.sub(rb'"(?:[^"\\]|\\.)*"', b"Q", core)
            if b" " in core or b"\t" in core or words:
                probs.append("line of %d over the soft limit %d" % (width, soft))
    return probs


def unfold(out, name, flags):
    end = ending(flags)
    return out[len(name) + 1:-len(end)].replace(end, b"")


def decode_word(m):
    charset, enc, text = m.groups()
    if enc in b"qQ":
        return re.sub(rb"=([0-9A-Fa-f]{2})", lambda h: bytes([int(h.group(1), 16)]),
                      text.replace(b"_", b" "))
    return base64.b64decode(text)


TOKEN = re.compile(rb'\s*(?:("(?:[^"\\]|\\.)*")|(<[^>]*>)|([,;:])|(=\?[^?]*\?[qQbB]\?[^?]*\?=)'
                   rb'|([^\s",;:<>]+))', re.S)


def read_mailboxes(v):
    """(display name decoded by RFC 2047 §6.2, addr-spec) of each mailbox of a list."""
    pos, out, cur = 0, [], []

    def name_of(parts):
        res, prev = [], None
        for kind, x in parts:
            if kind == "ew":
                if prev != "ew" and res:
                    res.append(b" ")
                res.append(decode_word(EW.fullmatch(x)))
            else:
                if res:
                    res.append(b" ")
                res.append(re.sub(rb"\\(.)", rb"\1", x[1:-1], flags=re.S) if kind == "q" else x)
            prev = kind
        return b"".join(res).decode("utf-8")

    while pos < len(v):
        m = TOKEN.match(v, pos)
        if not m or m.end() == pos:
            if v[pos:].strip():
                raise ValueError("unreadable at %d" % pos)
            break
        pos = m.end()
        q, angle, sep, ew, atom = m.groups()
        if q:
            cur.append(("q", q))
        elif angle:
            out.append((name_of(cur) if cur else None, angle[1:-1].decode("utf-8")))
            cur = []
        elif sep:
            if sep == b":":
                cur = []
            elif cur:
                out.append((None, b"".join(x for _, x in cur).decode("utf-8")))
                cur = []
        elif ew:
            cur.append(("ew", ew))
        else:
            cur.append(("a", atom))
    if cur:
        out.append((None, b"".join(x for _, x in cur).decode("utf-8")))
    return out


def decode_text(v):
    """RFC 2047 §6.2: white space between adjacent encoded-words is dropped."""
    res, prev_ew, pending = [], False, b""
    for tok in re.split(rb"([ \t]+)", v):
        if not tok:
            continue
        if not tok.strip(b" \t"):
            pending += tok
            continue
        m = EW.fullmatch(tok)
        if not (m and prev_ew):
            res.append(pending)
        res.append(decode_word(m) if m else tok)
        prev_ew, pending = bool(m), b""
    res.append(pending)
    return b"".join(res).decode("utf-8")


def parse(out, flags):
    raw = out if flags & FLAG_LF else out.replace(b"\r\n", b"\n")
    return email.message_from_string((raw + b"\n").decode("utf-8"), policy=policy.default)


PIECES = ["a", "abc", "hello", "x" * 30, "é", "Grüße", "日本語", "😀", "👨\u200d👩\u200d👧",
          "e\u0301", "a\u0301\u0302\u0303", "שלום", "مرحبا", "\u0085", "\u2028", "\u2029",
          "\u0080", "\u009f", "=?", "?=", "_", "=", "?", "  ", "\t", "\u00a0", "\u3000",
          "\ufeff", '"', "\\", "(", ",", "y" * 77, "z" * 200, "\U0001F1E9\U0001F1EA", "\u200d",
          "\u202e", "𝔘𝔫𝔦"]
LIMITS = [0, 40, 41, 45, 50, 60, 76, 77, 78, 79, 100, 200, 500, 997, 998]
FLAGS = [0, FLAG_LF, FLAG_UTF8, FLAG_UTF8 | FLAG_LF, FLAG_Q, FLAG_B, FLAG_Q | FLAG_UTF8,
         FLAG_B | FLAG_LF]


def unstructured(lib, rng, n):
    for _ in range(n):
        v = "".join(rng.choice(PIECES) + (" " if rng.random() < 0.6 else "")
                    for _ in range(rng.randint(1, 12))).strip(" \t")
        if not v:
            continue
        mll, flags = rng.choice(LIMITS), rng.choice(FLAGS)
        name = rng.choice(["Subject", "X-A", "X-" + "n" * 30, "Comments"])
        rc, out = lib.field(name, CLASS_UNSTRUCTURED, v, mll, flags)
        label = "%s %r mll=%d flags=%d" % (name, v[:80], mll, flags)
        check(rc == 0, "%s: status %d" % (label, rc))
        if rc != 0:
            continue
        probs = line_problems(name, out, mll, flags)
        check(not probs, "%s: %s in %r" % (label, probs[:2], out[:200]))
        got = decode_text(unfold(out, name, flags))
        check(got.strip(" \t") == v, "%s: RFC 2047 decodes to %r" % (label, got[:80]))
        if not flags & FLAG_UTF8:
            # Up to leading white space (SPEC §3): a fold after the colon leaves one.
            got = str(parse(out, flags)[name]).strip(" \t")
            check(got == v, "%s: CPython reads %r" % (label, got[:80]))


NAMES = ["John", "Doe, John", "Zoë", "Ärger Über", "日本 語", "😀", "a.b", '"q"', "back\\slash",
         "x" * 50, "é" * 40, "e\u0301", "שלום", "(c)", "[x]", "a:b", "a;b", "<x>",
         "=?utf-8?q?x?=", "  sp  ", "\u00a0", "Mr. X", "@", "O'Neil", "a\u0301\u0302", "\u2028",
         "\u0085", "👨\u200d👩\u200d👧", "\t"]
ADDRS = ["a@b", "first.last@example.com", '"x y"@e.org', '"a\\"b"@c.d', "a@[192.0.2.1]",
         "x+tag@sub.example.co.uk", "u" * 60 + "@example.com"]


def mailboxes(lib, rng, n):
    for _ in range(n):
        boxes = []
        for _ in range(rng.randint(1, 5)):
            d = "".join(rng.choice(NAMES) + rng.choice([" ", "", "  "])
                        for _ in range(rng.randint(1, 3))).strip(" ")
            boxes.append((d if rng.random() < 0.8 else "", rng.choice(ADDRS)))
        mll, flags = rng.choice([0, 40, 50, 60, 78, 100, 998]), rng.choice(FLAGS)
        rc, out = lib.mailboxes("To", boxes, mll, flags)
        label = "To %r mll=%d flags=%d" % (boxes, mll, flags)
        check(rc == 0, "%s: status %d" % (label, rc))
        if rc != 0:
            continue
        probs = line_problems("To", out, mll, flags)
        check(not probs, "%s: %s in %r" % (label, probs[:2], out[:300]))
        for m in EW.finditer(out):
            if m.group(2) in b"qQ":
                check(set(m.group(3)) <= PHRASE_SAFE, "%s: Q word %r" % (label, m.group(0)))
        try:
            got = read_mailboxes(unfold(out, "To", flags))
        except ValueError as e:
            got = str(e)
        want = [(d or None, a) for d, a in boxes]
        check(got == want, "%s: reads back %r in %r" % (label, got, out[:300]))
        try:
            specs = [a.addr_spec for a in parse(out, flags)["To"].addresses]
        except Exception as e:  # noqa: BLE001 - any CPython failure is a finding
            specs = repr(e)
        check(isinstance(specs, list) and len(specs) == len(boxes),
              "%s: CPython finds %r" % (label, specs))


VALUES = ["a", "file.txt", "Résumé 2026.pdf", "日本語のファイル名.docx", "😀" * 10, "x" * 100,
          "a b c", 'a"b', "a\\b", "a'b", "a*b", "a%b", "e\u0301" * 30, "é" * 60, "ab;cd",
          "=?utf-8?q?x?=", "(x)", "tab\there", "ü" * 200, "a" * 500, "\u0085x", "𝔘" * 40]


def mime(lib, rng, n):
    for _ in range(n):
        v = rng.choice(VALUES) + rng.choice(["", rng.choice(VALUES)])
        # CPython's RFC 2231 reader takes only \w+ names (no '-').
        pname = rng.choice(["filename", "name", "x" + "p" * rng.randint(1, 40)])
        mll = rng.choice([0, 40, 41, 42, 43, 44, 45, 50, 60, 78, 100, 998])
        flags = rng.choice([0, FLAG_LF, FLAG_UTF8, FLAG_Q, FLAG_B, FLAG_2047,
                            FLAG_2047 | FLAG_Q, FLAG_2047 | FLAG_UTF8])
        name, typ = rng.choice([("Content-Disposition", "attachment"),
                                ("Content-Type", "application/octet-stream")])
        rc, out = lib.mime(name, typ, [(pname, v)], mll, flags)
        label = "%s %s=%r mll=%d flags=%d" % (name, pname, v[:60], mll, flags)
        check(rc == 0, "%s: status %d" % (label, rc))
        if rc != 0:
            continue
        probs = line_problems(name, out, mll, flags)
        check(not probs, "%s: %s" % (label, probs[:2]))
        text = unfold(out, name, flags).decode("utf-8")
        if flags & FLAG_2047:
            # CPython returns the last of name* and name; read the RFC 2231 one alone.
            m = re.search(r"[;\s]" + pname + r'="(=\?[^"]*)"', text)
            if m:
                got = decode_text(m.group(1).encode())
                check(got == v, "%s: RFC 2047 form decodes to %r" % (label, got[:60]))
            raw = re.sub(r";\s*" + pname + r'="=\?[^"]*"', "", out.decode("utf-8"))
        else:
            raw = out.decode("utf-8")
        if not flags & FLAG_LF:
            raw = raw.replace("\r\n", "\n")
        msg = email.message_from_string(raw + "\n", policy=policy.compat32)
        got = msg.get_param(pname, header=name)
        got = email.utils.collapse_rfc2231_value(got) if got is not None else None
        check(got == v, "%s: CPython reads %r" % (label, got if got is None else got[:60]))
        for seg in re.finditer(r"\*\d+\*=(?:utf-8'')?([^;\s]*)", text):
            s = seg.group(1)
            ok = re.fullmatch(r"(?:[^%]|%[0-9A-F]{2})*", s) is not None
            if ok:
                data = re.sub(r"%([0-9A-F]{2})", lambda h: chr(int(h.group(1), 16)), s)
                try:
                    data.encode("latin-1").decode("utf-8")
                except UnicodeDecodeError:
                    ok = False
            check(ok, "%s: segment %r is not whole characters" % (label, s))


LF_CASES = [
    ("Subject", "Grüße " * 30), ("Subject", "x" * 1200), ("Subject", "日本語 " * 40),
    ("To", "Zoë <a@b>, " * 20), ("To", '"Doe, J" <a@b>, x@y, G: a@b, c@d;' * 5),
    ("References", " ".join("<a%d@example.com>" % k for k in range(40))),
    ("Content-Disposition", 'attachment; filename="' + "é" * 200 + '"'),
    ("Received", "from a.example (b [1.2.3.4]) by c.example with ESMTPS id " + "x" * 50
     + " for <u@v>; Thu, 01 Jan 1970 00:00:00 +0000"),
    ("Keywords", 'é, f, "g, h", ' * 20), ("List-Id", "Ünïcödé list name " * 5 + "<l.example>"),
]


def lf_is_crlf(lib):
    for name, v in LF_CASES:
        for mll in (40, 41, 60, 78, 120, 998):
            for flags in (0, FLAG_UTF8, FLAG_Q, FLAG_B):
                rc, a = lib.field(name, CLASS_AUTO, v, mll, flags)
                rc2, b = lib.field(name, CLASS_AUTO, v, mll, flags | FLAG_LF)
                label = "%s mll=%d flags=%d" % (name, mll, flags)
                check(rc == rc2, "%s: status %d with CRLF, %d with LF" % (label, rc, rc2))
                if rc == 0 and rc2 == 0:
                    check(a.replace(b"\r\n", b"\n") == b, "%s: LF output differs" % label)
                    probs = line_problems(name, a, mll, flags)
                    check(not probs, "%s: %s" % (label, probs[:2]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", required=True)
    ap.add_argument("--n", type=int, default=1500)
    args = ap.parse_args()
    lib = Lib(args.lib)
    rng = random.Random(20261130)
    unstructured(lib, rng, args.n * 2)
    mailboxes(lib, rng, args.n)
    mime(lib, rng, args.n)
    lf_is_crlf(lib)
    for f in failures:
        print("FAIL:", f)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
