// Names come out as UTF-8 although this program never calls setlocale (its locale is "C").
// Built as its own executable so that nothing else in the process touches the locale.
#include "reader_fixture.hpp"

#include <cbound/archive/detail/locale.hpp>
#include <cbound/archive/detail/read_names.hpp>

#include <langinfo.h>
#include <locale.h>

namespace ca = cbound::archive;
using namespace reader_test;

namespace {

constexpr std::string_view utf8_name = "h\xc3\xa9llo-\xe6\x97\xa5\xe6\x9c\xac.txt"; // héllo-日本.txt

/// Writes an archive with python: three ASCII entries, then the UTF-8 name (so libarchive
/// meets its first non-ASCII name only after a few headers).
fs::path make(sample_tree const& t, std::string const& kind) {
    auto out = t.out("u." + kind);
    std::string script = kind == "tar"
                             ? "import tarfile,io,sys\n"
                               "with tarfile.open(sys.argv[1],'w',format=tarfile.PAX_FORMAT,encoding='utf-8') as t:\n"
                               " for n in ['a','b','c',sys.argv[2]]:\n"
                               "  i=tarfile.TarInfo(n); d=n.encode(); i.size=len(d); t.addfile(i, io.BytesIO(d))\n"
                             : "import zipfile,sys\n"
                               "with zipfile.ZipFile(sys.argv[1],'w') as z:\n"
                               " for n in ['a','b','c',sys.argv[2]]: z.writestr(n, n.encode())\n";
    auto r = run("LC_ALL=C.UTF-8 PYTHONIOENCODING=utf-8 python3 -c " + sh_quote(script) + " " + sh_quote(out.string()) +
                 " " + sh_quote(utf8_name));
    REQUIRE(r.exit_code == 0);
    return out;
}

/// The last entry's name and content, checking that no warning was raised on the way.
void check_names(fs::path const& archive) {
    auto r = ca::reader::open(archive);
    std::vector<std::string> names;
    std::string last_content;
    for (ca::entry_view e : r) {
        names.emplace_back(e.pathname());
        last_content = content(e);
    }
    REQUIRE(names.size() == 4);
    CHECK(names.back() == utf8_name);
    CHECK(last_content == utf8_name);
    CHECK(r.warnings().empty());
}

} // namespace

TEST_CASE("this test binary runs in the C locale") { CHECK(std::string_view(nl_langinfo(CODESET)) != "UTF-8"); }

TEST_CASE("a pax UTF-8 name reads as UTF-8 without setlocale") {
    sample_tree t;
    check_names(make(t, "tar"));
}

TEST_CASE("a zip name with the UTF-8 flag reads as UTF-8 without setlocale") {
    sample_tree t;
    check_names(make(t, "zip"));
}

TEST_CASE("a 7z (UTF-16) name reads as UTF-8 without setlocale") {
    sample_tree t;
    auto tar = make(t, "tar");
    auto sz = t.out("u.7z");
    t.sh("LC_ALL=C.UTF-8 bsdtar --format=7zip -cf " + sh_quote(sz.string()) + " @" + sh_quote(tar.string()));
    check_names(sz);
}

TEST_CASE("a reader leaves the thread's locale as it found it, and reads UTF-8 under a UTF-8 thread locale too") {
    sample_tree t;
    auto tar = make(t, "tar");
    locale_t const before = ::uselocale(static_cast<locale_t>(nullptr));
    check_names(tar);
    CHECK(::uselocale(static_cast<locale_t>(nullptr)) == before);
    // Already UTF-8 at open: the reader skips its per-header switch and must still be right.
    locale_t const previous = ::uselocale(ca::detail::utf8_locale());
    check_names(tar);
    ::uselocale(previous);
}

// --- zip names without the UTF-8 flag, and tar names with no charset at all ---------------

