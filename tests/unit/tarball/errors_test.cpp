// Bad input gives a clear cbound::archive::error at open: never a crash, a hang or a leak.
#include "tarball_fixture.hpp"

#include <cbound/archive/tarball.hpp>

#include <string>
#include <utility>

namespace ar = cbound::archive;
using namespace tarball_test;

namespace {

/// Opens `bytes` from memory and returns the error it must raise.
ar::error open_error(std::string const& bytes, ar::tarball_options const& options = {}) {
    try {
        auto const t = ar::tarball::open_memory(std::as_bytes(std::span(bytes)), options);
        FAIL("opened " << t.size() << " entries where an error was due");
    } catch (ar::error const& e) {
        return e;
    }
    throw std::logic_error("unreachable");
}

/// A tar made by GNU tar of two files, the second 10,000 bytes of noise.
std::string two_file_tar(cbound_test::scratch_dir const& dir, char const* flags = "") {
    cbound_test::write_file(dir / "src/first.txt", "first\n");
    cbound_test::write_file(dir / "src/second.bin", noise(10'000, 3));
    must_run("cd " + sh_quote((dir / "src").string()) + " && tar --format=posix " + flags +
             " -cf ../a first.txt second.bin");
    return cbound_test::read_file(dir / "a");
}

} // namespace

TEST_CASE("bytes that are no archive are refused at open", "[tarball][errors]") {
    ar::error const e = open_error(noise(3000, 1));
    CHECK(e.operation() == "open");
    CHECK_FALSE(e.message().empty());
    CHECK(std::string(e.what()).find("open: ") == 0);
}

TEST_CASE("a truncated tar is refused, naming the entry cut short", "[tarball][errors]") {
    cbound_test::scratch_dir dir("tarball-trunc");
    std::string const whole = two_file_tar(dir);
    REQUIRE(ar::tarball::open_memory(std::as_bytes(std::span(whole))).size() == 2);

    // Cut inside the second file's data: the entry is known, its bytes are not all there.
    std::size_t const data_start = whole.find(noise(64, 3));
    REQUIRE(data_start != std::string::npos);
    ar::error const e = open_error(whole.substr(0, data_start + 5000));
    CHECK(e.operation() == "read_data");
    CHECK(e.pathname() == "second.bin");

    // Cut anywhere in the headers or data: always a clean error.
    for (std::size_t cut = 100; cut < data_start + 10'000; cut += 997) {
        INFO("cut at " << cut);
        CHECK_THROWS_AS(ar::tarball::open_memory(std::as_bytes(std::span(whole.data(), cut))), ar::error);
    }
}

TEST_CASE("truncation at every offset gives an error or only whole files", "[tarball][errors]") {
    cbound_test::scratch_dir dir("tarball-every");
    for (char const* flags : {"", "-z"}) {
        std::string const whole = two_file_tar(dir, flags);
        std::size_t errors = 0;
        for (std::size_t cut = 0; cut < whole.size(); ++cut) {
            INFO("flags '" << flags << "', cut at " << cut);
            try {
                auto const t = ar::tarball::open_memory(std::as_bytes(std::span(whole.data(), cut)));
                // What is served must be whole: libarchive may accept a cut between entries.
                for (auto const& e : t) {
                    if (e.pathname() == "first.txt") CHECK(text(*e.data()) == "first\n");
                    if (e.pathname() == "second.bin") CHECK(text(*e.data()) == noise(10'000, 3));
                }
            } catch (ar::error const&) {
                ++errors;
            }
        }
        CHECK(errors > whole.size() / 2);
    }
}

TEST_CASE("a corrupted gzip stream is refused", "[tarball][errors]") {
    cbound_test::scratch_dir dir("tarball-corrupt");
    std::string bytes = two_file_tar(dir, "-z");
    for (std::size_t i = bytes.size() / 3; i < bytes.size() / 3 + 64; ++i)
        bytes[i] = static_cast<char>(~bytes[i]);
    ar::error const e = open_error(bytes);
    CHECK_FALSE(e.operation().empty());
}

TEST_CASE("max_decoded_bytes caps what a compressed archive may decode at open", "[tarball][errors]") {
    cbound_test::scratch_dir dir("tarball-cap");
    std::string const bytes = two_file_tar(dir, "-j"); // bzip2 has no seek points: decoded at open
    ar::tarball_options options;
    options.max_decoded_bytes = 4096;
    ar::error const e = open_error(bytes, options);
    CHECK(e.code() == ar::errc::limit_exceeded);
    CHECK(e.pathname() == "second.bin");

    options.max_decoded_bytes = 10'006; // exactly what both files need
    CHECK(ar::tarball::open_memory(std::as_bytes(std::span(bytes)), options).size() == 2);
}

TEST_CASE("max_entries caps the index", "[tarball][errors]") {
    cbound_test::scratch_dir dir("tarball-entries");
    std::string const bytes = two_file_tar(dir);
    ar::tarball_options options;
    options.max_entries = 1;
    CHECK(open_error(bytes, options).code() == ar::errc::limit_exceeded);
}

TEST_CASE("a declared size far beyond the data is refused without allocating it", "[tarball][errors]") {
    // A GNU base-256 size of 2^40 bytes over a 512-byte body.
    std::string const script = "import tarfile, io, sys\n"
                               "i = tarfile.TarInfo('huge'); i.size = 1 << 40\n"
                               "h = i.tobuf(tarfile.GNU_FORMAT)\n"
                               "sys.stdout.buffer.write(h + b'x' * 512 + b'\\0' * 1024)\n";
    ar::error const e = open_error(must_run("python3 -c " + sh_quote(script)));
    CHECK(e.pathname() == "huge");
}

TEST_CASE("the reader's format allow-list applies to the tarball", "[tarball][errors]") {
    cbound_test::scratch_dir dir("tarball-allow");
    cbound_test::write_file(dir / "src/a.txt", "a");
    must_run("cd " + sh_quote((dir / "src").string()) + " && zip -q ../a.zip a.txt");
    ar::tarball_options options;
    options.read.formats = {ar::format::tar};
    std::string const zip = cbound_test::read_file(dir / "a.zip");
    CHECK(open_error(zip, options).operation() == "open");
    options.read.formats = {ar::format::zip};
    CHECK(ar::tarball::open_memory(std::as_bytes(std::span(zip)), options).size() == 1);
}

TEST_CASE("an empty input is an archive of no entries", "[tarball][errors]") {
    cbound_test::scratch_dir dir("tarball-empty");
    cbound_test::write_file(dir / "empty", "");
    auto const t = ar::tarball::open(dir / "empty");
    CHECK(t.empty());
    CHECK_FALSE(t.file(0).has_value());
    CHECK_FALSE(t.find("").has_value()); // an empty name table has no slot to probe
    CHECK_FALSE(t.file("a").has_value());
    CHECK(t.footprint().index_bytes == 0);
}

TEST_CASE("a missing file is an archive::error naming the path", "[tarball][errors]") {
    cbound_test::scratch_dir dir("tarball-missing");
    try {
        (void)ar::tarball::open(dir / "nope.tar");
        FAIL("opened a missing file");
    } catch (ar::error const& e) {
        CHECK(e.operation() == "open");
        CHECK(e.pathname() == (dir / "nope.tar").string());
        CHECK(e.subject() == ar::path_subject::archive);
        CHECK(std::string(e.what()) ==
              "open: No such file or directory (archive '" + (dir / "nope.tar").string() + "')");
        CHECK(e.code() == std::errc::no_such_file_or_directory);
    }
}

TEST_CASE("a moved-from tarball throws handle_unusable instead of crashing", "[tarball][errors]") {
    cbound_test::scratch_dir dir("tarball-moved");
    std::string const bytes = two_file_tar(dir);
    auto t = ar::tarball::open_memory(std::as_bytes(std::span(bytes)));
    auto const kept = std::move(t);
    CHECK(kept.size() == 2);
    CHECK_FALSE(static_cast<bool>(t)); // NOLINT(bugprone-use-after-move): the point of the test
    try {
        (void)t.file(0);
        FAIL("file(0) on a moved-from tarball returned");
    } catch (ar::error const& e) {
        CHECK(e.code() == ar::errc::handle_unusable);
    }
    CHECK_THROWS_AS(t.size(), ar::error);
    CHECK_THROWS_AS(t.find("first.txt"), ar::error);
    CHECK_THROWS_AS(t.begin(), ar::error);
    CHECK_THROWS_AS(t[0], ar::error);
}
