#!/usr/bin/env bash
# Builds cbound's examples and runs them, showing what each prints; installs what is missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash .ci/install-deps

build=build/examples
# Tests stay on: the examples are run (and their output checked) as CTest tests.
cmake -S . -B "$build" -G "Unix Makefiles" -DCMAKE_BUILD_TYPE=Release -DCBOUND_WERROR=ON \
    -DCBOUND_BUILD_EXAMPLES=ON -DCBOUND_BUILD_TESTS=ON -DCBOUND_BUILD_BENCHMARKS=OFF
# Only the examples folder is built, not the whole test suite.
make -C "$build/examples" -j2
ctest --test-dir "$build/examples" --no-tests=error --output-on-failure -V

# The cbound-tar tool on an archive it makes itself: create, list, extract, cat.
bash examples/cbound-tar/demo.sh "$build/examples/cbound-tar/cbound-tar" "$build/cbound-tar-demo"
