// Archives cbound writes, read by the real tools: same names, contents, modes and times.
#include "writer_fixture.hpp"

#include <chrono>
#include <fstream>

using namespace writer_test;

namespace {

using namespace std::chrono_literals;

// 2023-11-14 22:13:20.123456789 UTC
ar::entry_time const when = ar::entry_time(std::chrono::seconds(1700000000) + std::chrono::nanoseconds(123456789));
std::string const alpha = "alpha\n";
std::string const beta = noise(5000, 7);

// Two files, a folder and a symlink, with distinct modes and owners.
void add_sample(ar::writer& w, bool with_links = true) {
    w.add({.pathname = "dir", .type = ar::entry_type::directory, .perms = 0750, .mtime = when});
    w.add({.pathname = "dir/alpha.txt",
           .perms = 0640,
           .mtime = when,
           .uid = 1000,
           .gid = 100,
           .uname = "alice",
           .gname = "users",
           .xattrs = {{"user.comment", "hello"}}},
          bytes_of(alpha));
    w.add({.pathname = "beta.bin", .perms = 0755, .mtime = when}, bytes_of(beta));
    if (with_links)
        w.add({.pathname = "link",
               .type = ar::entry_type::symlink,
               .perms = 0777,
               .mtime = when,
               .symlink = "dir/alpha.txt"});
}

std::string write_sample(scratch_dir const& dir, std::string const& name, ar::format f, bool with_links = true) {
    std::string const path = (dir / name).string();
    ar::writer w = ar::writer::open(path, f);
    add_sample(w, with_links);
    w.close();
    return path;
}

std::string py(std::string const& script) {
    auto r = run("python3 -c " + sh_quote(script));
    REQUIRE(r.exit_code == 0);
    return r.output;
}

} // namespace

TEST_CASE("pax: python tarfile sees names, modes, owners, nanosecond mtimes, symlinks and xattrs") {
    scratch_dir dir("w-pax");
    std::string const path = write_sample(dir, "s.tar", ar::format::pax);
    std::string const listing =
        py("import tarfile\n"
           "for m in tarfile.open('" +
           path +
           "'):\n"
           "  print(m.name, oct(m.mode), m.uname, m.uid, m.pax_headers.get('mtime'), m.linkname,\n"
           "        m.pax_headers.get('SCHILY.xattr.user.comment'), m.type.decode())\n");
    CHECK(listing == "dir 0o750  0 1700000000.123456789  None 5\n"
                     "dir/alpha.txt 0o640 alice 1000 1700000000.123456789  hello 0\n"
                     "beta.bin 0o755  0 1700000000.123456789  None 0\n"
                     "link 0o777  0 1700000000.123456789 dir/alpha.txt None 2\n");
    CHECK(py("import tarfile\nprint(tarfile.open('" + path + "').extractfile('beta.bin').read().hex())") == [] {
        std::string hex;
        for (unsigned char c : beta) {
            static char const digits[] = "0123456789abcdef";
            hex += digits[c >> 4];
            hex += digits[c & 15];
        }
        return hex + "\n";
    }());
}

TEST_CASE("tar dialects: GNU tar and bsdtar list the same names, modes and times and extract the same bytes") {
    scratch_dir dir("w-tar");
    for (ar::format f : {ar::format::pax, ar::format::ustar, ar::format::gnutar, ar::format::v7tar}) {
        std::string const name = std::string(ar::to_string(f)) + ".tar";
        INFO(name);
        std::string const path = write_sample(dir, name, f);
        auto const gnu = run("TZ=UTC tar --full-time -tvf " + sh_quote(path));
        REQUIRE(gnu.exit_code == 0);
        CHECK(contains(gnu.output, "-rw-r----- "));
        CHECK(contains(gnu.output, "-rwxr-xr-x "));
        CHECK(contains(gnu.output, "lrwxrwxrwx "));
        CHECK(contains(gnu.output, "link -> dir/alpha.txt"));
        // Only pax keeps the nanoseconds; the others round down to the second.
        CHECK(contains(gnu.output, f == ar::format::pax ? "2023-11-14 22:13:20.123456789 beta.bin"
                                                        : "2023-11-14 22:13:20 beta.bin"));
        if (f != ar::format::v7tar) CHECK(contains(gnu.output, "alice/users"));
        CHECK(run("tar -xOf " + sh_quote(path) + " dir/alpha.txt").output == alpha);
        CHECK(run("bsdtar -xOf " + sh_quote(path) + " beta.bin").output == beta);
        CHECK(run("bsdtar -tf " + sh_quote(path)).output == "dir/\ndir/alpha.txt\nbeta.bin\nlink\n");
    }
}

