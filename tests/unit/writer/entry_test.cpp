// entry_info, the owned entry, file-name endings, and re-packing entries read by cbound's reader.
#include "writer_fixture.hpp"

#include <chrono>
#include <utility>

using namespace writer_test;

TEST_CASE("entry_info fills an owned entry and unset fields stay unset") {
    using namespace std::chrono;
    ar::entry_time const before_1970 = ar::entry_time(-500ms); // floor division: -1 s + 500000000 ns
    ar::entry e({.pathname = "dir/file.txt", .perms = 0600, .size = 42, .mtime = before_1970});
    CHECK(e.pathname() == "dir/file.txt");
    CHECK(e.type() == ar::entry_type::regular);
    CHECK(e.perms() == 0600);
    CHECK(e.size() == 42);
    CHECK(e.mtime() == before_1970);
    CHECK(archive_entry_mtime(e.native_handle()) == -1);
    CHECK(archive_entry_mtime_nsec(e.native_handle()) == 500000000);
    CHECK_FALSE(archive_entry_atime_is_set(e.native_handle()));
    CHECK_FALSE(archive_entry_uid(e.native_handle()) != 0);

    ar::entry link({.pathname = "l", .type = ar::entry_type::hardlink, .hardlink = "dir/file.txt"});
    CHECK(link.type() == ar::entry_type::hardlink);
    ar::entry none;
    CHECK_FALSE(none.size());
    CHECK_FALSE(none.mtime());
}

TEST_CASE("owned entries copy deeply and a moved-from one fails cleanly") {
    ar::entry a({.pathname = "a"});
    ar::entry b = a;
    b.set_pathname("b");
    CHECK(a.pathname() == "a");
    CHECK(b.pathname() == "b");
    CHECK(a.native_handle() != b.native_handle());
    ar::entry c = std::move(a);
    CHECK(c.pathname() == "a");
    CHECK(a.native_handle() == nullptr);
    CHECK(contains(error_of([&] { (void)a.pathname(); }), "moved from"));
    a = c; // assigning revives it
    CHECK(a.pathname() == "a");
}

TEST_CASE("an owned entry gives full control, and UTF-8 names survive without setlocale") {
    std::vector<std::byte> out;
    ar::writer w = ar::writer::open_memory(out, ar::format::pax);
    ar::entry e({.pathname = "gr\xc3\xbc\xc3\x9f"
                             "e.txt"});
    archive_entry_set_rdev(e.native_handle(), 0); // anything cbound does not wrap
    w.add(e, bytes_of("hi"));
    w.close();
    CHECK(read_back(out) == listing{{"gr\xc3\xbc\xc3\x9f"
                                     "e.txt",
                                     "hi"}});
}

TEST_CASE("file-name endings choose format and filter, unknown endings are a clear error") {
    struct expectation {
        char const* name;
        ar::format format;
        ar::filter filter;
    };
    for (auto const& [name, format, filter] : {
             expectation{"x.tar", ar::format::pax, ar::filter::none},
             expectation{"x.tgz", ar::format::pax, ar::filter::gzip},
             expectation{"x.tar.gz", ar::format::pax, ar::filter::gzip},
             expectation{"x.tbz2", ar::format::pax, ar::filter::bzip2},
             expectation{"x.tar.bz2", ar::format::pax, ar::filter::bzip2},
             expectation{"x.txz", ar::format::pax, ar::filter::xz},
             expectation{"X.TAR.XZ", ar::format::pax, ar::filter::xz},
             expectation{"x.tar.zst", ar::format::pax, ar::filter::zstd},
             expectation{"x.tzst", ar::format::pax, ar::filter::zstd},
             expectation{"x.tar.lz4", ar::format::pax, ar::filter::lz4},
             expectation{"x.tar.lz", ar::format::pax, ar::filter::lzip},
             expectation{"x.tar.lzma", ar::format::pax, ar::filter::lzma},
             expectation{"x.tar.Z", ar::format::pax, ar::filter::compress},
             expectation{"x.zip", ar::format::zip, ar::filter::none},
             expectation{"x.7z", ar::format::sevenzip, ar::filter::none},
             expectation{"x.cpio", ar::format::cpio_odc, ar::filter::none},
             expectation{"x.iso", ar::format::iso9660, ar::filter::none},
             expectation{"libx.a", ar::format::ar_svr4, ar::filter::none},
             expectation{"x.shar", ar::format::shar, ar::filter::none},
             expectation{"x.warc", ar::format::warc, ar::filter::none},
             expectation{"x.xar", ar::format::xar, ar::filter::none},
             expectation{"x.mtree", ar::format::mtree, ar::filter::none},
         }) {
        INFO(name);
        ar::archive_kind const kind = ar::from_extension(name);
        CHECK(kind.format == format);
        CHECK(kind.filter == filter);
        auto const same = ar::try_from_extension(name); // the non-throwing twin agrees
        REQUIRE(same);
        CHECK(same->format == format);
        CHECK(same->filter == filter);
    }
    for (char const* bad : {"x.docx", "x", ".tar", "x.gz", ""}) {
        INFO(bad);
        CHECK(contains(error_of([&] { (void)ar::from_extension(bad); }), "no archive format is known"));
        CHECK_FALSE(ar::try_from_extension(bad));
    }
}

