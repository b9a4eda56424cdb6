// Names that are not UTF-8 (a pathname, link target or owner with a stray byte such as 0xFF):
// every writer format takes them without crashing. libarchive's _utf8 setters kept only a UTF-8
// form that zip, 7z, mtree and shar could not convert, and they dereferenced the NULL name.
// cbound stores such a name as its bytes, as the tree walk and bsdtar do.
#include "writer_fixture.hpp"

#include <algorithm>
#include <optional>

using namespace writer_test;

namespace {

constexpr ar::format every_format[] = {
    ar::format::pax,      ar::format::ustar,     ar::format::gnutar,   ar::format::v7tar,   ar::format::zip,
    ar::format::sevenzip, ar::format::cpio_newc, ar::format::cpio_odc, ar::format::iso9660, ar::format::ar_bsd,
    ar::format::ar_svr4,  ar::format::warc,      ar::format::xar,      ar::format::mtree,   ar::format::shar,
};

// Formats that store names as bytes: the bytes read back as they went in.
constexpr ar::format byte_formats[] = {
    ar::format::pax,       ar::format::ustar,    ar::format::gnutar,  ar::format::v7tar,
    ar::format::cpio_newc, ar::format::cpio_odc, ar::format::iso9660, ar::format::mtree,
};

std::string const bad_name = "bad\xff";
std::string const bad_target = "t\xff";
std::string const data = "hi\n";

std::string name_of(ar::format f) { return std::string(ar::to_string(f)); }

std::string canonical(std::string name) {
    if (name.starts_with("./")) name.erase(0, 2);
    return name;
}

// What a format makes of the names: each add either stores the entry or throws a clear error.
struct outcome {
    std::vector<std::byte> archive;
    std::vector<std::string> errors; // what() of each refused call
    std::vector<ar::warning> warnings;
};

outcome write_bad_names(ar::format f) {
    outcome o;
    ar::writer w = ar::writer::open_memory(o.archive, f);
    auto attempt = [&](auto&& call) {
        std::string const e = error_of(call);
        if (e != "<no error>") o.errors.push_back(e);
    };
    attempt([&] { w.add({.pathname = bad_name}, bytes_of(data)); });
    attempt([&] { w.add({.pathname = "lnk", .type = ar::entry_type::symlink, .symlink = bad_target}); });
    attempt([&] { w.add({.pathname = "owned", .uname = "u\xff", .gname = "g\xfe"}, bytes_of(data)); });
    attempt([&] { w.add({.pathname = "hard", .type = ar::entry_type::hardlink, .hardlink = bad_name}); });
    o.warnings.assign(w.warnings().begin(), w.warnings().end());
    attempt([&] { w.close(); });
    return o;
}

} // namespace

TEST_CASE("a name that is not UTF-8 never crashes a writer: it is stored or refused with a clear error") {
    for (ar::format f : every_format) {
        CAPTURE(name_of(f));
        outcome const o = write_bad_names(f);
        for (std::string const& e : o.errors) {
            CAPTURE(e);
            CHECK(!e.empty()); // an ar::error with its message, never a signal
        }
        CHECK(o.errors.size() <= 1); // warc refuses symlinks, xar an owner it cannot convert
    }
}

TEST_CASE("a name that is not UTF-8 reads back as its bytes from formats that store bytes") {
    for (ar::format f : byte_formats) {
        CAPTURE(name_of(f));
        outcome const o = write_bad_names(f);
        REQUIRE(o.errors.empty());
        std::optional<std::string> file_data, target;
        ar::reader r = ar::reader::open_memory(o.archive);
        for (ar::entry_view e : r) {
            std::string const name = canonical(std::string(e.pathname()));
            if (name == bad_name) file_data = text_of(e.read_all(1 << 20));
            if (name == "lnk") target = std::string(e.symlink().value_or(""));
        }
        REQUIRE(file_data);
        if (f != ar::format::mtree) CHECK(file_data == data); // mtree describes files without their data
        CHECK(target == bad_target);
    }
}

TEST_CASE("pax records a name it cannot carry as UTF-8 raw, with a warning naming the entry") {
    outcome const o = write_bad_names(ar::format::pax);
    REQUIRE(o.errors.empty());
    CHECK(std::any_of(o.warnings.begin(), o.warnings.end(), [](ar::warning const& w) {
        return w.pathname == bad_name && w.message.find("pathname") != std::string::npos;
    }));
    CHECK(std::any_of(o.warnings.begin(), o.warnings.end(), [](ar::warning const& w) {
        return w.pathname == "lnk" && w.message.find("linkname") != std::string::npos;
    }));
}

