// add_file: one file from disk, with every tree_options field that applies to a single file.
#include "writer_fixture.hpp"

#include <sys/stat.h>
#include <sys/xattr.h>

using namespace writer_test;

namespace {

// What one add_file call with `options` stores: its result, then each entry's name, type and data.
struct stored {
    bool added = false;
    std::vector<std::byte> archive{};
};

template <class Add>
stored add_one(Add&& add) {
    stored s;
    ar::writer w = ar::writer::open_memory(s.archive);
    s.added = add(w);
    w.close();
    return s;
}

} // namespace

TEST_CASE("add_file asks the filter, and adds nothing when it says no") {
    scratch_dir dir("w-file-filter");
    cbound_test::write_file(dir / "keep.txt", "kept");
    std::vector<fs::path> asked;
    ar::tree_options const options{.filter = [&](fs::directory_entry const& e) {
        asked.push_back(e.path());
        return e.path().extension() != ".txt";
    }};
    stored const refused = add_one([&](ar::writer& w) { return w.add_file(dir / "keep.txt", "k", options); });
    CHECK_FALSE(refused.added);
    CHECK(read_back(refused.archive).empty());
    REQUIRE(asked.size() == 1);
    CHECK(asked[0] == dir / "keep.txt");
    stored const accepted = add_one([&](ar::writer& w) { return w.add_file(dir / "keep.txt", "k", {}); });
    CHECK(accepted.added);
    CHECK(read_back(accepted.archive) == listing{{"k", "kept"}});
}

TEST_CASE("add_file puts the entry in the folder tree_options::prefix names, as add_tree does") {
    scratch_dir dir("w-file-prefix");
    cbound_test::write_file(dir / "f.txt", "eff");
    stored const in_docs =
        add_one([&](ar::writer& w) { return w.add_file(dir / "f.txt", "f.txt", {.prefix = "docs"}); });
    CHECK(read_back(in_docs.archive) == listing{{"docs/f.txt", "eff"}});
    // An empty prefix, as add_tree takes it, puts the entry at the top.
    stored const at_top = add_one([&](ar::writer& w) { return w.add_file(dir / "f.txt", "f.txt", {.prefix = ""}); });
    CHECK(read_back(at_top.archive) == listing{{"f.txt", "eff"}});
}

TEST_CASE("add_file stores a symlink as a link, or what it points to with follow_symlinks") {
    scratch_dir dir("w-file-follow");
    cbound_test::write_file(dir / "target.txt", "pointed at");
    fs::create_symlink("target.txt", dir / "link");
    auto type_and_data = [&](ar::tree_options const& options) {
        stored const s = add_one([&](ar::writer& w) { return w.add_file(dir / "link", "l", options); });
        ar::reader r = ar::reader::open_memory(s.archive);
        for (ar::entry_view e : r)
            return std::pair(e.type(), text_of(e.read_all(100)));
        return std::pair(ar::entry_type::regular, std::string("<no entry>"));
    };
    CHECK(type_and_data({}) == std::pair(ar::entry_type::symlink, std::string()));
    CHECK(type_and_data({.follow_symlinks = true}) == std::pair(ar::entry_type::regular, std::string("pointed at")));
}

TEST_CASE("add_file keeps access times only with keep_access_times") {
    scratch_dir dir("w-file-atime");
    cbound_test::write_file(dir / "f.txt", "x");
    auto atime_kept = [&](ar::tree_options const& options) {
        stored const s = add_one([&](ar::writer& w) { return w.add_file(dir / "f.txt", "f", options); });
        ar::reader r = ar::reader::open_memory(s.archive);
        for (ar::entry_view e : r)
            return e.atime().has_value();
        return false;
    };
    CHECK_FALSE(atime_kept({}));
    CHECK(atime_kept({.keep_access_times = true}));
}

TEST_CASE("add_file stores extended attributes only with xattrs") {
    scratch_dir dir("w-file-xattr");
    cbound_test::write_file(dir / "f.txt", "x");
    if (::setxattr((dir / "f.txt").c_str(), "user.note", "kept", 4, 0) != 0) {
        WARN("skipped: this file system has no user extended attributes");
        return;
    }
    auto note_of = [&](ar::tree_options const& options) {
        stored const s = add_one([&](ar::writer& w) { return w.add_file(dir / "f.txt", "f", options); });
        std::string note = "<none>";
        ar::reader r = ar::reader::open_memory(s.archive);
        for (ar::entry_view e : r)
            for (auto const& x : e.xattrs())
                if (x.name == "user.note") note = text_of(x.value);
        return note;
    };
    CHECK(note_of({}) == "<none>");
    CHECK(note_of({.xattrs = true}) == "kept");
}

TEST_CASE("add_file says false when the walk leaves the file out with a warning") {
    scratch_dir dir("w-file-self");
    fs::path const self = dir / "self.tar";
    ar::writer w = ar::writer::open(self);
    CHECK_FALSE(w.add_file(self, "self.tar"));
    REQUIRE(w.warnings().size() == 1);
    CHECK(contains(w.warnings()[0].message, "not added to itself"));
    w.close();
}
