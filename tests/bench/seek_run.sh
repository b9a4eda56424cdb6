#!/bin/sh
# Random access into compressed tars: for each compression, one plain decompression pass
# (the baseline), tarball::open building the index, 100 random file() reads, and reopening
# with the saved index, each in a fresh process (so peak RSS is that run's); then Python's
# indexed_gzip building its index of the gzip file and reading the same 100 files.
#
#   tests/bench/seek_run.sh [files] [mean bytes]     default 20000 files of 52 KiB (~1 GiB)
#
# Environment: PYTHON (a python3 with indexed_gzip, default python3), CBOUND_BENCH_BUILD
# (build folder, default build-bench-release), WORK (where
# the archives go, default that build's tests/bench/seek), JOBS (build jobs, default 2).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${CBOUND_BENCH_BUILD:-$root/build-bench-release}
files=${1:-20000}
mean=${2:-53248}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCBOUND_BUILD_BENCHMARKS=ON \
    -DCBOUND_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" --target bench_seek -j "${JOBS:-2}" >/dev/null
bin=$build/tests/bench/bench_seek
work=${WORK:-$build/tests/bench/seek}
mkdir -p "$work"
cd "$work"

tar=a-$files-$mean.tar
[ -f "$tar" ] || "$bin" gen "$tar" "$files" "$mean"
echo "tar: $(du -m "$tar" | cut -f1) MiB, $files files"
# gzip -6 (one member); zstd as 1 MiB frames (each chunk compressed alone, concatenated);
# xz -1 in blocks of 1 MiB. A read decodes from the point before its file: half a
# point's spacing on average, so the spacing sets what 100 reads cost.
[ -f "$tar.gz" ] || gzip -6 -c "$tar" > "$tar.gz"
[ -f "$tar.zst" ] || { rm -rf chunks && mkdir chunks && split -b 1M "$tar" chunks/c. &&
    for c in chunks/c.*; do zstd -q -3 -c "$c"; done > "$tar.zst" && rm -rf chunks; }
[ -f "$tar.xz" ] || xz -1 -T2 --block-size=1MiB -c "$tar" > "$tar.xz"

for archive in "$tar.gz" "$tar.zst" "$tar.xz"; do
    rm -f "$archive.idx"
    echo "== $archive ($(du -m "$archive" | cut -f1) MiB)"
    "$bin" pass "$archive"
    BENCH_SEEK_PICKS=picks.txt "$bin" open "$archive" 100 "$archive.idx"
    "$bin" open "$archive" 100 "$archive.idx"
done

echo "== indexed_gzip on $tar.gz (same 100 files)"
${PYTHON:-python3} - "$tar" "$tar.gz" picks.txt <<'PY'
import resource, sys, tarfile, time
import indexed_gzip
tar, gz, picks = sys.argv[1:]
# The files' offsets in the uncompressed tar, found outside the timing (indexed_gzip has no tar index).
where = {m.name: (m.offset_data, m.size) for m in tarfile.open(tar)}
want = [where[line.strip()] for line in open(picks)]
t0, c0 = time.monotonic(), time.process_time()
f = indexed_gzip.IndexedGzipFile(gz, spacing=1024 * 1024)
f.build_full_index()
t1, c1 = time.monotonic(), time.process_time()
total = 0
for offset, size in want:
    f.seek(offset)
    total += len(f.read(size))
t2, c2 = time.monotonic(), time.process_time()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"indexed_gzip index cpu {c1 - c0:.3f} wall {t1 - t0:.3f} reads cpu {c2 - c1:.3f} wall {t2 - t1:.3f} "
      f"rss_mib {rss:.1f} bytes {total}")
PY
