#!/usr/bin/env python3
"""Differential test of libmailfold.so through its C ABI, with CPython's email package as the
independent decoder.

A seeded generator (random.Random(seed)) makes header fields of every class: UTF-8 and ASCII
Subjects (emoji, CJK, combining marks, RTL, `=?` lookalikes, ~998-long words), X- fields, msg-id
lists, address lists (quoted and UTF-8 display names, groups, quoted local parts, domain
literals), mailbox arrays, dates and new msg-ids. Each is formatted through ctypes (size query,
then a buffer of exactly the size + 1 for the NUL), parsed with
email.parser.BytesParser(policy=email.policy.default), and checked:

* the decoded value equals the input: unstructured text up to leading/trailing SP/HTAB (and
  the caller's own folds), msg-ids as the same id tokens, addresses as the same structure of
  (display name, local part, domain) with groups; display names are decoded here by RFC 2047
  §6.2 (white space between adjacent encoded-words dropped), because CPython <= 3.13 keeps it
  (gh-128110, SPEC §6 testing note), taking only the structure from CPython;
* CPython reports no defect, on the message or on the header;
* every line ends with CRLF (or LF with MAILFOLD_FLAG_LF), with no bare CR or LF; continuation
  lines start with SP or HTAB; every line is <= 998 octets; a line holding an encoded-word is
  <= 76 characters; a line over the soft limit holds a single unbreakable token; the output is
  ASCII unless MAILFOLD_FLAG_UTF8; every encoded-word is <= 75 characters, utf-8, whole UTF-8
  characters, has white space on both sides, and is phrase-safe inside address fields.

Usage: test_ctypes.py [--lib PATH] [--seed N] [--count N] [--verbose]
Prints a closing line `N passed, M failed` and exits non-zero on any failure.
"""

import argparse
import base64
import binascii
import ctypes
import datetime as dt
import email.parser
import email.policy
import email.utils
import os
import random
import re
import sys
import uuid
from email import _header_value_parser as hvp

# ---- the C ABI ----------------------------------------------------------------------------

OK, BUFFER_TOO_SMALL, NULL_ARGUMENT, INVALID_NAME, INVALID_UTF8 = 0, 1, 2, 3, 4
CONTROL_CHARACTER, NON_ASCII, INVALID_MSG_ID, INVALID_ADDRESS = 5, 6, 7, 8
LINE_TOO_LONG, INVALID_OPTION, INVALID_DATE, INVALID_PARAMETER = 9, 10, 11, 12
FLAG_LF, FLAG_UTF8, FLAG_FORCE_Q, FLAG_FORCE_B = 1, 2, 4, 8
CLASS_AUTO = 0


class Options(ctypes.Structure):
    _fields_ = [("max_line_len", ctypes.c_uint32), ("flags", ctypes.c_uint32)]


class Mailbox(ctypes.Structure):
    _fields_ = [
        ("display_name", ctypes.c_char_p),
        ("display_name_len", ctypes.c_size_t),
        ("addr_spec", ctypes.c_char_p),
        ("addr_spec_len", ctypes.c_size_t),
    ]


class FormatError(Exception):
    def __init__(self, status, text):
        super().__init__(f"status {status} ({text})")
        self.status = status


