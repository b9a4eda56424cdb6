// add_tree with what an archive cannot hold (a socket anywhere, a FIFO in zip): left out with a
// warning, as tar does, and the rest of the archive is made.
#include "writer_fixture.hpp"

#include <cstring>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using namespace writer_test;

namespace {

// A listening UNIX socket at `path`, closed when the test ends (the file stays).
cbound::unique_fd bind_socket(fs::path const& path) {
    cbound::unique_fd fd(::socket(AF_UNIX, SOCK_STREAM, 0));
    REQUIRE(fd);
    ::sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    REQUIRE(path.native().size() < sizeof(addr.sun_path));
    std::memcpy(addr.sun_path, path.c_str(), path.native().size() + 1);
    REQUIRE(::bind(fd.get(), reinterpret_cast<::sockaddr const*>(&addr), sizeof(addr)) == 0);
    return fd;
}

} // namespace

TEST_CASE("add_tree leaves a socket out with a warning and archives the rest") {
    scratch_dir dir("w-sock");
    cbound_test::write_file(dir / "src/a.txt", "a");
    cbound_test::write_file(dir / "src/z/b.txt", "b");
    auto const sock = bind_socket(dir / "src/m.sock");
    for (ar::format f : {ar::format::pax, ar::format::zip, ar::format::cpio}) {
        std::vector<std::byte> out;
        ar::writer w = ar::writer::open_memory(out, f);
        w.add_tree(dir / "src", {.prefix = "src"});
        REQUIRE(w.warnings().size() == 1);
        CHECK(w.warnings()[0].message == "socket ignored");
        CHECK(w.warnings()[0].pathname == (dir / "src/m.sock").string());
        w.close();
        INFO(ar::to_string(f));
        listing got = read_back(out);
        for (auto& [name, data] : got)
            if (name.ends_with('/')) name.pop_back(); // cpio names folders without the slash
        CHECK(got == listing{{"src", ""}, {"src/a.txt", "a"}, {"src/z", ""}, {"src/z/b.txt", "b"}});
    }
}

TEST_CASE("add_file of a socket adds nothing and says why") {
    scratch_dir dir("w-sock-file");
    auto const sock = bind_socket(dir / "s");
    std::vector<std::byte> out;
    ar::writer w = ar::writer::open_memory(out);
    w.add_file(dir / "s", "s");
    REQUIRE(w.warnings().size() == 1);
    CHECK(w.warnings()[0].message == "socket ignored");
    CHECK(w.warnings()[0].operation == "add_file");
    w.close();
    CHECK(read_back(out).empty());
}

TEST_CASE("add_tree leaves out what the format refuses (a FIFO in zip) with a warning; add_file fails on it") {
    scratch_dir dir("w-fifo-zip");
    cbound_test::write_file(dir / "src/a.txt", "a");
    REQUIRE(::mkfifo((dir / "src/pipe").c_str(), 0644) == 0);
    cbound_test::write_file(dir / "src/z.txt", "z");
    std::vector<std::byte> out;
    ar::writer w = ar::writer::open_memory(out, ar::format::zip);
    w.add_tree(dir / "src", {.prefix = "src"});
    REQUIRE(w.warnings().size() == 1);
    CHECK(contains(w.warnings()[0].message, "named pipes"));
    CHECK(w.warnings()[0].pathname == (dir / "src/pipe").string());
    CHECK(contains(error_of([&] { w.add_file(dir / "src/pipe", "pipe"); }), "named pipes"));
    w.close(); // neither refusal harmed the archive
    CHECK(read_back(out) == listing{{"src/", ""}, {"src/a.txt", "a"}, {"src/z.txt", "z"}});
}