TEST_CASE("every format and filter name reads back as itself; other text is none") {
    for (int i = 0; i <= static_cast<int>(ar::format::empty); ++i) {
        auto const f = static_cast<ar::format>(i);
        INFO(ar::to_string(f));
        CHECK(ar::format_from_string(ar::to_string(f)) == f);
    }
    for (int i = 0; i <= static_cast<int>(ar::filter::b64); ++i) {
        auto const f = static_cast<ar::filter>(i);
        INFO(ar::to_string(f));
        CHECK(ar::filter_from_string(ar::to_string(f)) == f);
    }
    CHECK(ar::format_from_string("7z") == std::nullopt); // cbound's name is "7zip"
    CHECK(ar::format_from_string("PAX") == std::nullopt);
    CHECK(ar::filter_from_string("") == std::nullopt);
}

TEST_CASE("re-packing copies each entry read by cbound's reader, header and data, into another format") {
    std::string const big = noise(200000, 3);
    auto const source = ar::writer::to_memory(ar::format::zip, ar::filter::none, [&](ar::writer& w) {
        w.add({.pathname = "d", .type = ar::entry_type::directory, .perms = 0700});
        w.add({.pathname = "d/big.bin", .perms = 0604}, bytes_of(big));
        w.add({.pathname = "s", .type = ar::entry_type::symlink, .symlink = "d/big.bin"});
    });
    std::vector<std::byte> copy;
    {
        ar::writer w = ar::writer::open_memory(copy, ar::format::pax, ar::filter::xz);
        ar::reader r = ar::reader::open_memory(source);
        for (ar::entry_view e : r)
            w.add(e);
        w.close();
    }
    ar::reader r = ar::reader::open_memory(copy);
    std::vector<std::string> seen;
    for (ar::entry_view e : r) {
        seen.push_back(std::string(e.pathname()) + " " + std::string(ar::to_string(e.type())) + " " +
                       std::to_string(e.perms()));
        if (e.pathname() == "d/big.bin") CHECK(text_of(e.read_all(1 << 20)) == big);
        if (e.type() == ar::entry_type::symlink) CHECK(e.symlink() == "d/big.bin");
    }
    CHECK(seen == std::vector<std::string>{"d/ directory 448", "d/big.bin regular 388", "s symlink 420"});

    // An owned copy of an entry_view outlives the reader position it came from.
    ar::reader again = ar::reader::open_memory(source);
    std::vector<ar::entry> kept;
    for (ar::entry_view e : again)
        kept.emplace_back(e);
    CHECK(kept.at(1).pathname() == "d/big.bin");
    CHECK(kept.at(1).size() == static_cast<std::int64_t>(big.size()));
}

