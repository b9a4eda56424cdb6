// Progress: how often the callback runs (each entry, every progress_every_bytes, at most once per
// progress_every_time), the totals it carries, and cancellation under a chosen frequency.
#include "extract_fixture.hpp"

#include <cbound/archive/tarball.hpp>

#include <chrono>
#include <numeric>
#include <vector>

using namespace extract_test;
namespace ca = cbound::archive;

namespace {

constexpr std::uint64_t mib = 1u << 20;

// big (5 MiB + 1000 bytes), folder/, folder/small (10 bytes), link -> big, tiny (1 byte): five entries.
void make_archive(fs::path const& archive, std::string const& mode = "'w'") {
    python_tar(archive,
               "import tarfile, io\n"
               "def add(name, data):\n"
               "    i = tarfile.TarInfo(name); i.size = len(data); i.mtime = 1600000000\n"
               "    t.addfile(i, io.BytesIO(data))\n"
               "add('big', bytes(range(256)) * (5 * 4096) + b'z' * 1000)\n"
               "d = tarfile.TarInfo('folder'); d.type = tarfile.DIRTYPE; d.mode = 0o755; t.addfile(d)\n"
               "add('folder/small', b'0123456789')\n"
               "l = tarfile.TarInfo('link'); l.type = tarfile.SYMTYPE; l.linkname = 'big'; t.addfile(l)\n"
               "add('tiny', b'x')\n",
               mode);
}

constexpr std::uint64_t archive_bytes = 5 * mib + 1000 + 10 + 1;

// Every progress the callback saw during one extraction of `archive` under `o`.
std::vector<ca::progress> calls_of(fs::path const& archive, fs::path const& dest, ca::extract_options o) {
    std::vector<ca::progress> seen;
    o.on_progress = [&](ca::progress const& p) {
        seen.push_back(p);
        seen.back().pathname = {}; // valid only during the call
        return true;
    };
    (void)extract_file(archive, dest, o);
    return seen;
}

} // namespace

TEST_CASE("progress is called after each entry and every progress_every_bytes within one", "[extract][progress]") {
    cbound_test::scratch_dir work("progress-every");
    make_archive(work / "t.tar");

    std::vector<ca::progress> const seen = calls_of(work / "t.tar", work / "default", {});
    REQUIRE_FALSE(seen.empty());
    CHECK(seen.back().entries_done == 5);
    CHECK(seen.back().bytes_done == archive_bytes);
    std::size_t entry_calls = 0;
    std::size_t data_calls = 0;
    std::uint64_t entries = 0;
    std::uint64_t bytes = 0;
    for (ca::progress const& p : seen) {
        if (p.entries_done != entries) {
            CHECK(p.entries_done == entries + 1); // no entry passes without a call
            ++entry_calls;
        } else {
            CHECK(p.bytes_done - bytes >= mib); // within an entry: a mebibyte at least between two calls
            ++data_calls;
        }
        entries = p.entries_done;
        bytes = p.bytes_done;
    }
    CHECK(entry_calls == 5);
    // At 1, 2, 3 and 4 MiB of 'big', and at 5 MiB when libarchive's blocks, which start after the
    // 512-byte header, end there before the entry does.
    CHECK(data_calls >= 4);
    CHECK(data_calls <= 5);

    ca::extract_options every_block;
    every_block.progress_every_bytes = 0; // each block libarchive hands over, as before
    std::size_t const block_calls = calls_of(work / "t.tar", work / "blocks", every_block).size();
    CHECK(block_calls > 5 + 2 * 5);

    ca::extract_options coarse;
    coarse.progress_every_bytes = 2 * mib;
    std::size_t const coarse_calls = calls_of(work / "t.tar", work / "coarse", coarse).size();
    CHECK(coarse_calls == 5 + 2); // at 2 and 4 MiB, then the entries
}

