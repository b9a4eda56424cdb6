// What the reader bounds by default: external programs, decoder memory, name bytes.
#include "reader_fixture.hpp"

#include <cstdlib>

namespace ca = cbound::archive;
using namespace reader_test;

namespace {

/// Puts `dir` first on PATH for the lifetime of the object.
class path_prefix {
public:
    explicit path_prefix(fs::path const& dir) : old_(std::getenv("PATH") != nullptr ? std::getenv("PATH") : "") {
        ::setenv("PATH", (dir.string() + ":" + old_).c_str(), 1);
    }
    path_prefix(path_prefix const&) = delete;
    path_prefix& operator=(path_prefix const&) = delete;
    ~path_prefix() { ::setenv("PATH", old_.c_str(), 1); }

private:
    std::string old_;
};

/// Reads every entry and its data.
void drain(ca::reader& r) {
    for (ca::entry_view e : r)
        for (ca::block b : e.blocks())
            static_cast<void>(b);
}

} // namespace

TEST_CASE("lrzip, lzop and grzip magic never run a program from PATH unless allowed") {
    sample_tree t;
    fs::path const bin = t.out("bin");
    fs::create_directories(bin);
    fs::path const marker = t.out("ran");
    // Each fake program leaves a marker: proof that attacker bytes chose a program to run.
    for (std::string name : {"lrzip", "lzop", "grzip"}) {
        cbound_test::write_file(bin / name, "#!/bin/sh\necho \"$0\" >> " + sh_quote(marker.string()) +
                                                "\ncat >/dev/null\nexit 1\n");
        fs::permissions(bin / name, fs::perms::owner_all);
    }
    path_prefix const on_path(bin);
    std::vector<std::pair<std::string, std::string>> magics = {
        {"lrzip", std::string("LRZI\0\x06", 6) + std::string(18, '\0')},
        {"lzop", std::string("\x89LZO\0\r\n\x1a\n\x10\x30\x20\xa0\x09\x40\x01\x05\x03\0\0\x01\0\0\x81\xa4", 25)},
        {"grzip", std::string("GRZipII\0\x02\x04:)", 12) + std::string(20, '\0')},
    };
    for (auto const& [name, magic] : magics) {
        INFO(name);
        auto bytes = cbound_test::to_bytes(magic + std::string(1024, '\0'));
        fs::remove(marker);
        REQUIRE_THROWS_WITH(ca::reader::open_memory(bytes), Catch::Contains("allow_external_programs"));
        CHECK_FALSE(fs::exists(marker));
        // Naming the filter without the permission is refused at once.
        ca::reader_options named;
        named.filters = {ca::filter::none, name == "lrzip"  ? ca::filter::lrzip
                                           : name == "lzop" ? ca::filter::lzop
                                                            : ca::filter::grzip};
        REQUIRE_THROWS_WITH(ca::reader::open_memory(bytes, named), Catch::Contains("runs an external program"));
        CHECK_FALSE(fs::exists(marker));
        // With the permission, libarchive does run it (so the test above can fail).
        ca::reader_options allowed;
        allowed.allow_external_programs = true;
        try {
            auto r = ca::reader::open_memory(bytes, allowed);
            drain(r);
        } catch (ca::error const&) { // the fake program fails: only that it ran matters
        }
        CHECK(fs::exists(marker));
    }
}
