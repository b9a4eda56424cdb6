// Limits while streaming, progress and cancellation, single entries, and threads.
#include "extract_fixture.hpp"

#include <atomic>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>
#include <vector>

using namespace extract_test;
namespace ca = cbound::archive;

namespace {

/// Runs `f` and requires a cbound error with code `code`.
template <class F>
void require_error(F&& f, ca::errc code) {
    try {
        f();
        FAIL("no exception");
    } catch (ca::error const& e) {
        INFO(e.what());
        CHECK(e.code() == code);
    }
}

std::string repeated(char c, std::size_t n) { return std::string(n, c); }

} // namespace

TEST_CASE("the entry count limit stops extraction", "[extract][limits]") {
    cbound_test::scratch_dir work("lim-count");
    make_tar(work / "t.tar", {{"1", "a"}, {"2", "b"}, {"3", "c"}});
    ca::extract_options o;
    o.limits.max_entries = 2;
    require_error([&] { (void)extract_file(work / "t.tar", work / "dest", o); }, ca::errc::limit_exceeded);
    CHECK(fs::exists(work / "dest/2"));
    CHECK_FALSE(fs::exists(work / "dest/3"));
}

TEST_CASE("the total byte limit stops extraction and removes the partial file", "[extract][limits]") {
    cbound_test::scratch_dir work("lim-total");
    make_tar(work / "t.tar", {{"1", repeated('a', 40000)}, {"2", repeated('b', 40000)}, {"3", repeated('c', 40000)}});
    ca::extract_options o;
    o.limits.max_total_bytes = 100000;
    require_error([&] { (void)extract_file(work / "t.tar", work / "dest", o); }, ca::errc::limit_exceeded);
    CHECK(fs::file_size(work / "dest/2") == 40000);
    CHECK_FALSE(fs::exists(work / "dest/3"));
}

TEST_CASE("the per-entry limit holds while streaming an entry of unknown size", "[extract][limits]") {
    cbound_test::scratch_dir work("lim-entry");
    if (!cbound_test::have_tool("zip")) {
        WARN("skipped: no zip");
        return;
    }
    // zip reading from a pipe writes a data descriptor: the size is not in the local header.
    must_run("head -c 300000 /dev/zero | zip -q " + sh_quote((work / "s.zip").string()) + " -");
    ca::extract_options o;
    o.limits.max_entry_bytes = 100000;
    auto r = ca::reader::open(work / "s.zip");
    require_error([&] { (void)ca::extract(r, work / "dest", o); }, ca::errc::limit_exceeded);
    CHECK_FALSE(fs::exists(work / "dest/-"));
    // The same entry within the limit extracts completely.
    o.limits.max_entry_bytes = 300000;
    auto again = ca::reader::open(work / "s.zip");
    CHECK(ca::extract(again, work / "ok", o).bytes_written == 300000);
}

TEST_CASE("the ratio limit stops a compression bomb while streaming", "[extract][limits]") {
    cbound_test::scratch_dir work("lim-ratio");
    python_tar((work / "bomb.tar.gz").string(),
               "i = tarfile.TarInfo('zeros'); i.size = 8 << 20; t.addfile(i, io.BytesIO(bytes(i.size)))\n", "'w:gz'");
    ca::extract_options o;
    o.limits.max_ratio = 100;
    require_error([&] { (void)extract_file(work / "bomb.tar.gz", work / "dest", o); }, ca::errc::limit_exceeded);
    CHECK_FALSE(fs::exists(work / "dest/zeros"));
    o.limits.max_ratio = 0; // unlimited: the same archive extracts
    CHECK(extract_file(work / "bomb.tar.gz", work / "ok", o).bytes_written == 8u << 20);
}