TEST_CASE("progress_every_time leaves out calls that come sooner than it", "[extract][progress]") {
    cbound_test::scratch_dir work("progress-time");
    make_archive(work / "t.tar");
    ca::extract_options o;
    o.progress_every_bytes = 0;
    o.progress_every_time = std::chrono::hours(1);
    std::vector<ca::progress> const seen = calls_of(work / "t.tar", work / "hourly", o);
    CHECK(seen.size() == 1); // the first; every later one is within the hour
    CHECK(fs::file_size(work / "hourly/big") == 5 * mib + 1000);

    // The one call there is can still cancel.
    o.on_progress = [](ca::progress const&) { return false; };
    try {
        (void)extract_file(work / "t.tar", work / "cancelled", o);
        FAIL("no exception");
    } catch (ca::error const& e) {
        CHECK(e.code() == ca::errc::cancelled);
    }
    CHECK_FALSE(fs::exists(work / "cancelled/tiny"));
}

TEST_CASE("progress cancels at a chosen frequency as soon as it is called", "[extract][progress]") {
    cbound_test::scratch_dir work("progress-cancel");
    make_archive(work / "t.tar");
    ca::extract_options o;
    o.progress_every_bytes = 2 * mib;
    std::uint64_t last = 0;
    o.on_progress = [&](ca::progress const& p) {
        last = p.bytes_done;
        return p.bytes_done < 2 * mib; // stop at the first call past 2 MiB
    };
    try {
        (void)extract_file(work / "t.tar", work / "out", o);
        FAIL("no exception");
    } catch (ca::error const& e) {
        CHECK(e.code() == ca::errc::cancelled);
    }
    CHECK(last >= 2 * mib);
    CHECK(last < 3 * mib);
    CHECK_FALSE(fs::exists(work / "out/big")); // the partial file is removed
    CHECK_FALSE(fs::exists(work / "out/tiny"));
}

TEST_CASE("progress carries the totals a tarball gives and the archive file's size", "[extract][progress]") {
    cbound_test::scratch_dir work("progress-totals");
    for (char const* name : {"t.tar", "t.tar.gz"}) {
        INFO(name);
        fs::path const archive = work / name;
        make_archive(archive, std::string(name) == "t.tar" ? "'w'" : "'w:gz'");
        ca::tarball const t = ca::tarball::open(archive);
        ca::extract_options o;
        o.limits.max_ratio = 0; // 'big' repeats 256 bytes: gzip shrinks it far below a thousandth
        o.entries_total = t.size();
        o.bytes_total = std::accumulate(t.begin(), t.end(), std::uint64_t{0},
                                        [](std::uint64_t sum, ca::tarball_entry e) { return sum + e.size(); });
        std::vector<ca::progress> const seen = calls_of(archive, work / ("out-" + std::string(name)), o);
        REQUIRE_FALSE(seen.empty());
        // The extraction's own counts end where the tarball's sums are.
        CHECK(seen.back().entries_done == *seen.back().entries_total);
        CHECK(seen.back().bytes_done == *seen.back().bytes_total);
        std::uint64_t const file_size = fs::file_size(archive);
        std::uint64_t read = 0;
        for (ca::progress const& p : seen) {
            CHECK(p.entries_total == o.entries_total);
            CHECK(p.archive_bytes_total == std::optional<std::uint64_t>(file_size));
            CHECK(p.archive_bytes_done >= read);
            CHECK(p.archive_bytes_done <= file_size);
            read = p.archive_bytes_done;
        }
        CHECK(read > 0);
    }

    // An archive in memory has no file size to tell.
    std::string const bytes = cbound_test::read_file(work / "t.tar");
    auto r = ca::reader::open_memory(std::as_bytes(std::span(bytes.data(), bytes.size())));
    ca::extract_options o;
    o.limits.max_ratio = 0;
    std::optional<std::uint64_t> total = 1;
    o.on_progress = [&](ca::progress const& p) {
        total = p.archive_bytes_total;
        return true;
    };
    (void)ca::extract(r, work / "from-memory", o);
    CHECK_FALSE(total);
}
