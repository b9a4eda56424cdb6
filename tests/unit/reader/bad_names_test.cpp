// Names that are not valid in the charset their archive declares: never an empty pathname.
// libarchive 3.6 gives a zip entry flagged UTF-8 (bit 11) whose name is not UTF-8 no name at
// all; the reader recovers the stored bytes (and so does a tarball, whose index reads headers
// through the reader's functions), and tar keeps the raw bytes of a pax name.
#include "reader_fixture.hpp"

#include <cbound/archive/extract.hpp>
#include <cbound/archive/tarball.hpp>
#include <cbound/posix.hpp>

#include <fcntl.h>
#include <unistd.h>

namespace ca = cbound::archive;
using namespace reader_test;

namespace {

/// A zip of "a.txt", "cafX.txt" and "ok.txt" (made by python's zipfile), whose middle name is
/// then patched to the Latin-1 bytes "caf\xe9.txt" with the UTF-8 flag set, in both the local
/// and the central header.
fs::path bad_utf8_zip(sample_tree const& t) {
    auto out = t.out("bad-utf8.zip");
    t.sh("python3 -c " +
         sh_quote("import zipfile,struct,sys\n"
                  "with zipfile.ZipFile(sys.argv[1],'w') as z:\n"
                  " for n in ['a.txt','cafX.txt','ok.txt']: z.writestr(n, n+' data')\n"
                  "b=bytearray(open(sys.argv[1],'rb').read())\n"
                  "def patch(sig,flags,name):\n"
                  " k=b.find(sig)\n"
                  " while k>=0:\n"
                  "  if b[k+name:k+name+8]==b'cafX.txt':\n"
                  "   b[k+name:k+name+8]=b'caf\\xe9.txt'\n"
                  "   struct.pack_into('<H',b,k+flags,struct.unpack_from('<H',b,k+flags)[0]|0x800)\n"
                  "  k=b.find(sig,k+1)\n"
                  "patch(b'PK\\x03\\x04',6,30); patch(b'PK\\x01\\x02',8,46)\n"
                  "assert b.count(b'caf\\xe9.txt')==2\n"
                  "open(sys.argv[1],'wb').write(b)") +
         " " + sh_quote(out.string()));
    return out;
}

/// Checks the three entries of bad_utf8_zip read through `r`, the middle one named `middle`,
/// and the warning on it whose message contains `says`.
void check_bad_zip(ca::reader& r, std::string const& middle, std::string const& says) {
    auto const entries = names_and_data(r);
    REQUIRE(entries.size() == 3);
    CHECK(entries[0] == std::pair<std::string, std::string>("a.txt", "a.txt data"));
    CHECK(entries[1] == std::pair<std::string, std::string>(middle, "cafX.txt data"));
    CHECK(entries[2] == std::pair<std::string, std::string>("ok.txt", "ok.txt data"));
    REQUIRE(r.warnings().size() == 1);
    CHECK(r.warnings()[0].pathname == middle);
    CHECK_THAT(r.warnings()[0].message, Catch::Contains(says));
}

std::string const cafe_cp437 = "caf\xce\x98.txt"; // CP437 0xE9 is U+0398
std::string const cafe_raw = "caf\xe9.txt";

} // namespace

TEST_CASE("a zip name flagged UTF-8 that is not UTF-8 reads as its stored bytes, with a warning, never empty") {
    sample_tree t;
    auto const zip = bad_utf8_zip(t);
    auto const bytes = cbound_test::to_bytes(cbound_test::read_file(zip));
    for (bool const cp437 : {true, false}) {
        INFO("decode_cp437_zip_names = " << cp437);
        ca::reader_options options;
        options.decode_cp437_zip_names = cp437;
        // Like any zip name that is not UTF-8: read as CP437, or its raw bytes when asked.
        std::string const middle = cp437 ? cafe_cp437 : cafe_raw;
        {
            auto r = ca::reader::open(zip, options); // seeking: the central directory's order
            check_bad_zip(r, middle, "flagged UTF-8");
        }
        {
            auto r = ca::reader::open_memory(bytes, options);
            check_bad_zip(r, middle, "flagged UTF-8");
        }
        {
            cbound::unique_fd fd(::open(zip.c_str(), O_RDONLY | O_CLOEXEC));
            REQUIRE(fd);
            auto r = ca::reader::open_fd(fd.get(), options);
            check_bad_zip(r, middle, "flagged UTF-8");
        }
    }
    // A source that cannot be read again (a pipe, a callback) gives a placeholder instead.
    std::size_t at = 0;
    ca::read_source once;
    once.read = [&]() -> std::span<std::byte const> {
        std::size_t const n = std::min<std::size_t>(4096, bytes.size() - at);
        at += n;
        return std::span<std::byte const>(bytes).subspan(at - n, n);
    };
    auto r = ca::reader::open_callbacks(once);
    check_bad_zip(r, "(zip entry 1 with a name not valid UTF-8)", "placeholder");
}

