#!/usr/bin/env python3
"""Times `mailfold_format_header` on Subjects whose words are separated by one space, two
spaces, or runs of 2-60 spaces (~10-45 KB, seeded), through ctypes: the cost of the general
path and of its look-ahead over white-space runs (docs/folding.md, "What it costs").

    scripts/build-c.sh && python3 scripts/time-ws-runs.py target/mailfold-c/libmailfold.so

Pass two libraries (say, one built from an older commit) to compare them in one run.
Prints the best of five batches of 200 calls, in ns per value byte.

    python3 scripts/time-ws-runs.py --write DIR

writes the three values as `DIR/<kind>.txt` (making DIR when needed), 50 `Subject:` lines
each, for counting instructions with the `mailfold` tool, which a busy machine does not
disturb:

    cargo build --release --features cli
    valgrind --tool=callgrind target/release/mailfold DIR/two-spaces.txt
"""
import ctypes
import os
import random
import sys
import time


def values():
    r = random.Random(1)
    words = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit"]
    for kind in ["one space", "two spaces", "runs of 2-60"]:
        parts = []
        for _ in range(1500):
            parts.append(r.choice(words))
            parts.append({"one space": " ", "two spaces": "  "}.get(kind) or " " * r.choice([2, 5, 30, 60]))
        yield kind, "".join(parts).strip().encode()


def time_lib(path):
    lib = ctypes.CDLL(path)
    f = lib.mailfold_format_header
    f.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t,
                  ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                  ctypes.POINTER(ctypes.c_size_t)]
    for kind, v in values():
        out = ctypes.create_string_buffer(len(v) * 3 + 1000)
        n = ctypes.c_size_t()
        best = float("inf")
        for _ in range(5):
            t = time.perf_counter()
            for _ in range(200):
                rc = f(b"Subject", 7, v, len(v), None, out, len(out), ctypes.byref(n))
            best = min(best, (time.perf_counter() - t) / 200)
        assert rc == 0, rc
        print(f"{path}: {kind:13} {len(v):6} bytes  {best * 1e9 / len(v):6.2f} ns/byte")


if sys.argv[1:2] == ["--write"] and len(sys.argv) == 3:
    os.makedirs(sys.argv[2], exist_ok=True)
    kinds = list(values())
    for kind, v in kinds:
        with open(f"{sys.argv[2]}/{kind.replace(' ', '-')}.txt", "wb") as out:
            out.write((b"Subject: " + v + b"\n") * 50)
    sys.exit(0)
if any(a.startswith("-") for a in sys.argv[1:]):
    print(__doc__)
    sys.exit(0)
for p in sys.argv[1:] or ["target/mailfold-c/libmailfold.so"]:
    time_lib(p)
