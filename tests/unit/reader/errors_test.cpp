// Bad input and misuse: each gives a clear cbound::archive::error, never a crash or a hang.
#include "reader_fixture.hpp"

#include <stdexcept>

namespace ca = cbound::archive;
using namespace reader_test;

namespace {

/// Reads every entry and all its data; returns how many entries it saw.
std::size_t drain(ca::reader& r) {
    std::size_t n = 0;
    for (ca::entry_view e : r) {
        ++n;
        for (ca::block b : e.blocks())
            static_cast<void>(b);
    }
    return n;
}

/// The bytes of a freshly made archive of the sample tree in `format` (a bsdtar --format name).
std::string make_archive(sample_tree const& t, std::string const& format, std::string const& extra = {}) {
    auto out = t.out("x." + format);
    t.sh("bsdtar --format=" + format + " " + extra + " -cf " + sh_quote(out.string()) + " hello.txt sub");
    return cbound_test::read_file(out);
}

} // namespace

TEST_CASE("an archive truncated at any offset fails with an error or reads a prefix, never crashes") {
    sample_tree t;
    for (std::string fmt : {"pax", "zip", "7zip", "cpio"}) {
        INFO(fmt);
        std::string const full = make_archive(t, fmt, fmt == "pax" ? "-z" : "");
        std::size_t failures = 0;
        for (std::size_t cut = 0; cut < full.size(); cut += 1 + full.size() / 97) {
            auto bytes = cbound_test::to_bytes(std::string_view(full).substr(0, cut));
            try {
                auto r = ca::reader::open_memory(bytes);
                drain(r);
            } catch (ca::error const& e) {
                ++failures;
                CHECK(std::string(e.what()).size() > 0);
            }
        }
        CHECK(failures > 0);
    }
}

TEST_CASE("corrupted bytes give errors, never crashes") {
    sample_tree t;
    for (std::string fmt : {"pax", "zip", "7zip"}) {
        INFO(fmt);
        std::string const full = make_archive(t, fmt, fmt == "pax" ? "-z" : "");
        std::size_t failures = 0;
        for (std::size_t at = 0; at < full.size(); at += 1 + full.size() / 61) {
            std::string bad = full;
            bad[at] = static_cast<char>(bad[at] ^ 0x5a);
            auto bytes = cbound_test::to_bytes(bad);
            try {
                auto r = ca::reader::open_memory(bytes);
                drain(r);
            } catch (ca::error const&) {
                ++failures;
            }
        }
        CHECK(failures > 0);
    }
}

TEST_CASE("an empty input is an archive with no entries; garbage is not an archive") {
    std::vector<std::byte> empty;
    auto r = ca::reader::open_memory(empty);
    CHECK_FALSE(r.next());
    auto garbage = cbound_test::to_bytes(std::string(4000, '\x07') + "definitely not an archive");
    try {
        auto g = ca::reader::open_memory(garbage);
        (void)g.next();
        FAIL("garbage was read as an archive");
    } catch (ca::error const& e) {
        CHECK(e.operation() == "open");
        CHECK_THAT(e.what(), Catch::Contains("format"));
    }
}

TEST_CASE("a missing file names the path and carries errno") {
    try {
        (void)ca::reader::open("does/not/exist.tar");
        FAIL("no error");
    } catch (ca::error const& e) {
        CHECK(e.code() == std::errc::no_such_file_or_directory);
        CHECK(e.pathname() == "does/not/exist.tar");
    }
}

TEST_CASE("a format outside the allow-list and a format libarchive cannot read are clear errors") {
    sample_tree t;
    auto bytes = cbound_test::to_bytes(make_archive(t, "zip"));
    ca::reader_options tar_only;
    tar_only.formats = {ca::format::tar};
    REQUIRE_THROWS_AS(ca::reader::open_memory(bytes, tar_only), ca::error);
    ca::reader_options shar;
    shar.formats = {ca::format::shar};
    REQUIRE_THROWS_WITH(ca::reader::open_memory(bytes, shar), Catch::Contains("cannot read the format shar"));
    ca::reader_options zip_only;
    zip_only.formats = {ca::format::zip};
    auto r = ca::reader::open_memory(bytes, zip_only);
    CHECK(r.next());
}

TEST_CASE("set_options passes through and rejects unknown options") {
    sample_tree t;
    auto bytes = cbound_test::to_bytes(make_archive(t, "zip"));
    ca::reader_options good;
    good.options = "zip:ignorecrc32";
    auto r = ca::reader::open_memory(bytes, good);
    CHECK(drain(r) > 0);
    ca::reader_options bad;
    bad.options = "nosuchmodule:nosuchoption=1";
    REQUIRE_THROWS_AS(ca::reader::open_memory(bytes, bad), ca::error);
}

TEST_CASE("an encrypted zip reads with the right passphrase and fails clearly with a wrong one") {
    sample_tree t;
    auto zip = t.out("enc.zip");
    t.sh("zip -q -P s3cret " + sh_quote(zip.string()) + " hello.txt sub/empty");
    ca::reader_options list;
    list.passphrases = {"wrong", "s3cret"};
    auto r = ca::reader::open(zip, list);
    auto e = r.next();
    REQUIRE(e);
    CHECK(e->is_data_encrypted());
    CHECK(content(*e) == t.files["hello.txt"]);

    int asked = 0;
    ca::reader_options ask;
    ask.passphrase_callback = [&]() -> std::optional<std::string> {
        if (++asked == 1) return "s3cret";
        return std::nullopt;
    };
    auto r2 = ca::reader::open(zip, ask);
    auto e2 = r2.next();
    REQUIRE(e2);
    CHECK(content(*e2) == t.files["hello.txt"]);
    CHECK(asked == 1);

    ca::reader_options wrong;
    wrong.passphrases = {"wrong"};
    auto r3 = ca::reader::open(zip, wrong);
    auto e3 = r3.next();
    REQUIRE(e3);
    REQUIRE_THROWS_WITH(e3->read_all(1 << 20), Catch::Contains("hello.txt") && Catch::Contains("assphrase"));
    // Failing one entry is not fatal: the next header still reads.
    auto next = r3.next();
    REQUIRE(next);
    CHECK(next->pathname() == "sub/empty");
}

