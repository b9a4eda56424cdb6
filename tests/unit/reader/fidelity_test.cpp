// What the reader delivers is what the archive holds: sparse tails, entries after a failed
// one, times out of range, damaged headers. Archives are made at test time.
#include "reader_fixture.hpp"

#include <sstream>

namespace ca = cbound::archive;
using namespace reader_test;

namespace {

constexpr std::int64_t mib = 1 << 20;

/// A 10 MiB file whose only data are "first" at 1000 and "second" at 5 MiB: it ends in a hole.
std::string make_sparse_file(sample_tree const& t) {
    t.sh("truncate -s 10M sparse && printf first | dd of=sparse bs=1 seek=1000 conv=notrunc status=none"
         " && printf second | dd of=sparse bs=1 seek=5242880 conv=notrunc status=none");
    return cbound_test::read_file(t.root / "sparse");
}

} // namespace

TEST_CASE("read_all and copy_to give a sparse file's trailing hole, as read() does") {
    sample_tree t;
    std::string const expected = make_sparse_file(t);
    REQUIRE(expected.size() == static_cast<std::size_t>(10 * mib));
    std::vector<std::pair<std::string, std::string>> makers = {
        {"gnu", "tar --sparse --format=gnu -cf"},
        {"pax", "tar --sparse --format=posix -cf"},
        {"bsdtar", "bsdtar --format=pax -cf"},
    };
    for (auto const& [name, command] : makers) {
        INFO(name);
        auto archive = t.out(name + ".tar");
        t.sh(command + " " + sh_quote(archive.string()) + " sparse");
        {
            auto r = ca::reader::open(archive);
            auto e = r.next();
            REQUIRE(e);
            auto bytes = e->read_all(16 * mib);
            CHECK(bytes.size() == expected.size());
            CHECK((std::string(reinterpret_cast<char const*>(bytes.data()), bytes.size()) ==
                   expected)); // no 10 MiB expansion
        }
        {
            auto r = ca::reader::open(archive);
            auto e = r.next();
            REQUIRE(e);
            std::ostringstream out;
            e->copy_to(out);
            CHECK(out.str().size() == expected.size());
            CHECK((out.str() == expected));
        }
        {
            // The limit still holds against the hole: 10 MiB do not fit in 6.
            auto r = ca::reader::open(archive);
            auto e = r.next();
            REQUIRE(e);
            REQUIRE_THROWS_WITH(e->read_all(6 * mib), Catch::Contains("exceeds"));
        }
    }
}

TEST_CASE("after an entry whose data cannot be decoded, the reader goes on with the next header") {
    if (!cbound_test::have_tool("7z")) {
        WARN("skipped: no 7z");
        return;
    }
    sample_tree t;
    t.sh("printf a > a.txt && printf b > b.txt && printf c > c.txt");
    auto sz = t.out("x.7z");
    t.sh("7z a -bd -pSECRET " + sh_quote(sz.string()) + " a.txt b.txt c.txt >/dev/null");
    auto r = ca::reader::open(sz);
    std::vector<std::string> names;
    std::size_t failed = 0;
    for (ca::entry_view e : r) {
        names.emplace_back(e.pathname());
        try {
            (void)e.read_all(1 << 20);
        } catch (ca::error const& err) {
            ++failed;
            CHECK(err.pathname() == e.pathname());
            CHECK(err.code() != ca::errc::handle_unusable);
        }
    }
    CHECK(names == std::vector<std::string>{"a.txt", "b.txt", "c.txt"});
    CHECK(failed == 3);
}

TEST_CASE("a time beyond entry_time's range is nullopt with a warning, never overflow") {
    sample_tree t;
    auto archive = t.out("far.tar");
    t.sh("python3 -c " +
         sh_quote("import tarfile,io,sys\n"
                  "with tarfile.open(sys.argv[1],'w',format=tarfile.PAX_FORMAT) as t:\n"
                  " for name,m in (('far',100000000000),('past',-100000000000),('near',1700000000)):\n"
                  "  x=tarfile.TarInfo(name); x.mtime=m; t.addfile(x, io.BytesIO(b''))") +
         " " + sh_quote(archive.string()));
    auto r = ca::reader::open(archive);
    std::vector<std::optional<ca::entry_time>> times;
    for (ca::entry_view e : r) {
        times.push_back(e.mtime());
        times.push_back(e.mtime()); // asking twice warns once
        auto owned = ca::entry::copy_of(e.native_handle());
        if (times.back())
            CHECK(owned.mtime() == times.back());
        else
            REQUIRE_THROWS_WITH(owned.mtime(), Catch::Contains("outside entry_time's range"));
    }
    REQUIRE(times.size() == 6);
    CHECK_FALSE(times[0]);
    CHECK_FALSE(times[2]);
    REQUIRE(times[4]);
    CHECK(times[4]->time_since_epoch() == std::chrono::seconds(1700000000));
    REQUIRE(r.warnings().size() == 2);
    CHECK(r.warnings()[0].pathname == "far");
    CHECK_THAT(r.warnings()[0].message, Catch::Contains("mtime 100000000000"));
    CHECK(r.warnings()[1].pathname == "past");
}

TEST_CASE("a damaged tar header that the reader skips is a warning on the entry after it, as bsdtar says") {
    sample_tree t;
    auto archive = t.out("damaged.tar");
    // Three entries; the second header's checksum is broken, so libarchive skips it (RETRY).
    t.sh("python3 -c " + sh_quote(cbound_test::damaged_tar_program) + " " + sh_quote(archive.string()));
    auto r = ca::reader::open(archive);
    CHECK(pathnames(r) == std::vector<std::string>{"a", "c"});
    REQUIRE_FALSE(r.warnings().empty());
    for (ca::warning const& w : r.warnings()) {
        CHECK(w.pathname == "c");
        CHECK_THAT(w.message, Catch::Contains("Damaged tar archive"));
    }
}