TEST_CASE("re-packing a streamed zip whose entries declare no size gathers each entry first") {
    if (!cbound_test::have_tool("python3")) {
        WARN("skipped: no python3");
        return;
    }
    cbound_test::scratch_dir dir("w-repack");
    std::string const text = noise(30000, 9);
    cbound_test::write_file(dir / "a.txt", text);
    // Written to a pipe, zipfile cannot seek back: sizes follow the data in descriptors.
    std::string const script = "import sys, zipfile\n"
                               "z = zipfile.ZipFile(sys.stdout.buffer, 'w', zipfile.ZIP_DEFLATED)\n"
                               "z.write(sys.argv[1], 'a.txt')\n"
                               "z.writestr('b.txt', 'bee')\n"
                               "z.close()\n";
    auto const made = cbound_test::run("python3 -c " + cbound_test::sh_quote(script) + " " +
                                       cbound_test::sh_quote((dir / "a.txt").string()) + " | cat");
    REQUIRE(made.exit_code == 0);
    // A source that cannot seek: libarchive reads the zip front to back, without its central directory.
    bool served = false;
    ar::read_source once;
    once.read = [&]() -> std::span<std::byte const> {
        if (std::exchange(served, true)) return {};
        return bytes_of(made.output);
    };
    ar::reader r = ar::reader::open_callbacks(std::move(once));
    bool saw_unsized = false;
    auto const copy = ar::writer::to_memory(ar::format::pax, ar::filter::none, [&](ar::writer& w) {
        for (ar::entry_view e : r) {
            saw_unsized = saw_unsized || !e.size();
            w.add(e);
        }
    });
    CHECK(saw_unsized);
    CHECK(read_back(copy) == listing{{"a.txt", text}, {"b.txt", "bee"}});
}

namespace {

/// The peak resident memory since the last reset_peak_rss(), in bytes (Linux's VmHWM).
std::int64_t peak_rss() {
    std::string const status = cbound_test::read_file("/proc/self/status");
    auto const at = status.find("VmHWM:");
    return at == std::string::npos ? -1 : std::stoll(status.substr(at + 6)) * 1024;
}
/// Resets the peak to the current resident memory ("5" in clear_refs).
void reset_peak_rss() { cbound_test::write_file("/proc/self/clear_refs", "5"); }

} // namespace

TEST_CASE("re-packing an unsized entry larger than a MiB holds it in a temporary file, not in memory") {
    cbound_test::scratch_dir dir("w-spill");
    constexpr std::size_t size = std::size_t{48} << 20;
    // 48 MiB of lines that deflate well (fast to make), written to a pipe: no size in the header.
    std::string const script = "import sys, zipfile\n"
                               "z = zipfile.ZipFile(sys.stdout.buffer, 'w', zipfile.ZIP_DEFLATED)\n"
                               "line = b''.join(b'%07d,' % i for i in range(100)) + b'\\n'\n"
                               "with z.open('big.txt', 'w') as f:\n"
                               "    for i in range(" +
                               std::to_string(size) +
                               " // len(line)): f.write(line)\n"
                               "z.writestr('small.txt', 'tail')\n"
                               "z.close()\n";
    auto const made = cbound_test::run("python3 -c " + cbound_test::sh_quote(script) + " | cat");
    REQUIRE(made.exit_code == 0);
    bool served = false;
    ar::read_source once;
    once.read = [&]() -> std::span<std::byte const> {
        if (std::exchange(served, true)) return {};
        return bytes_of(made.output);
    };
    auto const out = dir / "copy.tar";
    ar::reader r = ar::reader::open_callbacks(std::move(once));
    reset_peak_rss();
    std::int64_t const before = peak_rss();
    {
        ar::writer w = ar::writer::open(out, ar::format::pax);
        for (ar::entry_view e : r) {
            CHECK_FALSE(e.size());
            w.add(e);
        }
        w.close();
    }
    std::int64_t const growth = peak_rss() - before;
    CHECK(growth < (std::int64_t{16} << 20)); // gathered in memory it grew by the entry's 48 MiB or more
    // The copy holds exactly what the zip did.
    std::string const expected =
        cbound_test::run("python3 -c " +
                         cbound_test::sh_quote("import sys\n"
                                               "line = b''.join(b'%07d,' % i for i in range(100)) + b'\\n'\n"
                                               "sys.stdout.buffer.write(line * (" +
                                               std::to_string(size) + " // len(line)))\n"))
            .output;
    auto again = ar::reader::open(out);
    auto big = again.next();
    REQUIRE(big);
    CHECK(big->pathname() == "big.txt");
    CHECK(big->size() == static_cast<std::int64_t>(expected.size()));
    auto const data = big->read_all(size);
    CHECK((std::string_view(reinterpret_cast<char const*>(data.data()), data.size()) == expected));
    auto small = again.next();
    REQUIRE(small);
    CHECK(small->pathname() == "small.txt");
}
