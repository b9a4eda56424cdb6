// extract()'s options: the report, unsafe handling, overwrite, times, permissions, policies.
#include "extract_fixture.hpp"

#include <cbound/archive/policy_names.hpp>

#include <sys/stat.h>

using namespace extract_test;
namespace ca = cbound::archive;

namespace {

/// A tar with a.txt, b.txt, ../evil and c.txt (the third is unsafe).
fs::path tar_with_unsafe_third(cbound_test::scratch_dir const& work) {
    fs::path const p = work / "unsafe.tar";
    make_tar(p, {{"a.txt", "alpha"}, {"b.txt", "bravo!"}});
    python_tar(p.string(),
               "for n, d in (('../evil', b'evil'), ('c.txt', b'charlie')):\n"
               "    i = tarfile.TarInfo(n); i.size = len(d); t.addfile(i, io.BytesIO(d))\n",
               "'a'");
    return p;
}

} // namespace

TEST_CASE("policy names read back as their policies; other text is none", "[extract][policy]") {
    for (ca::extract_policy p : {ca::extract_policy::data, ca::extract_policy::tar, ca::extract_policy::fully_trusted})
        CHECK(ca::extract_policy_from_string(ca::to_string(p)) == p);
    CHECK(ca::to_string(ca::extract_policy::fully_trusted) == "fully_trusted");
    CHECK(ca::extract_policy_from_string("lax") == std::nullopt);
    CHECK(ca::extract_policy_from_string("Data") == std::nullopt);
    CHECK(ca::extract_policy_from_string("") == std::nullopt);
}

TEST_CASE("the report lists every entry with its outcome and reason", "[extract][report]") {
    cbound_test::scratch_dir work("report");
    fs::path const archive = tar_with_unsafe_third(work);
    ca::extract_options o;
    o.unsafe = ca::on_unsafe::skip;
    ca::extract_report const rep = extract_file(archive, work / "dest", o);
    REQUIRE(rep.entries.size() == 4);
    CHECK(rep.entries[0].pathname == "a.txt");
    CHECK(rep.entries[0].outcome == ca::entry_outcome::extracted);
    CHECK(rep.entries[2].pathname == "../evil");
    CHECK(rep.entries[2].outcome == ca::entry_outcome::rejected);
    CHECK(rep.entries[2].reason.find("..") != std::string::npos);
    CHECK(rep.entries[3].outcome == ca::entry_outcome::extracted);
    CHECK(rep.extracted == 3);
    CHECK(rep.rejected == 1);
    CHECK(rep.skipped == 0);
    CHECK(rep.failed == 0);
    CHECK(rep.bytes_written == 5 + 6 + 7);
    CHECK(cbound_test::read_file(work / "dest/c.txt") == "charlie");
    CHECK_FALSE(fs::exists(work / "evil"));
}

TEST_CASE("by default the first unsafe entry throws and earlier entries stay", "[extract][report]") {
    cbound_test::scratch_dir work("stop");
    fs::path const archive = tar_with_unsafe_third(work);
    try {
        (void)extract_file(archive, work / "dest");
        FAIL("no exception");
    } catch (ca::error const& e) {
        CHECK(e.code() == ca::errc::unsafe_entry);
        CHECK(e.pathname() == "../evil");
        CHECK_FALSE(e.message().empty());
    }
    CHECK(cbound_test::read_file(work / "dest/b.txt") == "bravo!");
    CHECK_FALSE(fs::exists(work / "dest/c.txt"));
    CHECK_FALSE(fs::exists(work / "evil"));
}

TEST_CASE("overwrite modes decide what happens to existing things", "[extract][overwrite]") {
    cbound_test::scratch_dir work("overwrite");
    fs::path const archive = work / "new.tar";
    make_tar(archive, {{"a.txt", "new"}, {"d", "file where a folder was"}});
    fs::path const dest = work / "dest";
    auto prepare = [&] {
        fs::remove_all(dest);
        cbound_test::write_file(dest / "a.txt", "old");
        cbound_test::write_file(dest / "d/inner", "x");
    };
    ca::extract_options o;
    o.failure = ca::on_failure::skip; // the entry "d" fails where a non-empty folder is in the way

    SECTION("replace_files replaces files and keeps a non-empty folder, failing that entry") {
        prepare();
        auto const rep = extract_file(archive, dest, o);
        CHECK(cbound_test::read_file(dest / "a.txt") == "new");
        CHECK(rep.entries[1].outcome == ca::entry_outcome::failed);
        CHECK(cbound_test::read_file(dest / "d/inner") == "x");
    }
    SECTION("never leaves everything alone and says so") {
        prepare();
        o.existing = ca::overwrite::never;
        auto const rep = extract_file(archive, dest, o);
        CHECK(cbound_test::read_file(dest / "a.txt") == "old");
        CHECK(rep.skipped == 2);
        CHECK(rep.entries[0].reason == "already exists");
    }
    SECTION("always_replace also removes a folder tree in the way") {
        prepare();
        o.existing = ca::overwrite::always_replace;
        auto const rep = extract_file(archive, dest, o);
        CHECK(rep.extracted == 2);
        CHECK(cbound_test::read_file(dest / "d") == "file where a folder was");
    }
    SECTION("a symlink at the entry's path is replaced, never followed") {
        prepare();
        cbound_test::write_file(work / "outside", "sentinel");
        fs::remove(dest / "a.txt");
        fs::create_symlink(work / "outside", dest / "a.txt");
        (void)extract_file(archive, dest, o);
        CHECK_FALSE(fs::is_symlink(dest / "a.txt"));
        CHECK(cbound_test::read_file(dest / "a.txt") == "new");
        CHECK(cbound_test::read_file(work / "outside") == "sentinel");
    }
}

