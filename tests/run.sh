#!/usr/bin/env bash
# Runs cbound's whole test suite on a Debian/Ubuntu machine: installs what is missing, then
# for each of the CMakePresets.json presets gcc, clang, asan (Clang with ASan+UBSan) and
# gcc-la37 (GCC against libarchive 3.7.4 from Debian 13's source package, built first by
# .ci/build-libarchive-debian), all with warnings as errors, configures, builds and runs
# ctest. A failing stage does not stop the others, so one run shows every failure; the exit
# status is non-zero if any failed.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1

bash .ci/install-deps || exit 1

# CMake and the tests' shell commands must agree on which python3 they use (pyenv or Debian's).
python="$(command -v python3 || true)"
python_arg=()
[[ -n "$python" ]] && python_arg=("-DPython3_EXECUTABLE=$python")

# CBOUND_PRESETS narrows the run for local use (say "gcc"); CI always runs all of them.
# gcc-la37 runs the suite against libarchive 3.7.4 built from Debian 13's source package.
read -r -a presets <<<"${CBOUND_PRESETS:-gcc clang asan gcc-la37}"
echo "presets: ${presets[*]}"
timings=()
failures=()

# run_stage <name> <command...>: runs one stage, logs it under build/logs and records its time.
run_stage() {
    local name="$1"
    shift
    local log="build/logs/${name// /-}.log"
    local start=$SECONDS status
    echo
    echo "=== ${name}: $*"
    "$@" 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    local took=$((SECONDS - start))
    if ((status == 0)); then
        timings+=("$(printf '%-16s %5d s  ok' "$name" "$took")")
    else
        timings+=("$(printf '%-16s %5d s  FAILED (exit %d, log %s)' "$name" "$took" "$status" "$log")")
        failures+=("$name")
    fi
    echo "=== ${name}: $((took)) s, exit ${status}"
    return "$status"
}

# libarchive_stage <preset>: a preset against another libarchive release first builds that
# release into its prefix under build/ (kept as a cache), then checks after the build that the
# tests load it: ldd names the prefix and the library loaded is the one compiled against.
libarchive_stage() {
    case "$1" in
    gcc-la37) run_stage "$1 libarchive" bash .ci/build-libarchive-debian build/libarchive-3.7 trixie 3.7.4 ;;
    *) return 0 ;;
    esac
}
libarchive_check() {
    local program="build/$1/tests/unit/reader/libarchive_in_use"
    ldd "$program" | grep libarchive
    ldd "$program" | grep -q "build/libarchive-3.7/prefix/lib/libarchive" || { echo "not linked to the prefix"; return 1; }
    "$program"
}

mkdir -p build/logs
for preset in "${presets[@]}"; do
    if ! libarchive_stage "$preset"; then
        timings+=("$(printf '%-16s     -    NOT RUN: libarchive build failed' "$preset")")
        failures+=("$preset configure" "$preset build" "$preset test")
        continue
    fi
    if ! run_stage "$preset configure" cmake --preset "$preset" "${python_arg[@]}"; then
        timings+=("$(printf '%-16s     -    NOT RUN: configure failed' "$preset build+test")")
        failures+=("$preset build" "$preset test")
        continue
    fi
    # Keep going past a broken target, so the tests of everything else still build and run.
    run_stage "$preset build" cmake --build --preset "$preset" -- -k
    [[ "$preset" == gcc-la37 ]] && run_stage "$preset which libarchive" libarchive_check "$preset"
    run_stage "$preset test" ctest --preset "$preset"
done

echo
echo "=== time per stage"
printf '%s\n' "${timings[@]}"
printf '%-16s %5d s\n' "total" "$SECONDS"
for preset in "${presets[@]}"; do
    log="build/logs/${preset}-test.log"
    [[ -f "$log" ]] || continue
    echo
    echo "=== ctest summary: $preset"
    # ctest's own closing lines: the pass ratio, the failed tests and the total time.
    sed -n '/tests passed, .* tests failed out of/,$p' "$log"
done

if ((${#failures[@]} > 0)); then
    echo
    echo "FAILED stages: ${failures[*]}"
    exit 1
fi
echo
echo "All stages passed."
