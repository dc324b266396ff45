#!/usr/bin/env python3
"""Writes the checked-in seed corpus: fuzz/corpus/rust_api and fuzz/corpus/c_abi.

The input layouts are documented at the top of fuzz_targets/rust_api.rs and c_abi.rs. Seeds are
named after what they exercise, so a libFuzzer crash can be compared with its starting point.
Re-running the script rewrites the same files (it never deletes what the fuzzer added).
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

SEED_ID = ("<154810422972.4.16142961424846318784@aaf39fce-569e-473a-9453-6862595bd8da"
           ".prvt.dyno.rt.heroku.com>")

# (label, name, value) for the single-field operations.
FIELDS = [
    ("seed-msgid", "Message-ID", SEED_ID),
    ("references", "References", "<a@b> <c@d><e@f> g@h " + SEED_ID),
    ("msgid-lookalike", "Message-ID", "<=?utf-8?q?x?=@example.com>"),
    ("msgid-literal", "In-Reply-To", "<abc@[127.0.0.1]>"),
    ("subject-ascii", "Subject", "Hello world, this is a plain subject line"),
    ("subject-umlaut", "Subject", "Grüße aus Köln"),
    ("subject-emoji", "Subject", "Party 😀🎉 tonight 👩‍👩‍👧‍👦 family"),
    ("subject-cjk", "Subject", "日本語のテキストはとても長くなることがあります。" * 3),
    ("subject-rtl", "Subject", "שלום עולם مرحبا بالعالم"),
    ("subject-combining", "Subject", "e\u0301" * 40),
    ("subject-long-word", "Subject", "x" * 1000),
    ("subject-long-words", "Subject", " ".join(["word"] * 60)),
    ("subject-crlf-fold", "Subject", "folded\r\n continues\n\there"),
    ("subject-crlf-inject", "Subject", "hi\r\nBcc: victim@example.com"),
    ("subject-lf-inject", "Subject", "hi\nBcc: victim@example.com"),
    ("subject-cr-only", "Subject", "hi\rBcc: x@y"),
    ("subject-crcrlf", "Subject", "a\r\r\n b"),
    ("subject-lfcr", "Subject", "a\n\r b"),
    ("subject-trailing-crlf", "Subject", "a\r\n"),
    ("subject-nul", "Subject", "a\x00b"),
    ("subject-vt-ff", "Subject", "a\x0bb\x0cc"),
    ("subject-u2028", "Subject", "line\u2028Bcc: x@y \u0085 \u2029"),
    ("subject-ew-crlf", "Subject", "=?utf-8?q?a=0D=0ABcc:_x@y?="),
    ("subject-ew-latin1", "Subject", "=?iso-8859-1?q?caf=E9?="),
    ("subject-glued-ew", "Subject", "x=?utf-8?q?abc?=y"),
    ("subject-spaces", "Subject", "a" + " " * 200 + "b"),
    ("subject-ew-spaces", "Subject", "é" + " " * 120 + "abc"),
    ("subject-cr-at-78", "Subject", "a" * 68 + "\r\n b" + "c" * 80),
    ("x-header-tabs", "X-Mailer", "tab\tseparated\t\tvalues"),
    ("to-simple", "To", "Doe <jd@example.com>, \"Roe, Jane\" <jr@example.com>"),
    ("to-group", "To", "Team: a@x.org, b@x.org;, c@y.org"),
    ("to-undisclosed", "To", "undisclosed-recipients:;"),
    ("to-utf8-name", "From", "Zoë Ärger <zoe@example.com>"),
    ("to-quoted-local", "Cc", "\"odd local\"@example.com, x@[192.0.2.1]"),
    ("to-comment", "To", "a@b (comment)"),
    ("bcc-empty", "Bcc", ""),
    ("return-path", "Return-Path", "<bounce@example.com>"),
    ("return-path-null", "Return-Path", "<>"),
    ("date", "Date", "Thu, 01 Jan 1970 00:00:00 +0000"),
    ("received", "Received", "from mail.example.com (mail.example.com [192.0.2.1]) by "
     "mx.example.org with ESMTPS id 4a5b6c7d for <jd@example.com>; Sun, 29 Nov 2026 01:45:15 +0000"),
    ("dkim", "DKIM-Signature", "v=1; a=rsa-sha256; d=example.com;\r\n\th=from:to; b=" + "A" * 300),
    ("content-type", "Content-Type", "text/plain; charset=utf-8; name=\"résumé.pdf\""),
    ("keywords", "Keywords", "one, two words, Grüße, =?x?="),
    ("list-id", "List-Id", "Mailfold Users <users.mailfold.example.org>"),
    ("mime-version", "MIME-Version", "1.0"),
    ("name-lookalike", "X-=?utf-8?q?a?=", "value"),
    # Reproducers of bugs the fuzzers found (tests/fuzz_regressions.rs).
    ("regress-ew-spaces", "Subject", "é" + " " * 200 + "abc"),
    ("regress-return-path-offset", "Return-Path", "<>é"),
    ("regress-quoted-pair-offset", "Cc", "\"a\\é\"@b.c"),
    ("regress-quoted-pair-u2028", "Cc", "\"a\\\u2028Bcc: x@y\"@b.c"),
    ("regress-date-u0085", "Date", "Thu, 01 Jan 1970\u008500:00:00 +0000"),
]

# (label, [(display name or None, addr-spec)]) for format_mailboxes.
MAILBOXES = [
    ("mb-basic", [("Doe, John", "jd@example.com"), ("Zoë", "zoe@example.com"), (None, "ops@example.com")]),
    ("mb-inject-name", [("a, b <evil@x.org>", "good@example.com")]),
    ("mb-crlf-name", [("Eve\r\nBcc: x@y", "eve@example.com")]),
    ("mb-u2028-name", [("Eve\u2028Bcc: x@y", "eve@example.com")]),
    ("mb-ew-name", [("=?utf-8?q?a=0D=0ABcc:_x@y?=", "a@b.c")]),
    ("mb-quotes", [("say \"hi\" \\ bye", "q@example.com"), (" spaced  name ", "s@example.com")]),
    ("mb-long", [("Name Number %d" % i, "user%d@example.com" % i) for i in range(12)]),
    ("mb-long-utf8", [("Ünïcödé " * 12, "u@example.com")]),
]


def rust_header(op, cls=0, flags=0, width=0, cap_mode=0, cap_aux=0):
    return bytes([op, cls, flags]) + struct.pack("<H", width) + bytes([cap_mode, cap_aux, 0])


def c_header(op, cls=0, flags=0, width=0, cap_mode=0, cap_aux=0, name_len=0):
    return bytes([op, cls, flags]) + struct.pack("<H", width) + bytes([cap_mode, cap_aux, name_len])


def write(target, label, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, label), "wb") as f:
        f.write(data)


def main():
    # Flag variations: CRLF/LF, utf8, Q/B, widths 40 (mode 3, even), 78, 998 (mode 3, odd).
    variants = [
        ("", 0x20, 0),            # defaults: width mode 2 = 78
        ("-lf-utf8", 0x23, 0),    # LF, utf8, 78
        ("-q-40", 0x34, 0),       # Q, width 40
        ("-b-998", 0x38, 1),      # B, width 998
    ]
    for i, (label, name, value) in enumerate(FIELDS):
        nb, vb = name.encode(), value.encode()
        suffix, flags, width = variants[i % len(variants)]
        write("rust_api", label + suffix, rust_header(0, 0, flags, width) + nb + b"\xff" + vb)
        # Every third field also through a forced class, with a too-small buffer.
        if i % 3 == 0:
            cls = (i // 3) % 8
            write("rust_api", "%s-class%d" % (label, cls),
                  rust_header(1, cls, 0x20, 0, cap_mode=1) + nb + b"\xff" + vb)
        c_flags = (1 if "lf" in suffix else 0) | (2 if "utf8" in suffix else 0)
        if i % 2 == 0:
            write("c_abi", label, c_header(0, 0, c_flags, 0x8000, 0, 0, len(nb)) + nb + vb)
        else:
            write("c_abi", label + "-class%d" % (i % 8),
                  c_header(1, i % 8, c_flags, 0x8000, 1, 0, len(nb)) + nb + vb)
    # Invalid UTF-8, NULL options, unknown flags and classes, out-of-range widths.
    write("c_abi", "bad-utf8", c_header(0, 0, 0, 0x8000, 0, 0, 7) + b"Subject" + b"caf\xe9 \xc3")
    write("c_abi", "bad-utf8-name", c_header(0, 0, 0, 0x8000, 0, 0, 2) + b"X\xff" + b"v")
    write("c_abi", "null-options", c_header(1, 1, 0x40, 0, 2, 3, 7) + b"Subject" + "é".encode())
    write("c_abi", "unknown-flag", c_header(1, 1, 0x20, 0, 0, 9, 7) + b"Subject" + b"x")
    write("c_abi", "q-and-b", c_header(1, 1, 0x0C, 0, 0, 0, 7) + b"Subject" + b"x")
    write("c_abi", "unknown-class", c_header(1, 0xE1, 0, 0, 0, 0, 7) + b"Subject" + b"x")
    write("c_abi", "negative-class", c_header(1, 0xFF, 0, 0, 0, 0, 7) + b"Subject" + b"x")
    write("c_abi", "width-39", c_header(0, 0, 0, 0x8000 | 39, 0, 0, 7) + b"Subject" + b"x")
    write("c_abi", "width-999", c_header(0, 0, 0, 0x8000 | 999, 0, 0, 7) + b"Subject" + b"x")
    # Verbatim with a trailing fold / an empty fold (forced class 7).
    write("rust_api", "regress-verbatim-ws-line", rust_header(1, 7, 0x20) + b"X\xffa\r\n\t")
    write("c_abi", "regress-verbatim-ws-line", c_header(1, 7, 0, 0x8000, 0, 0, 1) + b"X" + b"a\r\n \r\n b")
    write("rust_api", "width-39", rust_header(0, 0, 0x10, 39) + b"Subject\xffx")
    write("rust_api", "width-0", rust_header(0, 0, 0x10, 0) + b"Subject\xffx")
    write("rust_api", "name-empty", rust_header(0) + b"\xffx")
    write("rust_api", "name-colon", rust_header(0) + b"Sub:ject\xffx")
    for label, boxes in MAILBOXES:
        parts = [b"To"]
        rec = b""
        for dn, addr in boxes:
            d = (dn or "").encode()
            parts += [d, addr.encode()]
            dl = 0xFF if dn is None else min(len(d), 0xFD)
            rec += bytes([dl, len(addr.encode())]) + d[:min(len(d), 0xFD)] + addr.encode()
        write("rust_api", label, rust_header(2, 0, 0x20) + b"\xff".join(parts))
        if len(boxes) > 1:
            write("rust_api", label + "-utf8-40", rust_header(2, 0, 0x32, 0) + b"\xff".join(parts))
        write("c_abi", label, c_header(2, 0, 0, 0x8000, 0, 0, 2) + b"To" + rec)
    write("c_abi", "mb-null-name-len1", c_header(2, 0, 0, 0x8000, 0, 0, 2) + b"To" + bytes([0xFE, 3]) + b"a@b")
    # Dates: epoch, a leap day, offsets at the limits, out of range.
    for label, secs, off in [("date-epoch", 0, 0), ("date-leap", 951_782_400, 330),
                             ("date-max-off", 1_795_916_715, 1439), ("date-min-off", 1_795_916_715, -1439),
                             ("date-bad-off", 0, 1440), ("date-1899", -2_208_988_801, 0),
                             ("date-9999", 253_402_300_799, 0), ("date-10000", 253_402_300_800, 0)]:
        payload = struct.pack("<qi", secs, off)
        write("rust_api", label, rust_header(3, cap_aux=3) + payload)
        write("c_abi", label, c_header(3, cap_aux=1) + payload)
    for label, rnd, dom in [("id-basic", bytes(range(16)), "example.com"),
                            ("id-ff", b"\xff" * 16, "a.b"), ("id-bad-domain", bytes(16), "exa mple"),
                            ("id-utf8-domain", bytes(16), "bücher.example"),
                            ("id-long-domain", bytes(16), "d" * 990)]:
        write("rust_api", label, rust_header(4) + rnd + dom.encode())
        write("c_abi", label, c_header(4) + rnd + dom.encode())
    write("c_abi", "id-null-random", c_header(4, cap_aux=0x80) + bytes(16) + b"example.com")
    write("c_abi", "status-strings", c_header(5, cap_aux=200) + struct.pack("<i", -7))


if __name__ == "__main__":
    main()
