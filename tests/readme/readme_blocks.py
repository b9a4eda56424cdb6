#!/usr/bin/env python3
"""Compiles the C++ blocks of README.md, so the user's guide cannot drift from the API.

    readme_blocks.py README.md list                      names of the blocks, one a line
    readme_blocks.py README.md check NAME OUT COMPILER @FLAGS...

Every ```cpp (or ```c++) block is checked. The HTML comment on the line just before a block,
invisible on GitHub, says what kind it is:
  (none)                            a fragment: wrapped in a function after the prelude below
  <!-- readme: whole file -->       a complete translation unit, compiled as it is
  <!-- readme: does not compile --> must fail to compile, with an error naming a deleted function
A block is named after the section it is in ("reading-archives-2"), so a failing CTest test
points at the README text.
"""
import re
import subprocess
import sys

PRELUDE = """\
#include <cbound/archive.hpp>
#include <cbound/archive/extract.hpp>
#include <cbound/posix.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>
"""

FENCE = re.compile(r"^```(cpp|c\+\+)\s*$")
MARK = re.compile(r"^<!--\s*readme:\s*(.+?)\s*-->\s*$")


def slug(title):
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "top"


def blocks(readme):
    """[(name, kind, code, line)] of every C++ block."""
    found, section, counts = [], "top", {}
    lines = open(readme, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("#"):
            section = slug(line.lstrip("#"))
        if FENCE.match(line.strip()):
            mark = MARK.match(lines[i - 1].strip()) if i > 0 else None
            kind = mark.group(1) if mark else "fragment"
            if kind not in ("fragment", "whole file", "does not compile"):
                sys.exit(f"README line {i}: unknown readme kind '{kind}'")
            indent = len(line) - len(line.lstrip())
            start, i = i + 1, i + 1
            while i < len(lines) and lines[i].strip() != "```":
                i += 1
            code = "\n".join(l[indent:] for l in lines[start:i])
            counts[section] = counts.get(section, 0) + 1
            found.append((f"{section}-{counts[section]}", kind, code, start))
        i += 1
    return found


def source(kind, code, line):
    if kind == "whole file":
        return f'#line {line + 1} "README.md"\n{code}\n'
    # The fragment's line numbers are the README's, so errors point at the README text.
    return f'{PRELUDE}\nvoid readme_fragment() {{\n#line {line + 1} "README.md"\n{code}\n}}\n'


def main():
    readme, action = sys.argv[1], sys.argv[2]
    found = blocks(readme)
    if action == "list":
        print(";".join(name for name, _, _, _ in found))
        return 0
    name, out, compiler, flags = sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:]
    matches = [b for b in found if b[0] == name]
    if not matches:
        print(f"no block named {name} in {readme} (re-run cmake after editing the README)")
        return 1
    _, kind, code, line = matches[0]
    with open(out, "w", encoding="utf-8") as f:
        f.write(source(kind, code, line))
    p = subprocess.run([compiler, "-std=c++20", "-fsyntax-only", *flags, out],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(p.stdout, end="")
    if kind == "does not compile":
        if p.returncode != 0 and "deleted" in p.stdout:
            print(f"{name}: refused by the compiler, as the README says")
            return 0
        print(f"{name}: the README says this does not compile (a deleted function), but it "
              + ("compiled" if p.returncode == 0 else "failed for another reason"))
        return 1
    return p.returncode


if __name__ == "__main__":
    sys.exit(main())
