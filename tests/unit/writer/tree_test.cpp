// add_file and add_tree: files from disk, in sorted order, links as links, filtered.
#include "writer_fixture.hpp"

#include <sys/stat.h>
#include <sys/xattr.h>

using namespace writer_test;

namespace {

// src/{b.txt, a/{z.txt, y.txt}, skip.log, link -> b.txt}
fs::path make_tree(scratch_dir const& dir) {
    fs::path const src = dir / "src";
    cbound_test::write_file(src / "b.txt", "bee");
    cbound_test::write_file(src / "a/z.txt", "zed");
    cbound_test::write_file(src / "a/y.txt", noise(100000));
    cbound_test::write_file(src / "skip.log", "noise");
    fs::create_symlink("b.txt", src / "link");
    ::chmod((src / "b.txt").c_str(), 0640);
    return src;
}

} // namespace

TEST_CASE("add_tree stores folders in sorted order, symlinks as links, with modes and data") {
    scratch_dir dir("w-tree");
    fs::path const src = make_tree(dir);
    std::vector<std::byte> const out = tree_archive(src, {.prefix = "src"});
    CHECK(names_in(out) == std::vector<std::string>{"src/", "src/a/", "src/a/y.txt", "src/a/z.txt", "src/b.txt",
                                                    "src/link", "src/skip.log"});
    ar::reader r = ar::reader::open_memory(out);
    for (ar::entry_view e : r) {
        if (e.pathname() == "src/link") {
            CHECK(e.type() == ar::entry_type::symlink);
            CHECK(e.symlink() == "b.txt");
        }
        if (e.pathname() == "src/b.txt") {
            CHECK(e.perms() == 0640);
            CHECK(text_of(e.read_all(100)) == "bee");
            CHECK_FALSE(e.atime()); // left out by default: reading files changes them
        }
        if (e.pathname() == "src/a/y.txt") CHECK(text_of(e.read_all(1 << 20)) == noise(100000));
    }
}

TEST_CASE("add_tree is reproducible, filterable, and can follow symlinks") {
    scratch_dir dir("w-tree2");
    fs::path const src = make_tree(dir);
    auto pack = [&](ar::tree_options const& options) {
        return ar::writer::to_memory(ar::format::pax, ar::filter::gzip,
                                     [&](ar::writer& w) { w.add_tree(src, options); });
    };
    CHECK(pack({}) == pack({}));
    auto const filtered = pack(
        {.filter =
             [](fs::directory_entry const& e) { return e.path().extension() != ".log" && e.path().filename() != "a"; },
         .prefix = ""});
    CHECK(names_in(filtered) == std::vector<std::string>{"b.txt", "link"});
    auto const followed = pack({.prefix = "", .follow_symlinks = true});
    ar::reader r = ar::reader::open_memory(followed);
    bool saw_link = false;
    for (ar::entry_view e : r) {
        if (e.pathname() != "link") continue;
        saw_link = true;
        CHECK(e.type() == ar::entry_type::regular);
        CHECK(text_of(e.read_all(100)) == "bee");
    }
    CHECK(saw_link);
}

TEST_CASE("add_file stores one file under the name given, a missing file is a clear error") {
    scratch_dir dir("w-file");
    cbound_test::write_file(dir / "disk-name.txt", "content");
    std::vector<std::byte> out;
    ar::writer w = ar::writer::open_memory(out, ar::format::zip);
    w.add_file(dir / "disk-name.txt", "archive/name.txt");
    std::string const missing = error_of([&] { w.add_file(dir / "absent", "x"); });
    CHECK(contains(missing, "absent"));
    CHECK(contains(missing, "No such file"));
    w.close(); // the failed add left the archive intact
    CHECK(read_back(out) == listing{{"archive/name.txt", "content"}});
}

TEST_CASE("add_tree leaves out the archive it is writing, with a warning") {
    scratch_dir dir("w-self");
    fs::path const src = make_tree(dir);
    ar::writer w = ar::writer::open(src / "self.tar");
    w.add_tree(src, {.prefix = "src"});
    REQUIRE(w.warnings().size() == 1);
    CHECK(contains(w.warnings()[0].message, "not added to itself"));
    w.close();
    std::vector<std::string> names;
    ar::reader r = ar::reader::open(src / "self.tar");
    for (ar::entry_view e : r)
        names.emplace_back(e.pathname());
    CHECK(names == std::vector<std::string>{"src/", "src/a/", "src/a/y.txt", "src/a/z.txt", "src/b.txt", "src/link",
                                            "src/skip.log"});
}

TEST_CASE("add_tree stores extended attributes only when asked") {
    scratch_dir dir("w-xattr");
    fs::path const src = make_tree(dir);
    if (::setxattr((src / "b.txt").c_str(), "user.note", "kept", 4, 0) != 0) {
        WARN("skipped: this file system has no user extended attributes");
        return;
    }
    auto note_of = [&](ar::tree_options const& options) {
        std::vector<std::byte> const out = tree_archive(src, options);
        std::string note = "<none>";
        ar::reader r = ar::reader::open_memory(out);
        for (ar::entry_view e : r)
            for (auto const& x : e.xattrs())
                if (e.pathname() == "src/b.txt" && x.name == "user.note") note = text_of(x.value);
        return note;
    };
    CHECK(note_of({.prefix = "src"}) == "<none>");
    CHECK(note_of({.prefix = "src", .xattrs = true}) == "kept");
}

TEST_CASE("add_tree stores a name that is not UTF-8 as its bytes, with a warning, as bsdtar does") {
    scratch_dir dir("w-bytes");
    cbound_test::write_file(dir / "src" / "bad\xff", "x");
    std::vector<std::byte> out;
    ar::writer w = ar::writer::open_memory(out);
    w.add_tree(dir / "src", {.prefix = "src"});
    REQUIRE(w.warnings().size() == 1);
    CHECK(contains(w.warnings()[0].message, "UTF-8"));
    w.close();
    CHECK(read_back(out) == listing{{"src/", ""}, {"src/bad\xff", "x"}});
}
