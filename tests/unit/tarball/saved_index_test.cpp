// A saved index spares the scan when it matches the archive, and is rebuilt, never
// trusted, when it does not: stale, another archive, corrupt or cut short.
#include "tarball_fixture.hpp"

#include <cbound/archive/tarball.hpp>

#include <string>

namespace ar = cbound::archive;
using namespace tarball_test;

namespace {

/// A gzip tar of a few files, one of them 1 MiB of noise, and the options to open it with an index.
struct indexed_archive {
    cbound_test::scratch_dir dir{"tarball-saved"};
    fs::path archive = dir / "a.tar.gz";
    ar::tarball_options options;
    indexed_archive(char const* compress = "gzip -c") {
        cbound_test::write_file(dir / "src/a.txt", "alpha\n");
        cbound_test::write_file(dir / "src/big.bin", noise(1 << 20, 5));
        cbound_test::write_file(dir / "src/empty", "");
        cbound_test::write_file(dir / "src/z.txt", "last\n");
        must_run("cd " + sh_quote((dir / "src").string()) + " && tar -cf - a.txt big.bin empty z.txt | " + compress +
                 " > " + sh_quote(archive.string()));
        options.seek_spacing = 128 * 1024;
        options.index_path = dir / "a.idx";
    }
    /// Opens the archive and checks every file.
    ar::tarball open_checked() const {
        ar::tarball t = ar::tarball::open(archive, options);
        REQUIRE(t.size() == 4);
        CHECK(text(*t.file("a.txt")) == "alpha\n");
        CHECK(text(*t.file("big.bin")) == noise(1 << 20, 5));
        CHECK(t.file("empty")->empty());
        CHECK(text(*t.file("z.txt")) == "last\n");
        return t;
    }
};

} // namespace

TEST_CASE("the index is saved at the first open and read at the next", "[tarball][saved]") {
    for (char const* compress : {"gzip -c", "xz -T2 --block-size=256KiB -c", "cat"}) {
        INFO(compress);
        indexed_archive a(compress);
        CHECK_FALSE(a.open_checked().from_saved_index());
        REQUIRE(fs::exists(a.options.index_path));
        ar::tarball const again = a.open_checked();
        CHECK(again.from_saved_index());
        ar::tarball_options scan = a.options;
        scan.index_path.clear();
        CHECK(again.footprint().seek_points == ar::tarball::open(a.archive, scan).footprint().seek_points);
    }
}

TEST_CASE("a stale index is rebuilt: another time, another content of the same size", "[tarball][saved]") {
    indexed_archive a;
    (void)a.open_checked();
    // Same bytes, newer time.
    must_run("touch -d '2001-01-01' " + sh_quote(a.archive.string()));
    CHECK_FALSE(a.open_checked().from_saved_index());
    CHECK(a.open_checked().from_saved_index());

    // Different bytes of the same size with the same time: only the sampled checksum tells
    // (a.txt's data lies in the first sampled slice of the uncompressed tar).
    indexed_archive plain("cat");
    (void)plain.open_checked();
    std::string bytes = cbound_test::read_file(plain.archive);
    std::size_t const at = bytes.find("alpha\n");
    REQUIRE(at != std::string::npos);
    bytes.replace(at, 5, "ALPHA");
    must_run("cp -p " + sh_quote(plain.archive.string()) + " " + sh_quote((plain.dir / "time").string()));
    cbound_test::write_file(plain.archive, bytes);
    must_run("touch -r " + sh_quote((plain.dir / "time").string()) + " " + sh_quote(plain.archive.string()));
    ar::tarball const t = ar::tarball::open(plain.archive, plain.options);
    CHECK_FALSE(t.from_saved_index());
    CHECK(text(*t.file("a.txt")) == "ALPHA\n");
}

TEST_CASE("a corrupt or cut index file is rebuilt, never trusted", "[tarball][saved]") {
    indexed_archive a;
    (void)a.open_checked();
    std::string const good = cbound_test::read_file(a.options.index_path);
    REQUIRE(good.size() > 200);
    std::vector<std::string> bad = {"",
                                    "CBTARIDX",
                                    good.substr(0, good.size() / 2),
                                    good.substr(0, 96),
                                    std::string(good.size(), '\0'),
                                    noise(good.size(), 3)};
    for (std::size_t at : {8u, 12u, 40u, 100u, 150u}) {
        std::string flipped = good;
        flipped[at] = static_cast<char>(flipped[at] ^ 0x40);
        bad.push_back(flipped);
    }
    std::string last = good;
    last.back() = static_cast<char>(last.back() ^ 1);
    bad.push_back(last);
    for (std::size_t k = 0; k < bad.size(); ++k) {
        INFO("bad index " << k);
        cbound_test::write_file(a.options.index_path, bad[k]);
        CHECK_FALSE(a.open_checked().from_saved_index());
        CHECK(cbound_test::read_file(a.options.index_path) == good); // rewritten
    }
}

TEST_CASE("an index that cannot be written is a warning, not a failure", "[tarball][saved]") {
    indexed_archive a;
    a.options.index_path = a.dir / "no/such/folder/a.idx";
    ar::tarball const t = a.open_checked();
    REQUIRE(t.warnings().size() == 1);
    CHECK(t.warnings()[0].operation == "save_index");
}

TEST_CASE("an archive decoded at open saves no index", "[tarball][saved]") {
    indexed_archive a("bzip2 -c");
    CHECK_FALSE(a.open_checked().from_saved_index());
    CHECK_FALSE(fs::exists(a.options.index_path));
}

TEST_CASE("an index_path naming the archive itself is refused, the archive untouched", "[tarball][saved]") {
    indexed_archive a;
    std::string const before = cbound_test::read_file(a.archive);
    a.options.index_path = a.archive;
    try {
        auto const t = ar::tarball::open(a.archive, a.options);
        FAIL("opened " << t.size() << " entries");
    } catch (ar::error const& e) {
        CHECK(e.code() == ar::errc::invalid_argument);
    }
    CHECK(cbound_test::read_file(a.archive) == before);
}
