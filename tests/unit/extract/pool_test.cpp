// Small files are finished on a pool of threads (extract_options::threads) while the calling
// thread decodes: the tree, the report and its order are the same as with the calling thread
// alone, archive order holds where it matters, and every path out (cancellation, a failed
// entry) drains the pool first.
#include "extract_fixture.hpp"

#include <cbound/archive/error.hpp>

using namespace extract_test;
namespace ca = cbound::archive;

namespace {

/// A GNU tar whose order matters: folders before their contents, the same name twice (the
/// second wins), a hard link right after its target, a symlink over a file just written, a
/// file too large to hand over.
void make_ordered_archive(fs::path const& archive) {
    python("import tarfile, io\n"
           "t = tarfile.open(" +
           sh_quote(archive.string()) +
           ", 'w', format=tarfile.GNU_FORMAT)\n"
           "def add(name, data, kind=tarfile.REGTYPE, link='', mode=0o644):\n"
           "    i = tarfile.TarInfo(name); i.type = kind; i.linkname = link; i.mode = mode\n"
           "    i.mtime = 1600000000 + len(name)\n"
           "    if kind == tarfile.REGTYPE: i.size = len(data)\n"
           "    t.addfile(i, io.BytesIO(data) if kind == tarfile.REGTYPE else None)\n"
           "for d in range(8):\n"
           "    add('d%d' % d, b'', tarfile.DIRTYPE, mode=0o750)\n"
           "    for f in range(60):\n"
           "        add('d%d/f%d' % (d, f), (b'%d-%d ' % (d, f)) * (f * 7 + 1), mode=0o600 if f % 3 else 0o644)\n"
           "add('d0/f1', b'the second d0/f1\\n')\n"
           "add('d1/hard', b'', tarfile.LNKTYPE, 'd1/f5')\n"
           "add('d2/f3', b'', tarfile.SYMTYPE, 'f4')\n"
           "add('big', bytes(range(256)) * 12288)\n"
           "t.close()\n");
}

/// snapshot() with the times of folders dropped: a folder no entry names keeps the time its
/// last file was made, which differs from run to run.
std::map<std::string, node> without_folder_times(std::map<std::string, node> tree) {
    for (auto& [path, n] : tree)
        if (n.type == 'd') n.mtime = 0;
    return tree;
}

ca::extract_options with_threads(unsigned threads) {
    ca::extract_options o;
    o.threads = threads;
    return o;
}

} // namespace

TEST_CASE("files finished on the pool make the same tree and report as one thread", "[extract][pool]") {
    cbound_test::scratch_dir work("pool");
    make_ordered_archive(work / "o.tar");
    ca::extract_report const alone = extract_file(work / "o.tar", work / "one", with_threads(1));
    REQUIRE(alone.extracted == 8 + 8 * 60 + 4);
    for (unsigned threads : {2u, 4u, 0u}) {
        INFO(threads << " threads");
        fs::path const dest = work / ("pool" + std::to_string(threads));
        ca::extract_report const pooled = extract_file(work / "o.tar", dest, with_threads(threads));
        CHECK(pooled.extracted == alone.extracted);
        CHECK(pooled.bytes_written == alone.bytes_written);
        REQUIRE(pooled.entries.size() == alone.entries.size());
        for (std::size_t i = 0; i < alone.entries.size(); ++i) // archive order, row for row
            CHECK(pooled.entries[i].pathname == alone.entries[i].pathname);
        CHECK(snapshot(dest) == snapshot(work / "one"));
        CHECK(link_groups(dest) == link_groups(work / "one"));
        CHECK(cbound_test::read_file(dest / "d0/f1") == "the second d0/f1\n");
        CHECK(fs::read_symlink(dest / "d2/f3") == "f4");
    }
    // And the pool's result is bsdtar's.
    require_same_as_bsdtar(work / "o.tar", work.path(), 8 * 60);
}

