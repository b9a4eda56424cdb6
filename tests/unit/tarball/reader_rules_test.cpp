// The tarball reads headers and data through the reader's own functions: what the reader
// reports about an archive (skipped headers, warnings, entries), the tarball reports too.
#include "tarball_fixture.hpp"

#include <cbound/archive/reader.hpp>

#include <string>
#include <vector>

using namespace tarball_test;
namespace ar = cbound::archive;

namespace {

/// A three-entry ustar whose second header has a broken checksum: libarchive skips it (RETRY).
fs::path damaged_tar(cbound_test::scratch_dir const& dir) {
    fs::path const archive = dir / "damaged.tar";
    must_run("python3 -c " + sh_quote(cbound_test::damaged_tar_program) + " " + sh_quote(archive.string()));
    return archive;
}

} // namespace

TEST_CASE("a damaged header the tarball skips is a warning on the entry after it, as the reader says",
          "[tarball][warnings]") {
    cbound_test::scratch_dir dir("tarball-damaged");
    fs::path const archive = damaged_tar(dir);

    auto r = ar::reader::open(archive);
    std::vector<std::string> read_names;
    for (ar::entry_view e : r)
        read_names.emplace_back(e.pathname());
    REQUIRE(read_names == std::vector<std::string>{"a", "c"});
    REQUIRE_FALSE(r.warnings().empty());

    auto const t = ar::tarball::open(archive);
    REQUIRE(t.size() == 2);
    CHECK(t[0].pathname() == "a");
    CHECK(t[1].pathname() == "c");
    CHECK(text(*t.file("c")) == "cccccccccc");
    // The same warnings, word for word: one rule for both.
    REQUIRE(t.warnings().size() == r.warnings().size());
    for (std::size_t i = 0; i < t.warnings().size(); ++i) {
        CHECK(t.warnings()[i].pathname == "c");
        CHECK(t.warnings()[i].message == r.warnings()[i].message);
        CHECK_THAT(t.warnings()[i].message, Catch::Contains("Damaged tar archive"));
    }
}
