#!/usr/bin/env python3
"""Times CPython's `email` package (policy SMTP) on the mailfold benchmark corpus.

Each field is formatted the way `EmailMessage.as_bytes()` formats a header: the value is
parsed by `policy.header_store_parse(name, value)` (what `msg[name] = value` does) and
written by `policy.fold_binary(name, header)` (what the generator does per header).

    cargo run -q -p mailfold-benches --bin corpus > corpus.jsonl
    python3 benches/cpython_email.py corpus.jsonl [--rust-summary target/criterion/mailfold-summary.json]

The ratio columns are relative to two floors, both labeled: the Rust memcpy floor of the last
`cargo bench -p mailfold-benches` run (read from its summary JSON, if present) and a Python
floor measured here (building `Name: value\\r\\n` as bytes from pre-encoded parts; that is
mostly interpreter overhead, so it says what part of CPython's time is the language).
"""

import argparse
import email.policy
import json
import os
import sys
import time
from collections import OrderedDict

CATEGORIES = OrderedDict([
    ("ascii_subject", "ASCII Subject"),
    ("utf8_subject", "UTF-8 Subject"),
    ("address_list", "From/To/Cc"),
    ("message_id", "Message-ID"),
    ("references", "References"),
    ("in_reply_to", "In-Reply-To"),
    ("long_x", "long ASCII X-"),
])

POLICY = email.policy.SMTP


def cpython_format(name, value):
    name, header = POLICY.header_store_parse(name, value)
    return POLICY.fold_binary(name, header)


def time_per_field(fields, func, repeat):
    """Best-of-`repeat` nanoseconds per field of `func(name, value)` over `fields`."""
    best = None
    for _ in range(repeat):
        t0 = time.perf_counter_ns()
        for name, value in fields:
            func(name, value)
        dt = time.perf_counter_ns() - t0
        best = dt if best is None else min(best, dt)
    return best / max(len(fields), 1)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", help="JSON lines from `cargo run -p mailfold-benches --bin corpus`")
    ap.add_argument("--rust-summary", default=os.path.join(here, "..", "target", "criterion", "mailfold-summary.json"),
                    help="summary JSON of the Rust run (default: %(default)s)")
    ap.add_argument("--repeat", type=int, default=3, help="passes per category, best taken (default 3)")
    ap.add_argument("--limit", type=int, default=0, help="at most N fields per category (smoke runs)")
    args = ap.parse_args()

    by_cat = OrderedDict((k, []) for k in CATEGORIES)
    with open(args.corpus, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            lst = by_cat[rec["category"]]
            if not args.limit or len(lst) < args.limit:
                lst.append((rec["name"], rec["value"]))
    if not any(by_cat.values()):
        sys.exit("empty corpus")

    rust = {}
    if args.rust_summary and os.path.exists(args.rust_summary):
        with open(args.rust_summary, encoding="utf-8") as f:
            rust = json.load(f)

    # Untimed pass: which fields CPython rejects (exceptions) or flags as defective.
    errors = {}
    for cat, fields in by_cat.items():
        n_err = 0
        for name, value in fields:
            try:
                _, header = POLICY.header_store_parse(name, value)
                POLICY.fold_binary(name, header)
                if getattr(header, "defects", None):
                    n_err += 1
            except Exception:  # noqa: BLE001 - any failure counts as an error for the table
                n_err += 1
        errors[cat] = n_err

    encoded = {cat: [(n.encode(), v.encode()) for n, v in fields] for cat, fields in by_cat.items()}

    def py_floor(name_b, value_b):
        return b"%s: %s\r\n" % (name_b, value_b)

    def safe_cpython(name, value):
        try:
            cpython_format(name, value)
        except Exception:  # noqa: BLE001
            pass

    rows = []
    total_fields = sum(len(v) for v in by_cat.values())
    total_cp = total_py = 0.0
    for cat, fields in by_cat.items():
        if not fields:
            continue
        cp = time_per_field(fields, safe_cpython, args.repeat)
        pf = time_per_field(encoded[cat], py_floor, args.repeat)
        total_cp += cp * len(fields)
        total_py += pf * len(fields)
        rows.append((cat, CATEGORIES[cat], len(fields), cp, pf))
    rows.append(("overall", "**whole corpus**", total_fields, total_cp / total_fields, total_py / total_fields))

    print(f"### CPython {sys.version.split()[0]} email (policy SMTP) on the mailfold corpus\n")
    print("header_store_parse + fold_binary per field, best of %d passes. Ratios: to the Rust memcpy floor "
          "and mailfold of the last `cargo bench` run (%s), and to a Python floor measured here "
          "(`b\"%%s: %%s\\r\\n\" %% (name, value)`).\n" % (args.repeat, "found" if rust else "not found: run cargo bench first"))
    print("| category | fields | CPython ns/field | × Rust memcpy floor | × mailfold | Python floor ns/field | × Python floor | errors/defects |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for cat, label, n, cp, pf in rows:
        r = rust.get(cat, {})
        x_floor = f"{cp / r['floor']:.0f}×" if r.get("floor") else "–"
        x_mf = f"{cp / r['mailfold']:.0f}×" if r.get("mailfold") else "–"
        err = sum(errors.values()) if cat == "overall" else errors.get(cat, 0)
        print(f"| {label} | {n} | {cp:.0f} | {x_floor} | {x_mf} | {pf:.0f} | {cp / pf:.0f}× | {err} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
