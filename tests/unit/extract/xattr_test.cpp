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