TEST_CASE("zip names flagged UTF-8 that are not go to their entries in local-header order, whatever the "
          "central directory's order") {
    // python's zipfile writes the central directory in the order of its filelist: reversed here,
    // so that the recovery must sort the records by their local header's offset.
    sample_tree t;
    auto const zip = t.out("reversed-directory.zip");
    t.sh("python3 -c " +
         sh_quote(
             "import zipfile,sys\n"
             "with zipfile.ZipFile(sys.argv[1],'w') as z:\n"
             " for n in ['X1.txt','a.txt','X2.txt','X3.txt']: z.writestr(n, n[:-4]+' data')\n"
             " z.filelist.reverse()\n"
             "b=open(sys.argv[1],'rb').read()\n"
             "for sig,flags in [(b'PK\\x03\\x04',6),(b'PK\\x01\\x02',8)]:\n"
             " k=b.find(sig)\n"
             " while k>=0:\n"
             "  f=int.from_bytes(b[k+flags:k+flags+2],'little')|0x800\n"
             "  b=b[:k+flags]+f.to_bytes(2,'little')+b[k+flags+2:]\n"
             "  k=b.find(sig,k+1)\n"
             "b=b.replace(b'X1.txt',b'\\xe91.txt').replace(b'X2.txt',b'\\xe92.txt').replace(b'X3.txt',b'\\xe93.txt')\n"
             "open(sys.argv[1],'wb').write(b)") +
         " " + sh_quote(zip.string()));
    auto const bytes = cbound_test::to_bytes(cbound_test::read_file(zip));
    ca::reader_options options;
    options.decode_cp437_zip_names = false;
    for (bool const from_memory : {false, true}) {
        INFO("from memory: " << from_memory);
        auto r = from_memory ? ca::reader::open_memory(bytes, options) : ca::reader::open(zip, options);
        auto const entries = names_and_data(r);
        REQUIRE(entries.size() == 4);
        CHECK(entries[0] == std::pair<std::string, std::string>("\xe9"
                                                                "1.txt",
                                                                "X1 data"));
        CHECK(entries[1] == std::pair<std::string, std::string>("a.txt", "a data"));
        CHECK(entries[2] == std::pair<std::string, std::string>("\xe9"
                                                                "2.txt",
                                                                "X2 data"));
        CHECK(entries[3] == std::pair<std::string, std::string>("\xe9"
                                                                "3.txt",
                                                                "X3 data"));
        CHECK(r.warnings().size() == 3);
    }
}

TEST_CASE("a tarball names a zip entry flagged UTF-8 that is not UTF-8 as the reader does, never empty") {
    sample_tree t;
    auto const zip = bad_utf8_zip(t);
    auto const bytes = cbound_test::to_bytes(cbound_test::read_file(zip));
    auto text = [](std::span<std::byte const> b) {
        return std::string(reinterpret_cast<char const*>(b.data()), b.size());
    };
    for (bool const cp437 : {true, false}) {
        INFO("decode_cp437_zip_names = " << cp437);
        ca::tarball_options options;
        options.read.decode_cp437_zip_names = cp437;
        std::string const middle = cp437 ? cafe_cp437 : cafe_raw;
        auto reader = ca::reader::open(zip, options.read);
        std::vector<std::string> const read_names = pathnames(reader);
        for (bool const from_memory : {false, true}) {
            INFO("from memory: " << from_memory);
            auto const tarball =
                from_memory ? ca::tarball::open_memory(bytes, options) : ca::tarball::open(zip, options);
            REQUIRE(tarball.size() == 3);
            std::vector<std::string> names;
            for (ca::tarball_entry const e : tarball)
                names.emplace_back(e.pathname());
            CHECK(names == read_names);
            CHECK(names == std::vector<std::string>{"a.txt", middle, "ok.txt"});
            CHECK(tarball.find(middle) == std::optional<std::size_t>(1));
            REQUIRE(tarball.file(middle));
            CHECK(text(*tarball.file(middle)) == "cafX.txt data");
            REQUIRE(tarball.warnings().size() == 1);
            CHECK(tarball.warnings()[0].pathname == middle);
            CHECK_THAT(tarball.warnings()[0].message, Catch::Contains("flagged UTF-8"));
        }
    }
}

TEST_CASE("extracting a zip name flagged UTF-8 that is not UTF-8 makes a named file inside the destination") {
    sample_tree t;
    auto const zip = bad_utf8_zip(t);
    auto const dest = t.out("dest");
    auto r = ca::reader::open(zip);
    auto const report = ca::extract(r, dest);
    CHECK(report.extracted == 3);
    CHECK(cbound_test::read_file(dest / cafe_cp437) == "cafX.txt data");
    std::size_t files = 0;
    for (auto const& e : fs::recursive_directory_iterator(dest)) {
        CHECK(e.path().filename() != "");
        ++files;
    }
    CHECK(files == 3);
}

TEST_CASE("a pax name that is not valid UTF-8 reads as its raw bytes, declared BINARY or not") {
    sample_tree t;
    auto const tar = t.out("bad-utf8.tar");
    // python writes a name it cannot encode as UTF-8 with hdrcharset=BINARY; the second
    // name is valid UTF-8 (caf\xc3\xa9) until patched to the same length of invalid bytes.
    t.sh("python3 -c " +
         sh_quote("import tarfile,io,sys\n"
                  "with tarfile.open(sys.argv[1],'w',format=tarfile.PAX_FORMAT,encoding='utf-8',"
                  "errors='surrogateescape') as t:\n"
                  " for n in ['bin\\udce9.txt','caf\\u00e9.txt']:\n"
                  "  i=tarfile.TarInfo(n); i.size=4; t.addfile(i, io.BytesIO(b'data'))\n"
                  "b=open(sys.argv[1],'rb').read()\n"
                  "assert b.count(b'path=caf\\xc3\\xa9.txt')==1\n"
                  "open(sys.argv[1],'wb').write(b.replace(b'path=caf\\xc3\\xa9.txt',b'path=caf\\xe9X.txt'))") +
         " " + sh_quote(tar.string()));
    auto r = ca::reader::open(tar);
    auto const entries = names_and_data(r);
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].first == "bin\xe9.txt");
    CHECK(entries[1].first == "caf\xe9X.txt");
    CHECK(entries[1].second == "data");
}
