// Extended attributes are restored on the file's descriptor when asked, and only in the
// namespaces the policy allows: data keeps user.*, tar also trusted.*, neither security.*.
#include "extract_fixture.hpp"

#include <sys/xattr.h>
#include <unistd.h>

using namespace extract_test;
namespace ca = cbound::archive;

namespace {

/// The value of attribute `name` of `p`, or "" when it has none.
std::string xattr_of(fs::path const& p, char const* name) {
    char buffer[256];
    ssize_t const n = ::lgetxattr(p.c_str(), name, buffer, sizeof buffer);
    return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
}

} // namespace

TEST_CASE("extended attributes are restored in the namespaces the policy allows", "[extract][xattr]") {
    cbound_test::scratch_dir work("xattr");
    // Probe: a file system without user xattrs cannot run this test.
    cbound_test::write_file(work / "probe", "");
    if (::setxattr((work / "probe").c_str(), "user.probe", "1", 1, 0) != 0) {
        WARN("skipped: no user xattrs here");
        return;
    }
    python_tar(work / "x.tar",
               "i = tarfile.TarInfo('f'); i.size = 1\n"
               "i.pax_headers = {'SCHILY.xattr.user.note': 'hello', 'SCHILY.xattr.trusted.t': 'root only',\n"
               "                 'SCHILY.xattr.security.capability': 'not for strangers'}\n"
               "t.addfile(i, io.BytesIO(b'x'))\n",
               "'w', format=tarfile.PAX_FORMAT");
    ca::extract_options o;
    (void)extract_file(work / "x.tar", work / "off", o);
    CHECK(xattr_of(work / "off/f", "user.note").empty()); // not asked
    o.preserve_xattrs = true;
    (void)extract_file(work / "x.tar", work / "data", o);
    CHECK(xattr_of(work / "data/f", "user.note") == "hello");
    CHECK(xattr_of(work / "data/f", "trusted.t").empty());
    CHECK(xattr_of(work / "data/f", "security.capability").empty());
    o.policy = ca::extract_policy::tar;
    (void)extract_file(work / "x.tar", work / "tar", o);
    CHECK(xattr_of(work / "tar/f", "user.note") == "hello");
    if (::geteuid() == 0) CHECK(xattr_of(work / "tar/f", "trusted.t") == "root only");
    CHECK(xattr_of(work / "tar/f", "security.capability").empty());
}

namespace {

/// Writes a pax tar holding `body`, extracts it with bsdtar --acls -xpf and with cbound
/// (preserve_acls), and requires the same `attribute` on `name` in both.
void require_acl_like_bsdtar(fs::path const& work, std::string const& body, char const* name, char const* attribute) {
    python_tar(work / "a.tar", body, "'w', format=tarfile.PAX_FORMAT");
    fs::create_directories(work / "theirs");
    if (run("bsdtar --acls -xpf " + sh_quote((work / "a.tar").string()) + " -C " + sh_quote((work / "theirs").string()))
                .exit_code != 0 ||
        xattr_of(work / "theirs" / name, attribute).empty()) {
        WARN("skipped: no POSIX ACLs here");
        return;
    }
    ca::extract_options o;
    o.preserve_acls = true;
    (void)extract_file(work / "a.tar", work / "ours", o);
    CHECK(xattr_of(work / "ours" / name, attribute) == xattr_of(work / "theirs" / name, attribute));
    CHECK(fs::status(work / "ours" / name).permissions() == fs::status(work / "theirs" / name).permissions());
}

} // namespace

TEST_CASE("POSIX ACLs are restored as bsdtar restores them", "[extract][xattr]") {
    cbound_test::scratch_dir work("acl");
    require_acl_like_bsdtar(
        work.path(),
        "i = tarfile.TarInfo('f'); i.size = 1; i.mode = 0o640\n"
        "i.pax_headers = {'SCHILY.acl.access': 'user::rw-,user:1234:r--,group::r--,mask::r--,other::---'}\n"
        "t.addfile(i, io.BytesIO(b'x'))\n",
        "f", "system.posix_acl_access");
}

