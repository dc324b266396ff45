#!/usr/bin/env python3
"""Hot code of a callgrind run: how many bytes of machine code the timed loop keeps executing.

Reads a callgrind output written with `--dump-instr=yes` (and without `--cache-sim`, so the
only event is instructions), counts how often each instruction address ran, and reports the
64-byte cache lines holding instructions that ran at least THRESHOLD times per field (so
code that nearly every field of some category runs, not code that one odd field reached),
in KB, in total and by function (symbols from `nm`).

When the categories of a mixed run together keep more code hot than the CPU's level-1
instruction cache holds (32 KB on the machines measured here), fields evict each other's code
and the front end stalls; a per-category run does not show that (see benches/README.md).

    code-footprint.py CALLGRIND_OUT BINARY FIELDS [--threshold 0.01] [--top 12]
"""

import argparse
import bisect
import collections
import re
import subprocess


def instruction_counts(path):
    """Executions per instruction address (callgrind's compressed position format)."""
    counts = collections.Counter()
    last = [0, 0]
    after_calls = False
    position = re.compile(r"^[+\-*0-9]")
    with open(path) as f:
        for raw in f:
            line = raw.rstrip("\n")
            if line.startswith("calls="):
                # The next line is the call's inclusive cost, not this instruction's own.
                after_calls = True
                continue
            if not line or not position.match(line):
                continue
            parts = line.split()

            def pos(tok, i):
                if tok == "*":
                    return last[i]
                if tok.startswith("0x"):
                    return int(tok, 16)
                if tok[0] in "+-":
                    return last[i] + int(tok)
                return int(tok)

            addr = pos(parts[0], 0)
            if len(parts) > 2:
                last[1] = pos(parts[1], 1)
            last[0] = addr
            if after_calls:
                after_calls = False
                continue
            try:
                counts[addr] += int(parts[-1]) if len(parts) >= 2 else 0
            except ValueError:
                pass
    return counts


def symbols(binary):
    out = subprocess.run(
        ["nm", "-C", "-S", "--defined-only", binary], capture_output=True, text=True, check=True
    ).stdout
    syms = []
    for line in out.splitlines():
        p = line.split(None, 3)
        if len(p) == 4 and p[2] in "tT":
            syms.append((int(p[0], 16), int(p[1], 16), p[3]))
    syms.sort()
    return syms


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("callgrind_out")
    ap.add_argument("binary")
    ap.add_argument("fields", type=int, help="fields formatted in the run (all passes)")
    ap.add_argument("--threshold", type=float, default=0.01)
    ap.add_argument("--top", type=int, default=12)
    args = ap.parse_args()

    counts = instruction_counts(args.callgrind_out)
    syms = symbols(args.binary)
    starts = [s[0] for s in syms]

    def function(addr):
        i = bisect.bisect_right(starts, addr) - 1
        if i >= 0 and syms[i][0] <= addr < syms[i][0] + syms[i][1]:
            return syms[i][2]
        return "?"

    by_function = collections.defaultdict(set)
    for addr, n in counts.items():
        if n / args.fields >= args.threshold:
            by_function[function(addr)].add(addr >> 6)
    lines = set().union(*by_function.values()) if by_function else set()
    print(f"hot code: {len(lines) * 64 / 1024:.1f} KB in {len(lines)} lines "
          f"(instructions run >= {args.threshold} times per field)")
    ranked = sorted(by_function.items(), key=lambda kv: -len(kv[1]))
    for name, ls in ranked[: args.top]:
        print(f"  {len(ls) * 64 / 1024:5.1f} KB  {name[:110]}")


if __name__ == "__main__":
    main()
