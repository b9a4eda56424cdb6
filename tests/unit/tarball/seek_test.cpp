// Compressed tars are read from seek points: every file byte for byte against the reader,
// for every compression and every way of cutting the stream into points.
#include "tarball_fixture.hpp"

#include <cbound/archive/reader.hpp>
#include <cbound/archive/tarball.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace ar = cbound::archive;
using namespace tarball_test;

namespace {

/// A tree whose files straddle many 64 KiB seek points: small text files, empty files,
/// noise (incompressible: compressed offsets move as fast as decoded ones) and one file of
/// 1.5 MiB, the last one in the tar.
void make_seek_tree(fs::path const& root) {
    for (int i = 0; i < 60; ++i) {
        std::string body;
        for (int line = 0; line < 40 * (i % 7 + 1); ++line)
            body += "file " + std::to_string(i) + " line " + std::to_string(line) + "\n";
        cbound_test::write_file(root / ("text/" + std::to_string(i) + ".txt"), body);
        if (i % 10 == 0) cbound_test::write_file(root / ("empty/" + std::to_string(i)), "");
        if (i % 6 == 0) cbound_test::write_file(root / ("noise/" + std::to_string(i)), noise(30'000 + 997 * i, i));
    }
    cbound_test::write_file(root / "zz_last.bin", noise(1'500'000, 99));
}

/// Every regular file's bytes as the reader delivers them, by pathname.
std::map<std::string, std::string> reader_files(fs::path const& archive) {
    std::map<std::string, std::string> files;
    auto r = ar::reader::open(archive);
    for (auto const& e : r) {
        if (e.type() != ar::entry_type::regular) continue;
        auto const bytes = e.read_all(std::size_t{1} << 30);
        files[std::string(e.pathname())] = text(bytes);
    }
    return files;
}

/// Checks every file of `t` against the reader's bytes, in the order `order` gives.
std::size_t check_files(ar::tarball const& t, std::map<std::string, std::string> const& expected,
                        std::vector<std::size_t> const& order) {
    std::size_t compared = 0;
    for (std::size_t i : order) {
        if (!t[i].is_file()) continue;
        INFO("entry " << i << " " << t[i].pathname());
        auto const it = expected.find(std::string(t[i].pathname()));
        REQUIRE(it != expected.end());
        auto const data = t.file(i);
        REQUIRE(data.has_value());
        CHECK(text(*data) == it->second);
        ++compared;
    }
    return compared;
}

std::vector<std::size_t> backwards(std::size_t n) {
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i)
        order[i] = n - 1 - i;
    return order;
}

struct seek_archives {
    cbound_test::scratch_dir dir{"tarball-seek"};
    fs::path tar = dir / "a.tar";
    std::map<std::string, std::string> expected;
    seek_archives() {
        make_seek_tree(dir / "src");
        must_run("cd " + sh_quote((dir / "src").string()) + " && tar -cf ../a.tar text empty noise zz_last.bin");
        expected = reader_files(tar);
    }
    /// Makes `name` from a.tar with a shell command reading $IN and writing $OUT.
    fs::path make(std::string const& name, std::string const& command) const {
        fs::path const out = dir / name;
        must_run("cd " + sh_quote(dir.path().string()) + " && IN=a.tar OUT=" + sh_quote(out.string()) + " && " +
                 command);
        return out;
    }
};

bool have(char const* tool) { return cbound_test::run(std::string("command -v ") + tool).exit_code == 0; }

ar::tarball_options small_points() {
    ar::tarball_options options;
    options.seek_spacing = 64 * 1024;
    return options;
}

/// Opens `archive`, checks it serves every file on demand from more than `min_points` seek
/// points, forwards and backwards, and matches the reader.
void check_seekable(fs::path const& archive, std::map<std::string, std::string> const& expected,
                    std::size_t min_points) {
    INFO(archive);
    ar::tarball const t = ar::tarball::open(archive, small_points());
    CHECK(t.footprint().seek_points > min_points);
    CHECK(t.footprint().decoded_bytes == 0); // nothing decoded at open
    CHECK(check_files(t, expected, backwards(t.size())) == expected.size());
    // A second pass is served from what the first decoded: the same spans.
    for (std::size_t i = 0; i < t.size(); ++i)
        if (auto d = t.file(i)) CHECK(d->data() == t.file(i)->data());
}

} // namespace

TEST_CASE("single-member gzip: windows every seek_spacing bytes", "[tarball][seek]") {
    seek_archives a;
    fs::path const gz = a.make("a.tar.gz", "gzip -c < $IN > $OUT");
    check_seekable(gz, a.expected, 10);
    ar::tarball const t = ar::tarball::open(gz, small_points());
    CHECK(t.footprint().window_bytes == 32 * 1024 * (t.footprint().seek_points - 1));
}

TEST_CASE("multi-member gzip: a point at every member", "[tarball][seek]") {
    seek_archives a;
    // Members of 100 KiB, concatenated: what bgzip and pigz -i make, with standard tools.
    fs::path const gz =
        a.make("members.tar.gz", "split -b 100k $IN part. && for p in part.*; do gzip -c $p; done > $OUT");
    check_seekable(gz, a.expected, 10);
    if (have("pigz")) check_seekable(a.make("pigz.tar.gz", "pigz -i -b 64 -c < $IN > $OUT"), a.expected, 10);
    if (have("bgzip")) check_seekable(a.make("bgzf.tar.gz", "bgzip -c < $IN > $OUT"), a.expected, 10);
}

TEST_CASE("zstd: a point at every frame", "[tarball][seek]") {
    seek_archives a;
    fs::path const zst =
        a.make("frames.tar.zst", "split -b 100k $IN part. && for p in part.*; do zstd -q -c $p; done > $OUT");
    check_seekable(zst, a.expected, 10);
}

TEST_CASE("xz: a point at every block", "[tarball][seek]") {
    seek_archives a;
    check_seekable(a.make("blocks.tar.xz", "xz -T2 --block-size=100KiB -c < $IN > $OUT"), a.expected, 10);
}

TEST_CASE("one-frame zstd, one-block xz and bzip2 far from a point are decoded at open", "[tarball][seek]") {
    seek_archives a;
    ar::tarball_options options = small_points();
    options.max_seek_distance = 100 * 1024; // most files lie farther than this from the only point
    for (auto const& [name, command] :
         {std::pair{"one.tar.zst", "zstd -q -c < $IN > $OUT"}, std::pair{"one.tar.xz", "xz -c < $IN > $OUT"},
          std::pair{"a.tar.bz2", "bzip2 -c < $IN > $OUT"}}) {
        fs::path const archive = a.make(name, command);
        INFO(archive);
        ar::tarball const t = ar::tarball::open(archive, options);
        CHECK(t.footprint().decoded_bytes > 1'500'000); // at least the last file
        CHECK(check_files(t, a.expected, backwards(t.size())) == a.expected.size());
    }
}

TEST_CASE("a compressed stream inside the seekable one is decoded at open", "[tarball][seek]") {
    seek_archives a;
    // libarchive adds its own gzip filter over cbound's: offsets in cbound's stream mean nothing then.
    fs::path const twice = a.make("a.tar.gz.gz", "gzip -c < $IN | gzip -c > $OUT");
    ar::tarball const t = ar::tarball::open(twice, small_points());
    CHECK(t.footprint().decoded_bytes > 1'500'000);
    CHECK(check_files(t, a.expected, backwards(t.size())) == a.expected.size());
}

TEST_CASE("concurrent file() calls on one tarball decode each file once, correctly", "[tarball][seek][threads]") {
    seek_archives a;
    fs::path const gz = a.make("a.tar.gz", "gzip -c < $IN > $OUT");
    ar::tarball const t = ar::tarball::open(gz, small_points());
    std::vector<std::string> want(t.size());
    for (std::size_t i = 0; i < t.size(); ++i)
        if (t[i].is_file()) want[i] = a.expected.at(std::string(t[i].pathname()));
    std::atomic<std::size_t> wrong{0}, read{0};
    std::vector<std::thread> threads;
    for (std::size_t k = 0; k < 6; ++k)
        threads.emplace_back([&, k] {
            for (std::size_t n = 0; n < t.size(); ++n) {
                // Pairs of threads race for the same files in the same order; the pairs start at
                // different places, and one thread goes backwards, meeting the others.
                std::size_t const r = (n + (k / 2) * t.size() / 3) % t.size(); // threads 2j, 2j+1 start together
                std::size_t const i = k % 4 == 3 ? t.size() - 1 - r : r;
                auto const d = t.file(i);
                if (!d) continue;
                read.fetch_add(1);
                if (text(*d) != want[i]) wrong.fetch_add(1);
            }
        });
    for (auto& th : threads)
        th.join();
    CHECK(wrong.load() == 0);
    CHECK(read.load() == 6 * a.expected.size());
}

TEST_CASE("sparse files in a compressed tar are decoded at open, holes included", "[tarball][seek]") {
    cbound_test::scratch_dir dir("tarball-seek-sparse");
    must_run("cd " + sh_quote(dir.path().string()) +
             " && truncate -s 3M sparse && printf data | dd of=sparse bs=1 seek=1000000 conv=notrunc 2>/dev/null"
             " && printf tail | dd of=sparse bs=1 seek=2000000 conv=notrunc 2>/dev/null"
             " && echo after > after.txt && tar -S -czf a.tgz sparse after.txt");
    ar::tarball const t = ar::tarball::open(dir / "a.tgz", small_points());
    auto const sparse = t.file("sparse");
    REQUIRE(sparse.has_value());
    CHECK(sparse->size() == 3u << 20);
    CHECK(text(*sparse) == bsdtar_extract(dir / "a.tgz", "sparse"));
    CHECK(text(*t.file("after.txt")) == "after\n");
}

TEST_CASE("a truncated compressed tar is refused at open with a clear error", "[tarball][seek][errors]") {
    seek_archives a;
    for (auto const& [name, command] :
         {std::pair{"a.tar.gz", "gzip -c < $IN > $OUT"},
          std::pair{"f.tar.zst", "split -b 100k $IN part. && for p in part.*; do zstd -q -c $p; done > $OUT"},
          std::pair{"b.tar.xz", "xz -T2 --block-size=100KiB -c < $IN > $OUT"}}) {
        std::string const whole = cbound_test::read_file(a.make(name, command));
        for (std::size_t cut : {whole.size() / 3, whole.size() / 2}) {
            INFO(name << " cut at " << cut << " of " << whole.size());
            try {
                auto const t = ar::tarball::open_memory(std::as_bytes(std::span(whole.data(), cut)), small_points());
                FAIL("opened " << t.size() << " entries");
            } catch (ar::error const& e) {
                CHECK_FALSE(e.message().empty());
            }
        }
        // Cut in the stream's end (gzip's trailer, xz's index and footer), after every file's
        // data: an error, or (xz, read by libarchive when its index is gone) every file whole.
        INFO(name << " cut 30 bytes short");
        try {
            auto const t =
                ar::tarball::open_memory(std::as_bytes(std::span(whole.data(), whole.size() - 30)), small_points());
            CHECK(check_files(t, a.expected, backwards(t.size())) == a.expected.size());
        } catch (ar::error const& e) {
            CHECK_FALSE(e.message().empty());
        }
    }
}

TEST_CASE("temporary files go to temporary_directory and leave no name behind", "[tarball][seek]") {
    seek_archives a;
    fs::path const bz = a.make("a.tar.bz2", "bzip2 -c < $IN > $OUT");
    fs::path const gz = a.make("a.tar.gz", "gzip -c < $IN > $OUT");
    fs::path const folder = a.dir / "tmp";
    fs::create_directories(folder);
    ar::tarball_options options = small_points();
    options.temporary_directory = folder;
    {
        ar::tarball const decoded = ar::tarball::open(bz, options);  // decoded at open
        ar::tarball const seekable = ar::tarball::open(gz, options); // windows, then files on demand
        CHECK(decoded.footprint().decoded_bytes > 0);
        CHECK(check_files(seekable, a.expected, backwards(seekable.size())) == a.expected.size());
        CHECK(fs::is_empty(folder)); // unlinked from the start
    }
    options.temporary_directory = a.dir / "no such folder";
    try {
        auto const t = ar::tarball::open(bz, options);
        FAIL("opened " << t.size() << " entries without a temporary folder");
    } catch (ar::error const& e) {
        CHECK(e.operation() == "open");
        CHECK(std::string(e.what()).find("no such folder") != std::string::npos);
    }
}
