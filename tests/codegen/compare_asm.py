#!/usr/bin/env python3
"""Compares raw_X / wrapped_X function pairs in compiler-generated assembly (AT&T, x86-64).

Usage: compare_asm.py --compiler gcc|clang --asserted FILE.s [--recorded FILE.s] [--name NAME]

Normalization: directives, comments and labels that no instruction refers to are dropped;
the remaining local labels are renamed in order of appearance; GCC's `f.cold` parts are
folded back into `f`. Rules for each pair in the asserted file:
  clang: the wrapped body is identical to the raw one;
  gcc:   the same external callees in the same order of first appearance, no more call
         sites and no more instructions (its branch layout follows the source shape).
`unfair_X` is compared with `raw_X` like a wrapped function and must be reported worse:
it is the comparer's self-test. The recorded file (another flag set, e.g. exceptions on)
is only measured and printed. Exits 1 on any failure, and when there is nothing to compare.
"""
import argparse
import re
import sys

SYMBOL_LABEL = re.compile(r"^([A-Za-z_][\w.$@]*):")
LOCAL_LABEL_DEF = re.compile(r"^(\.L[\w$.]+):")
LOCAL_LABEL_REF = re.compile(r"\.L[\w$.]+")
CALL = re.compile(r"^(call|callq|jmp|jmpq)\s+\*?([A-Za-z_][\w.$]*)(@PLT)?\s*$")


def strip_comment(line):
    # AT&T syntax has no '#' inside instructions; clang writes its comments after one.
    return line.split("#", 1)[0].rstrip()


def split_functions(text):
    """Maps each function name to its instruction and local-label lines, in file order."""
    functions = {}
    current = None
    for raw_line in text.splitlines():
        line = strip_comment(raw_line).strip()
        if not line:
            continue
        symbol = SYMBOL_LABEL.match(line)
        if symbol and not line.startswith("."):
            name = symbol.group(1)
            if name.endswith(".cold"):
                name = name[: -len(".cold")]
            current = functions.setdefault(name, [])
            continue
        if current is None:
            continue
        if line.startswith(".") and not LOCAL_LABEL_DEF.match(line):
            continue  # a directive
        current.append(line)
    return functions


def normalize(lines):
    """Drops unreferenced labels and renames the others in order of appearance."""
    instructions = [l for l in lines if not LOCAL_LABEL_DEF.match(l)]
    referenced = set()
    for l in instructions:
        referenced.update(LOCAL_LABEL_REF.findall(l))
    names = {}

    def rename(match):
        label = match.group(0)
        if label not in names:
            names[label] = ".L%d" % len(names)
        return names[label]

    result = []
    for l in lines:
        definition = LOCAL_LABEL_DEF.match(l)
        if definition and definition.group(1) not in referenced:
            continue
        result.append(LOCAL_LABEL_REF.sub(rename, re.sub(r"\s+", " ", l)))
    return result


# Calls that never return: code after them is not reached by falling through.
NORETURN = {"_Unwind_Resume", "__clang_call_terminate", "_ZSt9terminatev", "__cxa_throw", "__cxa_rethrow",
            "__cxa_end_cleanup", "abort", "__stack_chk_fail"}
# cbound's own [[noreturn]] thrower of checked calls (cbound::detail::throw_failed_call).
NORETURN_CBOUND = "_ZN6cbound6detail17throw_failed_call"


def hot_path(lines):
    """The lines reachable from the entry by ordinary control flow. Exception landing pads
    are entered only by the unwinder, so they are left out (an indirect jump keeps all)."""
    labels = {l[:-1]: i for i, l in enumerate(lines) if LOCAL_LABEL_DEF.match(l)}
    reached = set()
    work = [0]
    while work:
        i = work.pop()
        while i < len(lines) and i not in reached:
            reached.add(i)
            line = lines[i]
            i += 1
            if LOCAL_LABEL_DEF.match(line):
                continue
            op, _, operand = line.partition(" ")
            operand = operand.strip()
            if op.startswith("j"):
                if operand.startswith("*"):
                    return list(lines)
                if operand in labels:
                    work.append(labels[operand])
                if op in ("jmp", "jmpq"):
                    break
            elif op.startswith("ret") or op == "ud2":
                break
            elif op in ("call", "callq"):
                call = CALL.match(line)
                if call and (call.group(2) in NORETURN or call.group(2).startswith(NORETURN_CBOUND)):
                    break
    return [lines[i] for i in sorted(reached)]


def instructions_of(lines):
    return [l for l in lines if not LOCAL_LABEL_DEF.match(l)]


class Body:
    """A normalized function body: its hot path (what is compared) and its whole size."""

    def __init__(self, lines):
        everything = normalize(lines)
        self.lines = hot_path(everything)
        self.instructions = instructions_of(self.lines)
        self.total_instructions = len(instructions_of(everything))
        self.calls = []
        for l in self.instructions:
            call = CALL.match(l)
            if call and not call.group(2).startswith(".L"):
                self.calls.append(call.group(2))

    def callees(self):
        """The distinct external callees in order of first appearance."""
        seen = []
        for c in self.calls:
            if c not in seen:
                seen.append(c)
        return seen


