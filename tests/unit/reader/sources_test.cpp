// Every kind of source: path, memory, fd, FILE*, std::istream, callbacks, split files.
#include "reader_fixture.hpp"

#include <cbound/posix.hpp>

#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <ranges>
#include <sstream>

namespace ca = cbound::archive;
using namespace reader_test;

namespace {

/// A tar and a zip of the sample tree, and their bytes.
struct sample_archives : sample_tree {
    fs::path tar = out("a.tar");
    fs::path zip = out("a.zip");
    sample_archives() {
        sh("bsdtar -cf " + sh_quote(tar.string()) + " hello.txt sub");
        sh("zip -qr " + sh_quote(zip.string()) + " hello.txt sub");
    }
};

/// Every regular file's content by name.
std::map<std::string, std::string> contents(ca::reader& r) {
    std::map<std::string, std::string> m;
    for (ca::entry_view e : r)
        if (e.type() == ca::entry_type::regular) m[std::string(e.pathname())] = content(e);
    return m;
}

} // namespace

TEST_CASE("open_fd and open_file read an archive the caller keeps owning") {
    sample_archives t;
    for (auto const& p : {t.tar, t.zip}) {
        INFO(p);
        cbound::unique_fd fd(::open(p.c_str(), O_RDONLY));
        REQUIRE(fd);
        auto r = ca::reader::open_fd(fd.get());
        CHECK(contents(r) == t.files);
        cbound::unique_file f(std::fopen(p.c_str(), "rb"));
        REQUIRE(f);
        auto r2 = ca::reader::open_file(f.get());
        CHECK(contents(r2) == t.files);
    }
}

TEST_CASE("open_stream reads tar and (seeking) zip from std::istream") {
    sample_archives t;
    for (auto const& p : {t.tar, t.zip}) {
        INFO(p);
        std::ifstream in(p, std::ios::binary);
        ca::reader_options small_blocks;
        small_blocks.block_size = 1000;
        auto r = ca::reader::open_stream(in, small_blocks);
        CHECK(contents(r) == t.files);
        std::istringstream mem(cbound_test::read_file(p));
        auto r2 = ca::reader::open_stream(mem);
        CHECK(contents(r2) == t.files);
    }
}

TEST_CASE("open_callbacks reads through read, skip and seek functions") {
    sample_archives t;
    std::string const bytes = cbound_test::read_file(t.zip);
    std::size_t pos = 0;
    int reads = 0, seeks = 0;
    ca::read_source src;
    src.read = [&]() -> std::span<std::byte const> {
        ++reads;
        std::size_t n = std::min<std::size_t>(777, bytes.size() - pos);
        auto p = reinterpret_cast<std::byte const*>(bytes.data() + pos);
        pos += n;
        return {p, n};
    };
    src.seek = [&](std::int64_t off, int whence) -> std::int64_t {
        ++seeks;
        std::int64_t base = whence == SEEK_SET   ? 0
                            : whence == SEEK_CUR ? static_cast<std::int64_t>(pos)
                                                 : static_cast<std::int64_t>(bytes.size());
        pos =
            static_cast<std::size_t>(std::clamp<std::int64_t>(base + off, 0, static_cast<std::int64_t>(bytes.size())));
        return static_cast<std::int64_t>(pos);
    };
    src.skip = [&](std::int64_t n) -> std::int64_t {
        auto k = std::min<std::int64_t>(n, static_cast<std::int64_t>(bytes.size() - pos));
        pos += static_cast<std::size_t>(k);
        return k;
    };
    auto r = ca::reader::open_callbacks(src);
    CHECK(contents(r) == t.files);
    CHECK(reads > 1);
    CHECK(seeks > 0); // the seekable zip reader used the central directory
}

TEST_CASE("open_split reads an archive cut into several files as one") {
    sample_archives t;
    t.sh("split -b 10000 -d " + sh_quote(t.tar.string()) + " " + sh_quote(t.out("part.").string()));
    std::vector<fs::path> parts;
    for (int i = 0; fs::exists(t.out("part.0" + std::to_string(i))); ++i)
        parts.push_back(t.out("part.0" + std::to_string(i)));
    REQUIRE(parts.size() > 2);
    auto r = ca::reader::open_split(parts);
    CHECK(contents(r) == t.files);
}

TEST_CASE("read, read_all, copy_to, copy_to_fd and skip deliver the same data") {
    sample_archives t;
    std::string const expected = t.files["sub/data.bin"];
    auto find = [&](ca::reader& r) {
        for (auto e = r.next(); e; e = r.next())
            if (e->pathname() == "sub/data.bin") return *e;
        FAIL("sub/data.bin not found");
        throw 0;
    };
    {
        auto r = ca::reader::open(t.tar);
        auto e = find(r);
        std::string got;
        std::byte buf[333];
        for (std::size_t n; (n = e.read(buf)) > 0;)
            got.append(reinterpret_cast<char const*>(buf), n);
        CHECK(got == expected);
    }
    {
        auto r = ca::reader::open(t.tar);
        std::ostringstream out;
        find(r).copy_to(out);
        CHECK(out.str() == expected);
    }
    {
        auto r = ca::reader::open(t.tar);
        auto path = t.out("copy.bin");
        cbound::unique_fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600));
        find(r).copy_to_fd(fd.get());
        fd.reset();
        CHECK(cbound_test::read_file(path) == expected);
    }
    {
        auto r = ca::reader::open(t.tar);
        auto e = find(r);
        e.skip();
        CHECK(e.read_all(1 << 20).empty());
    }
    {
        auto r = ca::reader::open(t.tar);
        REQUIRE_THROWS_AS(find(r).read_all(1000), ca::error);
    }
}

TEST_CASE("sparse files read back with their holes as zeros") {
    cbound_test::scratch_dir dir("sparse");
    auto file = dir / "sparse.bin";
    REQUIRE(run("cd " + sh_quote(dir.path().string()) +
                " && printf head > sparse.bin && truncate -s 3M sparse.bin && printf tail >> sparse.bin")
                .exit_code == 0);
    auto archive = dir / "s.tar";
    REQUIRE(run("cd " + sh_quote(dir.path().string()) + " && tar --format=gnu -S -cf s.tar sparse.bin").exit_code == 0);
    auto r = ca::reader::open(archive);
    auto e = r.next();
    REQUIRE(e);
    auto data = e->read_all(8 << 20);
    std::string const expected = cbound_test::read_file(file);
    CHECK(data.size() == expected.size());
    CHECK(std::string(reinterpret_cast<char const*>(data.data()), data.size()) == expected);
}

TEST_CASE("reader is a move-only input range and moved-from readers throw handle_unusable") {
    STATIC_REQUIRE(std::ranges::input_range<ca::reader&>);
    STATIC_REQUIRE_FALSE(std::is_copy_constructible_v<ca::reader>);
    sample_archives t;
    auto r = ca::reader::open(t.tar);
    auto moved = std::move(r);
    CHECK(r.native_handle() == nullptr);
    CHECK(r.warnings().empty());
    try {
        (void)r.next();
        FAIL("next() on a moved-from reader did not throw");
    } catch (ca::error const& e) {
        CHECK(e.code() == ca::errc::handle_unusable);
    }
    REQUIRE_THROWS_AS(r.begin(), ca::error);
    REQUIRE_THROWS_AS(r.format_name(), ca::error);
    REQUIRE_THROWS_AS(r.filter_count(), ca::error);
    REQUIRE_THROWS_AS(r.filter_name(), ca::error);
    REQUIRE_THROWS_AS(r.archive_bytes_read(), ca::error);
    CHECK(moved.next().has_value());
}
