// What an error says: the exact what() of each kind of failure, in plain words.
#include "catch.hpp"
#include "errors_fixture.hpp"
#include "test_support.hpp"

#include <cbound/archive/extract.hpp>
#include <cbound/archive/reader.hpp>
#include <cbound/archive/tarball.hpp>
#include <cbound/archive/writer.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <string>
#include <vector>

namespace ar = cbound::archive;
namespace fs = std::filesystem;
using errors_test::error_of;

namespace {

/// What opening `p`, a file that is no archive, says: the reader adds why a program-run filter
/// did not help, and no errno text ("Invalid or incomplete multibyte…").
std::string unrecognized(fs::path const& p) {
    return "open: Unrecognized archive format (filters that run an external program, such as "
           "lrzip, lzop and grzip, are off: reader_options::allow_external_programs) (archive '" +
           p.string() + "')";
}

/// `command` run in `dir`; the test stops unless it succeeds.
void sh(fs::path const& dir, std::string const& command) {
    INFO(command);
    REQUIRE(cbound_test::run("cd " + cbound_test::sh_quote(dir.string()) + " && " + command).exit_code == 0);
}

/// A file of plain text: no archive format, no compression.
fs::path text_file(cbound_test::scratch_dir const& dir) {
    fs::path const p = dir / "notes.txt";
    cbound_test::write_file(p, std::string(2000, 'a') + "\nnot an archive\n");
    return p;
}

} // namespace

TEST_CASE("a file that is not an archive is a bad format of the archive, without an errno text") {
    cbound_test::scratch_dir const dir{"errors"};
    fs::path const p = text_file(dir);
    ar::error const e = error_of([&] { (void)ar::reader::open(p); });
    CHECK(std::string(e.what()) == unrecognized(p));
    CHECK(e.code() == ar::errc::bad_format);
    CHECK(e.subject() == ar::path_subject::archive);
    CHECK(e.pathname() == p.string());
}

TEST_CASE("a file that is not an archive says the same through the tarball") {
    cbound_test::scratch_dir const dir{"errors"};
    fs::path const p = text_file(dir);
    ar::error const e = error_of([&] { (void)ar::tarball::open(p); });
    CHECK(std::string(e.what()) == unrecognized(p));
    CHECK(e.code() == ar::errc::bad_format);
    CHECK(e.subject() == ar::path_subject::archive);
}

TEST_CASE("a missing archive carries errno, and its path is said once") {
    cbound_test::scratch_dir const dir{"errors"};
    std::string const p = (dir / "missing.tar").string();
    ar::error const e = error_of([&] { (void)ar::reader::open(p); });
    // libarchive's message quotes the path already: no "(archive '...')" after it.
    CHECK(std::string(e.what()) == "open: Failed to open '" + p + "': No such file or directory");
    CHECK(e.code() == std::errc::no_such_file_or_directory);
    CHECK(e.subject() == ar::path_subject::archive);
}

TEST_CASE("an archive that cannot be created names the archive and says the errno in words") {
    cbound_test::scratch_dir const dir{"errors"};
    std::string const p = (dir / "no such folder" / "out.tar").string();
    ar::error const e = error_of([&] { (void)ar::writer::open(p); });
    CHECK(std::string(e.what()) == "open: No such file or directory (archive '" + p + "')");
    CHECK(e.code() == std::errc::no_such_file_or_directory);
    CHECK(e.subject() == ar::path_subject::archive);
}

TEST_CASE("a system call's failure says the errno in words, once") {
    // A full disk: /dev/full takes the open and refuses every write.
    int const full = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
    REQUIRE(full >= 0);
    ar::error const e = error_of([&] {
        auto w = ar::writer::open_fd(full);
        w.add({.pathname = "a"}, cbound_test::to_bytes("a"));
        w.close();
    });
    ::close(full);
    CHECK(std::string(e.what()) == "write: No space left on device");
    CHECK(e.code() == std::errc::no_space_on_device);

    // A pipe read from its writing end: the reader's descriptor source fails at once.
    int ends[2];
    REQUIRE(::pipe(ends) == 0);
    ar::error const r = error_of([&] { (void)ar::reader::open_fd(ends[1]); });
    ::close(ends[0]);
    ::close(ends[1]);
    CHECK(std::string(r.what()) == "read: reading the archive's descriptor: Bad file descriptor");
    CHECK(r.code() == std::errc::bad_file_descriptor);
}

TEST_CASE("an entry's path is called an entry") {
    cbound_test::scratch_dir const dir{"errors"};
    cbound_test::write_file(dir / "src" / "hello.txt", "hello, world\n");
    sh(dir / "src", "bsdtar -cf ../a.tar hello.txt");
    auto r = ar::reader::open(dir / "a.tar");
    auto e = r.next();
    REQUIRE(e);
    ar::error const err = error_of([&] { (void)e->read_all(10); });
    CHECK(std::string(err.what()) == "read_all: entry data exceeds 10 bytes (entry 'hello.txt')");
    CHECK(err.code() == ar::errc::limit_exceeded);
    CHECK(err.subject() == ar::path_subject::entry);
}

TEST_CASE("a ratio limit prints the ratio as written, not as 1000.000000") {
    cbound_test::scratch_dir const dir{"errors"};
    // 4 MiB of zeros: bzip2 makes a few hundred bytes of it, a ratio far above 1000.
    sh(dir.path(),
       "mkdir src && head -c 4194304 /dev/zero > src/zeros.bin && cd src && bsdtar -cjf ../zeros.tar.bz2 zeros.bin");
    for (auto const& [ratio, text] : std::vector<std::pair<double, std::string>>{{1000.0, "1000"}, {12.5, "12.5"}}) {
        ar::extract_options options;
        options.limits.max_ratio = ratio;
        auto r = ar::reader::open(dir / "zeros.tar.bz2");
        fs::path const out = dir / ("out-" + text);
        fs::create_directory(out);
        ar::error const e = error_of([&] { (void)ar::extract(r, out, options); });
        CHECK(std::string(e.what()) == "extract: compression ratio exceeds " + text + " (entry 'zeros.bin')");
        CHECK(e.code() == ar::errc::limit_exceeded);
    }
}

TEST_CASE("number_text writes numbers as a person would") {
    CHECK(ar::detail::number_text(1000.0) == "1000");
    CHECK(ar::detail::number_text(12.5) == "12.5");
    CHECK(ar::detail::number_text(0.1) == "0.1");
    CHECK(ar::detail::number_text(1e20) == "1e+20");
}