TEST_CASE("an uncompressed tar read from memory is no bomb, a compressed one in memory still is", "[extract][limits]") {
    // From memory, libarchive hands an uncompressed entry over as one block of megabytes before it
    // has consumed any of it: the ratio must not count that block against the bytes read so far.
    cbound_test::scratch_dir work("lim-ratio-memory");
    python_tar((work / "zeros.tar").string(),
               "i = tarfile.TarInfo('zeros'); i.size = 5 << 20; t.addfile(i, io.BytesIO(bytes(i.size)))\n");
    python_tar((work / "bomb.tar.gz").string(),
               "i = tarfile.TarInfo('zeros'); i.size = 8 << 20; t.addfile(i, io.BytesIO(bytes(i.size)))\n", "'w:gz'");
    auto const bytes_of = [](fs::path const& p) {
        std::ifstream in(p, std::ios::binary);
        std::string const s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::vector<std::byte> out(s.size());
        std::memcpy(out.data(), s.data(), s.size());
        return out;
    };
    std::vector<std::byte> const plain = bytes_of(work / "zeros.tar");
    ca::reader r = ca::reader::open_memory(plain);
    CHECK(ca::extract(r, work / "plain").bytes_written == 5u << 20);
    std::vector<std::byte> const bomb = bytes_of(work / "bomb.tar.gz");
    ca::extract_options o;
    o.limits.max_ratio = 100;
    ca::reader b = ca::reader::open_memory(bomb);
    require_error([&] { (void)ca::extract(b, work / "bomb", o); }, ca::errc::limit_exceeded);
}

TEST_CASE("the data of refused and skipped entries counts against the total and ratio limits", "[extract][limits]") {
    cbound_test::scratch_dir work("lim-refused");
    // A refused entry's data is decoded all the same to reach the next header.
    python_tar((work / "bomb.tar.gz").string(),
               "i = tarfile.TarInfo('../evil'); i.size = 8 << 20; t.addfile(i, io.BytesIO(bytes(i.size)))\n"
               "i = tarfile.TarInfo('ok'); i.size = 1; t.addfile(i, io.BytesIO(b'x'))\n",
               "'w:gz'");
    ca::extract_options o;
    o.unsafe = ca::on_unsafe::skip;
    o.limits.max_ratio = 100;
    require_error([&] { (void)extract_file(work / "bomb.tar.gz", work / "ratio", o); }, ca::errc::limit_exceeded);
    o.limits.max_ratio = 0;
    o.limits.max_total_bytes = 1 << 20;
    require_error([&] { (void)extract_file(work / "bomb.tar.gz", work / "total", o); }, ca::errc::limit_exceeded);
    o.limits.max_total_bytes = 0; // unlimited: the refused entry is read past, the next extracted
    auto const rep = extract_file(work / "bomb.tar.gz", work / "ok", o);
    CHECK(rep.rejected == 1);
    CHECK(rep.bytes_written == 1);
    // Entries skipped because they exist (overwrite::never) count too.
    python_tar((work / "big.tar.gz").string(),
               "i = tarfile.TarInfo('zeros'); i.size = 8 << 20; t.addfile(i, io.BytesIO(bytes(i.size)))\n", "'w:gz'");
    cbound_test::write_file(work / "never/zeros", "mine");
    ca::extract_options keep;
    keep.existing = ca::overwrite::never;
    keep.limits.max_ratio = 100;
    require_error([&] { (void)extract_file(work / "big.tar.gz", work / "never", keep); }, ca::errc::limit_exceeded);
    CHECK(cbound_test::read_file(work / "never/zeros") == "mine");
}

TEST_CASE("progress reports entries and bytes, and returning false cancels", "[extract][progress]") {
    cbound_test::scratch_dir work("progress");
    make_tar(work / "t.tar", {{"1", repeated('a', 1000)}, {"2", repeated('b', 2000)}, {"3", "c"}});
    std::vector<ca::progress> seen;
    std::vector<std::string> names;
    ca::extract_options o;
    o.on_progress = [&](ca::progress const& p) {
        seen.push_back(p);
        names.emplace_back(p.pathname);
        return true;
    };
    auto const rep = extract_file(work / "t.tar", work / "all", o);
    REQUIRE_FALSE(seen.empty());
    CHECK(seen.back().entries_done == 3);
    CHECK(seen.back().bytes_done == 3001);
    CHECK(seen.back().bytes_done == rep.bytes_written);
    CHECK(names.back() == "3");
    for (std::size_t i = 1; i < seen.size(); ++i) {
        CHECK(seen[i].bytes_done >= seen[i - 1].bytes_done);
        CHECK(seen[i].entries_done >= seen[i - 1].entries_done);
    }

    o.on_progress = [](ca::progress const& p) { return p.entries_done < 1; };
    require_error([&] { (void)extract_file(work / "t.tar", work / "cancelled", o); }, ca::errc::cancelled);
    CHECK(fs::exists(work / "cancelled/1"));
    CHECK_FALSE(fs::exists(work / "cancelled/3"));
}

