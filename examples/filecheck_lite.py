#!/usr/bin/env python3
"""A small stand-in for LLVM's FileCheck, used where FileCheck is not installed.

Usage: filecheck_lite.py CHECKFILE [--input-file=INPUT]   (default: standard input)
Understands the directives the examples use: CHECK-LABEL, CHECK and CHECK-NEXT, with
literal text and {{regex}} blocks (POSIX classes like [[:space:]] are translated).
"""
import re
import sys

DIRECTIVE = re.compile(r"CHECK(-LABEL|-NEXT)?:\s?(.*)$")
POSIX_CLASSES = {"[:blank:]": " \t", "[:space:]": r"\s", "[:digit:]": r"\d", "[:alpha:]": "a-zA-Z", "[:alnum:]": "a-zA-Z0-9"}


def pattern_of(text):
    """Turns a FileCheck pattern (literal text with {{regex}} blocks) into a Python regex."""
    parts = re.split(r"\{\{(.*?)\}\}", text.strip())
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            for posix, python in POSIX_CLASSES.items():
                part = part.replace(posix, python)
            out.append("(?:%s)" % part)
        else:
            out.append(re.escape(part))
    return re.compile("".join(out))


def main():
    checks = []
    with open(sys.argv[1]) as f:
        for line in f:
            m = DIRECTIVE.search(line)
            if m:
                checks.append((m.group(1) or "", pattern_of(m.group(2)), m.group(2).strip()))
    inputs = [a[len("--input-file=") :] for a in sys.argv[2:] if a.startswith("--input-file=")]
    if inputs:
        with open(inputs[0]) as f:
            lines = f.read().splitlines()
    else:
        lines = sys.stdin.read().splitlines()
    position = 0  # the first line not yet consumed
    for kind, pattern, text in checks:
        if kind == "-NEXT":
            if position >= len(lines) or not pattern.search(lines[position]):
                got = lines[position] if position < len(lines) else "<end of input>"
                print("error: CHECK-NEXT: expected '%s' on the next line, found '%s'" % (text, got))
                return 1
            position += 1
            continue
        for i in range(position, len(lines)):
            if pattern.search(lines[i]):
                position = i + 1
                break
        else:
            print("error: CHECK%s: '%s' not found" % (kind, text))
            return 1
    if not checks:
        print("error: no CHECK directives")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
