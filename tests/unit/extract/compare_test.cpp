// Benign archives made by real tools extract to exactly what `bsdtar -xpf` produces.
#include "extract_fixture.hpp"

using namespace extract_test;
namespace ca = cbound::archive;

namespace {

/// A source tree with the things real archives hold: nested folders, modes, a symlink,
/// a hard link, an empty file, binary data, fixed mtimes.
void make_tree(fs::path const& src) {
    cbound_test::write_file(src / "top.txt", "top level\n");
    cbound_test::write_file(src / "empty", "");
    cbound_test::write_file(src / "dir/sub/deep.bin", std::string("\x00\x01\xff\xfe binary\n", 12));
    cbound_test::write_file(src / "dir/run.sh", "#!/bin/sh\necho hi\n");
    cbound_test::write_file(src / "dir/private", "secret\n");
    std::string big;
    for (int i = 0; i < 200000; ++i)
        big += static_cast<char>('a' + i % 23);
    cbound_test::write_file(src / "dir/big.txt", big);
    fs::create_symlink("sub/deep.bin", src / "dir/link");
    fs::create_hard_link(src / "top.txt", src / "dir/hard");
    must_run("chmod 755 " + sh_quote((src / "dir/run.sh").string()));
    must_run("chmod 600 " + sh_quote((src / "dir/private").string()));
    must_run("chmod 750 " + sh_quote((src / "dir/sub").string()));
    must_run("find " + sh_quote(src.string()) + " -exec touch -h -d '2021-03-04 05:06:07' {} +");
}

} // namespace

TEST_CASE("bsdtar archives extract like bsdtar -xpf", "[extract][compare]") {
    cbound_test::scratch_dir work("cmp-bsdtar");
    make_tree(work / "src");
    must_run("cd " + sh_quote((work / "src").string()) +
             " && bsdtar -cf ../a.tar . && bsdtar -czf ../a.tgz top.txt empty dir"
             " && bsdtar --format=zip -cf ../b.zip .");
    require_same_as_bsdtar(work / "a.tar", work.path(), 8);
    require_same_as_bsdtar(work / "a.tgz", work.path(), 8);
    require_same_as_bsdtar(work / "b.zip", work.path(), 8);
}

TEST_CASE("GNU tar archives extract like bsdtar -xpf", "[extract][compare]") {
    cbound_test::scratch_dir work("cmp-gnutar");
    make_tree(work / "src");
    must_run("tar --format=gnu -cf " + sh_quote((work / "g.tar").string()) + " -C " +
             sh_quote((work / "src").string()) + " . && tar --format=pax -cJf " +
             sh_quote((work / "p.tar.xz").string()) + " -C " + sh_quote((work / "src").string()) + " .");
    require_same_as_bsdtar(work / "g.tar", work.path(), 8);
    require_same_as_bsdtar(work / "p.tar.xz", work.path(), 8);
}

TEST_CASE("python tarfile archives extract like bsdtar -xpf", "[extract][compare]") {
    cbound_test::scratch_dir work("cmp-python");
    make_tree(work / "src");
    python("import tarfile\nfor fmt, name in ((tarfile.PAX_FORMAT, 'p.tar.bz2'), (tarfile.USTAR_FORMAT, 'u.tar')):\n"
           "    with tarfile.open(" +
           sh_quote((work / "").string()) +
           " + name, 'w:bz2' if name.endswith('bz2') else 'w', format=fmt) as t:\n"
           "        t.add(" +
           sh_quote((work / "src").string()) + ", arcname='.')\n");
    require_same_as_bsdtar(work / "p.tar.bz2", work.path(), 8);
    require_same_as_bsdtar(work / "u.tar", work.path(), 8);
}

TEST_CASE("zip archives extract like bsdtar -xpf", "[extract][compare]") {
    cbound_test::scratch_dir work("cmp-zip");
    if (!cbound_test::have_tool("zip")) {
        WARN("skipped: no zip");
        return;
    }
    make_tree(work / "src");
    // -y stores the symlink as a link; zip has no hard links, so dir/hard is a second copy.
    must_run("cd " + sh_quote((work / "src").string()) + " && zip -qry ../z.zip .");
    require_same_as_bsdtar(work / "z.zip", work.path(), 8);
}
