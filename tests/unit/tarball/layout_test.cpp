// Zero-copy spans, duplicates, hardlinks, sparse files, names and metadata.
#include "tarball_fixture.hpp"

#include <cbound/archive/reader.hpp>
#include <cbound/archive/tarball.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <iterator>
#include <ranges>
#include <string>
#include <vector>

namespace ar = cbound::archive;
using namespace tarball_test;

static_assert(std::ranges::random_access_range<ar::tarball const&>);
static_assert(std::ranges::sized_range<ar::tarball const&>);
static_assert(std::random_access_iterator<ar::tarball_iterator>);

namespace {

/// Whether `inner` lies wholly inside `outer` (compared as addresses).
bool inside(std::span<std::byte const> inner, std::span<std::byte const> outer) {
    auto const lo = reinterpret_cast<std::uintptr_t>(outer.data());
    auto const hi = lo + outer.size();
    auto const at = reinterpret_cast<std::uintptr_t>(inner.data());
    return at >= lo && at + inner.size() <= hi;
}

/// Runs a python3 tarfile script with `t` open for writing on `path`.
void python_tar(fs::path const& path, std::string const& body, char const* format = "PAX_FORMAT") {
    std::string script = "import tarfile, io\n"
                         "def add(t, name, data=b'', **kw):\n"
                         "  i = tarfile.TarInfo(name); i.size = len(data)\n"
                         "  for k, v in kw.items(): setattr(i, k, v)\n"
                         "  t.addfile(i, io.BytesIO(data))\n"
                         "with tarfile.open(" +
                         sh_quote(path.string()) + ", 'w', format=tarfile." + format + ") as t:\n" + body;
    must_run("python3 -c " + sh_quote(script));
}

} // namespace

