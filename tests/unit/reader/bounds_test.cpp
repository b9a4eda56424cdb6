// What the reader bounds by default: external programs, decoder memory, name bytes.
#include "reader_fixture.hpp"

#include <cbound/posix.hpp>

#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

namespace ca = cbound::archive;
using namespace reader_test;

namespace {

/// Puts `dir` first on PATH for the lifetime of the object.
class path_prefix {
public:
    explicit path_prefix(fs::path const& dir) : old_(std::getenv("PATH") != nullptr ? std::getenv("PATH") : "") {
        ::setenv("PATH", (dir.string() + ":" + old_).c_str(), 1);
    }
    path_prefix(path_prefix const&) = delete;
    path_prefix& operator=(path_prefix const&) = delete;
    ~path_prefix() { ::setenv("PATH", old_.c_str(), 1); }

private:
    std::string old_;
};

/// Reads every entry and its data.
void drain(ca::reader& r) {
    for (ca::entry_view e : r)
        for (ca::block b : e.blocks())
            static_cast<void>(b);
}

} // namespace

TEST_CASE("lrzip, lzop and grzip magic never run a program from PATH unless allowed") {
    sample_tree t;
    fs::path const bin = t.out("bin");
    fs::create_directories(bin);
    fs::path const marker = t.out("ran");
    // Each fake program leaves a marker: proof that attacker bytes chose a program to run.
    for (std::string name : {"lrzip", "lzop", "grzip"}) {
        cbound_test::write_file(bin / name, "#!/bin/sh\necho \"$0\" >> " + sh_quote(marker.string()) +
                                                "\ncat >/dev/null\nexit 1\n");
        fs::permissions(bin / name, fs::perms::owner_all);
    }
    path_prefix const on_path(bin);
    std::vector<std::pair<std::string, std::string>> magics = {
        {"lrzip", std::string("LRZI\0\x06", 6) + std::string(18, '\0')},
        {"lzop", std::string("\x89LZO\0\r\n\x1a\n\x10\x30\x20\xa0\x09\x40\x01\x05\x03\0\0\x01\0\0\x81\xa4", 25)},
        {"grzip", std::string("GRZipII\0\x02\x04:)", 12) + std::string(20, '\0')},
    };
    for (auto const& [name, magic] : magics) {
        INFO(name);
        auto bytes = cbound_test::to_bytes(magic + std::string(1024, '\0'));
        fs::remove(marker);
        REQUIRE_THROWS_WITH(ca::reader::open_memory(bytes), Catch::Contains("allow_external_programs"));
        CHECK_FALSE(fs::exists(marker));
        // Naming the filter without the permission is refused at once.
        ca::reader_options named;
        named.filters = {ca::filter::none, name == "lrzip"  ? ca::filter::lrzip
                                           : name == "lzop" ? ca::filter::lzop
                                                            : ca::filter::grzip};
        REQUIRE_THROWS_WITH(ca::reader::open_memory(bytes, named), Catch::Contains("runs an external program"));
        CHECK_FALSE(fs::exists(marker));
        // With the permission, libarchive does run it (so the test above can fail).
        ca::reader_options allowed;
        allowed.allow_external_programs = true;
        try {
            auto r = ca::reader::open_memory(bytes, allowed);
            drain(r);
        } catch (ca::error const&) { // the fake program fails: only that it ran matters
        }
        CHECK(fs::exists(marker));
    }
}

namespace {

/// The largest resident set of this process so far, in bytes.
std::int64_t max_rss() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<std::int64_t>(u.ru_maxrss) * 1024;
}

} // namespace

