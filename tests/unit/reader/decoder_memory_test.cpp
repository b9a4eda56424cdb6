// reader_options::max_decoder_memory holds for every xz block and stream, not just the first:
// cbound decodes xz and lzma itself beneath libarchive, and liblzma refuses a block before
// allocating its dictionary. What the reader reports (filters, bytes read) stays as libarchive's.
#include "reader_fixture.hpp"

#include <cbound/archive/extract.hpp>
#include <cbound/archive/tarball.hpp>
#include <cbound/posix.hpp>

#include <archive.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <thread>
#include <utility>

namespace ca = cbound::archive;
using namespace reader_test;

namespace {

/// The largest resident set of this process so far, in bytes.
std::int64_t max_rss() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<std::int64_t>(u.ru_maxrss) * 1024;
}

/// Patches block `block` (0-based, counted over all streams) of the xz file `path` to ask for
/// the LZMA2 dictionary of property byte `prop` (28: 64 MiB, 37: 1.5 GiB), fixing the header's
/// CRC32. Data coded with a smaller dictionary decodes the same under a larger one, so the
/// file stays valid: only the memory it asks for changes.
void ask_dictionary(sample_tree const& t, fs::path const& path, int block, int prop) {
    t.sh("python3 -c " +
         sh_quote(
             "import sys,zlib,subprocess\n"
             "f=sys.argv[1]; b=bytearray(open(f,'rb').read())\n"
             "listing=subprocess.run(['xz','--robot','-lvv',f],capture_output=True,text=True,check=True).stdout\n"
             "o=[int(l.split('\\t')[4]) for l in listing.splitlines() if l.startswith('block\\t')][int(sys.argv[2])]\n"
             "def skip(p):\n"
             "  while b[p]&0x80: p+=1\n"
             "  return p+1\n"
             "size=(b[o]+1)*4; p=o+2\n"
             "if b[o+1]&0x40: p=skip(p)\n"
             "if b[o+1]&0x80: p=skip(p)\n"
             "assert b[p]==0x21 and b[p+1]==1\n"
             "b[p+2]=int(sys.argv[3])\n"
             "b[o+size-4:o+size]=zlib.crc32(bytes(b[o:o+size-4])).to_bytes(4,'little')\n"
             "open(f,'wb').write(b)") +
         " " + sh_quote(path.string()) + " " + std::to_string(block) + " " + std::to_string(prop));
}

/// Runs `read` (opening and reading an archive), requiring the decoder memory limit error
/// with `limit` MiB and a request of at least `asked` MiB (liblzma adds its own few to the dictionary).
template <class Read>
void require_refused(Read read, int limit, int asked) {
    try {
        read();
        FAIL("the archive read to its end");
    } catch (ca::error const& e) {
        std::string const message = e.what();
        INFO(message);
        CHECK(e.code() == ca::errc::limit_exceeded);
        CHECK_THAT(message, Catch::Contains("max_decoder_memory (" + std::to_string(limit) + " MiB)"));
        auto const at = message.find("asks for ");
        REQUIRE(at != std::string::npos);
        int const mib = std::stoi(message.substr(at + 9));
        CHECK(mib >= asked);
        CHECK(mib <= asked + asked / 8);
    }
}

/// A tar of the sample tree and 600 KB of text that does not compress away: several 128 KiB xz blocks.
fs::path sample_tar(sample_tree const& t) {
    auto tar = t.out("plain.tar");
    t.sh("python3 -c 'import random; r=random.Random(10); print(\" \".join(str(r.random()) for _ in range(30000)))'"
         " > big.txt && tar -cf " +
         sh_quote(tar.string()) + " hello.txt sub big.txt");
    return tar;
}

} // namespace

TEST_CASE("an xz block after the first that asks for more than max_decoder_memory is refused when reached") {
    sample_tree t;
    auto tar = sample_tar(t);
    auto xz = t.out("blocks.tar.xz");
    t.sh("xz -T1 --block-size=128KiB --lzma2=dict=4KiB -c " + sh_quote(tar.string()) + " > " + sh_quote(xz.string()));
    auto expected = [&] {
        auto r = ca::reader::open(xz);
        return names_and_data(r);
    }();
    REQUIRE(expected.size() == 5);
    ask_dictionary(t, xz, 1, 28); // the second block asks for 64 MiB
    ca::reader_options small;
    small.max_decoder_memory = 16 << 20;
    auto r = ca::reader::open(xz, small); // the first block is within the limit
    require_refused([&] { static_cast<void>(names_and_data(r)); }, 16, 64);
    // The default limit (256 MiB) reads the same archive as it was.
    auto roomy = ca::reader::open(xz);
    CHECK(names_and_data(roomy) == expected);
}