TEST_CASE("bsdtar lists and extracts the bytes of a name that is not UTF-8") {
    if (!have_tool("bsdtar")) {
        WARN("skipped: no bsdtar");
        return;
    }
    scratch_dir dir("w-names");
    for (ar::format f : {ar::format::pax, ar::format::ustar, ar::format::gnutar, ar::format::cpio_newc}) {
        CAPTURE(name_of(f));
        std::string const path = (dir / ("a." + name_of(f))).string();
        {
            ar::writer w = ar::writer::open(path, f);
            w.add({.pathname = bad_name}, bytes_of(data));
            w.add({.pathname = "lnk", .type = ar::entry_type::symlink, .symlink = bad_target});
            w.close();
        }
        CHECK(run("bsdtar -tf " + sh_quote(path)).output == "bad\\377\nlnk\n"); // bsdtar escapes the byte
        CHECK(run("bsdtar -xOf " + sh_quote(path) + " " + sh_quote(bad_name)).output == data);
        CHECK(run("bsdtar -tvf " + sh_quote(path) + " lnk").output.ends_with("lnk -> t\\377\n"));
    }
}

// As bsdtar does under a UTF-8 locale: the bytes go in as they are. unzip lists and extracts them;
// readers that insist on UTF-8 (bsdtar, python) cannot name the entry, as with bsdtar's own zip.
TEST_CASE("zip stores the bytes of a name that is not UTF-8 instead of crashing") {
    outcome const o = write_bad_names(ar::format::zip);
    REQUIRE(o.errors.empty());
    std::string const bytes = text_of(o.archive);
    CHECK(bytes.find(bad_name) != std::string::npos);
    CHECK(bytes.find(bad_target) != std::string::npos);
    if (!have_tool("unzip")) {
        WARN("skipped: no unzip");
        return;
    }
    scratch_dir dir("w-names-zip");
    cbound_test::write_file(dir / "a.zip", bytes);
    std::string const path = (dir / "a.zip").string();
    CHECK(run("unzip -Z1 " + sh_quote(path)).output == bad_name + "\nlnk\nowned\nhard\n");
    CHECK(run("unzip -p " + sh_quote(path) + " " + sh_quote(bad_name)).output == data);
}

TEST_CASE("7z, xar, mtree and shar take a link target that is not UTF-8") {
    for (ar::format f : {ar::format::sevenzip, ar::format::xar, ar::format::mtree, ar::format::shar}) {
        CAPTURE(name_of(f));
        std::vector<std::byte> out;
        ar::writer w = ar::writer::open_memory(out, f);
        w.add({.pathname = bad_name}, bytes_of(data));
        w.add({.pathname = "lnk", .type = ar::entry_type::symlink, .symlink = bad_target});
        w.close();
        if (f == ar::format::shar) continue; // libarchive cannot read shar back
        listing const got = read_back(out);
        REQUIRE(got.size() == 2);
        CHECK(canonical(got[0].first).starts_with("bad")); // 7z and xar hold UTF-16/UTF-8: the byte becomes U+FFFD
        if (f != ar::format::mtree) CHECK(got[0].second == data);
    }
}

TEST_CASE("entry::set_pathname and add(entry) take a name that is not UTF-8") {
    ar::entry e;
    e.set_pathname(bad_name);
    e.set_type(ar::entry_type::regular);
    for (ar::format f : {ar::format::zip, ar::format::shar, ar::format::pax}) {
        CAPTURE(name_of(f));
        std::vector<std::byte> out;
        ar::writer w = ar::writer::open_memory(out, f);
        w.add(e, bytes_of(data));
        w.close();
        CHECK(text_of(out).find(bad_name) != std::string::npos);
    }
}

TEST_CASE("is_utf8 on a C string checks only from the first byte past ASCII") {
    using ar::detail::is_utf8;
    char const* const ascii = "plain/name.txt";
    CHECK(is_utf8(ascii));
    CHECK(is_utf8("caf\xc3\xa9"));
    CHECK_FALSE(is_utf8("bad\xff"));
    CHECK_FALSE(is_utf8("cut\xc3"));
}

TEST_CASE("add_tree stores a second name of a file whose first name is not UTF-8 as a hard link to its bytes") {
    scratch_dir dir("w-names-tree");
    cbound_test::write_file(dir / "src" / bad_name, data);
    fs::create_hard_link(dir / "src" / bad_name, dir / "src" / "later");
    for (ar::format f : {ar::format::pax, ar::format::ustar, ar::format::gnutar}) {
        CAPTURE(name_of(f));
        std::vector<std::byte> const out = tree_archive(dir / "src", {.prefix = ""}, f);
        std::optional<std::string> link;
        ar::reader r = ar::reader::open_memory(out);
        for (ar::entry_view e : r)
            if (e.pathname() == "later") link = std::string(e.hardlink().value_or(""));
        CHECK(link == bad_name);
    }
}
