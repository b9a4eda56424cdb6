// Hard links that carry data (newc cpio, pax) lose nothing: every name gets the data and
// they share one inode, as with `bsdtar -xpf`; the data still never leaves the destination.
#include "extract_fixture.hpp"

using namespace extract_test;
namespace ca = cbound::archive;

namespace {

/// A tree with a three-name hard-link group across folders and a lone file.
void make_linked_tree(fs::path const& src) {
    cbound_test::write_file(src / "a/one", "the group's data\n");
    cbound_test::write_file(src / "lone", "alone\n");
    fs::create_directories(src / "b");
    fs::create_hard_link(src / "a/one", src / "a/two");
    fs::create_hard_link(src / "a/one", src / "b/three");
    must_run("find " + sh_quote(src.string()) + " -exec touch -h -d '2022-01-02 03:04:05' {} +");
}

/// A pax tar: regular "f", then "hl", a hard link to f carrying `body` in its own data.
void make_pax_link_with_body(fs::path const& archive, std::string const& target = "f") {
    python_tar(archive,
               "d = b'first\\n'\ni = tarfile.TarInfo('f')\ni.size = len(d)\ni.mtime = 1600000000\n"
               "t.addfile(i, io.BytesIO(d))\n"
               "d = b'the link body\\n'\ni = tarfile.TarInfo('hl')\ni.type = tarfile.LNKTYPE\ni.linkname = '" +
                   target +
                   "'\ni.size = len(d)\ni.mtime = 1600000000\ni.pax_headers = {'size': str(len(d))}\n"
                   "t.addfile(i, io.BytesIO(d))\n",
               "'w', format=tarfile.PAX_FORMAT");
}

} // namespace

TEST_CASE("a newc cpio hard-link group gives every name the data, as bsdtar does", "[extract][hardlink]") {
    if (!cbound_test::have_tool("cpio")) {
        WARN("skipped: no cpio");
        return;
    }
    cbound_test::scratch_dir work("hl-newc");
    make_linked_tree(work / "src");
    // newc stores the data with the last name of the group only.
    must_run("cd " + sh_quote((work / "src").string()) + " && find . | cpio --quiet -o -H newc > ../n.cpio");
    must_run("cd " + sh_quote((work / "src").string()) + " && find . | cpio --quiet -o -H odc > ../o.cpio");
    require_same_as_bsdtar(work / "n.cpio", work.path());
    require_same_as_bsdtar(work / "o.cpio", work.path());
    fs::path const ours = work / "ours-n.cpio";
    for (char const* name : {"a/one", "a/two", "b/three"}) {
        INFO(name);
        CHECK(cbound_test::read_file(ours / name) == "the group's data\n");
        CHECK(fs::hard_link_count(ours / name) == 3);
    }
}

TEST_CASE("a pax hard link carrying a body writes it through the link, as bsdtar does", "[extract][hardlink]") {
    cbound_test::scratch_dir work("hl-pax");
    make_pax_link_with_body(work / "p.tar");
    require_same_as_bsdtar(work / "p.tar", work.path());
    CHECK(cbound_test::read_file(work / "ours-p.tar/f") == "the link body\n");
    CHECK(fs::equivalent(work / "ours-p.tar/f", work / "ours-p.tar/hl"));
    for (auto policy : {ca::extract_policy::tar, ca::extract_policy::fully_trusted}) {
        fs::path const dest = work / ("policy-" + std::to_string(static_cast<int>(policy)));
        ca::extract_options o;
        o.policy = policy;
        CHECK(extract_file(work / "p.tar", dest, o).extracted == 2);
        CHECK(cbound_test::read_file(dest / "hl") == "the link body\n");
        CHECK(fs::equivalent(dest / "f", dest / "hl"));
    }
}

TEST_CASE("a hard link carrying a body to a missing target fails, as with bsdtar", "[extract][hardlink]") {
    cbound_test::scratch_dir work("hl-missing");
    make_pax_link_with_body(work / "p.tar", "missing");
    ca::extract_options o;
    o.failure = ca::on_failure::skip;
    ca::extract_report const rep = extract_file(work / "p.tar", work / "out", o);
    REQUIRE(rep.entries.size() == 2);
    CHECK(rep.entries[1].outcome == ca::entry_outcome::failed);
    CHECK(rep.entries[1].reason == "hard link target does not exist");
    CHECK(!fs::exists(work / "out/hl"));
    CHECK(!fs::exists(work / "out/missing"));
    CHECK(cbound_test::read_file(work / "out/f") == "first\n");
}

TEST_CASE("under overwrite::never a hard link's body never changes a file that was there", "[extract][hardlink]") {
    cbound_test::scratch_dir work("hl-never");
    make_pax_link_with_body(work / "p.tar");
    ca::extract_options o;
    o.existing = ca::overwrite::never;
    SECTION("the target was extracted by this run: linked, body written through") {
        CHECK(extract_file(work / "p.tar", work / "out", o).extracted == 2);
        CHECK(cbound_test::read_file(work / "out/f") == "the link body\n");
        CHECK(fs::equivalent(work / "out/f", work / "out/hl"));
    }
    SECTION("the target was there before: left alone, the link's body becomes its own file") {
        cbound_test::write_file(work / "out/f", "mine\n");
        ca::extract_report const rep = extract_file(work / "p.tar", work / "out", o);
        CHECK(rep.skipped == 1);
        CHECK(rep.extracted == 1);
        CHECK(cbound_test::read_file(work / "out/f") == "mine\n");
        CHECK(cbound_test::read_file(work / "out/hl") == "the link body\n");
        CHECK(fs::hard_link_count(work / "out/f") == 1);
    }
    SECTION("a link without data to a file that was there does not let a later body through") {
        cbound_test::write_file(work / "out/f", "mine\n");
        python_tar(work / "q.tar",
                   "i = tarfile.TarInfo('x')\ni.type = tarfile.LNKTYPE\ni.linkname = 'f'\nt.addfile(i)\n"
                   "d = b'body\\n'\ni = tarfile.TarInfo('y')\ni.type = tarfile.LNKTYPE\ni.linkname = 'x'\n"
                   "i.size = len(d)\ni.pax_headers = {'size': str(len(d))}\nt.addfile(i, io.BytesIO(d))\n",
                   "'w', format=tarfile.PAX_FORMAT");
        CHECK(extract_file(work / "q.tar", work / "out", o).extracted == 2);
        CHECK(cbound_test::read_file(work / "out/f") == "mine\n");
        CHECK(cbound_test::read_file(work / "out/y") == "body\n");
    }
}

TEST_CASE("a hard link's body never goes into a file that was there before the extraction", "[extract][hardlink]") {
    // dest/x shares its inode with a file outside (planted earlier, like a trusted run's link):
    // writing the body through the link would change the outside file.
    cbound_test::scratch_dir work("hl-planted");
    cbound_test::write_file(work / "outside", "outside\n");
    fs::create_directories(work / "out");
    fs::create_hard_link(work / "outside", work / "out/x");
    make_pax_link_with_body(work / "p.tar", "x");
    for (auto policy : {ca::extract_policy::data, ca::extract_policy::tar}) {
        ca::extract_options o;
        o.policy = policy;
        ca::extract_report const rep = extract_file(work / "p.tar", work / "out", o);
        CHECK(rep.extracted == 2);
        CHECK(cbound_test::read_file(work / "outside") == "outside\n");
        CHECK(cbound_test::read_file(work / "out/hl") == "the link body\n");
        CHECK(fs::hard_link_count(work / "outside") == 2);
    }
}
