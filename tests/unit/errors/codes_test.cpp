// Which code each kind of failure carries: one code per kind, wherever it happens.
#include "catch.hpp"
#include "errors_fixture.hpp"
#include "test_support.hpp"

#include <cbound/archive/detail/errno.hpp>
#include <cbound/archive/extract.hpp>
#include <cbound/archive/reader.hpp>
#include <cbound/archive/tarball.hpp>
#include <cbound/archive/writer.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>

namespace ar = cbound::archive;
namespace fs = std::filesystem;
using errors_test::error_of;

namespace {

/// A small tar archive in memory, written by cbound.
std::vector<std::byte> small_tar() {
    std::vector<std::byte> bytes;
    auto w = ar::writer::open_memory(bytes);
    w.add({.pathname = "hello.txt"}, cbound_test::to_bytes("hello, world\n"));
    w.close();
    return bytes;
}

} // namespace

TEST_CASE("a failed std::ostream is errc::stream_failed, when reading out of an archive and when writing one") {
    std::vector<std::byte> const bytes = small_tar();
    auto r = ar::reader::open_memory(bytes);
    auto e = r.next();
    REQUIRE(e);
    std::ostringstream broken;
    broken.setstate(std::ios::badbit);
    ar::error const read_side = error_of([&] { e->copy_to(broken); });
    CHECK(read_side.code() == ar::errc::stream_failed);
    CHECK(std::string(read_side.what()) == "copy_to: the output stream failed (entry 'hello.txt')");

    ar::error const write_side = error_of([&] {
        auto w = ar::writer::open_stream(broken);
        w.add({.pathname = "a"}, cbound_test::to_bytes("a"));
        w.close();
    });
    CHECK(write_side.code() == ar::errc::stream_failed);
    CHECK(write_side.code() == read_side.code());
}

TEST_CASE("a failed std::istream is errc::stream_failed too") {
    std::istringstream in("not read");
    in.setstate(std::ios::badbit);
    ar::error const e = error_of([&] { (void)ar::reader::open_stream(in); });
    CHECK(e.code() == ar::errc::stream_failed);
    CHECK(e.operation() == "read");
}

TEST_CASE("a source's own exception reaches the caller unchanged") {
    ar::read_source source;
    source.read = []() -> std::span<std::byte const> { throw std::runtime_error("the network went away"); };
    try {
        (void)ar::reader::open_callbacks(std::move(source));
        FAIL("no exception");
    } catch (std::runtime_error const& e) {
        CHECK(std::string(e.what()) == "the network went away");
    }
}

TEST_CASE("a callback exception that only libarchive's error can carry is errc::callback_threw") {
    // The reader rethrows a source's exception itself; a caller reading through native_handle()
    // goes around it, and what reaches them is libarchive's record of it, with the exception's text.
    std::vector<std::byte> const bytes = small_tar();
    int calls = 0;
    ar::read_source source;
    source.read = [&]() -> std::span<std::byte const> {
        if (++calls > 1) throw std::runtime_error("the network went away");
        return std::span(bytes).first(1024); // the first header and its data block
    };
    auto r = ar::reader::open_callbacks(std::move(source));
    ::archive_entry* entry = nullptr;
    REQUIRE(archive_read_next_header(r.native_handle(), &entry) == ARCHIVE_OK);
    int const st = archive_read_next_header(r.native_handle(), &entry);
    REQUIRE(st == ARCHIVE_FATAL);
    ar::error const e = ar::detail::capture_error(r.native_handle(), st, "read_next_header");
    CHECK(e.code() == ar::errc::callback_threw);
    CHECK(std::string(e.what()) == "read_next_header: a callback threw: the network went away");
}

TEST_CASE("a passphrase callback's exception reaches the caller of tarball::open unchanged") {
    if (!cbound_test::have_tool("zip")) {
        WARN("zip is not installed: skipped");
        return;
    }
    cbound_test::scratch_dir const dir{"errors"};
    cbound_test::write_file(dir / "secret.txt", "a secret\n");
    REQUIRE(
        cbound_test::run("cd " + cbound_test::sh_quote(dir.path().string()) + " && zip -q -P pw locked.zip secret.txt")
            .exit_code == 0);
    ar::tarball_options options;
    options.read.passphrase_callback = []() -> std::optional<std::string> {
        throw std::runtime_error("no passphrase here");
    };
    try {
        auto const t = ar::tarball::open(dir / "locked.zip", options);
        (void)t.file(0);
        FAIL("no exception");
    } catch (std::runtime_error const& e) {
        CHECK(std::string(e.what()) == "no passphrase here");
    }
}

