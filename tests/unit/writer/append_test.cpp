// writer::open_append: continuing an uncompressed tar made by GNU tar, bsdtar or Python, read
// back by all three; compressed and non-tar files refused and left as they were.
#include "writer_fixture.hpp"

#include <archive.h>

#include <string>
#include <vector>

using namespace writer_test;

namespace {

// A name longer than ustar's 100 bytes, so that every maker needs its long-name extension.
std::string const long_name = "deep/" + std::string(120, 'n') + ".txt";
std::string const old_data = noise(3000, 3);

// Two files, one with a long name, in the folder `src` of `dir`.
fs::path make_files(scratch_dir const& dir) {
    fs::path const src = dir / "src";
    cbound_test::write_file(src / "first.txt", "first\n");
    cbound_test::write_file(src / long_name, old_data);
    return src;
}

// The command that packs `src`'s two files into `tar` with `maker`.
std::string pack_command(std::string const& maker, fs::path const& src, fs::path const& tar) {
    std::string const files = "first.txt " + sh_quote(long_name);
    if (maker == "python")
        return "cd " + sh_quote(src.string()) + " && python3 -c " +
               sh_quote("import sys, tarfile\nwith tarfile.open(sys.argv[1], 'w') as t:\n"
                        "    for n in sys.argv[2:]: t.add(n)\n") +
               " " + sh_quote(tar.string()) + " " + files;
    return maker + " -cf " + sh_quote(tar.string()) + " -C " + sh_quote(src.string()) + " " + files;
}

// The names each tool lists, one per line.
std::string listed_by(std::string const& tool, fs::path const& tar) {
    std::string const command = tool == "python"
                                    ? "python3 -c " +
                                          sh_quote("import sys, tarfile\nfor m in tarfile.open(sys.argv[1]): "
                                                   "print(m.name)") +
                                          " " + sh_quote(tar.string())
                                    : tool + " -tf " + sh_quote(tar.string());
    auto const r = run(command);
    INFO(command << "\n" << r.output);
    REQUIRE(r.exit_code == 0);
    return r.output;
}

// The libarchive format code of each header in `tar`, in order.
std::vector<int> formats_of(fs::path const& tar) {
    std::vector<int> out;
    ar::reader r = ar::reader::open(tar);
    for (ar::entry_view e : r) {
        (void)e;
        out.push_back(archive_format(r.native_handle()));
    }
    return out;
}

} // namespace

TEST_CASE(
    "open_append continues tars made by GNU tar, bsdtar and python in their own format; all three read the result") {
    for (std::string const maker : {"tar", "bsdtar", "python"}) {
        if (maker != "python" && !have_tool(maker)) {
            WARN("skipped: no " << maker);
            continue;
        }
        CAPTURE(maker);
        scratch_dir dir("w-append-" + maker);
        fs::path const src = make_files(dir);
        fs::path const tar = dir / "a.tar";
        REQUIRE(run(pack_command(maker, src, tar)).exit_code == 0);
        int const made_as = formats_of(tar).back();

        ar::writer w = ar::writer::open_append(tar);
        w.add({.pathname = "added.txt"}, bytes_of("added\n"));
        w.add({.pathname = "added/" + std::string(150, 'l') + ".bin"}, bytes_of(noise(700, 9)));
        w.close();

        std::string const names = "first.txt\n" + long_name + "\nadded.txt\nadded/" + std::string(150, 'l') + ".bin\n";
        for (std::string const tool : {"tar", "bsdtar", "python"})
            if (tool == "python" || have_tool(tool)) CHECK(listed_by(tool, tar) == names);
        CHECK(read_back(cbound_test::to_bytes(cbound_test::read_file(tar))) ==
              listing{{"first.txt", "first\n"},
                      {long_name, old_data},
                      {"added.txt", "added\n"},
                      {"added/" + std::string(150, 'l') + ".bin", noise(700, 9)}});
        // GNU tar's data compares equal too, byte for byte.
        if (have_tool("tar")) {
            fs::path const out = dir / "out";
            fs::create_directories(out);
            REQUIRE(run("tar -xf " + sh_quote(tar.string()) + " -C " + sh_quote(out.string())).exit_code == 0);
            CHECK(cbound_test::read_file(out / long_name) == old_data);
            CHECK(cbound_test::read_file(out / "added.txt") == "added\n");
        }
        // The new entries continue the format the archive was made in.
        std::vector<int> const formats = formats_of(tar);
        if (made_as == ARCHIVE_FORMAT_TAR_GNUTAR)
            CHECK(formats.back() == ARCHIVE_FORMAT_TAR_GNUTAR);
        else
            CHECK(formats.back() != ARCHIVE_FORMAT_TAR_GNUTAR);
    }
}

