#!/usr/bin/env python3
"""cbound benchmarks: generate the workloads, run every side of every comparison
interleaved, count instructions under callgrind, and print / write the ratio table.

Wall times are medians of N interleaved repetitions measured in ONE run (the side order
rotates every repetition so no side always runs on a warm or cold cache). Instruction
counts come from `valgrind --tool=callgrind --toggle-collect=cbound_bench_measured`,
which counts only the measured region of each binary, so set-up is identical and only
the loop under test differs.
"""

import argparse
import ctypes
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # keep the source folder clean
sys.path.insert(0, str(HERE))
import chart  # noqa: E402  (tests/bench/chart.py, stdlib only)


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


class Bench:
    def __init__(self, opts):
        self.opts = opts
        self.bin = Path(opts.bin_dir)
        self.work = Path(opts.work)
        self.work.mkdir(parents=True, exist_ok=True)
        self.scratch = self.work / "scratch"
        self.rows = []  # dicts: group, name, sides{side: median s}, ratios, notes
        self.instr = []  # dicts: name, raw, cbound, ratio, goal
        self.syscalls = []  # dicts: name, side, calls, files, top
        self.problems = []

    # --- binaries and tools ----------------------------------------------------------
    def exe(self, name):
        path = self.bin / name
        return str(path) if path.exists() else None

    def have(self, tool):
        return shutil.which(tool) is not None

    def libarchive_version(self):
        """archive_version_details() of the libarchive the benchmark binaries load (ldd's answer)."""
        binary = self.exe("bench_reader_raw")
        if not binary or not self.have("ldd"):
            return "(unknown)"
        found = re.search(r"libarchive\.so\S*\s+=>\s+(\S+)", subprocess.run(["ldd", binary], capture_output=True,
                                                                            text=True).stdout)
        if not found:
            return "(unknown)"
        lib = ctypes.CDLL(found.group(1))
        lib.archive_version_details.restype = ctypes.c_char_p
        return lib.archive_version_details().decode()

    def python_libarchive(self):
        probe = subprocess.run([sys.executable, "-c", "import libarchive"], capture_output=True)
        return probe.returncode == 0

    # --- workloads ---------------------------------------------------------------------
    def workload(self, name, make):
        """A cached file or folder in the work folder, built once via a temporary name."""
        final = self.work / name
        if final.exists():
            return str(final)
        temp = self.work / (name + ".partial")
        if temp.is_dir():
            shutil.rmtree(temp)
        elif temp.exists():
            temp.unlink()
        log(f"generating {name} ...")
        make(temp)
        temp.rename(final)
        return str(final)

    def tar(self, set_name):
        label = set_name.replace(":", "-")
        gen = self.exe("bench_gen")
        return self.workload(f"{label}.tar", lambda out: check_call([gen, str(out), set_name]))

    def compressed(self, set_name, tool):
        source = self.tar(set_name)
        suffix = {"gzip": "gz", "zstd": "zst"}[tool]
        argv = {"gzip": ["gzip", "-n", "-c", source], "zstd": ["zstd", "-q", "-c", source]}[tool]

        def make(out):
            with open(out, "wb") as sink:
                subprocess.run(argv, stdout=sink, check=True)

        return self.workload(f"{Path(source).name}.{suffix}", make)

    def tree(self, set_name):
        source = self.tar(set_name)

        def make(out):
            out.mkdir()
            check_call(["bsdtar", "-xf", source, "-C", str(out)])

        return self.workload(f"{Path(source).stem}.tree", make)

    # --- running -----------------------------------------------------------------------
    def run_once(self, argv, before=None, after=None, stdout=None):
        """One timed process: (wall seconds, parsed key=value output)."""
        if before:
            before()
        start = time.perf_counter()
        proc = subprocess.run(argv, stdout=stdout if stdout is not None else subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - start
        if after:
            after()
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.strip()}")
        values = {}
        if stdout is None:
            for token in (proc.stdout or "").split():
                if "=" in token:
                    key, value = token.split("=", 1)
                    values[key] = value
        return wall, values

    def compare(self, group, name, sides, baseline, goal=None, prepare=None, cleanup=None, extra=None):
        """Runs every present side N times interleaved and records medians and ratios.

        sides: {side: argv or (argv, stdout-file)}; sides whose argv is None are absent.
        prepare/cleanup(side) run untimed around each run (fresh output folders).
        """
        if self.opts.only and group != self.opts.only:
            return None
        present = {s: a for s, a in sides.items() if a is not None}
        if "cbound" not in present:
            log(f"skip {group} {name}: no cbound binary yet")
            self.rows.append({"group": group, "name": name, "sides": {}, "goal": goal, "note": "cbound side not built"})
            return None
        walls = {s: [] for s in present}
        outputs = {s: [] for s in present}
        order = list(present)
        for rep in range(self.opts.reps):
            rotated = order[rep % len(order):] + order[:rep % len(order)]
            for side in rotated:
                spec = present[side]
                argv, sink = (spec if isinstance(spec, tuple) else (spec, None))
                with open(sink, "wb") if sink else _null() as out:
                    wall, values = self.run_once(
                        argv,
                        before=(lambda s=side: prepare(s)) if prepare else None,
                        after=(lambda s=side: cleanup(s)) if cleanup else None,
                        stdout=out)
                walls[side].append(wall)
                outputs[side].append(values)
        medians = {s: statistics.median(w) for s, w in walls.items()}
        note = ""
        twin = "raw index" if "raw index" in present else "raw"
        for key in ("checksum", "bytes", "extracted"):
            seen = {s: {v.get(key) for v in outputs[s]} - {None} for s in (twin, "cbound") if s in present}
            if len(seen) == 2 and seen[twin] and seen["cbound"] and seen[twin] != seen["cbound"]:
                note = f"{key} differs between raw C and cbound (different work)"
                self.problems.append(f"{group} {name}: {note}")
        row = {"group": group, "name": name, "sides": medians, "baseline": baseline, "goal": goal,
               "note": note, "outputs": outputs}
        if extra:
            extra(row)
        self.rows.append(row)
        shown = "  ".join(f"{s}={m:.3f}s" for s, m in medians.items())
        log(f"{group:8} {name:34} {shown}")
        return row

    def gnu_tar(self):
        """GNU tar's name on this machine (tar, or gtar where tar is another one), or None."""
        for name in ("tar", "gtar"):
            if self.have(name):
                probe = subprocess.run([name, "--version"], capture_output=True, text=True)
                if "GNU tar" in probe.stdout:
                    return name
        return None

    def callgrind(self, name, raw_argv, cbound_argv, goal, locale=None, entries=None, per_entry_goal=None):
        """Counts both sides' instructions; `goal` bounds the ratio, or `per_entry_goal` the
        instructions per entry that cbound adds over raw C (then `goal` is not used), which
        does not move with how much work libarchive itself does per entry."""
        if self.opts.only and self.opts.only != "callgrind":
            return
        if locale:
            name = f"{name}, {locale}"
        if not self.have("valgrind") or raw_argv is None or cbound_argv is None:
            self.instr.append({"name": name, "raw": None, "cbound": None, "goal": goal,
                               "note": "no valgrind" if not self.have("valgrind") else "cbound side not built"})
            return
        counts = {}
        env = dict(os.environ)
        env.pop("CBOUND_BENCH_LOCALE", None)
        if locale:
            env["CBOUND_BENCH_LOCALE"] = locale
        for side, argv in (("raw", raw_argv), ("cbound", cbound_argv)):
            out = self.scratch / f"callgrind.{side}.out"
            check_call(["valgrind", "--tool=callgrind", "--toggle-collect=cbound_bench_measured",
                        f"--callgrind-out-file={out}"] + argv, quiet=True, env=env)
            counts[side] = callgrind_total(out)
            out.unlink()
        ratio = counts["cbound"] / counts["raw"] if counts["raw"] else float("nan")
        per_entry = (counts["cbound"] - counts["raw"]) / entries if entries else None
        self.instr.append({"name": name, "raw": counts["raw"], "cbound": counts["cbound"], "ratio": ratio,
                           "goal": None if per_entry_goal else goal, "per_entry": per_entry,
                           "per_entry_goal": per_entry_goal})
        shown = f" over raw={per_entry:+.1f} Ir/entry" if per_entry is not None else ""
        log(f"callgrind {name:34} raw={counts['raw']:,} cbound={counts['cbound']:,} ratio={ratio:.4f}{shown}")

    # --- the suite ---------------------------------------------------------------------
    def fresh(self, path):
        def make(_side=None):
            if os.path.lexists(path):
                subprocess.run(["rm", "-rf", str(path)], check=True)
            Path(path).mkdir(parents=True)
        return make

    def wipe(self, path):
        def clear(_side=None):
            subprocess.run(["rm", "-rf", str(path)], check=True)
        return clear

    def run(self):
        o = self.opts
        if self.scratch.exists():
            shutil.rmtree(self.scratch)
        self.scratch.mkdir()
        small, large = f"small:{o.entries}", f"large:{o.large}"
        reader_raw, reader_cb = self.exe("bench_reader_raw"), self.exe("bench_reader_cbound")
        tarball_raw, tarball_cb = self.exe("bench_tarball_raw"), self.exe("bench_tarball_cbound")
        writer_raw, writer_cb = self.exe("bench_writer_raw"), self.exe("bench_writer_cbound")
        extract_raw, extract_cb = self.exe("bench_extract_raw"), self.exe("bench_extract_cbound")
        bsdtar = self.have("bsdtar")
        python = self.python_libarchive()
        py_reader = str(HERE / "py_reader.py")
        devnull = os.devnull

        def opt(binary, *args):
            return [binary, *args] if binary else None

        if o.callgrind_only:
            self.instruction_counts(opt)
            shutil.rmtree(self.scratch, ignore_errors=True)
            return

        # list / read-all
        archives = [("small .tar", self.tar(small)), ("small .tar.zst", self.compressed(small, "zstd")),
                    ("small .tar.gz", self.compressed(small, "gzip")), ("large .tar", self.tar(large)),
                    ("large .tar.zst", self.compressed(large, "zstd"))]
        for label, path in archives:
            if "large" not in label:
                self.compare("list", label, {
                    "raw": opt(reader_raw, "list", path), "cbound": opt(reader_cb, "list", path),
                    "bsdtar": (["bsdtar", "-tf", path], devnull) if bsdtar else None,
                    "python": [sys.executable, py_reader, "list", path] if python else None,
                }, baseline="raw", goal="instructions")
            self.compare("read", label, {
                "raw": opt(reader_raw, "read", path), "cbound": opt(reader_cb, "read", path),
                "bsdtar": (["bsdtar", "-xOf", path], devnull) if bsdtar else None,
                "python": [sys.executable, py_reader, "read", path] if python else None,
            }, baseline="raw", goal="instructions")

        # tarball: index build against the bare header scan, then random lookups
        plain = self.tar(small)
        lookups = str(o.lookups)
        self.compare("tarball", "index build (small .tar)", {
            "raw": opt(tarball_raw, "scan", plain), "raw index": opt(tarball_raw, "index", plain, lookups),
            "cbound": opt(tarball_cb, "index", plain, lookups),
        }, baseline="raw", goal=("raw", 1.1), extra=self.lookup_figures)

        # create from memory
        out = self.scratch / "out.tar"
        for set_name, filt in ((small, "none"), (small, "gzip"), (large, "none"), (large, "zstd")):
            label = f"{set_name.split(':')[0]} {filt}"
            self.compare("create", label, {
                "raw": opt(writer_raw, "create", str(out), set_name, filt),
                "cbound": opt(writer_cb, "create", str(out), set_name, filt),
            }, baseline="raw", goal="instructions", cleanup=self.wipe(out))

        # Disk-bound operations (a tree on disk, extraction) use their own, smaller set: each
        # run writes every file, which costs about a millisecond per file on a shared disk.
        disk = f"small:{o.disk_entries}"

        # add_tree against GNU tar (the faster tar here) and bsdtar -cf on the same folder
        tree = self.tree(disk)
        gnutar = self.gnu_tar()
        create_sides = {
            "cbound": opt(writer_cb, "add_tree", tree, str(out)),
            "bsdtar": ["bsdtar", "-cf", str(out), "-C", tree, "."] if bsdtar else None,
            "GNU tar": [gnutar, "--format=posix", "-cf", str(out), "-C", tree, "."] if gnutar else None,
        }
        self.compare("create", f"add_tree ({o.disk_entries} files)", create_sides,
                     baseline="GNU tar" if gnutar else "bsdtar", goal=("GNU tar", 1.0) if gnutar else ("bsdtar", 1.0),
                     cleanup=self.wipe(out))
        self.count_syscalls("create", f"add_tree ({o.disk_entries} files)", create_sides, out, files_in(tree))

        # extract with the default safe policy into a fresh folder each time, against bsdtar
        # and GNU tar; system calls per file under strace -c -f, once per side
        dest = self.scratch / "dest"
        gnutar = self.gnu_tar()
        extracts = ((f"small .tar ({o.disk_entries} files)", self.tar(disk), o.disk_entries, 0.5),
                    ("large .tar", self.tar(large), int(o.large.split("x")[0]), 1.0))
        for label, path, files, goal in extracts:
            sides = {
                "raw": opt(extract_raw, "extract", path, str(dest)),
                "cbound": opt(extract_cb, "extract", path, str(dest)),
                # the reading thread alone (extract_options::threads = 1): what the pool adds
                "cbound 1 thread": opt(extract_cb, "extract", path, str(dest), "1"),
                "bsdtar": ["bsdtar", "-xf", path, "-C", str(dest)] if bsdtar else None,
                "GNU tar": [gnutar, "-xf", path, "-C", str(dest)] if gnutar else None,
            }
            self.compare("extract", label, sides, baseline="bsdtar", goal=("bsdtar", goal), prepare=self.fresh(dest),
                         cleanup=self.wipe(dest))
            self.count_syscalls("extract", f"extract {label}", sides, dest, files, prepare=self.fresh(dest))

        if not o.no_callgrind:
            self.instruction_counts(opt)
        shutil.rmtree(self.scratch, ignore_errors=True)

    def count_syscalls(self, group, name, sides, out, files, prepare=None):
        """System calls per file of each side, from `strace -f -c` (the kernel work a walk or an
        extraction costs); `out` is removed after each side, `prepare(side)` runs before it."""
        if self.opts.only and group != self.opts.only:
            return
        if not self.have("strace"):
            self.syscalls.append({"name": name, "note": "no strace"})
            return
        for side, argv in sides.items():
            if argv is None:
                continue
            report = self.scratch / f"strace.{side.replace(' ', '-')}.txt"
            if prepare:
                prepare(side)
            try:
                check_call(["strace", "-f", "-c", "-o", str(report)] + argv, quiet=True)
            except RuntimeError as e:  # a sandbox may forbid ptrace
                self.syscalls.append({"name": name, "note": f"strace failed: {e}"})
                return
            finally:
                subprocess.run(["rm", "-rf", str(out)], check=True)
            calls, top = strace_totals(report)
            self.syscalls.append({"name": name, "side": side, "calls": calls, "files": files, "top": top})
            log(f"strace   {name:34} {side}: {calls / files:.2f} system calls per file")

    def instruction_counts(self, opt):
        """Instruction counts on a smaller but representative workload, in the default "C"
        locale (what a program that never calls setlocale gets) and in a UTF-8 one. Reading
        is held to instructions per entry over raw C in UTF-8 (the goal must not move with
        how fast libarchive is), the rest to ratios."""
        o = self.opts
        reader_raw, reader_cb = self.exe("bench_reader_raw"), self.exe("bench_reader_cbound")
        tarball_raw, tarball_cb = self.exe("bench_tarball_raw"), self.exe("bench_tarball_cbound")
        writer_raw, writer_cb = self.exe("bench_writer_raw"), self.exe("bench_writer_cbound")
        out = self.scratch / "out.tar"
        cg_set = f"small:{o.callgrind_entries}"
        cg_tar = self.tar(cg_set)
        with tarfile.open(cg_tar) as t:
            entries = sum(1 for _ in t)
        for locale in (None, "C.UTF-8"):
            per_entry_goal = 25 if locale == "C.UTF-8" else None
            self.callgrind(f"list ({cg_set})", opt(reader_raw, "list", cg_tar), opt(reader_cb, "list", cg_tar),
                           1.005, locale, entries, per_entry_goal)
            self.callgrind(f"read-all ({cg_set})", opt(reader_raw, "read", cg_tar),
                           opt(reader_cb, "read", cg_tar), 1.005, locale, entries, per_entry_goal)
            self.callgrind(f"create ({cg_set})", opt(writer_raw, "create", str(out), cg_set, "none"),
                           opt(writer_cb, "create", str(out), cg_set, "none"), 1.005, locale, entries)
        self.callgrind(f"index build vs raw header scan ({cg_set})", opt(tarball_raw, "scan", cg_tar),
                       opt(tarball_cb, "index", cg_tar, "0"), 1.1, None, entries)
        self.callgrind(f"index build vs raw hand-built index ({cg_set})", opt(tarball_raw, "index", cg_tar, "0"),
                       opt(tarball_cb, "index", cg_tar, "0"), None, None, entries)

    def lookup_figures(self, row):
        for side in ("raw index", "cbound"):
            runs = row["outputs"].get(side) or []
            ps = [int(v["lookup_ps"]) for v in runs if "lookup_ps" in v]
            allocs = [int(v["lookup_allocs"]) for v in runs if "lookup_allocs" in v]
            if ps:
                row.setdefault("lookup", {})[side] = (statistics.median(ps) / 1000.0, max(allocs or [0]))


