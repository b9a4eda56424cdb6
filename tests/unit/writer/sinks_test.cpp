// Every destination receives the same archive bytes.
#include "writer_fixture.hpp"

#include <cbound/posix.hpp>

#include <fcntl.h>
#include <sstream>

using namespace writer_test;

namespace {

void fill(ar::writer& w) {
    w.add({.pathname = "a.txt"}, bytes_of("alpha"));
    w.add({.pathname = "b.bin"}, bytes_of(noise(40000)));
}

std::string reference() { return text_of(ar::writer::to_memory(ar::format::pax, ar::filter::zstd, fill)); }

} // namespace

TEST_CASE("path, fd, FILE*, ostream, vector and callback sinks all receive the same archive") {
    std::string const expected = reference();
    REQUIRE(read_back(bytes_of(expected)).size() == 2);
    scratch_dir dir("w-sinks");

    {
        ar::writer w = ar::writer::open(dir / "p.tar.zst", ar::format::pax, ar::filter::zstd);
        fill(w);
        w.close();
        CHECK(cbound_test::read_file(dir / "p.tar.zst") == expected);
    }
    {
        cbound::unique_fd fd(::open((dir / "fd.tar.zst").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644));
        REQUIRE(fd);
        ar::writer w = ar::writer::open_fd(fd.get(), ar::format::pax, ar::filter::zstd);
        fill(w);
        w.close();
        CHECK(::write(fd.get(), "!", 1) == 1); // still open: the caller owns it
        CHECK(cbound_test::read_file(dir / "fd.tar.zst") == expected + "!");
    }
    {
        cbound::unique_file file(std::fopen((dir / "file.tar.zst").c_str(), "wb"));
        REQUIRE(file);
        ar::writer w = ar::writer::open_file(file.get(), ar::format::pax, ar::filter::zstd);
        fill(w);
        w.close();
        file.reset(); // flushed by close(); closing is the owner's job
        CHECK(cbound_test::read_file(dir / "file.tar.zst") == expected);
    }
    {
        std::ostringstream out;
        ar::writer w = ar::writer::open_stream(out, ar::format::pax, ar::filter::zstd);
        fill(w);
        w.close();
        CHECK(out.str() == expected);
    }
    {
        std::vector<std::byte> out(3, std::byte{1}); // emptied first
        ar::writer w = ar::writer::open_memory(out, ar::format::pax, ar::filter::zstd);
        fill(w);
        w.close();
        CHECK(text_of(out) == expected);
    }
    {
        std::string got;
        int opens = 0;
        int closes = 0;
        ar::writer w = ar::writer::open_callbacks({.open = [&] { ++opens; },
                                                   .write = [&](std::span<std::byte const> b) { got += text_of(b); },
                                                   .close = [&] { ++closes; }},
                                                  ar::format::pax, ar::filter::zstd);
        fill(w);
        w.close();
        CHECK(got == expected);
        CHECK(opens == 1);
        CHECK(closes == 1);
    }
    CHECK(contains(error_of([] { (void)ar::writer::open_file(nullptr); }), "null"));
    CHECK(contains(error_of([] { (void)ar::writer::open_callbacks({}); }), "no write function"));
}

TEST_CASE("create picks format and filter from the name, as the README example does") {
    scratch_dir dir("w-create");
    std::string const text = "hello\n";
    ar::writer w = ar::writer::create(dir / "out.tar.zst");
    w.add({.pathname = "hello.txt", .perms = 0644}, std::as_bytes(std::span(text)));
    w.close();
    CHECK(cbound_test::run("zstd -t -q " + cbound_test::sh_quote((dir / "out.tar.zst").string())).exit_code == 0);
    CHECK(cbound_test::run("bsdtar -xOf " + cbound_test::sh_quote((dir / "out.tar.zst").string()) + " hello.txt")
              .output == text);
    CHECK(contains(error_of([&] { (void)ar::writer::create(dir / "out.unknown"); }), "out.unknown"));
    CHECK_FALSE(cbound_test::fs::exists(dir / "out.unknown"));
}

TEST_CASE("a failing stream or descriptor is reported, not ignored") {
    std::ostringstream out;
    out.setstate(std::ios::badbit);
    ar::writer w = ar::writer::open_stream(out);
    w.add({.pathname = "a"}, bytes_of("x"));
    CHECK(contains(error_of([&] { w.close(); }), "output stream failed"));

    if (cbound_test::fs::exists("/dev/full")) {
        cbound::unique_fd full(::open("/dev/full", O_WRONLY));
        REQUIRE(full);
        ar::writer f = ar::writer::open_fd(full.get());
        f.add({.pathname = "a"}, bytes_of("x"));
        CHECK(contains(error_of([&] { f.close(); }), "No space left"));
    }
}
