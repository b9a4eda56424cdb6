#!/bin/sh
# What including each public cbound header costs a translation unit: the processor time
# (user + system, so that other jobs on a busy machine inflate it far less than wall time)
# of `$CXX -std=c++20 -O0 -c` on a file holding only that #include, the median of several runs,
# next to an empty file and to `#include <filesystem>` (the standard header most users
# already pay for). Prints a Markdown table; the "× filesystem" column is the ratio of medians.
# With GCC it adds the memory GCC's garbage collector allocated for the file (the TOTAL line of
# -ftime-report, in MB): it depends only on the code compiled, not on the machine's load, so it
# can be quoted from a busy machine where processor times swell.
#
# With INSTRUCTIONS=1 it also counts the instructions each compile executes (callgrind, over
# the driver and the compiler proper): the one figure that does not move at all with the
# machine's load, so small changes can be compared; it adds about a minute per header.
#
#   tests/bench/compile_time.sh [runs]        default 5 runs per header
#
# Environment: CXX (compiler, default c++), CXXFLAGS (added to every compile), INSTRUCTIONS,
# HEADERS (the headers to measure, relative to include/; default every public header).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=${1:-5}
cxx=${CXX:-c++}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Processor milliseconds (user + system) used so far by this script's finished children,
# from the second line of `times` ("0m1.230000s 0m0.040000s"). `times` runs in this shell
# (a pipe or $(...) would ask a subshell, whose children are none) and writes to a file.
children_ms() {
    times >"$work/cpu"
    tail -n 1 "$work/cpu" | awk '{ t = 0; for (i = 1; i <= 2; ++i) { split($i, p, "m"); t += p[1] * 60 + p[2] } printf "%d", t * 1000 }'
}

# Processor milliseconds of one compile of `$1` (the text of the file).
compile_ms() {
    printf '%s\n' "$1" >"$work/tu.cpp"
    children_ms >"$work/start"
    # shellcheck disable=SC2086 # CXXFLAGS is a list of flags
    "$cxx" -std=c++20 -O0 ${CXXFLAGS:-} -I"$root/include" -c "$work/tu.cpp" -o "$work/tu.o"
    children_ms >"$work/end"
    start=$(cat "$work/start")
    end=$(cat "$work/end")
    echo $((end - start))
}

# GCC's GGC memory in MB for one compile of `$1` (the TOTAL line's last column, "192M" or
# "2053k"); empty with another compiler.
ggc_mb() {
    [ "$gcc" = yes ] || return 0
    printf '%s\n' "$1" >"$work/tu.cpp"
    # shellcheck disable=SC2086 # CXXFLAGS is a list of flags
    "$cxx" -std=c++20 -O0 ${CXXFLAGS:-} -I"$root/include" -c "$work/tu.cpp" -o "$work/tu.o" -ftime-report 2>&1 |
        awk '/TOTAL/ { v = $NF; n = v + 0; u = substr(v, length(v)); if (u == "k") n /= 1024; if (u == "G") n *= 1024; printf "%d", n + 0.5 }'
}

# Millions of instructions executed by one compile of `$1` (every process it starts), when
# INSTRUCTIONS=1; empty otherwise.
instructions_m() {
    [ "${INSTRUCTIONS:-0}" = 1 ] || return 0
    printf '%s\n' "$1" >"$work/tu.cpp"
    # shellcheck disable=SC2086 # CXXFLAGS is a list of flags
    valgrind --tool=callgrind --trace-children=yes --callgrind-out-file=/dev/null \
        "$cxx" -std=c++20 -O0 ${CXXFLAGS:-} -I"$root/include" -c "$work/tu.cpp" -o "$work/tu.o" 2>&1 |
        awk '/Collected :/ { n += $NF } END { printf "%d", n / 1e6 + 0.5 }'
}

# "| M instr | × filesystem |" cells for `$1`'s instruction count (two empty cells without INSTRUCTIONS=1).
instruction_cells() {
    m=$(instructions_m "$1")
    if [ -n "$m" ]; then
        echo "$m | $(awk "BEGIN { printf \"%.2f\", $m / $filesystem_instructions }")"
    else
        echo " | "
    fi
}

# Median milliseconds of $runs compiles of `$1`.
median_ms() {
    i=0
    : >"$work/times"
    while [ "$i" -lt "$runs" ]; do
        compile_ms "$1" >>"$work/times"
        i=$((i + 1))
    done
    sort -n "$work/times" | awk '{ t[NR] = $1 } END { print (NR % 2) ? t[(NR + 1) / 2] : int((t[NR / 2] + t[NR / 2 + 1]) / 2) }'
}

# GCC defines __GNUC__ and so does clang: only GCC lacks __clang__.
gcc=no
if "$cxx" -dM -E -x c++ /dev/null 2>/dev/null | grep -q '__GNUC__' &&
    ! "$cxx" -dM -E -x c++ /dev/null 2>/dev/null | grep -q '__clang__'; then
    gcc=yes
fi

compile_ms '#include <filesystem>' >/dev/null # warm the page cache before measuring anything
empty=$(median_ms '')
filesystem=$(median_ms '#include <filesystem>')
filesystem_instructions=$(instructions_m '#include <filesystem>')

echo "$("$cxx" --version | head -n 1), -std=c++20 -O0 -c, median of $runs runs, user + system time"
[ -r /proc/loadavg ] && echo "load average at the start: $(cut -d ' ' -f 1-3 /proc/loadavg)"
echo
echo "| #include | cpu ms | × filesystem | GGC MB | M instr | × filesystem (instr) |"
echo "|---|---:|---:|---:|---:|---:|"
echo "| (empty file) | $empty | $(awk "BEGIN { printf \"%.2f\", $empty / $filesystem }") | $(ggc_mb '') | $(instruction_cells '') |"
echo "| <filesystem> | $filesystem | 1.00 | $(ggc_mb '#include <filesystem>') | $(instruction_cells '#include <filesystem>') |"
cd "$root/include"
for header in ${HEADERS:-cbound/*.hpp cbound/archive/*.hpp}; do
    ms=$(median_ms "#include <$header>")
    echo "| <$header> | $ms | $(awk "BEGIN { printf \"%.2f\", $ms / $filesystem }") | $(ggc_mb "#include <$header>") | $(instruction_cells "#include <$header>") |"
done