TEST_CASE("a second concatenated xz stream asking for 1.5 GiB is refused on every source, before it is allocated") {
    sample_tree t;
    auto tar = sample_tar(t);
    auto xz = t.out("two.tar.xz");
    // Two streams, each holding half of the tar; the second one's block asks for 1.5 GiB.
    t.sh("head -c 10240 " + sh_quote(tar.string()) + " | xz --lzma2=dict=4KiB > " + sh_quote(xz.string()) +
         " && tail -c +10241 " + sh_quote(tar.string()) + " | xz --lzma2=dict=4KiB >> " + sh_quote(xz.string()));
    auto const intact = [&] {
        auto r = ca::reader::open(xz);
        return names_and_data(r);
    }();
    REQUIRE(intact.size() == 5);
    ask_dictionary(t, xz, 1, 37);
    auto bytes = cbound_test::to_bytes(cbound_test::read_file(xz));
    std::int64_t const rss_before = max_rss();
    auto const refused = [](auto open) {
        require_refused(
            [&] {
                auto r = open();
                static_cast<void>(names_and_data(r));
            },
            256, 1536);
    };
    refused([&] { return ca::reader::open(xz); });
    refused([&] { return ca::reader::open_memory(bytes); });
    {
        std::size_t at = 0; // a source giving 100 bytes at a time
        ca::read_source drip;
        drip.read = [&]() -> std::span<std::byte const> {
            std::size_t const n = std::min<std::size_t>(100, bytes.size() - at);
            at += n;
            return std::span<std::byte const>(bytes).subspan(at - n, n);
        };
        refused([&] { return ca::reader::open_callbacks(drip); });
    }
    {
        cbound::unique_fd fd(::open(xz.c_str(), O_RDONLY | O_CLOEXEC));
        REQUIRE(fd);
        refused([&] { return ca::reader::open_fd(fd.get()); });
    }
    CHECK(max_rss() - rss_before < (256 << 20));
    // With the bound lifted to 2 GiB the same bytes read whole (the dictionary is allocated
    // but barely touched: the data was coded with 4 KiB).
    ca::reader_options lifted;
    lifted.max_decoder_memory = std::uint64_t{2} << 30;
    auto r = ca::reader::open_memory(bytes, lifted);
    CHECK(names_and_data(r) == intact);
}

TEST_CASE("an xz or lzma stream cbound decodes is reported as libarchive reports it") {
    sample_tree t;
    auto tar = sample_tar(t);
    for (std::string const flag : {"--format=xz", "--format=lzma"}) {
        INFO(flag);
        auto archive = t.out("report" + flag.substr(9));
        t.sh("xz " + flag + " -c " + sh_quote(tar.string()) + " > " + sh_quote(archive.string()));
        // libarchive on its own, every filter enabled.
        std::vector<std::string> names;
        std::int64_t raw_bytes = 0;
        {
            ::archive* a = archive_read_new();
            archive_read_support_filter_all(a);
            archive_read_support_format_all(a);
            REQUIRE(archive_read_open_filename(a, archive.c_str(), 10240) == ARCHIVE_OK);
            ::archive_entry* e = nullptr;
            while (archive_read_next_header(a, &e) == ARCHIVE_OK)
                archive_read_data_skip(a);
            for (int i = 0; i < archive_filter_count(a); ++i)
                names.emplace_back(archive_filter_name(a, i));
            raw_bytes = archive_filter_bytes(a, -1);
            archive_read_free(a);
        }
        auto r = ca::reader::open(archive);
        auto const entries = names_and_data(r);
        CHECK(entries.size() == 5);
        REQUIRE(r.filter_count() == static_cast<int>(names.size()));
        for (int i = 0; i < r.filter_count(); ++i)
            CHECK(r.filter_name(i) == names[static_cast<std::size_t>(i)]);
        CHECK(r.filter_name(0) == flag.substr(9));
        CHECK(r.archive_bytes_read() == static_cast<std::uint64_t>(raw_bytes));
        CHECK(r.archive_bytes_read() == fs::file_size(archive));
    }
}

TEST_CASE("xz nested in another filter is refused under a decoder memory bound and read without one") {
    sample_tree t;
    auto tar = sample_tar(t);
    auto nested = t.out("nested.tar.xz.gz");
    t.sh("xz -c " + sh_quote(tar.string()) + " | gzip -c > " + sh_quote(nested.string()));
    // libarchive's own xz decoder has no bound, so the reader does not let it decode.
    REQUIRE_THROWS_WITH(ca::reader::open(nested), Catch::Contains("max_decoder_memory"));
    ca::reader_options unbounded;
    unbounded.max_decoder_memory = ~std::uint64_t{0};
    auto r = ca::reader::open(nested, unbounded);
    CHECK(pathnames(r).size() == 5);
    CHECK(r.filter_name(0) == "xz");
    CHECK(r.filter_name(1) == "gzip");
}

