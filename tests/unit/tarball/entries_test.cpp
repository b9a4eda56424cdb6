// The tarball opens whatever the reader reads: an entry whose header disagrees with its
// body, or whose data cannot be decoded, costs that entry alone; names are bounded.
#include "tarball_fixture.hpp"

#include <cbound/archive/reader.hpp>
#include <cbound/archive/tarball.hpp>

#include <string>

namespace ar = cbound::archive;
using namespace tarball_test;

namespace {

/// A GNU tar made by python's tarfile with files a.txt ("hello") and b.txt ("world!"),
/// the "realsize" field (bytes 483..494) of a.txt's header set to 99, checksum fixed.
std::string realsize_tar() {
    std::string const script = "import tarfile, io, sys\n"
                               "b = io.BytesIO()\n"
                               "t = tarfile.open(fileobj=b, mode='w', format=tarfile.GNU_FORMAT)\n"
                               "for n, d in [('a.txt', b'hello'), ('b.txt', b'world!')]:\n"
                               "  i = tarfile.TarInfo(n); i.size = len(d); t.addfile(i, io.BytesIO(d))\n"
                               "t.close(); d = bytearray(b.getvalue())\n"
                               "d[483:495] = b'%011o\\0' % 99\n"
                               "d[148:156] = b' ' * 8\n"
                               "d[148:156] = b'%06o\\0 ' % sum(d[0:512])\n"
                               "sys.stdout.buffer.write(bytes(d))\n";
    return must_run("python3 -c " + sh_quote(script));
}

/// What the reader delivers for `path` in `bytes`.
std::string reader_bytes(std::string const& bytes, std::string_view path) {
    auto r = ar::reader::open_memory(std::as_bytes(std::span(bytes)));
    for (auto const& e : r)
        if (e.pathname() == path) return text(e.read_all(1 << 20));
    FAIL("no entry " << path);
    return {};
}

} // namespace

TEST_CASE("a GNU realsize that disagrees with the body opens, serving what the reader reads", "[tarball][entries]") {
    std::string const tar = realsize_tar();
    REQUIRE(reader_bytes(tar, "a.txt") == "hello");
    auto const t = ar::tarball::open_memory(std::as_bytes(std::span(tar)));
    REQUIRE(t.size() == 2);
    CHECK(text(*t.file("a.txt")) == "hello");
    CHECK(text(*t.file("b.txt")) == "world!");

    // The same inside gzip, where the file is served on demand.
    cbound_test::scratch_dir dir("tarball-realsize");
    cbound_test::write_file(dir / "a.tar", tar);
    must_run("gzip -k " + sh_quote((dir / "a.tar").string()));
    auto const gz = ar::tarball::open(dir / "a.tar.gz");
    CHECK(text(*gz.file("a.txt")) == "hello");
    CHECK(text(*gz.file("b.txt")) == "world!");
}

TEST_CASE("an entry that cannot be decoded fails alone, when its data is asked for", "[tarball][entries]") {
    cbound_test::scratch_dir dir("tarball-undecodable");
    cbound_test::write_file(dir / "src/secret.txt", "the secret\n");
    cbound_test::write_file(dir / "src/plain.txt", "in the clear\n");
    must_run("cd " + sh_quote((dir / "src").string()) +
             " && zip -q -P password ../mixed.zip secret.txt && zip -q ../mixed.zip plain.txt");
    auto const t = ar::tarball::open(dir / "mixed.zip");
    REQUIRE(t.size() == 2);
    auto const secret = t.find("secret.txt");
    REQUIRE(secret.has_value());
    CHECK(t[*secret].is_file());
    try {
        (void)t.file(*secret);
        FAIL("an encrypted entry without a passphrase gave data");
    } catch (ar::error const& e) {
        CHECK(e.pathname() == "secret.txt");
        CHECK(e.operation() == "read_data");
    }
    CHECK(text(*t.file("plain.txt")) == "in the clear\n");

    // With the passphrase, both decode.
    ar::tarball_options options;
    options.read.passphrases = {"password"};
    auto const open = ar::tarball::open(dir / "mixed.zip", options);
    CHECK(text(*open.file("secret.txt")) == "the secret\n");
}

TEST_CASE("name bytes are bounded per name and in total", "[tarball][entries][limits]") {
    cbound_test::scratch_dir dir("tarball-names-cap");
    std::string const script = "import tarfile, io, sys\n"
                               "t = tarfile.open(fileobj=sys.stdout.buffer, mode='w|', format=tarfile.PAX_FORMAT)\n"
                               "for k in range(4):\n"
                               "  i = tarfile.TarInfo(str(k) * 100000); i.size = 1; t.addfile(i, io.BytesIO(b'x'))\n"
                               "t.close()\n";
    std::string const archive = must_run("python3 -c " + sh_quote(script));
    auto const bytes = std::as_bytes(std::span(archive));

    // The default refuses a 100,000-byte name.
    try {
        auto const t = ar::tarball::open_memory(bytes);
        FAIL("opened " << t.size() << " entries");
    } catch (ar::error const& e) {
        CHECK(e.code() == ar::errc::limit_exceeded);
        CHECK(std::string(e.what()).find("max_name_bytes") != std::string::npos);
    }
    ar::tarball_options options;
    options.max_name_bytes = 100'000;
    CHECK(ar::tarball::open_memory(bytes, options).size() == 4);
    CHECK(ar::tarball::open_memory(bytes, options).footprint().name_bytes >= 400'000);

    options.max_total_name_bytes = 250'000; // room for two names, not three
    try {
        auto const t = ar::tarball::open_memory(bytes, options);
        FAIL("opened " << t.size() << " entries");
    } catch (ar::error const& e) {
        CHECK(e.code() == ar::errc::limit_exceeded);
        CHECK(std::string(e.what()).find("max_total_name_bytes") != std::string::npos);
    }
}