TEST_CASE("a passphrase callback that throws: the exception comes back to the caller") {
    sample_tree t;
    auto zip = t.out("enc.zip");
    t.sh("zip -q -P s3cret " + sh_quote(zip.string()) + " hello.txt");
    ca::reader_options ask;
    ask.passphrase_callback = []() -> std::optional<std::string> { throw std::runtime_error("no keyring"); };
    auto r = ca::reader::open(zip, ask);
    auto e = r.next();
    REQUIRE(e);
    REQUIRE_THROWS_WITH(e->read_all(1 << 20), "no keyring");
}

TEST_CASE("an encrypted 7z is reported as encrypted and unsupported, not as garbage") {
    if (!cbound_test::have_tool("7z")) {
        WARN("skipped: no 7z");
        return;
    }
    sample_tree t;
    auto sz = t.out("enc.7z");
    t.sh("7z a -bd -ps3cret " + sh_quote(sz.string()) + " hello.txt >/dev/null");
    ca::reader_options list;
    list.passphrases = {"s3cret"};
    auto r = ca::reader::open(sz, list);
    auto e = r.next();
    REQUIRE(e);
    CHECK(e->is_data_encrypted());
    // libarchive (3.6) cannot decrypt 7z: the error says so and names the entry.
    REQUIRE_THROWS_WITH(e->read_all(1 << 20), Catch::Contains("encrypted") && Catch::Contains("hello.txt"));
}

TEST_CASE("a data error names the entry and the reader continues with the next header") {
    sample_tree t;
    auto zip = t.out("crc.zip");
    t.sh("zip -q -0 " + sh_quote(zip.string()) + " hello.txt sub/data.bin");
    std::string bytes = cbound_test::read_file(zip);
    auto at = bytes.find("hello, world");
    REQUIRE(at != std::string::npos);
    bytes[at] = 'J'; // stored data no longer matches its CRC
    auto mem = cbound_test::to_bytes(bytes);
    auto r = ca::reader::open_memory(mem);
    auto first = r.next();
    REQUIRE(first);
    try {
        (void)first->read_all(1 << 20);
        FAIL("the CRC error was not reported");
    } catch (ca::error const& e) {
        CHECK(e.pathname() == "hello.txt");
        CHECK(e.operation() == "read_data_block");
    }
    auto second = r.next();
    REQUIRE(second);
    CHECK(second->pathname() == "sub/data.bin");
    CHECK(content(*second) == t.files["sub/data.bin"]);
}

TEST_CASE("a source callback that throws: the exception comes back after libarchive returns, then FATAL sticks") {
    sample_tree t;
    std::string const bytes = make_archive(t, "pax");
    int calls = 0;
    ca::read_source src;
    src.read = [&]() -> std::span<std::byte const> {
        if (++calls == 2) throw std::runtime_error("disk on fire");
        return {reinterpret_cast<std::byte const*>(bytes.data()), 1024};
    };
    auto r = ca::reader::open_callbacks(src);
    REQUIRE_THROWS_WITH(drain(r), "disk on fire");
    try {
        (void)r.next();
        FAIL("a FATAL reader went on");
    } catch (ca::error const& e) {
        CHECK(e.code() == ca::errc::handle_unusable);
    }
    REQUIRE_THROWS_AS(r.begin(), ca::error);
}

TEST_CASE("a source callback that fails at open is a clear error") {
    ca::read_source src;
    src.read = []() -> std::span<std::byte const> { throw std::runtime_error("no medium"); };
    REQUIRE_THROWS_WITH(ca::reader::open_callbacks(src), "no medium");
    ca::read_source none;
    REQUIRE_THROWS_AS(ca::reader::open_callbacks(none), ca::error);
}

TEST_CASE("a header warning delivers the entry and is kept in warnings()") {
    // A pax extended header holding a malformed record: libarchive ignores it with a WARN.
    sample_tree t;
    auto archive = t.out("warn.tar");
    t.sh("python3 -c " +
         sh_quote("import tarfile,io,sys\n"
                  "with tarfile.open(sys.argv[1],'w',format=tarfile.USTAR_FORMAT) as t:\n"
                  " x=tarfile.TarInfo('pax'); x.type=tarfile.XHDTYPE; d=b'not a record\\n'; x.size=len(d)\n"
                  " t.addfile(x, io.BytesIO(d)); t.add('hello.txt')") +
         " " + sh_quote(archive.string()));
    auto r = ca::reader::open(archive);
    auto e = r.next();
    REQUIRE(e);
    CHECK(e->pathname() == "hello.txt");
    CHECK(content(*e) == t.files["hello.txt"]);
    REQUIRE(r.warnings().size() == 1);
    CHECK(r.warnings()[0].operation == "read_next_header");
    CHECK(r.warnings()[0].pathname == "hello.txt");
    CHECK_THAT(r.warnings()[0].message, Catch::Contains("pax"));
    CHECK_FALSE(r.next());
}