def files_in(folder):
    """How many files and folders lie in `folder` (what an archive of it holds, less the top)."""
    return sum(len(dirs) + len(names) for _, dirs, names in os.walk(folder))


def strace_totals(path):
    """(total calls, the four most called with their counts) from an `strace -c` summary."""
    calls, rows = 0, []
    for line in Path(path).read_text().splitlines():
        fields = line.split()
        if len(fields) >= 5 and fields[3].isdigit():
            count, syscall = int(fields[3]), fields[-1]
            if syscall == "total":
                calls = count
            else:
                rows.append((count, syscall))
    rows.sort(reverse=True)
    return calls, ", ".join(f"{call} {count}" for count, call in rows[:4])


def callgrind_total(path):
    """The Ir total of a callgrind output file (its `totals:` or `summary:` line)."""
    text = Path(path).read_text(errors="replace")
    for key in ("totals:", "summary:"):
        match = re.search(rf"^{key}\s+(\d+)", text, re.MULTILINE)
        if match:
            return int(match.group(1))
    raise RuntimeError(f"no totals in {path}")


def check_call(argv, quiet=False, env=None):
    proc = subprocess.run(argv, capture_output=quiet, env=env)
    if proc.returncode != 0:
        detail = proc.stderr.decode(errors="replace").strip() if quiet else ""
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}) {detail}")


