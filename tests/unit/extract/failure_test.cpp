// A failed entry is never mistaken for success: by default extract() removes the partial
// file and throws an error naming the entry; on_failure::skip records it and goes on.
#include "extract_fixture.hpp"

using namespace extract_test;
namespace ca = cbound::archive;

namespace {

/// A stored zip holding first.txt, broken.bin (one data byte flipped: "ZIP bad CRC") and last.txt.
void make_flipped_zip(fs::path const& archive) {
    python("import zipfile\n"
           "p = " +
           sh_quote(archive.string()) +
           "\n"
           "with zipfile.ZipFile(p, 'w', zipfile.ZIP_STORED) as z:\n"
           "    z.writestr('first.txt', b'first\\n')\n"
           "    z.writestr('broken.bin', b'B' * 100000)\n"
           "    z.writestr('last.txt', b'last\\n')\n"
           "d = bytearray(open(p, 'rb').read())\n"
           "i = d.find(b'B' * 100000)\n"
           "d[i + 50000] ^= 1\n"
           "open(p, 'wb').write(d)\n");
}

} // namespace

TEST_CASE("a failed entry throws by default, naming it, after removing its partial file", "[extract][failure]") {
    cbound_test::scratch_dir work("fail-stop");
    make_flipped_zip(work / "x.zip");
    for (auto policy : {ca::extract_policy::data, ca::extract_policy::tar, ca::extract_policy::fully_trusted}) {
        DYNAMIC_SECTION("policy " << static_cast<int>(policy)) {
            fs::path const dest = work / ("dest" + std::to_string(static_cast<int>(policy)));
            ca::extract_options o;
            o.policy = policy;
            try {
                (void)extract_file(work / "x.zip", dest, o);
                FAIL("no exception");
            } catch (ca::error const& e) {
                INFO(e.what());
                CHECK(e.pathname() == "broken.bin");
                CHECK(std::string(e.what()).find("CRC") != std::string::npos);
            }
            CHECK(cbound_test::read_file(dest / "first.txt") == "first\n"); // earlier entries stay
            CHECK_FALSE(fs::exists(fs::symlink_status(dest / "broken.bin")));
            CHECK_FALSE(fs::exists(dest / "last.txt"));
        }
    }
}

TEST_CASE("on_failure::skip records a failed entry and goes on", "[extract][failure]") {
    cbound_test::scratch_dir work("fail-skip");
    make_flipped_zip(work / "x.zip");
    ca::extract_options o;
    o.failure = ca::on_failure::skip;
    auto const rep = extract_file(work / "x.zip", work / "dest", o);
    REQUIRE(rep.entries.size() == 3);
    CHECK(rep.entries[1].pathname == "broken.bin");
    CHECK(rep.entries[1].outcome == ca::entry_outcome::failed);
    CHECK(rep.entries[1].reason.find("CRC") != std::string::npos);
    CHECK(rep.failed == 1);
    CHECK(rep.extracted == 2);
    CHECK_FALSE(fs::exists(fs::symlink_status(work / "dest/broken.bin")));
    CHECK(cbound_test::read_file(work / "dest/last.txt") == "last\n");
}

TEST_CASE("a disk failure fails the entry the same way", "[extract][failure]") {
    cbound_test::scratch_dir work("fail-disk");
    make_tar(work / "t.tar", {{"d", "a file where a folder is"}, {"z", "after"}});
    cbound_test::write_file(work / "dest/d/inner", "x"); // a non-empty folder in the way
    try {
        (void)extract_file(work / "t.tar", work / "dest");
        FAIL("no exception");
    } catch (ca::error const& e) {
        INFO(e.what());
        CHECK(e.pathname() == "d");
        CHECK(e.code() == std::errc::directory_not_empty);
    }
    CHECK(cbound_test::read_file(work / "dest/d/inner") == "x");
    CHECK_FALSE(fs::exists(work / "dest/z"));
}