TEST_CASE("tarball::open of a .tar.xz applies max_decoder_memory to every block") {
    sample_tree t;
    auto tar = sample_tar(t);
    auto xz = t.out("tarball.tar.xz");
    t.sh("xz -T1 --block-size=128KiB --lzma2=dict=4KiB -c " + sh_quote(tar.string()) + " > " + sh_quote(xz.string()));
    ask_dictionary(t, xz, 2, 28); // the third block asks for 64 MiB
    ca::tarball_options small;
    small.read.max_decoder_memory = 16 << 20;
    require_refused([&] { static_cast<void>(ca::tarball::open(xz, small)); }, 16, 64);
    auto const tb = ca::tarball::open(xz);
    CHECK(tb.size() == 5);
}

TEST_CASE("an xz tar read by path from a FIFO is decoded by cbound too") {
    sample_tree t;
    auto tar = sample_tar(t);
    t.sh("xz --lzma2=dict=4KiB -c " + sh_quote(tar.string()) + " > fifo-source.xz");
    auto const bytes = cbound_test::read_file(t.root / "fifo-source.xz");
    auto const fifo = t.out("fifo");
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    std::thread writer(
        [&] { std::ofstream(fifo, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size())); });
    std::vector<std::pair<std::string, std::string>> entries;
    int filters = 0;
    std::string outer;
    try {
        auto r = ca::reader::open(fifo);
        entries = names_and_data(r);
        filters = r.filter_count();
        outer = std::string(r.filter_name(0));
    } catch (...) {
        writer.join();
        throw;
    }
    writer.join();
    CHECK(entries.size() == 5);
    CHECK(filters == 2);
    CHECK(outer == "xz");
}

TEST_CASE("a cut or corrupt xz or lzma stream that cbound decodes is an error, as in libarchive, never a hang") {
    sample_tree t;
    auto tar = sample_tar(t);
    for (std::string const format : {"xz", "lzma"}) {
        INFO(format);
        t.sh("xz --format=" + format + " -c " + sh_quote(tar.string()) + " > whole");
        std::string const whole = cbound_test::read_file(t.root / "whole");
        std::string flipped = whole;
        flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x55);
        // lzma "alone" has no checksum: only xz is sure to see a flipped byte.
        std::vector<std::string> damaged_ones = {whole.substr(0, whole.size() / 2)};
        if (format == "xz") damaged_ones.push_back(flipped);
        for (std::string const& damaged : damaged_ones) {
            auto bytes = cbound_test::to_bytes(damaged);
            try {
                auto r = ca::reader::open_memory(bytes);
                static_cast<void>(names_and_data(r));
                FAIL("the damaged stream read to its end");
            } catch (ca::error const& e) {
                INFO(e.what());
                CHECK(e.code() == ca::errc::archive_failed);
            }
        }
    }
}

TEST_CASE("tarball::open of a .tar.lzma reads the data cbound decoded") {
    sample_tree t;
    auto tar = sample_tar(t);
    auto lzma = t.out("t.tar.lzma");
    t.sh("xz --format=lzma -c " + sh_quote(tar.string()) + " > " + sh_quote(lzma.string()));
    auto const tb = ca::tarball::open(lzma);
    auto r = ca::reader::open(tar);
    auto const expected = names_and_data(r);
    REQUIRE(tb.size() == expected.size());
    for (std::size_t i = 0; i < tb.size(); ++i) {
        auto const bytes = tb.file(i); // nullopt for a folder, whose data is empty
        std::string const data = bytes ? std::string(reinterpret_cast<char const*>(bytes->data()), bytes->size()) : "";
        CHECK(data == expected[i].second);
    }
}

TEST_CASE("extraction's ratio limit counts the compressed bytes of an xz stream cbound decodes") {
    sample_tree t;
    auto bomb = t.out("zeros.tar.xz");
    // 20 MB of zeros in a few KB: past extract_limits::max_ratio (1000) once 1 MiB is decoded.
    t.sh("truncate -s 20M zeros && tar -cf - zeros | xz -c > " + sh_quote(bomb.string()));
    REQUIRE(fs::file_size(bomb) < 20000);
    auto r = ca::reader::open(bomb);
    try {
        static_cast<void>(ca::extract(r, t.out("dest")));
        FAIL("the bomb was extracted");
    } catch (ca::error const& e) {
        INFO(e.what());
        CHECK(e.code() == ca::errc::limit_exceeded);
        CHECK_THAT(e.what(), Catch::Contains("compression ratio"));
    }
}
