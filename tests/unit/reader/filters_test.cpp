// Every read filter: archives compressed by the real tools, or by libarchive where no tool exists.
#include "reader_fixture.hpp"

namespace ca = cbound::archive;
using namespace reader_test;

namespace {

/// Reads `archive` and checks its one file and that filter 0 is named `filter_name`.
void check_filtered(sample_tree const& t, fs::path const& archive, std::string_view filter_name) {
    auto r = ca::reader::open(archive);
    auto e = r.next();
    REQUIRE(e);
    CHECK(e->pathname() == "sub/data.bin");
    CHECK(content(*e) == t.files.at("sub/data.bin"));
    CHECK(r.filter_name(0) == filter_name);
    CHECK(r.filter_count() >= 2);
    CHECK_FALSE(r.next());
}

} // namespace

TEST_CASE("tar compressed by gzip, bzip2, xz, zstd and lz4 tools reads back") {
    sample_tree t;
    auto tar = t.out("a.tar");
    t.sh("bsdtar -cf " + sh_quote(tar.string()) + " sub/data.bin");
    struct tool {
        char const* program;
        char const* name;
    };
    for (auto [program, name] :
         {tool{"gzip", "gzip"}, tool{"bzip2", "bzip2"}, tool{"xz", "xz"}, tool{"zstd", "zstd"}, tool{"lz4", "lz4"}}) {
        INFO(program);
        if (!cbound_test::have_tool(program)) {
            WARN(std::string("skipped: no ") + program);
            continue;
        }
        auto out = t.out(std::string("a.tar.") + program);
        t.sh(std::string(program) + " -c < " + sh_quote(tar.string()) + " > " + sh_quote(out.string()));
        check_filtered(t, out, name);
    }
}

TEST_CASE("tar compressed by libarchive's own lzip, lzma, compress and uuencode filters reads back") {
    sample_tree t;
    struct variant {
        char const* flag;
        char const* name;
    };
    for (auto [flag, name] : {variant{"--lzip", "lzip"}, variant{"--lzma", "lzma"}, variant{"-Z", "compress (.Z)"},
                              variant{"--uuencode", "uu"}}) {
        INFO(flag);
        auto out = t.out("la.tar.filtered");
        auto r = run("cd " + sh_quote(t.root.string()) + " && bsdtar " + flag + " -cf " + sh_quote(out.string()) +
                     " sub/data.bin 2>/dev/null");
        if (r.exit_code != 0) {
            WARN(std::string("skipped: this libarchive cannot write ") + flag);
            continue;
        }
        check_filtered(t, out, name);
    }
}

TEST_CASE("a filter allow-list refuses other filters with a clear error") {
    sample_tree t;
    auto out = t.out("a.tar.gz");
    t.sh("bsdtar -zcf " + sh_quote(out.string()) + " hello.txt");
    ca::reader_options only_xz;
    only_xz.filters = {ca::filter::xz};
    // Without gzip the bytes are not a tar: the format bid fails.
    REQUIRE_THROWS_AS(ca::reader::open(out, only_xz), ca::error);
    ca::reader_options gzip_ok;
    gzip_ok.filters = {ca::filter::gzip};
    gzip_ok.formats = {ca::format::tar};
    auto r = ca::reader::open(out, gzip_ok);
    REQUIRE(r.next());
    ca::reader_options b64;
    b64.filters = {ca::filter::b64};
    REQUIRE_THROWS_WITH(ca::reader::open(out, b64), Catch::Contains("cannot read the filter b64"));
}
