// Every archive format the tools on this machine write, read back and checked against
// what was put in and against `bsdtar -tf`.
#include "reader_fixture.hpp"

#include <cbound/archive/mode_string.hpp>

#include <chrono>
#include <sstream>

namespace ca = cbound::archive;
using namespace reader_test;

namespace {

/// The names `bsdtar -tf` lists, in order (directories keep their trailing slash stripped).
std::vector<std::string> bsdtar_names(fs::path const& archive) {
    auto r = run("bsdtar -tf " + sh_quote(archive.string()));
    REQUIRE(r.exit_code == 0);
    std::vector<std::string> names;
    std::istringstream in(r.output);
    for (std::string line; std::getline(in, line);)
        names.push_back(line);
    return names;
}

/// Reads `archive` and checks names against bsdtar and every regular file against the tree.
void check_archive(sample_tree const& t, fs::path const& archive, bool has_links = true) {
    auto r = ca::reader::open(archive);
    std::vector<std::string> names;
    std::map<std::string, std::string> data;
    bool saw_symlink = false;
    for (ca::entry_view e : r) {
        names.emplace_back(e.pathname());
        std::string name(e.pathname());
        if (name.rfind("./", 0) == 0) name.erase(0, 2);
        if (e.type() == ca::entry_type::regular) {
            data[name] = content(e);
            if (e.size()) CHECK(*e.size() == static_cast<std::int64_t>(data[name].size()));
            REQUIRE(e.mtime().has_value());
            CHECK(std::chrono::duration_cast<std::chrono::seconds>(e.mtime()->time_since_epoch()).count() ==
                  1600000000);
        }
        if (e.type() == ca::entry_type::symlink) {
            saw_symlink = true;
            CHECK(e.symlink() == "hello.txt");
        }
    }
    CHECK(names == bsdtar_names(archive));
    for (auto const& [name, content] : t.files) {
        INFO(name);
        CHECK(data[name] == content);
    }
    if (has_links) CHECK(saw_symlink);
    CHECK(r.warnings().empty());
}

/// The sample tree with every mtime at 1600000000.
struct dated_tree : sample_tree {
    dated_tree() { sh("touch -h -d @1600000000 hello.txt hard link sub/data.bin sub/empty"); }
};

} // namespace

TEST_CASE("GNU tar archives in gnu, posix, ustar and v7 formats read back") {
    dated_tree t;
    for (std::string fmt : {"gnu", "posix", "ustar", "v7"}) {
        INFO(fmt);
        auto archive = t.out(fmt + ".tar");
        t.sh("tar --format=" + fmt + " -cf " + sh_quote(archive.string()) + " hello.txt sub link");
        check_archive(t, archive);
        auto r = ca::reader::open(archive);
        REQUIRE(r.next().has_value());
        CHECK_FALSE(r.format_name().empty());
    }
}

TEST_CASE("python tarfile archives (pax and gnu) read back") {
    dated_tree t;
    for (std::string fmt : {"PAX_FORMAT", "GNU_FORMAT", "USTAR_FORMAT"}) {
        INFO(fmt);
        auto archive = t.out(fmt + ".tar");
        t.sh("python3 -c " +
             sh_quote("import tarfile,sys\nwith tarfile.open(sys.argv[1],'w',format=tarfile." + fmt +
                      ") as t:\n for n in ['hello.txt','sub','link']: t.add(n)") +
             " " + sh_quote(archive.string()));
        check_archive(t, archive);
    }
}

TEST_CASE("zip archives from zip and python zipfile read back") {
    dated_tree t;
    auto archive = t.out("a.zip");
    t.sh("zip -qry " + sh_quote(archive.string()) + " hello.txt sub link");
    check_archive(t, archive);
    auto py = t.out("py.zip");
    t.sh("python3 -c " +
         sh_quote("import zipfile,sys\nwith zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED) as z:\n"
                  " for n in ['hello.txt','sub/data.bin','sub/empty']: z.write(n)") +
         " " + sh_quote(py.string()));
    check_archive(t, py, false);
}

