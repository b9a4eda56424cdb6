// add_tree with hard links: in tar formats a second name of a file is stored as a hard link to
// the first (as tar does), and comes back as one from cbound's reader and from bsdtar -x.
#include "writer_fixture.hpp"

#include <sys/stat.h>

using namespace writer_test;

namespace {

// src/{a.txt, b/second (same inode as a.txt), c.txt, z-third (same inode as a.txt)}
fs::path make_tree(scratch_dir const& dir) {
    fs::path const src = dir / "src";
    cbound_test::write_file(src / "a.txt", "shared data");
    cbound_test::write_file(src / "c.txt", "alone");
    fs::create_directories(src / "b");
    fs::create_hard_link(src / "a.txt", src / "b/second");
    fs::create_hard_link(src / "a.txt", src / "z-third");
    return src;
}

::ino_t inode_of(fs::path const& p) {
    struct ::stat st {};
    REQUIRE(::lstat(p.c_str(), &st) == 0);
    return st.st_ino;
}

} // namespace

TEST_CASE("add_tree stores a file's second name as a hard link to the first in tar formats") {
    scratch_dir dir("w-hard");
    fs::path const src = make_tree(dir);
    for (ar::format f : {ar::format::pax, ar::format::ustar, ar::format::gnutar}) {
        std::vector<std::byte> const out = tree_archive(src, {.prefix = "src"}, f);
        std::vector<std::string> links;
        ar::reader r = ar::reader::open_memory(out);
        for (ar::entry_view e : r) {
            if (e.pathname() == "src/a.txt") CHECK(text_of(e.read_all(100)) == "shared data");
            if (e.pathname() == "src/b/second" || e.pathname() == "src/z-third") {
                CHECK(e.type() == ar::entry_type::hardlink);
                CHECK(e.hardlink() == "src/a.txt");
                CHECK(e.size() == 0); // the data is stored once
                links.emplace_back(e.pathname());
            }
            if (e.pathname() == "src/c.txt") CHECK(e.type() == ar::entry_type::regular);
        }
        CHECK(links == std::vector<std::string>{"src/b/second", "src/z-third"});
    }
}

TEST_CASE("hard links from add_tree come back as one inode from bsdtar -x") {
    if (!have_tool("bsdtar")) {
        WARN("skipped: no bsdtar");
        return;
    }
    scratch_dir dir("w-hard-x");
    fs::path const src = make_tree(dir);
    ar::writer w = ar::writer::open(dir / "x.tar");
    w.add_tree(src, {.prefix = "src"});
    w.close();
    fs::create_directories(dir / "out");
    REQUIRE(
        cbound_test::run("bsdtar -xf " + sh_quote((dir / "x.tar").string()) + " -C " + sh_quote((dir / "out").string()))
            .exit_code == 0);
    fs::path const back = dir / "out/src";
    CHECK(inode_of(back / "a.txt") == inode_of(back / "b/second"));
    CHECK(inode_of(back / "a.txt") == inode_of(back / "z-third"));
    CHECK(inode_of(back / "a.txt") != inode_of(back / "c.txt"));
    CHECK(cbound_test::read_file(back / "z-third") == "shared data");
}

TEST_CASE("formats without hard links store each name with its data") {
    scratch_dir dir("w-hard-zip");
    fs::path const src = make_tree(dir);
    std::vector<std::byte> const out = tree_archive(src, {.prefix = "src"}, ar::format::zip);
    CHECK(read_back(out) == listing{{"src/", ""},
                                    {"src/a.txt", "shared data"},
                                    {"src/b/", ""},
                                    {"src/b/second", "shared data"},
                                    {"src/c.txt", "alone"},
                                    {"src/z-third", "shared data"}});
}