namespace {

constexpr std::string_view cafe_utf8 = "caf\xc3\xa9.txt"; // café.txt
constexpr std::string_view cafe_cp437 = "caf\x82.txt";    // café.txt in CP437

/// A zip with the file `name` and a symlink `lnk` to `name`, both written as the raw bytes of
/// `encoding` with flag bit 11 clear (python would otherwise store UTF-8 and set the flag);
/// `unicode_path` adds the Info-ZIP Unicode Path extra field (0x7075) holding the UTF-8 name.
fs::path make_unflagged_zip(sample_tree const& t, std::string const& encoding, bool unicode_path = false) {
    auto out = t.out(encoding + (unicode_path ? "-upath" : "") + ".zip");
    std::string const script = "import zipfile,struct,zlib,sys\n"
                               "enc=sys.argv[2]\n"
                               "zipfile.ZipInfo._encodeFilenameFlags=lambda self:"
                               "(self.filename.encode(enc),self.flag_bits & ~0x800)\n"
                               "name='caf\\u00e9.txt'\n"
                               "with zipfile.ZipFile(sys.argv[1],'w') as z:\n"
                               " i=zipfile.ZipInfo(name)\n"
                               " if sys.argv[3]=='1':\n"
                               "  u=name.encode(); i.extra=struct.pack('<HHBI',0x7075,5+len(u),1,"
                               "zlib.crc32(name.encode(enc)))+u\n"
                               " z.writestr(i,b'name\\n')\n"
                               " l=zipfile.ZipInfo('lnk'); l.create_system=3; l.external_attr=0o120777<<16\n"
                               " z.writestr(l,name.encode(enc))\n";
    auto r = run("python3 -c " + sh_quote(script) + " " + sh_quote(out.string()) + " " + encoding + " " +
                 (unicode_path ? "1" : "0"));
    REQUIRE(r.exit_code == 0);
    return out;
}

struct names {
    std::string file;
    std::string link_target;
};

/// The file's name and the symlink's target, with the file's content checked on the way.
names read_names(fs::path const& archive, ca::reader_options const& options = {}) {
    auto r = ca::reader::open(archive, options);
    names out;
    for (ca::entry_view e : r) {
        if (e.type() == ca::entry_type::symlink) {
            REQUIRE(e.symlink());
            out.link_target = std::string(*e.symlink());
        } else {
            out.file = std::string(e.pathname());
            CHECK(content(e) == "name\n");
        }
    }
    CHECK(r.warnings().empty());
    return out;
}

} // namespace

TEST_CASE("a zip name without the UTF-8 flag that is not UTF-8 is CP437: it reads as UTF-8") {
    sample_tree t;
    auto const n = read_names(make_unflagged_zip(t, "cp437"));
    CHECK(n.file == cafe_utf8);
    CHECK(n.link_target == cafe_utf8);
}

TEST_CASE("a raw UTF-8 zip name without the flag (Linux tools) stays as it is") {
    sample_tree t;
    auto const n = read_names(make_unflagged_zip(t, "utf-8"));
    CHECK(n.file == cafe_utf8);
    CHECK(n.link_target == cafe_utf8);
}

TEST_CASE("a CP437 zip name with an Info-ZIP Unicode Path field reads as that UTF-8 name") {
    sample_tree t;
    CHECK(read_names(make_unflagged_zip(t, "cp437", true)).file == cafe_utf8);
}

TEST_CASE("decode_cp437_zip_names = false gives a CP437 zip name's raw bytes") {
    sample_tree t;
    auto const n = read_names(make_unflagged_zip(t, "cp437"), {.decode_cp437_zip_names = false});
    CHECK(n.file == cafe_cp437);
    CHECK(n.link_target == cafe_cp437);
    // Valid UTF-8 was never touched, so opting out changes nothing for it.
    CHECK(read_names(make_unflagged_zip(t, "utf-8"), {.decode_cp437_zip_names = false}).file == cafe_utf8);
}

TEST_CASE("zip:hdrcharset=CP437 reads CP437 names as UTF-8 without setlocale") {
    sample_tree t;
    // The option's converter is made under UTF-8 too: before, it targeted the C locale and
    // every non-ASCII name failed to convert (an empty pathname and a warning).
    for (bool decode : {true, false}) {
        auto const n = read_names(make_unflagged_zip(t, "cp437"),
                                  {.options = "zip:hdrcharset=CP437", .decode_cp437_zip_names = decode});
        CHECK(n.file == cafe_utf8);
        CHECK(n.link_target == cafe_utf8);
    }
}