TEST_CASE("uncompressed tar from memory lends spans into the caller's buffer", "[tarball][zero-copy]") {
    cbound_test::scratch_dir dir("tarball-zc");
    make_tree(dir / "src", true);
    must_run("cd " + sh_quote((dir / "src").string()) + " && bsdtar -cf ../a.tar *");
    std::string const bytes = cbound_test::read_file(dir / "a.tar");
    std::span<std::byte const> const source = std::as_bytes(std::span(bytes));

    auto const t = ar::tarball::open_memory(source);
    std::size_t files = 0;
    for (auto const& e : t) {
        auto data = t.file(e.index());
        if (!data || data->empty()) continue;
        INFO(e.pathname());
        CHECK(inside(*data, source));
        CHECK(data->size() == e.size());
        ++files;
    }
    CHECK(files >= 5);
    CHECK(t.footprint().decoded_bytes == 0);

    // The mapped file is borrowed too: nothing is copied.
    auto const mapped = ar::tarball::open(dir / "a.tar");
    CHECK(mapped.footprint().decoded_bytes == 0);
    auto const big = mapped.file("dir/nested/data.bin");
    REQUIRE(big.has_value());
    CHECK(text(*big) == noise(200'000, 7));
}

/// Where a file's bytes are served from.
enum class home { borrowed, decoded_at_open, decoded_on_demand };

/// Opens `archive` from memory and checks where dir/nested/data.bin was served from:
/// borrowed from the archive bytes, decoded at open, or decoded on demand from a seek point.
static void check_data_home(fs::path const& archive, home expected, ar::tarball_options const& options = {}) {
    INFO(archive);
    std::string const bytes = cbound_test::read_file(archive);
    auto const t = ar::tarball::open_memory(std::as_bytes(std::span(bytes)), options);
    auto const data = t.file("dir/nested/data.bin");
    REQUIRE(data.has_value());
    CHECK(inside(*data, std::as_bytes(std::span(bytes))) == (expected == home::borrowed));
    CHECK(text(*data) == noise(200'000, 7));
    CHECK((t.footprint().decoded_bytes >= 200'000) == (expected == home::decoded_at_open));
    CHECK((t.footprint().stream_bytes >= 200'000) == (expected == home::decoded_on_demand));
}

TEST_CASE("stored zip entries are zero-copy, deflated ones are decoded once", "[tarball][zero-copy]") {
    cbound_test::scratch_dir dir("tarball-zipzc");
    make_tree(dir / "src", false);
    must_run("cd " + sh_quote((dir / "src").string()) +
             " && zip -q -r -0 ../stored.zip . && zip -q -r -9 ../deflated.zip .");
    check_data_home(dir / "stored.zip", home::borrowed);
    check_data_home(dir / "deflated.zip", home::decoded_at_open);
}

TEST_CASE("compressed tar is decoded on demand, or at open when seeking is off", "[tarball][zero-copy]") {
    cbound_test::scratch_dir dir("tarball-tgz");
    make_tree(dir / "src", false);
    must_run("cd " + sh_quote((dir / "src").string()) +
             " && tar -czf ../a.tgz * && tar -cJf ../a.txz * && tar -cjf ../a.tbz2 *");
    check_data_home(dir / "a.tgz", home::decoded_on_demand);
    check_data_home(dir / "a.txz", home::decoded_on_demand); // one block, but close to its start
    check_data_home(dir / "a.tbz2", home::decoded_at_open);  // no seek points in bzip2
    ar::tarball_options no_seek;
    no_seek.seek = false;
    check_data_home(dir / "a.tgz", home::decoded_at_open, no_seek);
    check_data_home(dir / "a.txz", home::decoded_at_open, no_seek);
}

TEST_CASE("duplicate paths: find gives the last, every copy is reachable by index", "[tarball][duplicates]") {
    cbound_test::scratch_dir dir("tarball-dup");
    fs::path const archive = dir / "dup.tar";
    python_tar(archive, "  add(t, 'dup.txt', b'one')\n"
                        "  add(t, 'other.txt', b'x')\n"
                        "  add(t, 'dup.txt', b'two')\n"
                        "  add(t, 'dup.txt', b'three')\n");
    auto const t = ar::tarball::open(archive);
    REQUIRE(t.size() == 4);
    auto const last = t.find("dup.txt");
    REQUIRE(last.has_value());
    CHECK(*last == 3);
    CHECK(text(*t.file("dup.txt")) == "three");
    std::string all;
    for (auto const& e : t)
        if (e.pathname() == "dup.txt") all += text(*e.data());
    CHECK(all == "onetwothree");
    CHECK(all == bsdtar_extract(archive, "dup.txt")); // bsdtar prints every copy in order
    CHECK_FALSE(t.find("missing").has_value());
    CHECK_FALSE(t.find("dup").has_value());
}

TEST_CASE("hardlinks resolve to their target's data", "[tarball][hardlinks]") {
    cbound_test::scratch_dir dir("tarball-hl");
    cbound_test::write_file(dir / "src/target.txt", "shared bytes\n");
    cbound_test::write_file(dir / "src/empty_target", "");
    must_run("cd " + sh_quote((dir / "src").string()) +
             " && ln target.txt link1 && ln link1 link2 && ln empty_target empty_link" +
             " && tar --format=gnu -cf ../gnu.tar target.txt link1 link2 empty_target empty_link" +
             " && bsdtar -cf ../bsd.tar target.txt link1 link2 empty_target empty_link");
    for (char const* name : {"gnu.tar", "bsd.tar"}) {
        INFO(name);
        auto const t = ar::tarball::open(dir / name);
        REQUIRE(t.size() == 5);
        CHECK(t[0].type() == ar::entry_type::regular);
        CHECK(t[1].type() == ar::entry_type::hardlink);
        CHECK(t[1].hardlink() == "target.txt");
        CHECK(t[1].symlink().empty());
        CHECK(text(*t.file(1)) == "shared bytes\n");
        CHECK(text(*t.file(2)) == "shared bytes\n");
        CHECK(t.file(2)->data() == t.file(0)->data()); // the same bytes, not a copy
        auto const empty = t.file("empty_link");
        REQUIRE(empty.has_value());
        CHECK(empty->empty());
        CHECK(check_against_bsdtar(t, dir / name) == 5);
    }

    // A hardlink whose target is not in the archive has no data to give.
    python_tar(dir / "dangling.tar", "  add(t, 'orphan', type=tarfile.LNKTYPE, linkname='missing')\n");
    auto const t = ar::tarball::open(dir / "dangling.tar");
    REQUIRE(t.size() == 1);
    CHECK(t[0].type() == ar::entry_type::hardlink);
    CHECK_FALSE(t[0].is_file());
    CHECK_FALSE(t.file(0).has_value());
}

TEST_CASE("sparse files come back with their holes zeroed", "[tarball][sparse]") {
    cbound_test::scratch_dir dir("tarball-sparse");
    fs::path const file = dir / "src/sparse.bin";
    fs::create_directories(file.parent_path());
    // Data at 0, at 1 MiB and at 3 MiB, and a trailing hole up to 5 MiB.
    must_run("cd " + sh_quote(file.parent_path().string()) +
             " && printf head | dd of=sparse.bin conv=notrunc status=none" +
             " && printf middle | dd of=sparse.bin bs=1 seek=1048576 conv=notrunc status=none" +
             " && printf tail | dd of=sparse.bin bs=1 seek=3145728 conv=notrunc status=none" +
             " && truncate -s 5242880 sparse.bin");
    std::string const original = cbound_test::read_file(file);
    REQUIRE(original.size() == 5u << 20);
    for (char const* format : {"gnu", "posix"}) {
        INFO(format);
        fs::path const archive = dir / (std::string(format) + ".tar");
        must_run("cd " + sh_quote(file.parent_path().string()) + " && tar --sparse --format=" + format + " -cf " +
                 sh_quote(archive.string()) + " sparse.bin");
        // The archive really is sparse: far smaller than the file.
        REQUIRE(fs::file_size(archive) < original.size() / 4);
        auto const t = ar::tarball::open(archive);
        auto const data = t.file("sparse.bin");
        REQUIRE(data.has_value());
        CHECK(data->size() == original.size());
        CHECK(text(*data) == original);
        CHECK(text(*data) == bsdtar_extract(archive, "sparse.bin"));
    }
}

TEST_CASE("long names, pax UTF-8 names and metadata come back as stored", "[tarball][names]") {
    cbound_test::scratch_dir dir("tarball-names");
    fs::path const archive = dir / "meta.tar";
    std::string const long100 = "dir/" + std::string(150, 'n') + ".txt";
    std::string const long255 = std::string(100, 'a') + "/" + std::string(100, 'b') + "/" + std::string(100, 'c');
    python_tar(archive, "  add(t, 'h\\u00e9llo-\\u65e5\\u672c.txt', b'utf8')\n"
                        "  add(t, '" +
                            long100 +
                            "', b'long')\n"
                            "  add(t, '" +
                            long255 +
                            "', b'longer')\n"
                            "  add(t, 'meta', b'm', mode=0o640, mtime=1234567890, uid=3000000, gid=5678)\n"
                            "  add(t, 'sym', type=tarfile.SYMTYPE, linkname='meta')\n"
                            "  add(t, 'folder', type=tarfile.DIRTYPE, mode=0o755)\n"
                            "  add(t, 'fifo', type=tarfile.FIFOTYPE)\n"
                            "  add(t, 'empty')\n");
    auto const t = ar::tarball::open(archive);
    REQUIRE(t.size() == 8);
    CHECK(t[0].pathname() == "h\xc3\xa9llo-\xe6\x97\xa5\xe6\x9c\xac.txt"); // UTF-8 without setlocale
    CHECK(text(*t.file(0)) == "utf8");
    CHECK(t[1].pathname() == long100);
    CHECK(text(*t.file(long100)) == "long");
    CHECK(t[2].pathname() == long255);
    CHECK(text(*t.file(long255)) == "longer");

    auto const meta = t[3];
    CHECK(meta.type() == ar::entry_type::regular);
    CHECK(meta.perms() == 0640);
    CHECK((meta.mode() & 0170000) == 0100000);
    CHECK(meta.mtime() == ar::entry_time(std::chrono::seconds(1234567890)));
    CHECK(meta.uid() == 3000000);
    CHECK(meta.gid() == 5678);
    CHECK(meta.size() == 1);

    CHECK(t[4].type() == ar::entry_type::symlink);
    CHECK(t[4].symlink() == "meta");
    CHECK(t[4].hardlink().empty());
    CHECK_FALSE(t.file(4).has_value());
    CHECK(t[5].type() == ar::entry_type::directory);
    CHECK_FALSE(t.file(5).has_value());
    CHECK(t[6].type() == ar::entry_type::fifo);
    CHECK_FALSE(t.file(6).has_value());

    auto const empty = t.file(7);
    REQUIRE(empty.has_value()); // an empty file is an empty span, not "no file"
    CHECK(empty->empty());
    CHECK(t[7].is_file());
}

TEST_CASE("iteration visits entries in archive order, with random access", "[tarball][range]") {
    cbound_test::scratch_dir dir("tarball-iter");
    python_tar(dir / "a.tar", "  for i in range(10): add(t, 'f%d' % i, b'x' * i)\n");
    auto const t = ar::tarball::open(dir / "a.tar");
    REQUIRE(t.size() == 10);
    std::size_t n = 0;
    for (auto const& e : t) {
        CHECK(e.index() == n);
        CHECK(e.pathname() == "f" + std::to_string(n));
        CHECK(e.size() == n);
        ++n;
    }
    CHECK(n == 10);
    auto it = t.begin();
    CHECK((*(it + 7)).pathname() == "f7");
    CHECK(it[3].pathname() == "f3");
    CHECK(t.end() - t.begin() == 10);
    CHECK(std::ranges::distance(t) == 10);
    CHECK_FALSE(t.file(10).has_value()); // out of range: no file
    REQUIRE_THROWS_AS(t[10], ar::error);
}

TEST_CASE("the index costs at most 64 bytes per entry plus names", "[tarball][footprint]") {
    cbound_test::scratch_dir dir("tarball-fp");
    python_tar(dir / "many.tar", "  for i in range(20000): add(t, 'd/f%06d' % i)\n", "USTAR_FORMAT");
    auto const t = ar::tarball::open(dir / "many.tar");
    REQUIRE(t.size() == 20000);
    auto const fp = t.footprint();
    CHECK(fp.index_bytes <= 64 * t.size());
    CHECK(fp.name_bytes >= 20000 * 9);
    CHECK(fp.name_bytes < 20000 * 9 + 4096);
    CHECK(fp.decoded_bytes == 0);
    CHECK(t.find("d/f012345") == std::optional<std::size_t>(12345));
}

// Run by hand for the figure in the report: unit_tarball "[measure]" (hidden from CTest).
TEST_CASE("index bytes per entry on a 200,000-entry tar", "[.][measure]") {
    cbound_test::scratch_dir dir("tarball-measure");
    python_tar(dir / "huge.tar", "  for i in range(200000): add(t, 'dir%03d/file%06d.txt' % (i % 1000, i))\n",
               "USTAR_FORMAT");
    auto const t = ar::tarball::open(dir / "huge.tar");
    REQUIRE(t.size() == 200000);
    auto const fp = t.footprint();
    double const per_entry = static_cast<double>(fp.index_bytes) / static_cast<double>(t.size());
    double const names_per_entry = static_cast<double>(fp.name_bytes) / static_cast<double>(t.size());
    WARN("index bytes/entry: " << per_entry << ", name bytes/entry: " << names_per_entry
                               << ", decoded bytes: " << fp.decoded_bytes);
    CHECK(per_entry <= 64.0);
}

TEST_CASE("find: every name length, later duplicates win, near misses are absent", "[tarball][find]") {
    cbound_test::scratch_dir dir("tarball-find");
    // Names of 1 to 40 bytes cross every word boundary of the name hash; each one is added
    // twice so the table must let the later copy replace the earlier.
    python_tar(dir / "names.tar", "  names = ['n' * k + str(k % 10) for k in range(40)]\n"
                                  "  for n in names: add(t, n, b'first')\n"
                                  "  for n in names: add(t, n, n.encode())\n");
    auto const t = ar::tarball::open(dir / "names.tar");
    REQUIRE(t.size() == 80);
    for (std::size_t k = 0; k < 40; ++k) {
        std::string const name = std::string(k, 'n') + std::to_string(k % 10);
        INFO(name);
        CHECK(t.find(name) == std::optional<std::size_t>(40 + k));
        CHECK(text(*t.file(name)) == name);
        CHECK(text(*t.file(k)) == "first"); // the earlier copy stays reachable by index
        std::string near = name;
        near.back() = 'x';
        CHECK_FALSE(t.find(near).has_value());
        CHECK_FALSE(t.find(name + "n").has_value());
        CHECK_FALSE(t.find(name.substr(1)).has_value());
    }
    CHECK_FALSE(t.find("").has_value());
}

TEST_CASE("a hardlink takes the last copy of its target before it, not a later one", "[tarball][hardlinks]") {
    cbound_test::scratch_dir dir("tarball-hl-order");
    fs::path const archive = dir / "order.tar";
    python_tar(archive, "  add(t, 'dup', b'one')\n"
                        "  add(t, 'dup', b'two')\n"
                        "  add(t, 'link', type=tarfile.LNKTYPE, linkname='dup')\n"
                        "  add(t, 'dup', b'three')\n"
                        "  add(t, 'link2', type=tarfile.LNKTYPE, linkname='link')\n");
    auto const t = ar::tarball::open(archive);
    REQUIRE(t.size() == 5);
    CHECK(text(*t.file("link")) == "two");
    CHECK(text(*t.file("link2")) == "two"); // a link to a link: its target is already resolved
    CHECK(text(*t.file("dup")) == "three");
    CHECK(t.find("dup") == std::optional<std::size_t>(3));
    // What extraction leaves on disk agrees.
    fs::create_directories(dir / "out");
    must_run("cd " + sh_quote((dir / "out").string()) + " && bsdtar -xf " + sh_quote(archive.string()));
    CHECK(cbound_test::read_file(dir / "out/link") == "two");
    CHECK(cbound_test::read_file(dir / "out/link2") == "two");
}

TEST_CASE("an entry's time is entry_view's, to the second; one beyond nanoseconds is none", "[tarball][names]") {
    cbound_test::scratch_dir dir("tarball-mtime");
    fs::path const archive = dir / "times.tar";
    python_tar(archive, "  add(t, 'fraction', b'f', mtime=1234567890.75)\n"
                        "  add(t, 'far', b'x', mtime=100000000000)\n");
    auto const t = ar::tarball::open(archive);
    REQUIRE(t.size() == 2);
    auto r = ar::reader::open(archive);
    auto const e = r.next();
    REQUIRE(e);
    REQUIRE(e->mtime());
    CHECK(t[0].mtime() == std::chrono::floor<std::chrono::seconds>(*e->mtime()));
    CHECK(t[0].mtime() == ar::entry_time(std::chrono::seconds(1234567890)));
    CHECK(t[1].mtime() == std::nullopt); // 100000000000 s do not fit 64-bit nanoseconds
}
