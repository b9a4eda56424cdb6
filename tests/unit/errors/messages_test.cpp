// What an error says: the exact what() of each kind of failure, in plain words.
#include "catch.hpp"
#include "test_support.hpp"

#include <cbound/archive/extract.hpp>
#include <cbound/archive/reader.hpp>
#include <cbound/archive/tarball.hpp>
#include <cbound/archive/writer.hpp>

#include <functional>
#include <string>

namespace ar = cbound::archive;
namespace fs = std::filesystem;

namespace {

/// The error `f` throws (a test failure when it throws none).
ar::error error_of(std::function<void()> const& f) {
    try {
        f();
    } catch (ar::error const& e) {
        return e;
    }
    FAIL("no cbound::archive::error was thrown");
    throw;
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
    // The reader adds why a program-run filter did not help; no "Invalid or incomplete multibyte…".
    CHECK(std::string(e.what()) == "open: Unrecognized archive format (filters that run an external program, such as "
                                   "lrzip, lzop and grzip, are off: reader_options::allow_external_programs) (archive '" +
                                       p.string() + "')");
    CHECK(e.code() == ar::errc::bad_format);
    CHECK(e.subject() == ar::path_subject::archive);
    CHECK(e.pathname() == p.string());
}