TEST_CASE("zip: unzip -t and python zipfile accept it with the same names, contents, modes and times") {
    if (!have_tool("unzip")) {
        WARN("skipped: no unzip");
        return;
    }
    scratch_dir dir("w-zip");
    std::string const path = write_sample(dir, "s.zip", ar::format::zip);
    CHECK(run("unzip -tq " + sh_quote(path) + " >/dev/null").exit_code == 0);
    CHECK(run("unzip -p " + sh_quote(path) + " dir/alpha.txt").output == alpha);
    CHECK(py("import zipfile, time\n"
             "z = zipfile.ZipFile('" +
             path +
             "')\n"
             "for i in z.infolist():\n"
             "  print(i.filename, oct(i.external_attr >> 16), i.date_time == time.localtime(1700000000)[:6], "
             "len(z.read(i)))\n") == "dir/ 0o40750 True 0\n"
                                     "dir/alpha.txt 0o100640 True 6\n"
                                     "beta.bin 0o100755 True 5000\n"
                                     "link 0o120777 True 13\n");
}

TEST_CASE("7z, cpio, ar and iso9660: the real tools test and list what cbound wrote") {
    scratch_dir dir("w-other");
    if (have_tool("7z")) {
        std::string const path = write_sample(dir, "s.7z", ar::format::sevenzip);
        CHECK(run("7z t " + sh_quote(path) + " >/dev/null").exit_code == 0);
        auto const list = run("7z l -slt " + sh_quote(path)).output;
        CHECK(contains(list, "Path = dir/alpha.txt"));
        CHECK(contains(list, "Size = 5000"));
        CHECK(run("7z x -so " + sh_quote(path) + " beta.bin 2>/dev/null").output == beta);
        std::string const iso = write_sample(dir, "s.iso", ar::format::iso9660, false);
        CHECK(run("7z t " + sh_quote(iso) + " >/dev/null").exit_code == 0);
    } else {
        WARN("skipped: no 7z");
    }
    for (ar::format f : {ar::format::cpio_newc, ar::format::cpio_odc}) {
        std::string const path = write_sample(dir, std::string(ar::to_string(f)) + ".cpio", f);
        auto const list = run("cpio -itv --quiet < " + sh_quote(path));
        REQUIRE(list.exit_code == 0);
        CHECK(contains(list.output, "-rw-r-----"));
        CHECK(contains(list.output, "dir/alpha.txt"));
        CHECK(contains(list.output, "link -> dir/alpha.txt"));
        CHECK(
            run("cd " + sh_quote(dir.path().string()) + " && cpio -i --quiet --to-stdout beta.bin < " + sh_quote(path))
                .output == beta);
    }
    for (ar::format f : {ar::format::ar_svr4, ar::format::ar_bsd}) {
        std::string const path = (dir / (std::string(ar::to_string(f)) + ".a")).string();
        ar::writer w = ar::writer::open(path, f);
        w.add({.pathname = "alpha.txt", .perms = 0640, .mtime = when}, bytes_of(alpha));
        // SVR4 long names need a "//" name table written first; BSD ar stores them inline.
        std::string const second = f == ar::format::ar_bsd ? "a_rather_long_member_name.o" : "member.o";
        w.add({.pathname = second, .mtime = when}, bytes_of(beta));
        w.close();
        if (f == ar::format::ar_svr4) { // binutils ar reads the GNU/SVR4 dialect
            CHECK(run("ar t " + sh_quote(path)).output == "alpha.txt\nmember.o\n");
            CHECK(run("ar p " + sh_quote(path) + " member.o").output == beta);
        }
        CHECK(run("bsdtar -xOf " + sh_quote(path) + " alpha.txt").output == alpha);
        CHECK(run("bsdtar -xOf " + sh_quote(path) + " " + second).output == beta);
    }
    std::string const iso = write_sample(dir, "s2.iso", ar::format::iso9660, false);
    CHECK(run("bsdtar -xOf " + sh_quote(iso) + " dir/alpha.txt").output == alpha);
}

