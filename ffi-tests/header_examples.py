#!/usr/bin/env python3
"""Compiles and runs every C example in include/mailfold.h, the C counterpart of doctests.

The header is generated from the doc comments of src/ffi.rs, so its ```c blocks are what a C
programmer reads first; this keeps them true. Each block becomes the body of a `main` built
with strict C99 warnings and ASan/UBSan against the static library, and runs. What a block
says it prints is checked against what it printed:

    // prints: TEXT         stdout, exactly (C escapes \\r \\n \\t \\\\ \\" in TEXT; the words
                            CRLF, LF and HTAB, with a space on each side that has one,
                            stand for those characters)
    // prints like: TEXT    stdout, same length; a letter or digit in TEXT stands for any
                            letter or digit, everything else must match (dates, random ids)
    // stderr: TEXT         stderr, exactly

The header's comments name line endings and tabs in words, because clang reads them as
Doxygen and takes `\\r` or `\\tb` for an unknown command (-Wdocumentation). Several markers
in one block are expected in order. The script also fails when an exported
function's comment has no example, so a new export cannot ship without one. With
`--programs`, the whole C programs (```c blocks with a `main`) of those Markdown files are
compiled as they are, and their ```python blocks run with python3 from the current directory,
checked the same way (`# prints: TEXT` in Python).

usage: header_examples.py --header H --lib LIBMAILFOLD_A --build DIR [--programs MD...]
                          [-- extra link args]
"""

import argparse
import os
import re
import subprocess
import sys

MARKER = re.compile(r"(?://|#)\s*(prints like|prints|stderr):\s?(.*)$")
PRELUDE = """\
#define _DEFAULT_SOURCE   /* getrandom() under -std=c99 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include "mailfold.h"

int main(void) {
"""


CONTROL_WORDS = {"CRLF": "\r\n", "LF": "\n", "HTAB": "\t"}


def unescape(text):
    text = re.sub(r" ?\b(CRLF|LF|HTAB)\b ?", lambda m: CONTROL_WORDS[m.group(1)], text)
    out, i = [], 0
    table = {"r": "\r", "n": "\n", "t": "\t", "\\": "\\", '"': '"'}
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in table:
            out.append(table[text[i + 1]])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def comment_blocks(header):
    """Yields (comment lines, the declaration that follows) for every /** ... */ block."""
    lines = header.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() == "/**":
            body = []
            i += 1
            while lines[i].strip() != "*/":
                body.append(re.sub(r"^\s*\* ?", "", lines[i]))
                i += 1
            i += 1
            while i < len(lines) and not lines[i].strip():
                i += 1
            yield body, lines[i] if i < len(lines) else ""
        else:
            i += 1


def examples(body):
    block = None
    for line in body:
        if line.strip() == "```c":
            block = []
        elif line.strip() == "```" and block is not None:
            yield block
            block = None
        elif block is not None:
            block.append(line)


def markdown_programs(text):
    """(language, lines) of the ```c blocks of a Markdown file that are whole programs, and of
    its ```python blocks."""
    block, lang = None, None
    for line in text.splitlines():
        if block is None and line.strip() in ("```c", "```python"):
            block, lang = [], line.strip()[3:]
        elif block is not None and line.strip() == "```":
            if lang == "python" or any(re.match(r"int main\(", b) for b in block):
                yield lang, block
            block = None
        elif block is not None:
            block.append(line)


def expectations(block):
    want = {"prints": [], "stderr": []}
    for line in block:
        m = MARKER.search(line)
        if m:
            kind, text = m.group(1), unescape(m.group(2))
            want["stderr" if kind == "stderr" else "prints"].append((kind, text))
    return want


def matches(kind_texts, got):
    """True when `got` is the concatenation of the expected pieces, in order."""
    pattern = []
    for kind, text in kind_texts:
        if kind == "prints like":
            pattern.append("".join("[0-9A-Za-z]" if c.isalnum() else re.escape(c) for c in text))
        else:
            pattern.append(re.escape(text))
    return re.fullmatch("".join(pattern), got, re.DOTALL) is not None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--header", required=True)
    ap.add_argument("--lib", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--programs", nargs="*", default=[])
    ap.add_argument("link", nargs="*")
    args = ap.parse_args()

    header = open(args.header, encoding="utf-8").read()
    os.makedirs(args.build, exist_ok=True)
    failures, jobs = [], []
    for body, decl in comment_blocks(header):
        function = re.search(r"\b(mailfold_\w+)\(", decl)
        blocks = list(examples(body))
        if function and not blocks:
            failures.append(f"{function.group(1)}: its comment has no ```c example")
        for block in blocks:
            where = function.group(1) if function else decl.strip().rstrip("{").strip()
            program = PRELUDE + "".join("    " + line + "\n" for line in block)
            jobs.append((f"example of {where}", "c", program + "    return 0;\n}\n", block))
    header_examples = len(jobs)
    for md in args.programs:
        for lang, block in markdown_programs(open(md, encoding="utf-8").read()):
            jobs.append((f"{lang} program in {md}", lang, "".join(l + "\n" for l in block), block))

    ran, checked = 0, 0
    for where, lang, program, block in jobs:
        name = f"example_{ran:02d}"
        src = os.path.join(args.build, name + (".py" if lang == "python" else ".c"))
        exe = os.path.join(args.build, name)
        with open(src, "w", encoding="utf-8") as f:
            f.write(program)
        ran += 1
        cc = ["gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic",
              "-Wno-unused-variable", "-Wno-unused-but-set-variable", "-g", "-O1",
              "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
              "-I" + os.path.dirname(args.header), src, args.lib, *args.link, "-o", exe]
        if lang == "python":
            cc, exe = ["python3", "-m", "py_compile", src], [sys.executable, src]
        else:
            exe = [exe]
        built = subprocess.run(cc, capture_output=True, text=True)
        if built.returncode != 0:
            failures.append(f"{where} does not compile ({src}):\n{built.stderr}")
            continue
        env = dict(os.environ, ASAN_OPTIONS="halt_on_error=1:detect_leaks=1",
                   UBSAN_OPTIONS="halt_on_error=1")
        run = subprocess.run(exe, capture_output=True, env=env)
        out = run.stdout.decode("utf-8", "replace")
        err = run.stderr.decode("utf-8", "replace")
        if run.returncode != 0:
            failures.append(f"{where} exits {run.returncode} ({src}):\n{err}")
            continue
        want = expectations(block)
        for stream, got in (("prints", out), ("stderr", err)):
            if want[stream]:
                checked += 1
            if not matches(want[stream], got):
                expected = "".join(t for _, t in want[stream])
                failures.append(f"{where} ({src}) wrote to "
                                f"{'stdout' if stream == 'prints' else 'stderr'} {got!r}, "
                                f"its comment says {expected!r}")
    if header_examples < 12:
        failures.append(f"only {header_examples} examples found in {args.header}: is the parser stale?")
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    print(f"header examples: {header_examples}, programs: {ran - header_examples}; "
          f"{ran} compiled and run, {checked} outputs checked, "
          f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