TEST_CASE("7z archives read back") {
    if (!cbound_test::have_tool("7z")) {
        WARN("skipped: no 7z");
        return;
    }
    dated_tree t;
    auto archive = t.out("a.7z");
    t.sh("7z a -bd -snl " + sh_quote(archive.string()) + " hello.txt sub link >/dev/null");
    check_archive(t, archive);
}

TEST_CASE("cpio archives in newc and odc formats read back") {
    dated_tree t;
    for (std::string fmt : {"newc", "odc"}) {
        INFO(fmt);
        auto archive = t.out(fmt + ".cpio");
        t.sh("printf 'hello.txt\\nsub\\nsub/data.bin\\nsub/empty\\nlink\\n' | cpio --quiet -o -H " + fmt + " > " +
             sh_quote(archive.string()));
        check_archive(t, archive);
    }
}

TEST_CASE("archives written by libarchive itself (pax, zip, 7zip, cpio, iso9660, ar, xar) read back") {
    dated_tree t;
    for (std::string fmt : {"pax", "zip", "7zip", "newc", "iso9660"}) {
        INFO(fmt);
        auto archive = t.out("la." + fmt);
        t.sh("bsdtar --format=" + fmt + " -cf " + sh_quote(archive.string()) + " hello.txt sub link");
        auto r = ca::reader::open(archive);
        std::map<std::string, std::string> data;
        for (ca::entry_view e : r)
            if (e.type() == ca::entry_type::regular) data[std::string(e.pathname())] = content(e);
        CHECK(data["hello.txt"] == t.files["hello.txt"]);
        CHECK(data["sub/data.bin"] == t.files["sub/data.bin"]);
    }
}

TEST_CASE("hard links report entry_type::hardlink and name their target") {
    dated_tree t;
    auto archive = t.out("h.tar");
    t.sh("bsdtar -cf " + sh_quote(archive.string()) + " hello.txt hard");
    auto r = ca::reader::open(archive);
    auto first = r.next();
    REQUIRE(first);
    CHECK(first->type() == ca::entry_type::regular);
    CHECK_FALSE(first->hardlink());
    auto second = r.next();
    REQUIRE(second);
    CHECK(second->pathname() == "hard");
    CHECK(second->type() == ca::entry_type::hardlink);
    CHECK(second->hardlink() == "hello.txt");
    CHECK_FALSE(r.next());
}

TEST_CASE("a newc cpio hard link carries the data on its last link") {
    dated_tree t;
    auto archive = t.out("h.cpio");
    t.sh("printf 'hello.txt\\nhard\\n' | cpio --quiet -o -H newc > " + sh_quote(archive.string()));
    auto r = ca::reader::open(archive);
    auto first = r.next();
    REQUIRE(first);
    CHECK(first->pathname() == "hello.txt");
    CHECK(content(*first).empty());
    auto second = r.next();
    REQUIRE(second);
    CHECK(second->pathname() == "hard");
    CHECK(second->type() == ca::entry_type::hardlink);
    CHECK(second->hardlink() == "hello.txt");
    CHECK(content(*second) == t.files["hello.txt"]);
}

TEST_CASE("empty owner names are no names, not empty values") {
    dated_tree t;
    for (char const* format : {"USTAR_FORMAT", "PAX_FORMAT", "GNU_FORMAT"}) {
        auto archive = t.out(std::string(format) + ".tar");
        t.sh("python3 -c " +
             sh_quote(
                 "import tarfile,io,sys\nwith tarfile.open(sys.argv[1],'w',format=getattr(tarfile,sys.argv[2])) as t:\n"
                 " i=tarfile.TarInfo('a'); i.uname=''; i.gname=''; t.addfile(i,io.BytesIO(b''))") +
             " " + sh_quote(archive.string()) + " " + format);
        auto r = ca::reader::open(archive);
        auto e = r.next();
        REQUIRE(e);
        CHECK(e->uname() == std::nullopt);
        CHECK(e->gname() == std::nullopt);
    }
}