TEST_CASE("an xz or lzma header asking for a huge dictionary is refused before the decoder allocates it") {
    sample_tree t;
    t.sh("tar -cf plain.tar hello.txt sub");
    // xz with a 4 KiB dictionary, then its first block header patched to ask for 1.5 GiB
    // (LZMA2 property 37), with the header's CRC32 fixed: liblzma would allocate it.
    auto big_xz = t.out("big.xz");
    t.sh("xz -c --lzma2=dict=4KiB plain.tar > " + sh_quote(big_xz.string()) + " && python3 -c " +
         sh_quote("import sys,zlib\n"
                  "b=bytearray(open(sys.argv[1],'rb').read()); assert b[14]==0x21 and b[15]==1\n"
                  "b[16]=37; b[20:24]=zlib.crc32(bytes(b[12:20])).to_bytes(4,'little')\n"
                  "open(sys.argv[1],'wb').write(b)") +
         " " + sh_quote(big_xz.string()));
    // lzma "alone" with a 4 KiB dictionary, its header patched to ask for 64 MiB.
    auto big_lzma = t.out("big.lzma");
    t.sh("xz -c --format=lzma --lzma1=dict=4KiB plain.tar > " + sh_quote(big_lzma.string()) + " && python3 -c " +
         sh_quote("import sys\n"
                  "b=bytearray(open(sys.argv[1],'rb').read()); b[1:5]=(64<<20).to_bytes(4,'little')\n"
                  "open(sys.argv[1],'wb').write(b)") +
         " " + sh_quote(big_lzma.string()));
    std::int64_t const rss_before = max_rss();
    ca::reader_options small;
    small.max_decoder_memory = 16 << 20;
    struct input {
        fs::path path;
        ca::reader_options options;
    };
    for (auto const& [path, options] : {input{big_xz, {}}, input{big_lzma, small}}) {
        INFO(path.filename().string());
        REQUIRE_THROWS_WITH(ca::reader::open(path, options), Catch::Contains("max_decoder_memory"));
        // Refused at open, so the error names the archive, as any other open error does.
        try {
            static_cast<void>(ca::reader::open(path, options));
        } catch (ca::error const& e) {
            CHECK(e.operation() == std::string_view("open"));
            CHECK(e.pathname() == path.string());
            CHECK(e.subject() == ca::path_subject::archive);
            CHECK(e.code() == ca::errc::limit_exceeded);
        }
        auto bytes = cbound_test::to_bytes(cbound_test::read_file(path));
        REQUIRE_THROWS_WITH(ca::reader::open_memory(bytes, options), Catch::Contains("max_decoder_memory"));
        // Through a callback that gives one byte at a time, and through a pipe.
        std::size_t at = 0;
        ca::read_source drip;
        drip.read = [&]() -> std::span<std::byte const> {
            return at < bytes.size() ? std::span<std::byte const>(&bytes[at++], 1) : std::span<std::byte const>();
        };
        REQUIRE_THROWS_WITH(ca::reader::open_callbacks(drip, options), Catch::Contains("max_decoder_memory"));
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        cbound::unique_fd reading(fds[0]);
        {
            cbound::unique_fd writing(fds[1]);
            REQUIRE(::write(writing.get(), bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
        }
        REQUIRE_THROWS_WITH(ca::reader::open_fd(reading.get(), options), Catch::Contains("max_decoder_memory"));
        // Through FILE*: a file, and memory with no descriptor behind it.
        for (std::FILE* f : {std::fopen(path.c_str(), "rb"), ::fmemopen(bytes.data(), bytes.size(), "rb")}) {
            REQUIRE(f != nullptr);
            CHECK_THROWS_WITH(ca::reader::open_file(f, options), Catch::Contains("max_decoder_memory"));
            std::fclose(f);
        }
    }
    CHECK(max_rss() - rss_before < (256 << 20));
    // The same bytes with a sufficient limit read as the tar they hold.
    ca::reader_options roomy;
    roomy.max_decoder_memory = 128 << 20;
    auto r = ca::reader::open(big_lzma, roomy);
    CHECK(pathnames(r).size() == 4);
}

TEST_CASE("an lzip header asking for more than max_decoder_memory is refused at open, naming the filter") {
    // libarchive decodes lzip itself with no memory bound: its header is the one place to check.
    sample_tree t;
    auto big_lzip = t.out("big.tar.lz");
    t.sh("bsdtar --lzip -cf " + sh_quote(big_lzip.string()) + " hello.txt sub");
    auto bytes = cbound_test::to_bytes(cbound_test::read_file(big_lzip));
    REQUIRE(bytes.size() > 6);
    // Byte 5 codes the dictionary: 0x1C is 2^28 = 256 MiB, the most the default limit allows.
    auto const dictionary = static_cast<unsigned>(bytes[5]);
    CHECK((dictionary & 0x1F) < 0x1C);
    ca::reader_options small;
    small.max_decoder_memory = std::uint64_t{1} << (dictionary & 0x1F); // just what the stream asks
    auto fits = ca::reader::open_memory(bytes, small);
    CHECK(pathnames(fits).size() == 4);
    small.max_decoder_memory -= 1;
    REQUIRE_THROWS_WITH(ca::reader::open_memory(bytes, small),
                        Catch::Contains("lzip") && Catch::Contains("max_decoder_memory"));
    bytes[5] = std::byte{0x1D}; // 512 MiB
    REQUIRE_THROWS_WITH(ca::reader::open_memory(bytes),
                        Catch::Contains("the lzip stream asks for a 512 MiB dictionary") &&
                            Catch::Contains("max_decoder_memory (256 MiB)"));
}

TEST_CASE("names longer than max_name_bytes, or more name bytes than max_total_name_bytes, are clear errors") {
    sample_tree t;
    auto archive = t.out("long.tar");
    t.sh("python3 -c " +
         sh_quote("import tarfile,io,sys\n"
                  "with tarfile.open(sys.argv[1],'w',format=tarfile.PAX_FORMAT) as t:\n"
                  " for n in ['a'*100, 'b'*100, 'c'*(100<<10)]:\n"
                  "  t.addfile(tarfile.TarInfo(n), io.BytesIO(b''))") +
         " " + sh_quote(archive.string()));
    {
        auto r = ca::reader::open(archive);
        CHECK(r.next());
        CHECK(r.next());
        REQUIRE_THROWS_WITH(r.next(), Catch::Contains("max_name_bytes") && Catch::Contains("102400"));
        REQUIRE_THROWS_AS(r.next(), ca::error); // the archive ends at the refused header
    }
    ca::reader_options total;
    total.max_total_name_bytes = 150;
    auto r = ca::reader::open(archive, total);
    CHECK(r.next());
    REQUIRE_THROWS_WITH(r.next(), Catch::Contains("max_total_name_bytes (150)"));
    ca::reader_options roomy;
    roomy.max_name_bytes = 1 << 20;
    auto ok = ca::reader::open(archive, roomy);
    CHECK(pathnames(ok).size() == 3);
}