TEST_CASE("a single entry extracts to a chosen file or a stream", "[extract][entry]") {
    cbound_test::scratch_dir work("single");
    python_tar((work / "t.tar").string(),
               "i = tarfile.TarInfo('dir'); i.type = tarfile.DIRTYPE; t.addfile(i)\n"
               "i = tarfile.TarInfo('dir/f'); i.size = 5; i.mode = 0o4777; i.mtime = 1500000000\n"
               "t.addfile(i, io.BytesIO(b'hello'))\n"
               "i = tarfile.TarInfo('lnk'); i.type = tarfile.SYMTYPE; i.linkname = 'dir/f'; t.addfile(i)\n");
    cbound_test::write_file(work / "outside", "sentinel");
    fs::create_symlink(work / "outside", work / "target");
    auto r = ca::reader::open(work / "t.tar");
    auto e = r.next();
    REQUIRE(e);
    ca::extract_entry(*e, work / "made/folder");
    CHECK(fs::is_directory(work / "made/folder"));
    e = r.next();
    REQUIRE(e);
    ca::extract_entry(*e, work / "target"); // replaces the symlink, does not write through it
    CHECK_FALSE(fs::is_symlink(work / "target"));
    CHECK(cbound_test::read_file(work / "target") == "hello");
    CHECK(cbound_test::read_file(work / "outside") == "sentinel");
    CHECK(fs::last_write_time(work / "target") == fs::last_write_time(work / "target")); // exists
    struct stat st {};
    REQUIRE(::stat((work / "target").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0755);
    CHECK(st.st_mtime == 1500000000);
    e = r.next();
    REQUIRE(e);
    std::ostringstream out;
    require_error([&] { ca::extract_entry(*e, out); }, ca::errc::invalid_argument);

    auto again = ca::reader::open(work / "t.tar");
    (void)again.next();
    auto f = again.next();
    REQUIRE(f);
    ca::extract_entry(*f, out);
    CHECK(out.str() == "hello");
}

TEST_CASE("eight extractions on eight threads at once", "[extract][threads]") {
    cbound_test::scratch_dir work("threads");
    python_tar((work / "t.tar").string(),
               "for d in range(6):\n"
               "    i = tarfile.TarInfo('d%d' % d); i.type = tarfile.DIRTYPE; i.mode = 0o777; t.addfile(i)\n"
               "    for f in range(20):\n"
               "        data = (('%d-%d ' % (d, f)) * 500).encode()\n"
               "        i = tarfile.TarInfo('d%d/f%d' % (d, f)); i.size = len(data); i.mode = 0o777\n"
               "        t.addfile(i, io.BytesIO(data))\n");
    // Without preserve_permissions the umask decides the modes: a umask read while another
    // thread had set it to 0 would show up as group/other write bits.
    ca::extract_options o;
    o.preserve_permissions = false;
    mode_t const old = ::umask(022);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            try {
                auto r = ca::reader::open(work / "t.tar");
                if (ca::extract(r, work / ("dest" + std::to_string(t)), o).extracted != 126) ++failures;
            } catch (...) {
                ++failures;
            }
        });
    }
    for (auto& th : threads)
        th.join();
    ::umask(old);
    REQUIRE(failures == 0);
    auto const reference = snapshot(work / "dest0");
    CHECK(reference.size() == 126);
    for (auto const& [path, n] : reference) {
        INFO(path);
        CHECK((n.perms & 022) == 0);
    }
    for (int t = 1; t < 8; ++t)
        CHECK(snapshot(work / ("dest" + std::to_string(t))) == reference);
}