class Lib:
    def __init__(self, path):
        lib = ctypes.CDLL(path)
        sz, p, c = ctypes.c_size_t, ctypes.c_char_p, ctypes.c_int32
        psz = ctypes.POINTER(ctypes.c_size_t)
        popt = ctypes.POINTER(Options)
        lib.mailfold_format_header.argtypes = [p, sz, p, sz, popt, p, sz, psz]
        lib.mailfold_format_field.argtypes = [p, sz, c, p, sz, popt, p, sz, psz, psz]
        lib.mailfold_format_mailboxes.argtypes = [p, sz, ctypes.POINTER(Mailbox), sz, popt, p,
                                                  sz, psz]
        lib.mailfold_format_date.argtypes = [ctypes.c_int64, ctypes.c_int32, p, sz, psz]
        lib.mailfold_make_msg_id.argtypes = [p, p, sz, p, sz, psz]
        lib.mailfold_status_str.argtypes = [c]
        for f in ("format_header", "format_field", "format_mailboxes", "format_date",
                  "make_msg_id"):
            getattr(lib, "mailfold_" + f).restype = c
        lib.mailfold_status_str.restype = ctypes.c_char_p
        lib.mailfold_version.restype = ctypes.c_char_p
        lib.mailfold_version.argtypes = []
        self.lib = lib

    def status_str(self, rc):
        return self.lib.mailfold_status_str(rc).decode()

    def _call(self, fn):
        """Size query, then a buffer of exactly needed + 1 bytes; checks the contract."""
        needed = ctypes.c_size_t(12345)
        rc = fn(None, 0, ctypes.byref(needed))
        if rc != BUFFER_TOO_SMALL:
            if needed.value != 0:
                raise AssertionError(f"out_len {needed.value} after status {rc}")
            raise FormatError(rc, self.status_str(rc))
        n = needed.value
        buf = ctypes.create_string_buffer(b"\xa5" * (n + 2), n + 2)
        got = ctypes.c_size_t(0)
        rc = fn(buf, n + 1, ctypes.byref(got))
        if rc != OK or got.value != n:
            raise AssertionError(f"size query said {n}, then status {rc} with {got.value}")
        raw = buf.raw
        if raw[n] != 0 or raw[n + 1] != 0xA5:
            raise AssertionError("no NUL after the output, or a write past out_cap")
        return raw[:n]

    def header(self, name, value, opts=None, cls=None):
        nb, vb = name.encode(), value.encode("utf-8", "surrogatepass")
        o = ctypes.byref(opts) if opts is not None else None
        if cls is None:
            return self._call(lambda out, cap, ln: self.lib.mailfold_format_header(
                nb, len(nb), vb, len(vb), o, out, cap, ln))
        at = ctypes.c_size_t(0)
        return self._call(lambda out, cap, ln: self.lib.mailfold_format_field(
            nb, len(nb), cls, vb, len(vb), o, out, cap, ln, ctypes.byref(at)))

    def mailboxes(self, name, boxes, opts=None):
        nb = name.encode()
        keep = []
        arr = (Mailbox * max(1, len(boxes)))()
        for i, (display, addr) in enumerate(boxes):
            d = display.encode() if display is not None else None
            a = addr.encode()
            keep += [d, a]
            arr[i] = Mailbox(d, len(d) if d is not None else 0, a, len(a))
        o = ctypes.byref(opts) if opts is not None else None
        return self._call(lambda out, cap, ln: self.lib.mailfold_format_mailboxes(
            nb, len(nb), arr, len(boxes), o, out, cap, ln))

    def date(self, secs, offset):
        return self._call(lambda out, cap, ln: self.lib.mailfold_format_date(
            secs, offset, out, cap, ln))

    def msg_id(self, random16, domain):
        db = domain.encode()
        return self._call(lambda out, cap, ln: self.lib.mailfold_make_msg_id(
            random16, db, len(db), out, cap, ln))


# ---- the generator --------------------------------------------------------------------------

ASCII_WORDS = ["hello", "world", "Re:", "Fwd:", "meeting", "at", "10:30", "(urgent)", "[list]",
               "a,b;c", "<tag>", "user@example.com", "50%", "C++", "it's", "\"quoted\"",
               "back\\slash", "under_score", "eq=ual", "what?", "#42", "~tilde", "{x}", "$5",
               "x", "I", "ok!", "https://example.com/a?b=c&d=e", "--", "..."]
LOOKALIKES = ["=?utf-8?q?abc?=", "x=?utf-8?q?abc?=y", "=?iso-8859-1?q?caf=E9?=", "=?", "?=",
              "=?=", "a=?b", "=?UTF-8?B?w6k=?=", "=??=", "?=?"]
