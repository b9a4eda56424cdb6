// Benchmark: random access into compressed tars (tests/bench/seek_run.sh drives it).
//
//   bench_seek gen <out.tar> <files> <mean bytes>   a tar of text files (deterministic)
//   bench_seek pass <archive>                       one plain decompression pass (zlib, zstd
//                                                   or liblzma to a buffer): the baseline
//   bench_seek open <archive> <picks> [index]       tarball::open (with a saved index when
//                                                   given), then file() of `picks` random files;
//                                                   prints the times, the peak RSS and the picks
//
// Times are CPU seconds (user + system) of this process, and wall seconds, so a busy
// machine skews the ratios less; peak RSS is getrusage's ru_maxrss.
#include <cbound/archive/tarball.hpp>

#include <archive.h>
#include <archive_entry.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <sys/resource.h>

namespace {

struct clock_pair {
    double cpu = 0, wall = 0;
};

clock_pair now() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    auto const s = [](timeval t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return {s(u.ru_utime) + s(u.ru_stime),
            std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count()};
}

clock_pair since(clock_pair start) {
    clock_pair const end = now();
    return {end.cpu - start.cpu, end.wall - start.wall};
}

double peak_rss_mib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;
}

int gen(char const* out, std::size_t files, std::size_t mean) {
    static char const* const words[] = {"tarball", "seek",  "point", "window", "inflate",    "zstd",   "frame",
                                        "block",   "index", "span",  "borrow", "libarchive", "header", "data"};
    archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    if (archive_write_open_filename(a, out) != ARCHIVE_OK) return 1;
    archive_entry* e = archive_entry_new();
    std::uint32_t seed = 12345;
    auto next = [&] { return seed = seed * 1664525u + 1013904223u; };
    std::string body;
    for (std::size_t i = 0; i < files; ++i) {
        std::size_t const size = mean / 2 + next() % mean; // mean/2 .. 3*mean/2
        body.clear();
        while (body.size() < size) {
            char word[32];
            int const n = std::snprintf(word, sizeof word, "%s%c", words[(next() >> 8) % 14],
                                        (next() >> 8) % 12 == 0 ? '\n' : ' ');
            body.append(word, static_cast<std::size_t>(n));
            if ((next() >> 8) % 5 == 0)
                body.append(word, static_cast<std::size_t>(std::snprintf(word, sizeof word, "%u ", next() % 100000)));
        }
        body.resize(size);
        archive_entry_clear(e);
        char path[64];
        std::snprintf(path, sizeof path, "d%zu/f%zu.txt", i / 1000, i);
        archive_entry_set_pathname(e, path);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, static_cast<la_int64_t>(body.size()));
        archive_entry_set_mtime(e, 1700000000, 0);
        archive_write_header(a, e);
        archive_write_data(a, body.data(), body.size());
    }
    archive_entry_free(e);
    archive_write_close(a);
    archive_write_free(a);
    return 0;
}

/// Decodes the whole archive file once with the compression library; returns decoded bytes.
std::uint64_t plain_pass(std::span<std::byte const> src) {
    std::vector<unsigned char> out(1 << 20);
    std::uint64_t total = 0;
    auto const* in = reinterpret_cast<unsigned char const*>(src.data());
    if (src.size() > 2 && in[0] == 0x1f && in[1] == 0x8b) {
        z_stream z{};
        inflateInit2(&z, 31);
        z.next_in = const_cast<unsigned char*>(in);
        z.avail_in = static_cast<uInt>(src.size());
        for (;;) {
            z.next_out = out.data();
            z.avail_out = static_cast<uInt>(out.size());
            int const r = inflate(&z, Z_NO_FLUSH);
            total += out.size() - z.avail_out;
            if (r == Z_STREAM_END) {
                if (z.avail_in == 0) break;
                inflateReset(&z); // the next member
            } else if (r != Z_OK) {
                break;
            }
        }
        inflateEnd(&z);
    } else if (src.size() > 4 && in[0] == 0x28) {
        ZSTD_DStream* d = ZSTD_createDStream();
        ZSTD_inBuffer zin{in, src.size(), 0};
        while (zin.pos < zin.size) {
            ZSTD_outBuffer zout{out.data(), out.size(), 0};
            if (ZSTD_isError(ZSTD_decompressStream(d, &zout, &zin))) break;
            total += zout.pos;
        }
        ZSTD_freeDStream(d);
    } else {
        lzma_stream s = LZMA_STREAM_INIT;
        if (lzma_stream_decoder(&s, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) return 0;
        s.next_in = in;
        s.avail_in = src.size();
        for (;;) {
            s.next_out = out.data();
            s.avail_out = out.size();
            lzma_ret const r = lzma_code(&s, LZMA_FINISH);
            total += out.size() - s.avail_out;
            if (r != LZMA_OK) break;
        }
        lzma_end(&s);
    }
    return total;
}

} // namespace

int main(int argc, char** argv) {
    std::string const cmd = argc > 1 ? argv[1] : "";
    if (cmd == "gen" && argc == 5) return gen(argv[2], std::stoul(argv[3]), std::stoul(argv[4]));
    if (cmd == "pass" && argc == 3) {
        auto const file = cbound::mapped_file::open(argv[2]);
        clock_pair const start = now();
        std::uint64_t const n = plain_pass(file.bytes());
        clock_pair const t = since(start);
        std::printf("pass cpu %.3f wall %.3f decoded %llu\n", t.cpu, t.wall, static_cast<unsigned long long>(n));
        return 0;
    }
    if (cmd == "open" && (argc == 4 || argc == 5)) {
        namespace ar = cbound::archive;
        ar::tarball_options options;
        if (argc == 5) options.index_path = argv[4];
        clock_pair const start = now();
        ar::tarball const t = ar::tarball::open(argv[2], options);
        clock_pair const opened = since(start);
        // The same picks every run: regular files chosen by a fixed generator.
        std::vector<std::size_t> files;
        for (std::size_t i = 0; i < t.size(); ++i)
            if (t[i].is_file()) files.push_back(i);
        std::uint32_t seed = 777;
        std::vector<std::size_t> picks;
        for (int k = 0; k < std::atoi(argv[3]); ++k) {
            seed = seed * 1664525u + 1013904223u;
            picks.push_back(files[seed % files.size()]);
        }
        clock_pair const read_start = now();
        std::uint64_t bytes = 0, sum = 0;
        for (std::size_t i : picks) {
            auto const d = t.file(i);
            bytes += d->size();
            sum += static_cast<unsigned>((*d)[d->size() / 2]);
        }
        clock_pair const reads = since(read_start);
        auto const f = t.footprint();
        std::printf("open cpu %.3f wall %.3f reads cpu %.3f wall %.3f rss_mib %.1f points %zu index_heap %zu "
                    "saved %d bytes %llu sum %llu\n",
                    opened.cpu, opened.wall, reads.cpu, reads.wall, peak_rss_mib(), f.seek_points,
                    f.index_bytes + f.name_bytes, t.from_saved_index() ? 1 : 0, static_cast<unsigned long long>(bytes),
                    static_cast<unsigned long long>(sum));
        if (char const* list = std::getenv("BENCH_SEEK_PICKS")) {
            std::FILE* out = std::fopen(list, "w");
            for (std::size_t i : picks)
                std::fprintf(out, "%s\n", std::string(t[i].pathname()).c_str());
            std::fclose(out);
        }
        return 0;
    }
    std::fprintf(stderr, "usage: bench_seek gen <out.tar> <files> <mean bytes> | pass <archive> | open <archive> "
                         "<picks> [index]\n");
    return 2;
}
