#!/usr/bin/env python3
"""Lists the source lines whose code can reach the panic machinery in a linked ELF.

Usage: panic-sites.py OBJDUMP ADDR2LINE ELF [CRATE_SRC_DIR]
Finds every branch to a core panic entry point (core::panicking::*, slice/str index
failures, unwrap/expect failures) in the disassembly, then asks addr2line (-i: with the
inlining chain) for the source of each branch. Prints one line per distinct site: the innermost
mailfold source location (file:line) and the panic function it reaches. Needs line tables
(CARGO_PROFILE_RELEASE_DEBUG=line-tables-only).

With CRATE_SRC_DIR (host builds, where std brings its own panics), only sites whose inlining
chain passes through that directory count. Exit status 1 when any site is found.
"""
import re
import subprocess
import sys
from collections import defaultdict

PANIC = re.compile(r"<(core::panicking::[^>]*|core::slice::index::[^>]*|core::str::slice_error_fail[^>]*"
                   r"|core::option::unwrap_failed|core::option::expect_failed|core::result::unwrap_failed"
                   r"|rust_begin_unwind|core::str::[^>]*fail[^>]*)>")


def main():
    objdump, addr2line, elf = sys.argv[1:4]
    only = sys.argv[4] if len(sys.argv) > 4 else None
    dis = subprocess.run([objdump, "-d", "-C", elf], capture_output=True, text=True, check=True).stdout
    sites = []
    func = "?"
    for line in dis.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
        if m:
            func = m.group(1)
            continue
        m = re.match(r"^\s*([0-9a-f]+):\s.*\s(b\S*|call|jmp\S*)\s+(?:0x)?[0-9a-f]+\s+(<.*>)", line)
        if not m:
            continue
        target = PANIC.search(m.group(3))
        if target and not PANIC.search("<" + func + ">"):
            sites.append((m.group(1), func, target.group(1)))
    if not sites:
        return 0
    found = defaultdict(set)
    for addr, func, target in sites:
        chain = subprocess.run([addr2line, "-i", "-C", "-f", "-e", elf, addr],
                               capture_output=True, text=True, check=True).stdout.splitlines()
        locs = [(chain[i], chain[i + 1]) for i in range(0, len(chain) - 1, 2)]
        # The innermost location inside this crate's src/ is the operation that panics.
        mine = [(f, l) for f, l in locs if "/src/" in l and "/rustc/" not in l and ".cargo" not in l]
        if only:
            mine = [(f, l) for f, l in mine if l.startswith(only)]
            if not mine:
                continue
        where = mine[0][1] if mine else (locs[0][1] if locs else "?")
        where = re.sub(r"^.*?/(src/)", r"\1", where)
        where = re.sub(r" \(discriminator \d+\)", "", where)
        found[where].add(target)
    for where in sorted(found):
        print("%s: %s" % (where, ", ".join(sorted(found[where]))))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