TEST_CASE("open_append of a missing or empty file makes a new archive") {
    scratch_dir dir("w-append-new");
    cbound_test::write_file(dir / "empty.tar", "");
    for (fs::path const& tar : {dir / "empty.tar", dir / "missing.tar"}) {
        ar::writer w = ar::writer::open_append(tar);
        w.add({.pathname = "only.txt"}, bytes_of("only"));
        w.close();
        CHECK(read_back(cbound_test::to_bytes(cbound_test::read_file(tar))) == listing{{"only.txt", "only"}});
    }
}

TEST_CASE("open_append twice keeps every entry, and the file ends right after the new end blocks") {
    scratch_dir dir("w-append-twice");
    fs::path const tar = dir / "t.tar";
    for (std::string const name : {"one", "two", "three"}) {
        ar::writer w = ar::writer::open_append(tar);
        w.add({.pathname = name}, bytes_of(name));
        w.close();
    }
    CHECK(read_back(cbound_test::to_bytes(cbound_test::read_file(tar))) ==
          listing{{"one", "one"}, {"two", "two"}, {"three", "three"}});
    // Three entries of one header and one data block each, then the two zero blocks.
    CHECK(fs::file_size(tar) == 3 * 1024 + 1024);
}

TEST_CASE("open_append refuses a compressed tar and a zip with a clear error and leaves them unchanged") {
    scratch_dir dir("w-append-refused");
    fs::path const src = make_files(dir);
    fs::path const tgz = dir / "a.tar.gz";
    REQUIRE(run(pack_command("bsdtar", src, dir / "a.tar")).exit_code == 0);
    REQUIRE(run("gzip -k " + sh_quote((dir / "a.tar").string())).exit_code == 0);
    std::string const before = cbound_test::read_file(tgz);
    std::string const message = error_of([&] { (void)ar::writer::open_append(tgz); });
    CHECK(contains(message, "compressed (gzip)"));
    CHECK(contains(message, "only an uncompressed tar can be appended to"));
    CHECK(contains(message, "a.tar.gz"));
    CHECK(cbound_test::read_file(tgz) == before);

    fs::path const zip = dir / "a.zip";
    {
        ar::writer w = ar::writer::open(zip, ar::format::zip);
        w.add({.pathname = "z"}, bytes_of("zed"));
    }
    std::string const zip_before = cbound_test::read_file(zip);
    std::string const zip_message = error_of([&] { (void)ar::writer::open_append(zip); });
    CHECK(contains(zip_message, "not a tar archive"));
    CHECK(cbound_test::read_file(zip) == zip_before);
}

TEST_CASE("an abandoned append puts the file back as it was") {
    scratch_dir dir("w-append-abandon");
    fs::path const src = make_files(dir);
    fs::path const tar = dir / "a.tar";
    REQUIRE(run(pack_command("bsdtar", src, tar)).exit_code == 0);
    std::string const before = cbound_test::read_file(tar);
    {
        ar::writer w = ar::writer::open_append(tar);
        w.add({.pathname = "complete.txt"}, bytes_of(noise(20000)));
        w.begin_entry(ar::entry_info{.pathname = "half.txt", .size = 10});
        w.write(bytes_of("abc"));
    } // destroyed mid-entry: abandoned
    CHECK(cbound_test::read_file(tar) == before);
    fs::path const created = dir / "created.tar";
    {
        ar::writer w = ar::writer::open_append(created);
        w.abandon();
    }
    CHECK_FALSE(fs::exists(created));
}

TEST_CASE("open_append continues a tar cut right after its last entry, without end blocks") {
    scratch_dir dir("w-append-cut");
    fs::path const tar = dir / "cut.tar";
    {
        ar::writer w = ar::writer::open(tar, ar::format::ustar);
        w.add({.pathname = "one"}, bytes_of("one"));
    }
    fs::resize_file(tar, 1024); // the header and the data block, no end blocks
    ar::writer w = ar::writer::open_append(tar);
    w.add({.pathname = "two"}, bytes_of("two"));
    w.close();
    CHECK(read_back(cbound_test::to_bytes(cbound_test::read_file(tar))) == listing{{"one", "one"}, {"two", "two"}});
}