TEST_CASE("nlink reports the link count a cpio header records") {
    dated_tree t;
    auto archive = t.out("links.cpio");
    t.sh("ln hello.txt twin.txt && bsdtar --format=newc -cf " + sh_quote(archive.string()) + " hello.txt");
    auto r = ca::reader::open(archive);
    auto file = r.next();
    REQUIRE(file);
    CHECK(file->nlink() == fs::hard_link_count(t.root / "hello.txt")); // 2 or more (the tree has its own)
    CHECK(file->nlink() >= 2);
    auto tar = t.out("links.tar");
    t.sh("bsdtar --format=ustar -cf " + sh_quote(tar.string()) + " hello.txt");
    auto rt = ca::reader::open(tar);
    auto plain = rt.next();
    REQUIRE(plain);
    CHECK(plain->nlink() == 0); // tar headers record no link count
}

TEST_CASE("mode_string prints the mode column as bsdtar -tv does") {
    sample_tree t;
    t.sh("mkfifo pipe && mkdir sticky open && chmod 1777 sticky && chmod 1776 open && touch suid sgid && "
         "chmod 4755 suid && chmod 2640 sgid && chmod 0604 hello.txt");
    auto archive = t.out("modes.tar");
    std::string const names = " hello.txt sub link pipe sticky open suid sgid";
    t.sh("bsdtar -cf " + sh_quote(archive.string()) + names);
    auto listing = cbound_test::run("bsdtar -tvf " + sh_quote(archive.string()));
    REQUIRE(listing.exit_code == 0);
    std::istringstream lines(listing.output);
    auto r = ca::reader::open(archive);
    int entries = 0;
    for (ca::entry_view e : r) {
        std::string line;
        REQUIRE(std::getline(lines, line));
        CHECK(ca::mode_string(ca::entry_type_from_mode(e.mode()), e.mode()) == line.substr(0, 10));
        ++entries;
    }
    CHECK(entries >= 8);
    CHECK(ca::mode_string(ca::entry_type::hardlink, 0644) == "hrw-r--r--");
}

TEST_CASE("metadata accessors report what the header holds") {
    dated_tree t;
    auto archive = t.out("m.tar");
    t.sh("chmod 0640 hello.txt && bsdtar --format=pax --uid 1234 --gid 567 --uname alice --gname staff -cf " +
         sh_quote(archive.string()) + " hello.txt sub");
    auto r = ca::reader::open(archive);
    auto e = r.next();
    REQUIRE(e);
    CHECK(e->perms() == 0640);
    CHECK((e->mode() & 0170000) == 0100000);
    CHECK(e->uid() == 1234);
    CHECK(e->gid() == 567);
    CHECK(e->uname() == "alice");
    CHECK(e->gname() == "staff");
    CHECK(e->symlink() == std::nullopt);
    CHECK_FALSE(e->is_data_encrypted());
    CHECK_FALSE(e->is_metadata_encrypted());
    CHECK(e->sparse_map().empty());
    CHECK(e->native_handle() != nullptr);
    auto dir = r.next();
    REQUIRE(dir);
    CHECK(dir->type() == ca::entry_type::directory);
}

TEST_CASE("an unset size is nullopt, not zero") {
    // A zip written to a pipe cannot seek back: sizes follow the data, none is in the header.
    sample_tree t;
    auto archive = t.out("s.zip");
    t.sh("cat hello.txt | zip -q - - | cat > " + sh_quote(archive.string()));
    std::string const bytes = cbound_test::read_file(archive);
    bool done = false;
    ca::read_source stream; // no seek: libarchive must use the streaming zip reader
    stream.read = [&]() -> std::span<std::byte const> {
        if (std::exchange(done, true)) return {};
        return {reinterpret_cast<std::byte const*>(bytes.data()), bytes.size()};
    };
    auto r = ca::reader::open_callbacks(stream);
    auto e = r.next();
    REQUIRE(e);
    CHECK_FALSE(e->size().has_value());
    CHECK(content(*e) == t.files["hello.txt"]);
}