TEST_CASE("a progress callback's and a tree filter's exceptions reach the caller unchanged") {
    cbound_test::scratch_dir const dir{"errors"};
    std::vector<std::byte> const bytes = small_tar();
    auto r = ar::reader::open_memory(bytes);
    ar::extract_options options;
    options.on_progress = [](ar::progress const&) -> bool { throw std::runtime_error("progress gave up"); };
    try {
        (void)ar::extract(r, dir.path(), options);
        FAIL("no exception");
    } catch (std::runtime_error const& e) {
        CHECK(std::string(e.what()) == "progress gave up");
    }

    cbound_test::write_file(dir / "tree" / "a.txt", "a");
    std::vector<std::byte> out;
    auto w = ar::writer::open_memory(out);
    ar::tree_options tree;
    tree.filter = [](std::filesystem::directory_entry const&) -> bool { throw std::runtime_error("filter gave up"); };
    try {
        w.add_tree(dir / "tree", tree);
        FAIL("no exception");
    } catch (std::runtime_error const& e) {
        CHECK(std::string(e.what()) == "filter gave up");
    }
}

TEST_CASE("libarchive's own error numbers become cbound codes, never errno texts") {
    // Misuse: a format code libarchive does not know (ARCHIVE_ERRNO_PROGRAMMER, which is EINVAL).
    ::archive* a = archive_read_new();
    int const st = archive_read_support_format_by_code(a, 0x7fff0000);
    ar::error const misuse = ar::detail::capture_error(a, st, "support_format");
    archive_read_free(a);
    CHECK(misuse.code() == ar::errc::invalid_argument);
    CHECK(std::string(misuse.what()) == "support_format: Invalid format code specified");

    CHECK(ar::detail::code_of_archive_errno(EILSEQ) == ar::errc::bad_format);
    CHECK(ar::detail::code_of_archive_errno(EINVAL) == ar::errc::invalid_argument);
    CHECK(ar::detail::code_of_archive_errno(-1) == ar::errc::archive_failed);
    CHECK(ar::detail::code_of_archive_errno(0) == ar::errc::archive_failed);
    CHECK(ar::detail::code_of_archive_errno(ENOSPC) == std::errc::no_space_on_device);
}

TEST_CASE("every errc has its own message") {
    std::vector<std::string> seen;
    for (auto e : {ar::errc::archive_failed, ar::errc::handle_unusable, ar::errc::callback_threw,
                   ar::errc::size_mismatch, ar::errc::limit_exceeded, ar::errc::unsafe_entry, ar::errc::cancelled,
                   ar::errc::invalid_argument, ar::errc::not_found, ar::errc::bad_format, ar::errc::stream_failed}) {
        std::string const m = ar::make_error_code(e).message();
        CHECK(m.find("unknown") == std::string::npos);
        CHECK(std::find(seen.begin(), seen.end(), m) == seen.end());
        seen.push_back(m);
    }
}

TEST_CASE("the retry helpers retry what they should, as often as they should") {
    int calls = 0;
    auto const interrupted_twice = [&] {
        if (++calls <= 2) {
            errno = EINTR;
            return -1;
        }
        return 7;
    };
    CHECK(ar::detail::retry_on_signal(interrupted_twice) == 7);
    CHECK(calls == 3);

    calls = 0;
    auto const refused = [&] {
        ++calls;
        errno = EACCES;
        return -1;
    };
    CHECK(ar::detail::retry_on_signal(refused) == -1);
    CHECK(calls == 1); // only a signal is retried

    calls = 0;
    CHECK(ar::detail::retry_archive(ARCHIVE_RETRY, [&] {
              ++calls;
              return ARCHIVE_RETRY;
          }) == ARCHIVE_RETRY);
    CHECK(calls == ar::detail::max_retries); // bounded: a RETRY that persists is a failure
    calls = 0;
    CHECK(ar::detail::retry_archive(ARCHIVE_RETRY, [&] { return ++calls < 3 ? ARCHIVE_RETRY : ARCHIVE_OK; }) ==
          ARCHIVE_OK);
    CHECK(calls == 3);
}
