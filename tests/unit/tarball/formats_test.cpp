// Every entry's bytes equal what bsdtar extracts, for archives made by many tools.
#include "tarball_fixture.hpp"

#include <cbound/archive/tarball.hpp>

#include <string>

namespace ar = cbound::archive;
using namespace tarball_test;

namespace {

/// Builds an archive of a fresh tree with `command` (run in the tree; $OUT is the archive)
/// and checks the tarball against bsdtar, both mapped from the file and from memory.
void check_tool(std::string const& name, std::string const& command, bool long_names = true) {
    cbound_test::scratch_dir dir("tarball-" + name);
    make_tree(dir / "src", long_names);
    fs::path const archive = dir / ("archive-" + name);
    must_run("cd " + sh_quote((dir / "src").string()) + " && export OUT=" + sh_quote(archive.string()) + " && " +
             command);

    ar::tarball const mapped = ar::tarball::open(archive);
    CHECK(check_against_bsdtar(mapped, archive) >= (long_names ? 6u : 4u));
    CHECK(mapped.find("hello.txt").has_value());

    std::string const bytes = cbound_test::read_file(archive);
    auto const memory = ar::tarball::open_memory(std::as_bytes(std::span(bytes)));
    REQUIRE(memory.size() == mapped.size());
    for (std::size_t i = 0; i < mapped.size(); ++i) {
        CHECK(memory[i].pathname() == mapped[i].pathname());
        CHECK(memory.file(i).has_value() == mapped.file(i).has_value());
        if (auto d = memory.file(i)) CHECK(text(*d) == text(*mapped.file(i)));
    }
}

} // namespace

TEST_CASE("tarball matches bsdtar on bsdtar's own tar", "[tarball][formats]") {
    check_tool("bsdtar", "bsdtar -cf \"$OUT\" *");
}

TEST_CASE("tarball matches bsdtar on GNU tar --format=gnu", "[tarball][formats]") {
    check_tool("gnu", "tar --format=gnu -cf \"$OUT\" *");
}

TEST_CASE("tarball matches bsdtar on GNU tar --format=posix", "[tarball][formats]") {
    check_tool("posix", "tar --format=posix -cf \"$OUT\" *");
}

TEST_CASE("tarball matches bsdtar on GNU tar --format=ustar", "[tarball][formats]") {
    check_tool("ustar", "tar --format=ustar -cf \"$OUT\" *", false);
}

TEST_CASE("tarball matches bsdtar on python3 tarfile (pax and gnu)", "[tarball][formats]") {
    for (char const* format : {"PAX_FORMAT", "GNU_FORMAT"}) {
        check_tool(std::string("python-") + format,
                   std::string("python3 -c 'import tarfile,os,sys\n"
                               "with tarfile.open(os.environ[\"OUT\"], \"w\", format=tarfile.") +
                       format + ") as t:\n  t.add(\".\", arcname=\"\")'");
    }
}

TEST_CASE("tarball matches bsdtar on zip, stored and deflated", "[tarball][formats]") {
    check_tool("zip-stored", "zip -q -r -y -0 \"$OUT.zip\" . && mv \"$OUT.zip\" \"$OUT\"");
    check_tool("zip-deflated", "zip -q -r -y -9 \"$OUT.zip\" . && mv \"$OUT.zip\" \"$OUT\"");
}

TEST_CASE("tarball matches bsdtar on compressed tars (gzip, xz, zstd)", "[tarball][formats]") {
    check_tool("tgz", "tar --format=posix -czf \"$OUT\" *");
    check_tool("txz", "tar --format=gnu -cJf \"$OUT\" *");
    if (!cbound_test::have_tool("zstd")) {
        WARN("skipped: no zstd");
        return;
    }
    check_tool("tzst", "tar --format=posix --zstd -cf \"$OUT\" *");
}

TEST_CASE("tarball matches bsdtar on 7z and cpio", "[tarball][formats]") {
    check_tool("cpio", "find . -mindepth 1 | cpio -o -H newc --quiet > \"$OUT\"");
    if (!cbound_test::have_tool("7z")) {
        WARN("skipped: no 7z");
        return;
    }
    check_tool("7z", "7z a -bd -snl \"$OUT.7z\" . >/dev/null && mv \"$OUT.7z\" \"$OUT\"");
}