def judge(identical, raw, wrapped):
    """Returns None when `wrapped` costs no more than `raw`, else the reason it does.
    `identical` demands the same hot path; otherwise the same callees in order and no more
    call sites or instructions are enough (GCC lays out branches after the source shape;
    with exceptions on, Clang picks other registers to keep the exception object)."""
    if identical:
        if raw.lines != wrapped.lines:
            return "code differs"
        return None
    if raw.callees() != wrapped.callees():
        return "callees differ: raw %s, other %s" % (raw.callees(), wrapped.callees())
    if len(wrapped.calls) > len(raw.calls):
        return "more call sites: raw %d, other %d" % (len(raw.calls), len(wrapped.calls))
    if len(wrapped.instructions) > len(raw.instructions):
        return "more instructions: raw %d, other %d" % (len(raw.instructions), len(wrapped.instructions))
    return None


def pairs(functions):
    """Yields (stem, kind, raw name, other name) for each wrapped_X and unfair_X with a raw_X."""
    for name in functions:
        for kind in ("wrapped", "unfair"):
            if name.startswith(kind + "_"):
                stem = name[len(kind) + 1 :]
                yield stem, kind, "raw_" + stem, name


def landing_pads(raw, other):
    """Describes the instructions off the hot path (exception landing pads), if any."""
    extra_raw = raw.total_instructions - len(raw.instructions)
    extra_other = other.total_instructions - len(other.instructions)
    if extra_raw == 0 and extra_other == 0:
        return ""
    return " + landing pads %d/%d" % (extra_raw, extra_other)


def diff(raw, wrapped):
    width = max([len(l) for l in raw.lines] + [3])
    out = []
    for i in range(max(len(raw.lines), len(wrapped.lines))):
        a = raw.lines[i] if i < len(raw.lines) else ""
        b = wrapped.lines[i] if i < len(wrapped.lines) else ""
        out.append("    %s %-*s | %s" % (" " if a == b else "*", width, a, b))
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compiler", choices=("gcc", "clang"), required=True)
    parser.add_argument("--asserted", required=True, help="assembly whose pairs must be zero-overhead")
    parser.add_argument("--asserted-label", default="asserted")
    parser.add_argument("--asserted-with-exceptions", action="store_true",
                        help="the asserted file was built with exceptions: Clang too gets the no-worse rule")
    parser.add_argument("--recorded", help="assembly whose pairs are only measured")
    parser.add_argument("--recorded-label", default="recorded")
    parser.add_argument("--name", default="codegen")
    args = parser.parse_args()

    try:
        with open(args.asserted) as f:
            asserted = split_functions(f.read())
        recorded = {}
        if args.recorded:
            with open(args.recorded) as f:
                recorded = split_functions(f.read())
    except OSError as e:
        print("FAIL %s: cannot read the assembly (was it built?): %s" % (args.name, e))
        return 1

    failures = 0
    compared = {"wrapped": 0, "unfair": 0}
    for stem, kind, raw_name, other_name in sorted(pairs(asserted)):
        if raw_name not in asserted:
            print("FAIL %s: %s has no %s to compare with" % (args.name, other_name, raw_name))
            failures += 1
            continue
        raw, other = Body(asserted[raw_name]), Body(asserted[other_name])
        reason = judge(args.compiler == "clang" and not args.asserted_with_exceptions, raw, other)
        compared[kind] += 1
        if kind == "wrapped":
            verdict = "ok" if reason is None else "FAIL (%s)" % reason
            failures += reason is not None
        else:  # the self-test: the comparer must see the extra cost
            verdict = "ok, flagged as worse (%s)" % reason if reason else "FAIL (unfair pair not flagged)"
            failures += reason is None
        line = "%s %s %s%s: %s raw %d %s %d instructions%s, calls %s" % (
            args.name, args.compiler, stem, " (self-test)" if kind == "unfair" else "", args.asserted_label,
            len(raw.instructions), kind, len(other.instructions), landing_pads(raw, other),
            ",".join(other.callees()) or "-")
        if raw_name in recorded and other_name in recorded:
            r, w = Body(recorded[raw_name]), Body(recorded[other_name])
            line += "; %s raw %d %s %d (%+d)%s" % (args.recorded_label, len(r.instructions), kind,
                                                  len(w.instructions), len(w.instructions) - len(r.instructions),
                                                  landing_pads(r, w))
        print("%s -> %s" % (line, verdict))
        if kind == "wrapped" and reason is not None:
            print(diff(raw, other))
    if compared["wrapped"] == 0:
        print("FAIL %s: no raw_X/wrapped_X pair found" % args.name)
        failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