UTF8_WORDS = ["Grüße", "Köln", "naïve", "café", "日本語の件名", "中文字符", "한국어", "😀",
              "👍🏽", "👨‍👩‍👧", "🇩🇪", "e\u0301te\u0301", "n\u0303", "שלום", "مرحبا",
              "עברית123", "Ωμέγα", "Привет", "a\u00a0b", "zero\u200bwidth", "ß", "€100",
              "\u0085nel", "line\u2028sep", "para\u2029sep", "c1\u0080\u009f", "\ufeffbom",
              "x\U0010fffd", "ﬁ", "İ", "‮rtl‬"]
ATEXT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~"
SAFE_ATEXT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/^_`{|}~"
X_NAMES = ["X-Mailer", "X-Custom-Header", "X-Spam-Status", "Comments", "Thread-Topic",
           "X-A", "x-lowercase-name"]


def no_eq_q(s):
    return "=?" not in s


class Gen:
    def __init__(self, rng):
        self.r = rng

    def pick(self, seq):
        return self.r.choice(seq)

    def sep(self):
        return self.r.choices([" ", "  ", "\t", " \t "], weights=[20, 2, 1, 1])[0]

    def options(self, allow_utf8=True, allow_small=True):
        r = self.r
        o = Options(0, 0)
        if r.random() < 0.35:
            o.max_line_len = r.choice([0, 78, 100, 200, 998] + ([40, 60] if allow_small else []))
        if r.random() < 0.15:
            o.flags |= FLAG_LF
        x = r.random()
        if x < 0.12:
            o.flags |= FLAG_FORCE_Q
        elif x < 0.24:
            o.flags |= FLAG_FORCE_B
        if allow_utf8 and r.random() < 0.1:
            o.flags |= FLAG_UTF8
        return o

    def long_token(self):
        r = self.r
        n = r.choice([80, 200, 500, 989, 990, 997, 998, 999, 1000, 1200])
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-._/"
        return "".join(r.choice(alphabet) for _ in range(n))

    def words(self, pools, n):
        return [self.pick(self.pick(pools)) for _ in range(n)]

    def text(self, pools, max_words=30, edges=True):
        r = self.r
        ws = self.words(pools, r.randint(1, max_words))
        out = ws[0]
        for w in ws[1:]:
            out += self.sep() + w
        if edges and r.random() < 0.1:
            out = " " + out
        if edges and r.random() < 0.1:
            out += " "
        return out

    def utf8_subject(self):
        r = self.r
        x = r.random()
        if x < 0.03:
            return r.choice(["", " ", "\t", "   "])  # empty after trimming
        if x < 0.12:
            # One long word without white space: split over encoded-words at characters only.
            return "".join(self.pick(UTF8_WORDS + ["中", "😀", "é", "a"])
                           for _ in range(r.randint(20, 120)))
        return self.text([UTF8_WORDS, UTF8_WORDS, ASCII_WORDS])

    def ascii_subject(self):
        r = self.r
        pools = [ASCII_WORDS, ASCII_WORDS, LOOKALIKES]
        if r.random() < 0.3:
            s = self.text(pools, 5)
            parts = [s, self.long_token()]
            if r.random() < 0.5:
                parts.append(self.text(pools, 5))
            return " ".join(parts)
        return self.text(pools)

    def x_field(self):
        r = self.r
        v = self.text([ASCII_WORDS, UTF8_WORDS, LOOKALIKES], 40)
        if r.random() < 0.15:
            # A caller's fold: CRLF (or LF) + WSP; the break goes, the white space stays.
            ws = v.split(" ")
            k = r.randrange(1, len(ws)) if len(ws) > 1 else 0
            if k:
                v = " ".join(ws[:k]) + r.choice(["\r\n ", "\r\n\t", "\n "]) + " ".join(ws[k:])
        return self.pick(X_NAMES), v

    def dot_atom(self, alphabet=SAFE_ATEXT, parts=(1, 4), size=(1, 12)):
        r = self.r
        while True:
            s = ".".join("".join(r.choice(alphabet) for _ in range(r.randint(*size)))
                         for _ in range(r.randint(*parts)))
            if no_eq_q(s):
                return s

    def domain(self):
        r = self.r
        labels = [self.dot_atom("abcdefghijklmnopqrstuvwxyz0123456789-", (1, 1), (1, 15))
                  .strip("-") or "x" for _ in range(r.randint(1, 5))]
        return ".".join(labels)

    def msg_id(self):
        r = self.r
        left = self.dot_atom(ATEXT if r.random() < 0.5 else "abcdef0123456789.",
                             (1, 5), (1, 20)).strip(".") or "id"
        left = re.sub(r"\.\.+", ".", left)
        if r.random() < 0.1:
            right = "[" + "".join(r.choice("0123456789.abc:") for _ in range(r.randint(1, 20))) + "]"
        else:
            right = self.domain()
        return f"<{left}@{right}>"

    def msg_id_field(self):
        r = self.r
        if r.random() < 0.4:
            name = self.pick(["Message-ID", "Content-ID", "Resent-Message-ID"])
            mid = self.msg_id()
            if r.random() < 0.2:
                mid = mid[1:-1]  # bare: wrapped in angle brackets by mailfold
            return name, mid, [mid if mid.startswith("<") else f"<{mid}>"]
        name = self.pick(["References", "In-Reply-To"])
        ids = [self.msg_id() for _ in range(r.randint(1, 30))]
        v = ids[0]
        for i in ids[1:]:
            v += r.choices(["", " ", "  ", "\t", "\r\n "], weights=[2, 20, 1, 1, 1])[0] + i
        return name, v, ids

    # addresses: expected structure = list of ("mbox", display, local, domain) and
    # ("group", display, [mboxes])
    def local_part(self):
        r = self.r
        if r.random() < 0.12:
            content = r.choice(["john doe", "a@b", "x,y", "say \"hi\"", "back\\slash", "a..b",
                                ".dot", "(paren)"])
            quoted = '"' + content.replace("\\", "\\\\").replace('"', '\\"') + '"'
            return quoted, content
        s = self.dot_atom(SAFE_ATEXT, (1, 3), (1, 10))
        return s, s

    def addr_domain(self):
        r = self.r
        if r.random() < 0.08:
            return r.choice(["[192.0.2.1]", "[IPv6:2001:db8::1]", "[127.0.0.1]"])
        return self.domain()

    def display_name(self):
        """(text as the caller writes it in an address list, the name itself)."""
        r = self.r
        kind = r.random()
        if kind < 0.3:
            name = " ".join(self.pick(["John", "Smith", "O'Brien", "Ann-Marie", "Q", "de", "la",
                                       "Team", "support", "J.", "R."])
                            for _ in range(r.randint(1, 4)))
        elif kind < 0.5:
            name = " ".join(self.pick(["Doe, John", "Acme (Sales)", "a@b", "<x>", "semi;colon",
                                       "co:lon", "[brackets]", "say \"hi\"", "back\\slash",
                                       "dot.", "=?utf-8?q?abc?=", "x=?y?=z"])
                            for _ in range(r.randint(1, 3)))
        elif kind < 0.8:
            name = " ".join(self.pick(["Zoë", "Ärger", "山田", "太郎", "😀", "Müller, Jörg",
                                       "Łukasz", "שלום", "مرحبا", "e\u0301", "Ñandú", "Øystein",
                                       "ok", "Straße", "中文名字很长很长很长很长很长很长很长"])
                            for _ in range(r.randint(1, 5)))
        else:
            name = " ".join(self.pick(UTF8_WORDS + ASCII_WORDS[:10])
                            for _ in range(r.randint(1, 8)))
        if r.random() < 0.05:
            # Long enough to need several encoded-words, or a quoted-string over the limit.
            name = " ".join(self.pick(["Doe, John", "Ärger", "support", "a.b", "中文", "x"])
                            for _ in range(r.randint(15, 40)))
        specials = set('()<>[]:;@\\,."')
        if any(c in specials for c in name) or "=?" in name or r.random() < 0.1:
            text = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        else:
            text = name
        return text, name

    def mailbox(self):
        r = self.r
        lp_text, lp = self.local_part()
        dom = self.addr_domain()
        addr_text = f"{lp_text}@{dom}"
        x = r.random()
        if x < 0.3:
            return addr_text, ("mbox", "", lp, dom), (None, addr_text)
        if x < 0.35:
            return f"<{addr_text}>", ("mbox", "", lp, dom), (None, addr_text)
        dn_text, dn = self.display_name()
        return f"{dn_text} <{addr_text}>", ("mbox", dn, lp, dom), (dn, addr_text)

    def address_field(self):
        r = self.r
        name = self.pick(["To", "Cc", "Reply-To", "Bcc", "From", "Resent-To", "Mail-Followup-To",
                          "Sender"])
        single = name == "Sender"
        groups_ok = name in ("To", "Cc", "Bcc", "Reply-To", "Resent-To", "Mail-Followup-To")
        items, expected = [], []
        n = 1 if single else r.randint(1, 12)
        for _ in range(n):
            if groups_ok and r.random() < 0.12:
                g_text, g_name = self.pick([("Team", "Team"), ("undisclosed-recipients",
                                                               "undisclosed-recipients"),
                                            ('"Sales, EU"', "Sales, EU"),
                                            ("Équipe", "Équipe")])
                members = [self.mailbox() for _ in range(r.randint(0, 4))]
                items.append(f"{g_text}: " + ", ".join(m[0] for m in members) + ";")
                expected.append(("group", g_name, [m[1] for m in members]))
            else:
                m = self.mailbox()
                items.append(m[0])
                expected.append(m[1])
        seps = [", ", ",", " , ", ",\r\n ", ", , "]
        v = items[0]
        for it in items[1:]:
            v += r.choices(seps, weights=[20, 3, 2, 1, 1])[0] + it
        return name, v, expected

    def mailbox_array(self):
        r = self.r
        name = self.pick(["To", "Cc", "From", "Reply-To"])
        boxes, expected = [], []
        for _ in range(r.randint(1, 10)):
            lp_text, lp = self.local_part()
            dom = self.addr_domain()
            x = r.random()
            if x < 0.2:
                dn = None
            elif x < 0.5:
                # Literal text, as from a web form: syntax characters must stay inside the name.
                dn = self.pick(["Mallory <m@evil.example>, victim@example.com",
                                "Doe, John", 'say "hi"', "back\\slash", "a;b:c",
                                "=?utf-8?q?x?=", "Zoë <zoe@x>, y@z", "(comment)", "   "])
            else:
                dn = self.display_name()[1]
            boxes.append((dn, f"{lp_text}@{dom}"))
            shown = "" if dn is None or dn.strip(" ") == "" else dn
            expected.append(("mbox", shown, lp, dom))
        return name, boxes, expected


# ---- decoding and checks ---------------------------------------------------------------------

EW_RE = re.compile(r"=\?([^?\s]+)\?([qQbB])\?([^?\s]*)\?=")
PHRASE_SAFE_Q = re.compile(r"^[A-Za-z0-9!*+\-/=_]*$")


def decode_ew_payload(enc, text):
    if enc in "bB":
        return base64.b64decode(text, validate=True)
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c == "_":
            out.append(0x20)
        elif c == "=":
            out += binascii.unhexlify(text[i + 1:i + 3])
            i += 2
        else:
            out.append(ord(c))
        i += 1
    return bytes(out)


def check_encoded_words(line, phrase, problems):
    for m in EW_RE.finditer(line):
        ew = m.group(0)
        before = line[m.start() - 1:m.start()]
        after = line[m.end():m.end() + 1]
        if before not in (" ", "\t") or after not in ("", " ", "\t"):
            problems.append(f"encoded-word without white space on both sides: {line!r}")
        if len(ew) > 75:
            problems.append(f"encoded-word of {len(ew)} characters: {ew}")
        if m.group(1).lower() != "utf-8":
            problems.append(f"charset {m.group(1)}")
        if m.group(3) == "":
            problems.append(f"empty encoded-word {ew}")
        if phrase and m.group(2) in "qQ" and not PHRASE_SAFE_Q.match(m.group(3)):
            problems.append(f"Q encoded-word not phrase-safe in an address field: {ew}")
        try:
            decode_ew_payload(m.group(2), m.group(3)).decode("utf-8")
        except (ValueError, binascii.Error) as e:
            problems.append(f"encoded-word {ew} is not whole UTF-8 characters: {e}")


def check_lines(out, opts, name, structured, problems):
    lf = bool(opts.flags & FLAG_LF)
    utf8 = bool(opts.flags & FLAG_UTF8)
    soft = opts.max_line_len or 78
    eol = b"\n" if lf else b"\r\n"
    if not out.endswith(eol):
        problems.append("output does not end with the line ending")
        return
    body = out[: -len(eol)]
    lines = body.split(eol)
    for i, line in enumerate(lines):
        if b"\r" in line or b"\n" in line:
            problems.append(f"line {i + 1} has a bare CR or LF: {line!r}")
        if i > 0 and line[:1] not in (b" ", b"\t"):
            problems.append(f"continuation line {i + 1} does not start with SP/HTAB: {line!r}")
        if len(line) > 998:
            problems.append(f"line {i + 1} has {len(line)} octets")
        if not utf8 and any(b >= 0x80 for b in line):
            problems.append(f"line {i + 1} is not ASCII")
        text = line.decode("utf-8", "replace")
        if EW_RE.search(text):
            check_encoded_words(text, structured == "address", problems)
            if len(text) > 76:
                problems.append(f"line {i + 1} holds an encoded-word and has {len(text)} "
                                f"characters: {text!r}")
        if len(text) > soft:
            rest = text[len(name) + 1:] if i == 0 else text
            rest = rest.strip(" \t")
            if structured == "address":
                rest = re.sub(r'"(?:[^"\\]|\\.)*"', "Q", rest)
            if re.search(r"[ \t]", rest):
                problems.append(f"line {i + 1} has {len(text)} characters (soft limit {soft}) "
                                f"but more than one token: {text!r}")


def unfold(raw):
    return re.sub(r"\r?\n(?=[ \t])", "", raw)


def parse(out, opts):
    if opts.flags & FLAG_UTF8:
        text = out.decode("utf-8")
        return email.parser.Parser(policy=email.policy.default).parsestr(text + "\r\nbody\r\n")
    return email.parser.BytesParser(policy=email.policy.default).parsebytes(
        out + b"\r\nbody\r\n")


def leaves(token, in_ew=False, in_quotes=False):
    """Terminals of a CPython parse tree, each as (text, is_ws, in_encoded_word)."""
    if isinstance(token, str) and not isinstance(token, hvp.TokenList):
        ws = getattr(token, "token_type", "") == "fws" and not in_quotes
        yield str(token), ws, in_ew
        return
    tt = token.token_type
    if tt == "comment":
        yield "(COMMENT)", False, in_ew
        return
    for child in token:
        yield from leaves(child, in_ew or tt == "encoded-word",
                          in_quotes or tt in ("bare-quoted-string",))


def display_name_6_2(token):
    """A display-name token decoded by RFC 2047 §6.2: white space between two adjacent
    encoded-words is dropped (CPython <= 3.13 keeps it), all other white space kept."""
    parts = list(leaves(token))
    out, i = [], 0
    while i < len(parts):
        text, ws, ew = parts[i]
        if ws and not ew:
            j = i
            while j < len(parts) and parts[j][1] and not parts[j][2]:
                j += 1
            prev_ew = i > 0 and parts[i - 1][2]
            next_ew = j < len(parts) and parts[j][2]
            if not (prev_ew and next_ew):
                out.append(" ")
            i = j
            continue
        out.append(text)
        i += 1
    return "".join(out).strip(" \t")


def structure(address_list):
    res = []
    for a in address_list.addresses:
        node = a[0]
        if node.token_type == "group":
            dn = next((t for t in node if t.token_type == "display-name"), None)
            members = []
            for t in node:
                if t.token_type == "group-list":
                    for mb in t.mailboxes:
                        members.append(mailbox_tuple(mb))
            res.append(("group", display_name_6_2(dn) if dn is not None else "", members))
        else:
            res.append(mailbox_tuple(node))
    return res


def mailbox_tuple(mb):
    dn = ""
    if mb[0].token_type == "name-addr":
        d = next((t for t in mb[0] if t.token_type == "display-name"), None)
        if d is not None:
            dn = display_name_6_2(d)
    return ("mbox", dn, mb.local_part, mb.domain)


def defects_of(msg, name):
    found = list(msg.defects)
    h = msg[name]
    if h is not None:
        found += list(getattr(h, "defects", ()))
    return found


# ---- the run ---------------------------------------------------------------------------------

def run_one(lib, g, kind, ctx):
    """Returns (description, list of problems); ctx[0] holds the description so far."""
    r = g.r
    problems = []
    if kind == "date":
        secs = r.randint(-2208988800 - 86400, 253402300799 + 86400)
        off = r.randint(-1439, 1439)
        tz = dt.timezone(dt.timedelta(minutes=off))
        local = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=secs + 60 * off)
        desc = ctx[0] = f"format_date({secs}, {off})"
        if not 1900 <= local.year <= 9999:
            try:
                lib.date(secs, off)
                problems.append(f"local year {local.year} accepted")
            except FormatError as e:
                if e.status != INVALID_DATE:
                    problems.append(f"status {e.status}, want INVALID_DATE")
            return desc, problems
        want_dt = local.replace(tzinfo=tz)
        want = email.utils.format_datetime(want_dt)
        got = lib.date(secs, off).decode()
        if got != want:
            problems.append(f"got {got!r}, want {want!r}")
        name, value, opts = "Date", got, g.options()
        out = lib.header(name, value, opts)
        check_lines(out, opts, name, "ascii", problems)
        msg = parse(out, opts)
        if msg[name].datetime != want_dt:
            problems.append(f"CPython reads {msg[name].datetime}, want {want_dt}")
        problems += [f"defect {d!r}" for d in defects_of(msg, name)]
        return desc, problems

    if kind == "make_msg_id":
        rnd = bytes(r.getrandbits(8) for _ in range(16))
        domain = g.domain()
        desc = ctx[0] = f"make_msg_id({rnd.hex()}, {domain!r})"
        want = f"<{uuid.UUID(bytes=rnd, version=4).hex}@{domain}>"
        got = lib.msg_id(rnd, domain).decode()
        if got != want:
            problems.append(f"got {got!r}, want {want!r}")
        opts = g.options()
        out = lib.header("Message-ID", got, opts)
        eol = b"\n" if opts.flags & FLAG_LF else b"\r\n"
        if out != b"Message-ID: " + got.encode() + eol:
            problems.append(f"Message-ID not one line: {out!r}")
        msg = parse(out, opts)
        if str(msg["Message-ID"]).strip() != got:
            problems.append(f"CPython reads {str(msg['Message-ID'])!r}")
        problems += [f"defect {d!r}" for d in defects_of(msg, "Message-ID")]
        return desc, problems

    if kind == "mailboxes":
        name, boxes, expected = g.mailbox_array()
        opts = g.options(allow_small=False)
        desc = ctx[0] = f"format_mailboxes({name!r}, {boxes!r}, flags={opts.flags}, max={opts.max_line_len})"
        out = lib.mailboxes(name, boxes, opts)
        value_for_check = None
    else:
        if kind == "utf8_subject":
            name, value, structured = "Subject", g.utf8_subject(), "unstructured"
        elif kind == "ascii_subject":
            name, value, structured = "Subject", g.ascii_subject(), "unstructured"
        elif kind == "x_field":
            (name, value), structured = g.x_field(), "unstructured"
        elif kind == "msg_id":
            name, value, expected = g.msg_id_field()
            structured = "msgid"
        else:
            name, value, expected = g.address_field()
            structured = "address"
        opts = g.options(allow_small=(name == "Subject"))
        desc = ctx[0] = f"{name}: {value!r} flags={opts.flags} max={opts.max_line_len}"
        out = lib.header(name, value, opts)
        value_for_check = value

    structured = "address" if kind in ("address", "mailboxes") else (
        "msgid" if kind == "msg_id" else "unstructured")
    check_lines(out, opts, name, structured, problems)
    msg = parse(out, opts)
    problems += [f"defect {d!r}" for d in defects_of(msg, name)]
    raw = next((v for k, v in msg.raw_items() if k.lower() == name.lower()), None)
    if raw is None:
        problems.append("CPython does not see the field")
        return desc, problems
    raw = unfold(raw)

    if structured == "unstructured":
        want = re.sub(r"\r?\n(?=[ \t])", "", value_for_check).strip(" \t")
        got = str(msg[name]).strip(" \t")
        if got != want:
            problems.append(f"decoded {got!r}, want {want!r}")
    elif structured == "msgid":
        got = re.findall(r"<[^<>]*>", raw)
        rest = re.sub(r"<[^<>]*>", "", raw).strip(" \t")
        if got != expected or rest:
            problems.append(f"ids {got!r} (rest {rest!r}), want {expected!r}")
    else:
        al, rest = hvp.get_address_list(raw)
        got = structure(al)
        if rest:
            problems.append(f"CPython left {rest!r} unparsed")
        if al.all_defects:
            problems += [f"parse defect {d!r}" for d in al.all_defects]
        if got != expected:
            problems.append(f"addresses {got!r}, want {expected!r}")
    return desc, problems


KINDS = [("utf8_subject", 26), ("ascii_subject", 14), ("x_field", 10), ("msg_id", 15),
         ("address", 20), ("mailboxes", 5), ("date", 5), ("make_msg_id", 5)]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lib", default=os.environ.get(
        "MAILFOLD_LIB", os.path.join(here, "..", "target", "mailfold-c", "libmailfold.so")))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("MAILFOLD_SEED", "5322")))
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    lib = Lib(args.lib)
    rng = random.Random(args.seed)
    g = Gen(rng)
    names, weights = zip(*KINDS)
    passed = failed = 0
    by_kind = {}
    for i in range(args.count):
        kind = rng.choices(names, weights)[0]
        ctx = [kind]
        try:
            desc, problems = run_one(lib, g, kind, ctx)
        except FormatError as e:
            desc, problems = ctx[0], [f"refused a valid input: {e}"]
        except Exception as e:  # a crash in the checks is a failure too, with context
            desc, problems = ctx[0], [f"{type(e).__name__}: {e}"]
        stats = by_kind.setdefault(kind, [0, 0])
        if problems:
            failed += 1
            stats[1] += 1
            if failed <= 25 or args.verbose:
                print(f"FAIL [{kind} #{i}, seed {args.seed}] {desc}")
                for p in problems[:6]:
                    print(f"    {p}")
        else:
            passed += 1
            stats[0] += 1
    for kind, (p, f) in sorted(by_kind.items()):
        print(f"  {kind:14} {p:5} passed {f:5} failed")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