TEST_CASE("cancelling while files are on the pool drains it and leaves only whole files", "[extract][pool]") {
    cbound_test::scratch_dir work("pool-cancel");
    make_ordered_archive(work / "o.tar");
    ca::extract_options o = with_threads(4);
    std::uint64_t calls = 0;
    o.on_progress = [&](ca::progress const&) { return ++calls < 200; };
    try {
        (void)extract_file(work / "o.tar", work / "dest", o);
        FAIL("no exception");
    } catch (ca::error const& e) {
        CHECK(e.code() == ca::errc::cancelled);
    }
    (void)extract_file(work / "o.tar", work / "whole", with_threads(1));
    std::size_t files = 0;
    for (auto const& item : fs::recursive_directory_iterator(work / "dest")) {
        INFO(item.path());
        CHECK(item.path().filename().string().rfind(".cbound-", 0) == std::string::npos);
        if (!item.is_regular_file()) continue;
        ++files;
        fs::path const relative = fs::relative(item.path(), work / "dest");
        if (relative == "d0/f1" || relative == "d2/f3") continue; // replaced later in the archive
        fs::path const same = work / "whole" / relative;
        CHECK(cbound_test::read_file(item.path()) == cbound_test::read_file(same));
        CHECK(fs::last_write_time(item.path()) == fs::last_write_time(same));
    }
    CHECK(files > 0);
}

TEST_CASE("a corrupt entry on the way to the pool fails by name and leaves no partial file", "[extract][pool]") {
    cbound_test::scratch_dir work("pool-corrupt");
    make_ordered_archive(work / "o.tar");
    // Truncated in the middle of the last folder's files: the entry being decoded fails.
    fs::resize_file(work / "o.tar", fs::file_size(work / "o.tar") * 3 / 4);
    std::string failed_name;
    try {
        (void)extract_file(work / "o.tar", work / "dest", with_threads(4));
        FAIL("no exception");
    } catch (ca::error const& e) {
        failed_name = e.pathname();
    }
    INFO(failed_name);
    REQUIRE(!failed_name.empty());
    CHECK_FALSE(fs::exists(fs::symlink_status(work / "dest" / failed_name)));
}

// Workers create the small files themselves. The reading thread keeps archive order by the
// names in flight: a file waits for one at its own name or at a folder above it, and one a
// worker could not create (something at its name) is made the careful way when its turn comes.

TEST_CASE("the same name many times in a row ends with the last one, as with one thread", "[extract][pool]") {
    cbound_test::scratch_dir work("pool-same");
    python_tar(work / "same.tar", "for k in range(40):\n"
                                  "    for name in ('same', 'd/same', 'other%d' % k):\n"
                                  "        d = (b'%s %d ' % (name.encode(), k)) * (k + 1)\n"
                                  "        i = tarfile.TarInfo(name); i.size = len(d); i.mtime = 1600000000 + k\n"
                                  "        t.addfile(i, io.BytesIO(d))\n");
    ca::extract_report const alone = extract_file(work / "same.tar", work / "one", with_threads(1));
    for (int run = 0; run < 4; ++run) {
        fs::path const dest = work / ("pool" + std::to_string(run));
        ca::extract_report const pooled = extract_file(work / "same.tar", dest, with_threads(4));
        CHECK(pooled.extracted == 3 * 40);
        CHECK(pooled.bytes_written == alone.bytes_written);
        CHECK(cbound_test::read_file(dest / "same").rfind("same 39 ", 0) == 0);
        CHECK(without_folder_times(snapshot(dest)) == without_folder_times(snapshot(work / "one")));
    }
}