class _null:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


# --- reporting ---------------------------------------------------------------------------
def verdict(ratio, limit):
    if ratio is None or limit is None:
        return ""
    return "met" if ratio <= limit else "NOT met"


def table(bench, command):
    lines = ["# cbound benchmark results", "",
             f"Command: `{command}`  ", f"Repetitions: {bench.opts.reps} interleaved, median wall time of whole "
             f"processes; small set = {bench.opts.entries} files, large set = {bench.opts.large} MiB, extract and "
             f"add_tree set = {bench.opts.disk_entries} files.", "",
             "## Wall time (median seconds, ratio = cbound / baseline)", "",
             "Wall times on a shared machine move by tens of percent between runs; the callgrind instruction "
             "counts below are the stable figure (identical to 4 digits from run to run).", "",
             "| operation | workload | raw C | cbound | bsdtar | GNU tar | python | cbound / baseline | goal | verdict "
             "| note |",
             "|---|---|---:|---:|---:|---:|---:|---:|---|---|---|"]
    if not bench.rows:  # --callgrind-only: instruction counts alone
        lines = lines[:3] + ["", "Instruction counts only (`--callgrind-only`)."]
    for row in bench.rows:
        sides = row["sides"]

        def cell(side):
            return f"{sides[side]:.3f}" if side in sides else "–"

        ratio, limit, goal_text = None, None, ""
        base = row.get("baseline")
        if "cbound" in sides and base in sides and sides[base] > 0:
            ratio = sides["cbound"] / sides[base]
        if row.get("goal") == "instructions":
            goal_text = "see instructions"
        elif row.get("goal"):
            limit = row["goal"][1]
            goal_text = f"≤ {limit}× {base}"
        raw_cell = cell("raw")
        if "raw index" in sides:
            raw_cell = f"{cell('raw')} (scan) / {cell('raw index')} (index)"
        lines.append(f"| {row['group']} | {row['name']} | {raw_cell} | {cell('cbound')} | {cell('bsdtar')} | "
                     f"{cell('GNU tar')} | {cell('python')} | {f'{ratio:.3f} vs {base}' if ratio else '–'} | {goal_text} | "
                     f"{verdict(ratio, limit)} | {row.get('note', '')} |")
        row["ratio"] = ratio
    lookup_rows = [r for r in bench.rows if r.get("lookup")]
    if lookup_rows:
        lines += ["", f"## tarball random lookups ({bench.opts.lookups} × `file(i)`, in-process timing)", "",
                  "| side | ns per lookup | allocations during lookups | goal | verdict |", "|---|---:|---:|---|---|"]
        for row in lookup_rows:
            for side, (ns, allocs) in row["lookup"].items():
                ok = ns <= 1000 and allocs == 0
                lines.append(f"| {side} | {ns:.1f} | {allocs} | ≤ 1 µs, no allocation | "
                             f"{('met' if ok else 'NOT met') if side == 'cbound' else ''} |")
    if bench.instr:
        lines += ["", "## Instructions (callgrind, measured region only, ratio = cbound / raw C)", "",
                  f"Libarchive in use: {bench.libarchive_version()}. Per entry: (cbound Ir − raw C Ir) / entries in the archive.",
                  "", "| operation | raw C Ir | cbound Ir | ratio | Ir/entry over raw | goal | verdict |",
                  "|---|---:|---:|---:|---:|---|---|"]
        for r in bench.instr:
            if r.get("per_entry_goal"):
                goal = f"≤ {r['per_entry_goal']} Ir/entry"
            else:
                goal = f"≤ {r['goal']}×" if r["goal"] else "(for reference)"
            if r.get("raw") is None:
                lines.append(f"| {r['name']} | – | – | – | – | {goal} | {r.get('note', '')} |")
                continue
            per_entry = f"{r['per_entry']:+.1f}" if r.get("per_entry") is not None else "–"
            met = (verdict(r["per_entry"], r["per_entry_goal"]) if r.get("per_entry_goal")
                   else verdict(r["ratio"], r["goal"]))
            lines.append(f"| {r['name']} | {r['raw']:,} | {r['cbound']:,} | {r['ratio']:.4f} | {per_entry} | {goal} | "
                         f"{met} |")
    if bench.syscalls:
        lines += ["", "## System calls per file (`strace -f -c`, whole process)", "",
                  "| workload | side | calls | per file | most called |", "|---|---|---:|---:|---|"]
        for r in bench.syscalls:
            if "side" not in r:
                lines.append(f"| {r['name']} | – | – | – | {r['note']} |")
                continue
            lines.append(f"| {r['name']} | {r['side']} | {r['calls']:,} | {r['calls'] / r['files']:.2f} | "
                         f"{r['top']} |")
    if bench.problems:
        lines += ["", "## Problems", ""] + [f"- {p}" for p in bench.problems]
    return "\n".join(lines) + "\n"


