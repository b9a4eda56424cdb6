// Zip names in the tarball index: decoded as the reader decodes them (CP437 unless UTF-8).
#include "catch.hpp"
#include "tarball_fixture.hpp"

#include <cbound/archive/tarball.hpp>

#include <string>

namespace ar = cbound::archive;
using namespace tarball_test;

namespace {

/// A zip holding café.txt ("name\n") with its name stored in `encoding` and the UTF-8 flag cleared.
fs::path unflagged_zip(cbound_test::scratch_dir const& dir, std::string const& encoding) {
    fs::path const out = dir / (encoding + ".zip");
    std::string const script = "import zipfile,sys\n"
                               "enc=sys.argv[2]\n"
                               "zipfile.ZipInfo._encodeFilenameFlags=lambda self:"
                               "(self.filename.encode(enc),self.flag_bits & ~0x800)\n"
                               "with zipfile.ZipFile(sys.argv[1],'w') as z:\n"
                               " z.writestr(zipfile.ZipInfo('caf\\u00e9.txt'),b'name\\n')\n";
    must_run("python3 -c " + sh_quote(script) + " " + sh_quote(out.string()) + " " + encoding);
    return out;
}

} // namespace

TEST_CASE("a CP437 zip name is indexed as UTF-8, found by that name, raw on request", "[tarball][names]") {
    cbound_test::scratch_dir const dir("tarball-names");
    ar::tarball const t = ar::tarball::open(unflagged_zip(dir, "cp437"));
    REQUIRE(t.size() == 1);
    CHECK(t[0].pathname() == "caf\xc3\xa9.txt");
    REQUIRE(t.find("caf\xc3\xa9.txt") == std::optional<std::size_t>(0));
    CHECK(text(*t.file("caf\xc3\xa9.txt")) == "name\n");

    ar::tarball_options raw;
    raw.read.decode_cp437_zip_names = false;
    ar::tarball const r = ar::tarball::open(unflagged_zip(dir, "cp437"), raw);
    CHECK(r[0].pathname() == "caf\x82.txt");
}

TEST_CASE("an unflagged zip name that is already UTF-8 is indexed unchanged", "[tarball][names]") {
    cbound_test::scratch_dir const dir("tarball-names");
    ar::tarball const t = ar::tarball::open(unflagged_zip(dir, "utf-8"));
    REQUIRE(t.size() == 1);
    CHECK(t[0].pathname() == "caf\xc3\xa9.txt");
}
