// A plain tar cut short inside an entry whose data is skipped: libarchive before 3.8.0 skips
// with lseek past the end and reports a clean end of archive; the reader must not.
#include "reader_fixture.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

namespace ca = cbound::archive;
using namespace reader_test;

namespace {

/// A tar of two 300,000-byte entries (first.bin, second.bin) made by python3's tarfile, after
/// `prefix` bytes of other data, cut to `keep` bytes of tar (all of it when keep is 0).
fs::path make_tar(cbound_test::scratch_dir const& dir, std::string const& name, std::size_t keep,
                  std::size_t prefix = 0) {
    fs::path const tar = dir / (name + ".whole");
    std::string const script = "import io, tarfile\n"
                               "with tarfile.open('" +
                               tar.string() +
                               "', 'w', format=tarfile.USTAR_FORMAT) as t:\n"
                               "    for n in ['first.bin', 'second.bin']:\n"
                               "        i = tarfile.TarInfo(n); i.size = 300000\n"
                               "        t.addfile(i, io.BytesIO(bytes(range(250)) * 1200))\n";
    cbound_test::write_file(dir / (name + ".py"), script);
    auto r = run("python3 " + sh_quote((dir / (name + ".py")).string()));
    REQUIRE(r.exit_code == 0);
    std::string bytes = cbound_test::read_file(tar);
    REQUIRE(bytes.size() > 601'088); // two headers, two padded data areas
    if (keep != 0) bytes.resize(keep);
    fs::path const out = dir / name;
    cbound_test::write_file(out, std::string(prefix, 'p') + bytes);
    return out;
}

/// Lists every entry (skipping all data); the names seen, and the error that ended the listing ("" when none).
std::pair<std::vector<std::string>, std::string> list(ca::reader r) {
    std::vector<std::string> names;
    try {
        for (ca::entry_view e : r)
            names.emplace_back(e.pathname());
    } catch (ca::error const& e) {
        return {names, e.what()};
    }
    return {names, ""};
}

/// Whether raw libarchive, skipping every entry's data, already reports the cut file as an error.
bool libarchive_reports_it(fs::path const& path) {
    ::archive* a = archive_read_new();
    archive_read_support_format_all(a);
    int st = archive_read_open_filename(a, path.c_str(), 10240);
    ::archive_entry* e = nullptr;
    while (st == ARCHIVE_OK && (st = archive_read_next_header(a, &e)) == ARCHIVE_OK)
        st = archive_read_data_skip(a);
    archive_read_free(a);
    return st != ARCHIVE_EOF;
}

/// A descriptor opened on `path`, positioned at `offset`, closed on scope exit.
struct open_file {
    int fd;
    open_file(fs::path const& path, off_t offset) : fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
        REQUIRE(fd >= 0);
        REQUIRE(::lseek(fd, offset, SEEK_SET) == offset);
    }
    open_file(open_file const&) = delete;
    open_file& operator=(open_file const&) = delete;
    ~open_file() { ::close(fd); }
};

} // namespace

TEST_CASE("a tar cut short inside a skipped entry's data is a truncation error, by path and by descriptor") {
    cbound_test::scratch_dir dir("truncated");
    fs::path const cut =
        make_tar(dir, "cut.tar", 320'000); // inside second.bin's data, more than a 64 KiB block before its end
    bool const reported = libarchive_reports_it(cut);
    if (reported)
        WARN(archive_version_string()
             << " reports the cut tar itself: cbound's end-of-file check is not exercised here");
    INFO(archive_version_string() << (reported ? " reports the cut tar itself"
                                               : " ends the cut tar cleanly: only cbound's check reports it"));

    auto [names, what] = list(ca::reader::open(cut));
    CHECK(names == std::vector<std::string>{"first.bin", "second.bin"});
    CHECK(what.find("runcated") != std::string::npos);

    open_file f(cut, 0);
    auto [fd_names, fd_what] = list(ca::reader::open_fd(f.fd));
    CHECK(fd_names == names);
    CHECK(fd_what.find("runcated") != std::string::npos);
}

TEST_CASE("a descriptor positioned past a prefix is measured from there: whole tars end cleanly, cut ones do not") {
    cbound_test::scratch_dir dir("truncated");
    fs::path const whole = make_tar(dir, "whole.tar", 0, 1000);
    fs::path const cut = make_tar(dir, "cut.tar", 320'000, 1000);
    {
        open_file f(whole, 1000);
        auto [names, what] = list(ca::reader::open_fd(f.fd));
        CHECK(names == std::vector<std::string>{"first.bin", "second.bin"});
        CHECK(what.empty());
    }
    open_file f(cut, 1000);
    auto [names, what] = list(ca::reader::open_fd(f.fd));
    CHECK(what.find("runcated") != std::string::npos);
}

TEST_CASE("a tar that ends at an entry boundary or is whole still ends cleanly") {
    cbound_test::scratch_dir dir("truncated");
    // 300,544 bytes: first.bin's header and padded data, then nothing (no end-of-archive blocks),
    // which libarchive accepts as a complete archive; the check must agree.
    for (std::size_t keep : {std::size_t{0}, std::size_t{300'544}}) {
        INFO("kept " << keep << " bytes (0: all)");
        fs::path const tar = make_tar(dir, "t" + std::to_string(keep) + ".tar", keep);
        auto [names, what] = list(ca::reader::open(tar));
        CHECK(what.empty());
        CHECK(names.size() == (keep == 0 ? 2U : 1U));
        // Reading the data, not skipping it, reads every byte: the check stays quiet too.
        auto r = ca::reader::open(tar);
        for (ca::entry_view e : r)
            CHECK(content(e).size() == 300'000);
    }
}