TEST_CASE("a folder's default ACL is restored as bsdtar restores it", "[extract][xattr]") {
    cbound_test::scratch_dir work("acl-default");
    require_acl_like_bsdtar(
        work.path(),
        "i = tarfile.TarInfo('d'); i.type = tarfile.DIRTYPE; i.mode = 0o750\n"
        "i.pax_headers = {'SCHILY.acl.default': 'user::rwx,user:1234:r-x,group::r-x,mask::r-x,other::---'}\n"
        "t.addfile(i)\n",
        "d", "system.posix_acl_default");
}

TEST_CASE("a folder's extended attributes are restored as bsdtar --xattrs restores them", "[extract][xattr]") {
    cbound_test::scratch_dir work("xattr-folder");
    // The tree is made on disk with os.setxattr and archived by bsdtar --xattrs, as a user would.
    python("import os\n"
           "w = " +
           sh_quote((work / "tree").string()) +
           "\n"
           "os.makedirs(w + '/top/inner')\n"
           "open(w + '/top/inner/f', 'w').write('x')\n"
           "try:\n"
           "    os.setxattr(w + '/top', 'user.folder', b'outer')\n"
           "    os.setxattr(w + '/top/inner', 'user.folder', b'inner')\n"
           "except OSError:\n"
           "    open(w + '/no-xattrs', 'w').close()\n"
           "os.chmod(w + '/top/inner', 0o555)\n");
    if (fs::exists(work / "tree/no-xattrs")) {
        WARN("skipped: no user xattrs here");
        return;
    }
    must_run("bsdtar --xattrs -cf " + sh_quote((work / "x.tar").string()) + " -C " +
             sh_quote((work / "tree").string()) + " top");
    fs::create_directories(work / "theirs");
    must_run("bsdtar --xattrs -xpf " + sh_quote((work / "x.tar").string()) + " -C " +
             sh_quote((work / "theirs").string()));
    ca::extract_options o;
    (void)extract_file(work / "x.tar", work / "off", o);
    CHECK(xattr_of(work / "off/top", "user.folder").empty()); // not asked
    for (auto const policy : {ca::extract_policy::data, ca::extract_policy::tar}) {
        o.policy = policy;
        o.preserve_xattrs = true;
        fs::path const ours = work / (policy == ca::extract_policy::data ? "data" : "tar");
        ca::extract_report const report = extract_file(work / "x.tar", ours, o);
        INFO(ours);
        CHECK(report.extracted == 3);
        CHECK(xattr_of(ours / "top", "user.folder") == "outer");
        CHECK(xattr_of(ours / "top/inner", "user.folder") == "inner");
        CHECK(xattr_of(ours / "top", "user.folder") == xattr_of(work / "theirs/top", "user.folder"));
        CHECK(xattr_of(ours / "top/inner", "user.folder") == xattr_of(work / "theirs/top/inner", "user.folder"));
        // Restored before the folder became read-only (tar keeps 0555; data keeps the owner's rwx).
        if (policy == ca::extract_policy::tar)
            CHECK(fs::status(ours / "top/inner").permissions() == fs::status(work / "theirs/top/inner").permissions());
    }
}

TEST_CASE("a symlink's extended attributes are left out with a warning in its row", "[extract][xattr]") {
    cbound_test::scratch_dir work("xattr-symlink");
    python_tar(work / "l.tar",
               "i = tarfile.TarInfo('l'); i.type = tarfile.SYMTYPE; i.linkname = 'f'\n"
               "i.pax_headers = {'SCHILY.xattr.user.note': 'on the link'}\n"
               "t.addfile(i)\n",
               "'w', format=tarfile.PAX_FORMAT");
    ca::extract_options o;
    ca::extract_report report = extract_file(work / "l.tar", work / "off", o);
    REQUIRE(report.entries.size() == 1);
    CHECK(report.entries[0].reason.empty()); // xattrs not asked: nothing to say
    o.preserve_xattrs = true;
    report = extract_file(work / "l.tar", work / "on", o);
    REQUIRE(report.entries.size() == 1);
    CHECK(report.entries[0].outcome == ca::entry_outcome::extracted);
    CHECK(report.entries[0].reason.find("extended attributes of a symlink are not restored") != std::string::npos);
    CHECK(fs::read_symlink(work / "on/l") == "f");
    CHECK(xattr_of(work / "on/l", "user.note").empty());
}
