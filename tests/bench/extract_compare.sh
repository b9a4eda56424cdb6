#!/bin/bash
# Extraction side by side: cbound (extract_options::threads = 1, and the pool) against
# `bsdtar -xf` and GNU `tar -xf`, on the small-file set and on 4 x 64 MiB, in each given
# folder (a tmpfs and a disk: creating a file costs the kernel very different amounts
# there). Runs are interleaved (the order of the sides rotates every round), each into a
# fresh destination, with `sync` before each; the median of the rounds is printed with the
# load average, with cbound's processor time (its reading thread's and the process's, which
# move little with load, unlike wall time), then the system calls per file of each side
# under `strace -f -c`.
#
#   tests/bench/extract_compare.sh [options] [folder...]    (default folders: /dev/shm and the build folder)
#     --reps N        rounds per workload (default 5)
#     --entries N     files in the small set (default 20000)
#     --large SPEC    the large set, as bench_gen takes it (default 4x64: four files of 64 MiB)
#     --no-strace     skip the system call counts
#
# Environment: CBOUND_BENCH_BUILD (the Release build folder, default build-bench-release in
# the repository, as run.sh uses), CXX, JOBS (build jobs, default 2).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${CBOUND_BENCH_BUILD:-$root/build-bench-release}
reps=5 entries=20000 large=4x64 strace=yes
places=()
while [ $# -gt 0 ]; do
    case $1 in
    --reps) reps=$2; shift 2 ;;
    --entries) entries=$2; shift 2 ;;
    --large) large=$2; shift 2 ;;
    --no-strace) strace=no; shift ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) places+=("$1"); shift ;;
    esac
done
[ ${#places[@]} -gt 0 ] || places=(/dev/shm "$build")

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCBOUND_BUILD_BENCHMARKS=ON \
    -DCBOUND_BUILD_EXAMPLES=OFF ${CXX:+-DCMAKE_CXX_COMPILER="$CXX"} >/dev/null
cmake --build "$build" --target bench_extract_cbound bench_gen -j "${JOBS:-2}" >/dev/null
bin=$build/tests/bench
work=$build/extract-compare
mkdir -p "$work"
small=$work/small-$entries.tar big=$work/large-$large.tar
[ -f "$small" ] || "$bin/bench_gen" "$small" "small:$entries" >/dev/null
[ -f "$big" ] || "$bin/bench_gen" "$big" "large:$large" >/dev/null
gnutar=$(command -v gtar || command -v tar)

# side names and their commands; ARCHIVE and DEST are filled in per run
sides=("cbound-1" "cbound-pool" "bsdtar" "GNU-tar")
command_of() { # side archive dest
    case $1 in
    cbound-1) echo "$bin/bench_extract_cbound extract $2 $3 1" ;;
    cbound-pool) echo "$bin/bench_extract_cbound extract $2 $3 0" ;;
    bsdtar) echo "bsdtar -xf $2 -C $3" ;;
    GNU-tar) echo "$gnutar -xf $2 -C $3" ;;
    esac
}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "extract_compare: $reps rounds, medians of wall seconds; small = $entries files, large = $large MiB; $(nproc) cores"
for place in "${places[@]}"; do
    dest=$place/cbound-extract-compare.$$
    fs=$(stat -f -c %T "$place")
    for archive in "$small" "$big"; do
        label=$(basename "$archive" .tar)
        cat "$archive" >/dev/null # the archive is read from the page cache by every side
        declare -A times=() cpu=()
        load_before=$(loadavg)
        for ((round = 0; round < reps; ++round)); do
            for ((k = 0; k < ${#sides[@]}; ++k)); do
                side=${sides[$(((k + round) % ${#sides[@]}))]}
                rm -rf "$dest" && mkdir -p "$dest" && sync
                start=$(date +%s%N)
                out=$($(command_of "$side" "$archive" "$dest"))
                end=$(date +%s%N)
                times[$side]+="$(((end - start) / 1000)) "
                # cbound's processor time: its reading thread's and the whole process's (ns)
                for key in reader_cpu_ns process_cpu_ns; do
                    value=$(echo "$out" | tr ' ' '\n' | sed -n "s/^$key=//p")
                    [ -z "$value" ] || cpu["$side $key"]+="$((value / 1000)) "
                done
            done
        done
        rm -rf "$dest"
        line="$fs $label (load $load_before -> $(loadavg)):"
        for side in "${sides[@]}"; do
            med=$(echo "${times[$side]}" | tr ' ' '\n' | grep . | median)
            line+=$(awk -v s="$side" -v m="$med" 'BEGIN { printf "  %s %.3f s", s, m / 1e6 }')
            eval "m_${side//-/_}=$med"
        done
        echo "$line"
        awk -v f="$fs" -v l="$label" -v p="$m_cbound_pool" -v o="$m_cbound_1" -v b="$m_bsdtar" -v g="$m_GNU_tar" \
            'BEGIN { printf "  %s %s ratios: pool/bsdtar %.2f  pool/GNU-tar %.2f  1-thread/bsdtar %.2f  1-thread/GNU-tar %.2f\n",
                     f, l, p / b, p / g, o / b, o / g }'
        for side in cbound-1 cbound-pool; do
            r=$(echo "${cpu[$side reader_cpu_ns]}" | tr ' ' '\n' | grep . | median)
            p=$(echo "${cpu[$side process_cpu_ns]}" | tr ' ' '\n' | grep . | median)
            awk -v f="$fs" -v l="$label" -v s="$side" -v r="$r" -v p="$p" \
                'BEGIN { printf "  %s %s %s processor time: reading thread %.3f s, process %.3f s\n", f, l, s, r / 1e6, p / 1e6 }'
        done
        unset times cpu
    done
done

if [ "$strace" = yes ] && command -v strace >/dev/null; then
    dest=${places[0]}/cbound-extract-compare.$$
    files=$(tar -tvf "$small" | grep -c '^-')
    for side in "${sides[@]}"; do
        rm -rf "$dest" && mkdir -p "$dest"
        strace -f -c -o "$work/strace.$side.txt" $(command_of "$side" "$small" "$dest") >/dev/null
        calls=$(awk '$NF == "total" { print $4 }' "$work/strace.$side.txt")
        top=$(awk '$1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" { print $4, $NF }' "$work/strace.$side.txt" | sort -rn | head -5 |
            awk '{ printf "%s %s, ", $2, $1 }')
        awk -v s="$side" -v c="$calls" -v f="$files" -v t="$top" \
            'BEGIN { printf "strace %s: %.2f system calls per file (most: %s...)\n", s, c / f, t }'
    done
    rm -rf "$dest"
fi