TEST_CASE("times are restored only when asked", "[extract][metadata]") {
    cbound_test::scratch_dir work("times");
    make_tar(work / "t.tar", {{"f", "x"}});
    ca::extract_options o;
    (void)extract_file(work / "t.tar", work / "kept", o);
    o.preserve_times = false;
    (void)extract_file(work / "t.tar", work / "now", o);
    struct stat kept {
    }, now{};
    REQUIRE(::stat((work / "kept/f").c_str(), &kept) == 0);
    REQUIRE(::stat((work / "now/f").c_str(), &now) == 0);
    CHECK(kept.st_mtime == 1600000000);
    CHECK(now.st_mtime > 1600000000 + 3600);
}

TEST_CASE("permissions follow the policy, or the umask when not preserved", "[extract][metadata]") {
    cbound_test::scratch_dir work("perms");
    fs::path const archive = work / "modes.tar";
    python_tar(archive.string(),
               "for n, m in (('suid', 0o4755), ('open', 0o666), ('exec', 0o777)):\n"
               "    i = tarfile.TarInfo(n); i.size = 1; i.mode = m; t.addfile(i, io.BytesIO(b'x'))\n");
    auto mode_of = [](fs::path const& p) {
        struct stat st {};
        REQUIRE(::stat(p.c_str(), &st) == 0);
        return st.st_mode & 07777;
    };
    ca::extract_options o;
    SECTION("data strips setuid and group/other write") {
        (void)extract_file(archive, work / "d", o);
        CHECK(mode_of(work / "d/suid") == 0755);
        CHECK(mode_of(work / "d/open") == 0644);
        CHECK(mode_of(work / "d/exec") == 0755);
    }
    SECTION("fully_trusted keeps the modes as they are") {
        o.policy = ca::extract_policy::fully_trusted;
        (void)extract_file(archive, work / "d", o);
        CHECK(mode_of(work / "d/open") == 0666);
        CHECK(mode_of(work / "d/exec") == 0777);
    }
    SECTION("without preserve_permissions the umask applies") {
        o.preserve_permissions = false;
        mode_t const old = ::umask(077);
        (void)extract_file(archive, work / "d", o);
        ::umask(old);
        CHECK(mode_of(work / "d/exec") == 0700);
        CHECK(mode_of(work / "d/open") == 0600);
    }
}

TEST_CASE("the tar policy strips a leading slash and allows FIFOs; data refuses them", "[extract][policy]") {
    cbound_test::scratch_dir work("policy");
    fs::path const archive = work / "p.tar";
    python_tar(archive.string(), "i = tarfile.TarInfo('/abs.txt'); i.size = 1; t.addfile(i, io.BytesIO(b'x'))\n"
                                 "i = tarfile.TarInfo('pipe'); i.type = tarfile.FIFOTYPE; t.addfile(i)\n");
    ca::extract_options o;
    o.unsafe = ca::on_unsafe::skip;
    auto const data = extract_file(archive, work / "data", o);
    CHECK(data.rejected == 2);
    CHECK_FALSE(fs::exists(work / "data/pipe"));
    o.policy = ca::extract_policy::tar;
    auto const tar = extract_file(archive, work / "tar", o);
    CHECK(tar.extracted == 2);
    CHECK(cbound_test::read_file(work / "tar/abs.txt") == "x");
    CHECK(fs::is_fifo(work / "tar/pipe"));
}

TEST_CASE("a folder entry naming the destination itself is skipped", "[extract][policy]") {
    cbound_test::scratch_dir work("self");
    cbound_test::write_file(work / "src/f", "x");
    must_run("tar -cf " + sh_quote((work / "s.tar").string()) + " -C " + sh_quote((work / "src").string()) + " .");
    auto const rep = extract_file(work / "s.tar", work / "dest");
    REQUIRE(rep.entries.size() == 2);
    CHECK(rep.entries[0].outcome == ca::entry_outcome::skipped);
    CHECK(rep.entries[1].outcome == ca::entry_outcome::extracted);
    CHECK(cbound_test::read_file(work / "dest/f") == "x");
}

TEST_CASE("a hard link carrying data is linked and its data written through to its target", "[extract][policy]") {
    cbound_test::scratch_dir work("hardbody");
    fs::path const archive = work / "h.tar";
    python_tar(archive.string(),
               "i = tarfile.TarInfo('target'); i.size = 8; t.addfile(i, io.BytesIO(b'original'))\n"
               "i = tarfile.TarInfo('plain'); i.type = tarfile.LNKTYPE; i.linkname = 'target'; t.addfile(i)\n"
               "i = tarfile.TarInfo('withbody'); i.type = tarfile.LNKTYPE; i.linkname = 'target'\n"
               "i.pax_headers = {'size': '7'}; t.addfile(i)\n"
               "t.fileobj.write(b'replace' + bytes(505)); t.offset += 512\n",
               "'w', format=tarfile.PAX_FORMAT");
    auto const rep = extract_file(archive, work / "dest");
    CHECK(rep.extracted == 3);
    // As bsdtar: the last body wins for every name of the group (all inside the destination).
    CHECK(cbound_test::read_file(work / "dest/target") == "replace");
    CHECK(fs::equivalent(work / "dest/plain", work / "dest/target"));
    CHECK(fs::equivalent(work / "dest/withbody", work / "dest/target"));
}
