// The *_if_set accessors of libarchive 3.7.3 and 3.7.5 (features.hpp): an owner, permissions
// or device number the header does not record is nullopt, where uid(), perms() and rdev() say 0.
#include "reader_fixture.hpp"

#include <cbound/archive/features.hpp>

#include <sys/sysmacros.h>

namespace ca = cbound::archive;
using namespace reader_test;

namespace {

/// An archive made by python3 from `script` (which writes to sys.argv[1]) in `dir` (unused before 3.7.3).
[[maybe_unused]] fs::path python_archive(cbound_test::scratch_dir const& dir, std::string const& name,
                                         std::string const& script) {
    fs::path const out = dir / name;
    cbound_test::write_file(dir / (name + ".py"), script);
    auto r = run("python3 " + sh_quote((dir / (name + ".py")).string()) + " " + sh_quote(out.string()));
    REQUIRE(r.exit_code == 0);
    return out;
}

} // namespace

TEST_CASE("uid_if_set, gid_if_set and perms_if_set tell an unrecorded owner from user 0") {
#if CBOUND_ARCHIVE_HAS_OWNER_IS_SET
    cbound_test::scratch_dir dir("is-set");
    // An mtree line records only the keywords it names; a tar header records all of them.
    fs::path const mtree = dir / "x.mtree";
    cbound_test::write_file(mtree, "#mtree\n"
                                   "nobody.txt type=file mode=0640\n"
                                   "root.txt type=file uid=0 gid=0 mode=0600\n"
                                   "user.txt type=file uid=1234 gid=5678\n");
    using row = std::tuple<std::optional<std::int64_t>, std::optional<std::int64_t>, std::optional<unsigned>>;
    std::vector<row> got;
    auto r = ca::reader::open(mtree);
    for (ca::entry_view e : r) {
        got.emplace_back(e.uid_if_set(), e.gid_if_set(), e.perms_if_set());
        CHECK(e.uid() == e.uid_if_set().value_or(0)); // uid() cannot tell "none" from root
    }
    CHECK(got == std::vector<row>{{std::nullopt, std::nullopt, 0640U}, {0, 0, 0600U}, {1234, 5678, std::nullopt}});

    fs::path const tar =
        python_archive(dir, "x.tar",
                       "import io, sys, tarfile\n"
                       "with tarfile.open(sys.argv[1], 'w', format=tarfile.PAX_FORMAT) as t:\n"
                       "    i = tarfile.TarInfo('user.txt'); i.uid = 1234; i.gid = 5678; i.mode = 0o600\n"
                       "    t.addfile(i, io.BytesIO(b''))\n");
    auto t = ca::reader::open(tar);
    auto e = t.next();
    REQUIRE(e);
    CHECK(row(e->uid_if_set(), e->gid_if_set(), e->perms_if_set()) == row(1234, 5678, 0600U));
#else
    WARN("libarchive " ARCHIVE_VERSION_ONLY_STRING " has no archive_entry_uid_is_set (3.7.3): uid_if_set() and "
         "the others are not compiled, nothing to test");
#endif
}

TEST_CASE("rdev_if_set gives a device entry's number and nullopt where the header records none") {
#if CBOUND_ARCHIVE_HAS_RDEV_IS_SET
    cbound_test::scratch_dir dir("is-set");
    fs::path const mtree = dir / "dev.mtree";
    cbound_test::write_file(mtree, "#mtree\nnull type=char device=native,1,3\nfile.txt type=file\n");
    auto r = ca::reader::open(mtree);
    std::vector<std::optional<dev_t>> got;
    for (ca::entry_view e : r)
        got.push_back(e.rdev_if_set());
    CHECK(got == std::vector<std::optional<dev_t>>{makedev(1, 3), std::nullopt});
#else
    WARN("libarchive " ARCHIVE_VERSION_ONLY_STRING " has no archive_entry_rdev_is_set (3.7.5): rdev_if_set() is "
         "not compiled, nothing to test");
#endif
}