TEST_CASE("a file where a folder was, then a file below that name, end as with one thread", "[extract][pool]") {
    cbound_test::scratch_dir work("pool-above");
    // x<k> is a folder with a file, then a file (replacing the folder), then a name below it,
    // which must find the file in the way whatever the workers did meanwhile.
    python_tar(work / "above.tar", "def add(name, kind=tarfile.REGTYPE):\n"
                                   "    i = tarfile.TarInfo(name); i.type = kind; i.mtime = 1600000000\n"
                                   "    d = name.encode() * 50 if kind == tarfile.REGTYPE else b''\n"
                                   "    i.size = len(d)\n"
                                   "    t.addfile(i, io.BytesIO(d) if d else None)\n"
                                   "for k in range(20):\n"
                                   "    add('x%d' % k, tarfile.DIRTYPE)\n"
                                   "    add('x%d/a' % k)\n"
                                   "    add('x%d' % k)\n"
                                   "    add('x%d/y' % k)\n");
    ca::extract_options o = with_threads(1);
    o.existing = ca::overwrite::always_replace;
    o.failure = ca::on_failure::skip;
    ca::extract_report const alone = extract_file(work / "above.tar", work / "one", o);
    REQUIRE(alone.failed == 20); // each x<k>/y
    o.threads = 4;
    for (int run = 0; run < 4; ++run) {
        fs::path const dest = work / ("pool" + std::to_string(run));
        ca::extract_report const pooled = extract_file(work / "above.tar", dest, o);
        REQUIRE(pooled.entries.size() == alone.entries.size());
        for (std::size_t i = 0; i < alone.entries.size(); ++i) {
            INFO(alone.entries[i].pathname);
            CHECK(pooled.entries[i].pathname == alone.entries[i].pathname);
            CHECK(pooled.entries[i].outcome == alone.entries[i].outcome);
        }
        CHECK(snapshot(dest) == snapshot(work / "one"));
    }
}

TEST_CASE("a failure that stops the extraction leaves none of the files after it", "[extract][pool]") {
    cbound_test::scratch_dir work("pool-stop");
    python_tar(work / "stop.tar", "def add(name):\n"
                                  "    d = name.encode() * 20\n"
                                  "    i = tarfile.TarInfo(name); i.size = len(d)\n"
                                  "    t.addfile(i, io.BytesIO(d))\n"
                                  "for k in range(200): add('before%d' % k)\n"
                                  "add('d')\n"
                                  "for k in range(200): add('after%d' % k)\n");
    for (int run = 0; run < 4; ++run) {
        fs::path const dest = work / ("dest" + std::to_string(run));
        cbound_test::write_file(dest / "d/inner", "x"); // a non-empty folder where the file d goes
        try {
            (void)extract_file(work / "stop.tar", dest, with_threads(4));
            FAIL("no exception");
        } catch (ca::error const& e) {
            CHECK(e.pathname() == "d");
            CHECK(e.code() == std::errc::directory_not_empty);
        }
        std::size_t before = 0, after = 0;
        for (auto const& item : fs::directory_iterator(dest)) {
            std::string const name = item.path().filename().string();
            before += name.rfind("before", 0) == 0;
            after += name.rfind("after", 0) == 0;
            CHECK(name.rfind(".cbound-", 0) == std::string::npos);
        }
        CHECK(before == 200);
        CHECK(after == 0);
        CHECK(cbound_test::read_file(dest / "d/inner") == "x");
    }
}

TEST_CASE("files skipped as already there count no bytes written, as with one thread", "[extract][pool]") {
    cbound_test::scratch_dir work("pool-never");
    make_ordered_archive(work / "o.tar");
    ca::extract_options o = with_threads(1);
    o.existing = ca::overwrite::never;
    (void)extract_file(work / "o.tar", work / "one", with_threads(1));
    (void)extract_file(work / "o.tar", work / "pool", with_threads(1));
    ca::extract_report const alone = extract_file(work / "o.tar", work / "one", o);
    o.threads = 4;
    ca::extract_report const pooled = extract_file(work / "o.tar", work / "pool", o);
    CHECK(alone.skipped > 8 * 60);
    CHECK(pooled.skipped == alone.skipped);
    CHECK(pooled.bytes_written == alone.bytes_written);
    CHECK(snapshot(work / "pool") == snapshot(work / "one"));
}