TEST_CASE("shar: running the shell archive recreates the files") {
    scratch_dir dir("w-shar");
    std::string const path = (dir / "s.shar").string();
    {
        ar::writer w = ar::writer::open(path, ar::format::shar);
        w.add({.pathname = "dir", .type = ar::entry_type::directory, .perms = 0755});
        w.add({.pathname = "dir/alpha.txt"}, bytes_of(alpha));
        w.add({.pathname = "text.txt"}, bytes_of("line one\nline two\n"));
        w.close();
    }
    cbound_test::fs::create_directory(dir / "out");
    REQUIRE(run("cd " + sh_quote((dir / "out").string()) + " && sh " + sh_quote(path) + " >/dev/null").exit_code == 0);
    CHECK(cbound_test::read_file(dir / "out/dir/alpha.txt") == alpha);
    CHECK(cbound_test::read_file(dir / "out/text.txt") == "line one\nline two\n");
}

TEST_CASE("equal inputs give byte-identical archives") {
    for (ar::format f : {ar::format::pax, ar::format::zip, ar::format::sevenzip, ar::format::cpio_newc,
                         ar::format::gnutar, ar::format::ar_svr4, ar::format::mtree}) {
        for (ar::filter c : {ar::filter::none, ar::filter::gzip, ar::filter::xz, ar::filter::zstd}) {
            INFO(ar::to_string(f) << "+" << ar::to_string(c));
            auto fill = [&](ar::writer& w) {
                w.add({.pathname = "alpha.txt", .mtime = when}, bytes_of(alpha));
                w.add({.pathname = "beta.bin", .mtime = when}, bytes_of(beta));
            };
            auto const first = ar::writer::to_memory(f, c, fill);
            auto const second = ar::writer::to_memory(f, c, fill);
            CHECK(first == second);
            // The archives must differ when the inputs do, or the check above proves nothing.
            auto const other = ar::writer::to_memory(f, c, [&](ar::writer& w) {
                w.add({.pathname = "alpha.txt", .mtime = when + 1s}, bytes_of(alpha));
                w.add({.pathname = "beta.bin", .mtime = when}, bytes_of(beta));
            });
            CHECK(first != other);
        }
    }
}

TEST_CASE("hardlinks written from entry_info are links for GNU tar, sharing the data") {
    scratch_dir dir("w-hard");
    std::string const path = (dir / "h.tar").string();
    {
        ar::writer w = ar::writer::open(path);
        w.add({.pathname = "original.txt", .mtime = when}, bytes_of(alpha));
        w.add({.pathname = "again.txt", .type = ar::entry_type::hardlink, .mtime = when, .hardlink = "original.txt"});
        w.close();
    }
    CHECK(contains(run("tar -tvf " + sh_quote(path)).output, "again.txt link to original.txt"));
    cbound_test::fs::create_directory(dir / "x");
    REQUIRE(run("tar -xf " + sh_quote(path) + " -C " + sh_quote((dir / "x").string())).exit_code == 0);
    CHECK(cbound_test::read_file(dir / "x/again.txt") == alpha);
    CHECK(cbound_test::fs::hard_link_count(dir / "x/again.txt") == 2);
}
