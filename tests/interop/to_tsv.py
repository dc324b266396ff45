"""Turns the cases of tests/differential.rs into tab-separated lines for Decode.java, which
has no JSON reader: id, kind, name, utf8 (0/1), base64 input, output hex, base64 expected
mailboxes (display name US addr-spec, RS between mailboxes)."""
import base64
import json
import sys


def b64(text):
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


for line in open(sys.argv[1], encoding="utf-8"):
    case_id, kind, name, _lf, utf8, _width, _enc, value, expect, out_hex = json.loads(line)
    if kind not in ("unstructured", "address", "mailboxes"):
        continue
    mailboxes = []
    if kind != "unstructured":
        for _group, members in expect:
            mailboxes += [(m[0] or "") + "\x1f" + m[1] for m in members]
    print("\t".join([str(case_id), kind, name, "1" if utf8 else "0", b64(value), out_hex,
                     b64("\x1e".join(mailboxes))]))