def smoke(opts):
    """Every binary on a tiny workload: exits 0 and raw/cbound checksums agree."""
    opts.entries, opts.large, opts.reps, opts.lookups, opts.callgrind_entries = 300, "2x1", 1, 100, 50
    opts.disk_entries = 300
    bench = Bench(opts)
    bench.run()
    print(table(bench, "harness.py --smoke"))
    missing = [name for name in ("bench_gen", "bench_reader_raw", "bench_tarball_raw", "bench_writer_raw",
                                 "bench_extract_raw") if not bench.exe(name)]
    if missing:
        print("missing binaries:", ", ".join(missing))
        return 1
    return 1 if bench.problems else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin-dir", required=True, help="folder holding the bench_* binaries")
    parser.add_argument("--work", required=True, help="folder for cached workloads and scratch output")
    parser.add_argument("--entries", type=int, default=200000, help="files in the small-file set")
    parser.add_argument("--large", default="4x64", help="large set as <count>x<MiB>")
    parser.add_argument("--reps", type=int, default=5, help="interleaved repetitions per comparison")
    parser.add_argument("--lookups", type=int, default=10000, help="random tarball lookups")
    parser.add_argument("--disk-entries", type=int, default=20000, help="files in the extract / add_tree set")
    parser.add_argument("--callgrind-entries", type=int, default=20000, help="files in the callgrind workload")
    parser.add_argument("--no-callgrind", action="store_true", help="skip instruction counting")
    parser.add_argument("--callgrind-only", action="store_true",
                        help="only the instruction counts (e.g. against another libarchive build)")
    parser.add_argument("--only", default=None, help="run one group only (list, read, tarball, create, "
                        "extract, callgrind)")
    parser.add_argument("--smoke", action="store_true", help="tiny workload, one repetition, no output files")
    parser.add_argument("--md", help="write the table here (Markdown)")
    parser.add_argument("--svg", help="write the bar chart here")
    parser.add_argument("--command", default=None, help="the command line to record in the results")
    opts = parser.parse_args()
    if opts.smoke:
        return smoke(opts)
    bench = Bench(opts)
    bench.run()
    command = opts.command or " ".join(sys.argv)
    text = table(bench, command)
    print(text)
    if opts.md:
        Path(opts.md).write_text(text)
    if opts.svg:
        Path(opts.svg).write_text(chart.render(bench.rows, bench.instr))
    return 1 if bench.problems else 0


if __name__ == "__main__":
    sys.exit(main())