TEST_CASE("a latin-1 GNU tar name comes out as its raw bytes (tar records no charset)") {
    sample_tree t;
    auto out = t.out("latin1.tar");
    std::string const script =
        "import tarfile,io,sys\n"
        "with tarfile.open(sys.argv[1],'w',format=tarfile.GNU_FORMAT,encoding='latin-1') as t:\n"
        " i=tarfile.TarInfo('caf\\u00e9.txt'); i.size=5; t.addfile(i,io.BytesIO(b'name\\n'))\n"
        " l=tarfile.TarInfo('lnk'); l.type=tarfile.SYMTYPE; l.linkname='caf\\u00e9.txt'; t.addfile(l)\n"
        " h=tarfile.TarInfo('hard'); h.type=tarfile.LNKTYPE; h.linkname='caf\\u00e9.txt'; t.addfile(h)\n";
    REQUIRE(run("python3 -c " + sh_quote(script) + " " + sh_quote(out.string())).exit_code == 0);
    auto r = ca::reader::open(out);
    std::vector<std::string> seen;
    for (ca::entry_view e : r) {
        seen.emplace_back(e.pathname());
        if (e.symlink()) seen.emplace_back(*e.symlink());
        if (e.hardlink()) seen.emplace_back(*e.hardlink());
    }
    // Guessing a charset for tar would be wrong as often as right: the bytes are kept, and
    // the CP437 rule, which is zip's, is not applied to them.
    CHECK(seen == std::vector<std::string>{"caf\xe9.txt", "lnk", "caf\xe9.txt", "hard", "caf\xe9.txt"});
    CHECK(r.warnings().empty());
}

TEST_CASE("the CP437 table matches python's cp437 codec for all 128 high bytes") {
    std::string high;
    for (int c = 0x80; c <= 0xFF; ++c)
        high += static_cast<char>(c);
    auto r = run("python3 -c \"import sys; sys.stdout.buffer.write(bytes(range(128,256)).decode('cp437').encode())\"");
    REQUIRE(r.exit_code == 0);
    CHECK(ca::detail::cp437_to_utf8(high) == r.output);
    CHECK(ca::detail::is_utf8(r.output));
    CHECK(ca::detail::cp437_to_utf8("plain/ascii.txt") == "plain/ascii.txt");
}

TEST_CASE("is_utf8 rejects what is not well-formed UTF-8") {
    using ca::detail::is_utf8;
    CHECK(is_utf8(""));
    CHECK(is_utf8("h\xc3\xa9llo-\xe6\x97\xa5\xf0\x9f\x98\x80"));
    CHECK(!is_utf8("caf\x82.txt"));      // a lone continuation byte
    CHECK(!is_utf8("caf\xc3"));          // cut short
    CHECK(!is_utf8("\xc0\xaf"));         // overlong '/'
    CHECK(!is_utf8("\xe0\x80\xaf"));     // overlong '/' in three bytes
    CHECK(!is_utf8("\xed\xa0\x80"));     // a UTF-16 surrogate
    CHECK(!is_utf8("\xf4\x90\x80\x80")); // past U+10FFFF
    CHECK(!is_utf8("\xc3("));            // a lead byte without its continuation
}

TEST_CASE("an LHA archive's UTF-16 names come out as UTF-8, not empty, in the C locale") {
    // No LHA archiver is packaged (lhasa only extracts), so python writes the bytes: level-2
    // headers (24 fixed bytes, then extended headers: 0x00 the header's CRC-16, 0x44 the name
    // in UTF-16LE, a zero size to end), stored data (-lh0-) with its CRC-16, a zero byte to end.
    sample_tree t;
    auto archive = t.out("u.lzh");
    t.sh("python3 -c " +
         sh_quote("import struct,sys\n"
                  "def crc16(data, crc=0):\n"
                  " for b in data:\n"
                  "  crc ^= b\n"
                  "  for _ in range(8): crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1\n"
                  " return crc\n"
                  "def entry(name, data):\n"
                  " n = name.encode('utf-16-le')\n"
                  " ext = struct.pack('<HBH',5,0,0) + struct.pack('<HB',3+len(n),0x44) + n + struct.pack('<H',0)\n"
                  " h = bytearray(struct.pack('<H5sIIIBBHB', 24+len(ext), b'-lh0-', len(data), len(data),\n"
                  "               1700000000, 0x20, 2, crc16(data), ord('U')) + ext)\n"
                  " h[27:29] = struct.pack('<H', crc16(h))\n"
                  " return bytes(h) + data\n"
                  "open(sys.argv[1],'wb').write(entry(sys.argv[2], b'hello') + entry('plain.txt', b'x') + b'\\0')") +
         " " + sh_quote(archive.string()) + " " + sh_quote(utf8_name));
    REQUIRE(std::string_view(::nl_langinfo(CODESET)) != "UTF-8"); // the case that lost the names
    auto r = ca::reader::open(archive);
    auto e = r.next();
    REQUIRE(e);
    CHECK(e->pathname() == utf8_name);
    CHECK(content(*e) == "hello");
    e = r.next();
    REQUIRE(e);
    CHECK(e->pathname() == "plain.txt");
    CHECK_FALSE(r.next());
}
