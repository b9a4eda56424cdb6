#!/bin/sh
# cbound benchmarks, end to end: configure a Release build of its own, build the benchmark
# binaries, generate (or reuse) the workloads, run every comparison interleaved, count
# instructions under callgrind, print the table and write tests/bench/results.md and
# tests/bench/results.svg.
#
#   tests/bench/run.sh [harness options]     e.g. --reps 3, --entries 50000, --no-callgrind
#
# Environment: CBOUND_BENCH_BUILD (build folder, default build-bench-release in the
# repository), CXX (compiler), JOBS (parallel build jobs, default 2).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${CBOUND_BENCH_BUILD:-$root/build-bench-release}
jobs=${JOBS:-2}

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCBOUND_BUILD_BENCHMARKS=ON \
    -DCBOUND_BUILD_EXAMPLES=OFF ${CXX:+-DCMAKE_CXX_COMPILER="$CXX"} >/dev/null
cmake --build "$build" --target cbound_benchmarks -j "$jobs"

# Workloads are cached next to the binaries (several hundred MB at full size).
exec python3 "$here/harness.py" --bin-dir "$build/tests/bench" --work "$build/tests/bench/workloads" \
    --md "$here/results.md" --svg "$here/results.svg" --command "tests/bench/run.sh $*" "$@"
