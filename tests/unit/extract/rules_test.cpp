// The name and link rules of safe extraction, as pure functions, and the policies' modes.
#include "extract_fixture.hpp"

#include <cbound/archive/detail/extract_dirfd.hpp>
#include <cbound/archive/detail/extract_path.hpp>
#include <cbound/archive/detail/extract_policy.hpp>

#include <unistd.h>

using namespace extract_test;
namespace cd = cbound::archive::detail;

TEST_CASE("member names are cleaned or refused", "[extract][rules]") {
    CHECK(cd::check_member_name("./a//b/./c/", false).relative == "a/b/c");
    CHECK(cd::check_member_name("a\\b", false).relative == "a\\b");       // literal on POSIX
    CHECK(cd::check_member_name("C:x", false).relative == "C:x");         // literal on POSIX
    CHECK(cd::check_member_name("\\\\srv\\s\\x", false).refusal.empty()); // one odd name, inside
    CHECK(cd::check_member_name("", false).refusal == "empty name");
    CHECK(cd::check_member_name("/etc/passwd", false).refusal == "absolute path");
    CHECK(cd::check_member_name("/etc/passwd", true).relative == "etc/passwd"); // tar strips '/'
    CHECK_FALSE(cd::check_member_name("//", true).refusal.empty());
    CHECK_FALSE(cd::check_member_name("../x", false).refusal.empty());
    CHECK_FALSE(cd::check_member_name("a/..", false).refusal.empty());
    CHECK_FALSE(cd::check_member_name("sub/../ok", true).refusal.empty());
    // "." names the destination itself: no refusal, nothing relative; the caller decides.
    CHECK(cd::check_member_name(".", false).refusal.empty());
    CHECK(cd::check_member_name("./", false).relative.empty());
}

TEST_CASE("symlink targets must stay inside the destination", "[extract][rules]") {
    auto escape = [](std::string_view at, std::string_view target) {
        return cd::symlink_escape(at, target).has_value();
    };
    CHECK_FALSE(escape("a/lnk", "b"));
    CHECK_FALSE(escape("a/lnk", "../b"));        // climbs to the destination, not above
    CHECK_FALSE(escape("a/b/lnk", "../../c/d")); // two levels up from a/b
    CHECK(escape("lnk", "../outside"));
    CHECK(escape("a/lnk", "../../x"));
    CHECK(escape("lnk", "/etc/passwd"));
    CHECK(escape("lnk", ""));
    // `d -> .` makes d/d/../.. climb twice: a ".." after a name is never trusted.
    CHECK(escape("a/lnk", "d/d/../.."));
    CHECK(escape("a/lnk", "x/../y"));
    // tar: an absolute target is fine only inside the destination.
    CHECK_FALSE(cd::symlink_escape("lnk", "/dest/x/y", "/dest").has_value());
    CHECK(cd::symlink_escape("lnk", "/destination2/x", "/dest").has_value());
    CHECK(cd::symlink_escape("lnk", "/dest/../etc", "/dest").has_value());
}

TEST_CASE("the descriptor walk refuses symlinks on the way", "[extract][rules]") {
    cbound_test::scratch_dir work("walk");
    fs::create_directories(work / "d/sub");
    fs::create_directory_symlink(work / "d/sub", work / "d/lnk");
    cbound_test::write_file(work / "d/file", "x");
    bool const openat2 = GENERATE(true, false); // with openat2, and the O_NOFOLLOW walk alone
    INFO("openat2 " << openat2);
    cd::confined_root tree(work.path().string(), openat2);
    REQUIRE(tree.is_open());
    // A file is made in one call only where that stays confined.
    int const made = tree.create_file("d/lnk/made", 0644);
    CHECK(made < 0);
    CHECK_FALSE(fs::exists(work / "d/sub/made"));
    if (made >= 0) ::close(made);
    CHECK(tree.reach("d/sub", false).fd >= 0);
    CHECK(tree.reach("d/sub", false).refusal.empty());
    auto const through_link = tree.reach("d/lnk", false);
    CHECK(through_link.fd < 0);
    CHECK(through_link.refusal.find("symlink 'd/lnk'") != std::string::npos);
    auto const through_file = tree.reach("d/file/x", true);
    CHECK(through_file.fd < 0);
    CHECK(through_file.refusal.empty()); // a file in the way is not a link: the entry fails
    CHECK_FALSE(through_file.failure.empty());
    CHECK(tree.reach("new/deeper", false).fd < 0); // missing folders are made only when asked
    CHECK(tree.reach("new/deeper", true).fd >= 0);
    CHECK(fs::is_directory(work / "new/deeper"));
    int const file = tree.create_file("new/deeper/f", 0644); // its folder is open now
    CHECK(file >= 0);
    if (file >= 0) ::close(file);
    CHECK(fs::is_regular_file(work / "new/deeper/f"));
    fs::remove_all(work / "new");
}

TEST_CASE("policies clean modes like PEP 706", "[extract][rules]") {
    CHECK(cd::data_policy_perm(04755, false) == 0755);
    CHECK(cd::data_policy_perm(0666, false) == 0644);
    CHECK(cd::data_policy_perm(0444, false) == 0644); // owner keeps read and write
    CHECK(cd::data_policy_perm(0655, false) == 0644); // no exec for others when the owner has none
    CHECK(cd::data_policy_perm(02777, true) == 0755);
    CHECK(cd::data_policy_perm(0500, true) == 0700);
    CHECK(cd::tar_policy_perm(06777) == 0755);
    CHECK(cd::tar_policy_perm(0444) == 0444);
}

TEST_CASE("the folder cache forgets a path and everything below it", "[extract][rules]") {
    cbound_test::scratch_dir work("walk-cache");
    fs::create_directories(work / "d/sub");
    cd::confined_root tree(work.path().string());
    REQUIRE(tree.reach("d/sub", true).fd >= 0);
    // The cached descriptor is of the folder itself: swapping the path for a symlink cannot
    // redirect it, and once the extraction forgets the path the walk sees the link.
    fs::rename(work / "d/sub", work / "d/old");
    fs::create_directory_symlink(work.path(), work / "d/sub");
    tree.forget("d");
    CHECK_FALSE(tree.reach("d/sub", false).refusal.empty());
}

TEST_CASE("a folder the extraction saw is judged again once an entry replaced it", "[extract][rules]") {
    cbound_test::scratch_dir work("replaced-folder");
    fs::path const archive = work / "a.tar";
    // a/b is walked (and cached) for a/b/c/, then replaced by a symlink to the inside folder e.
    python_tar(archive, "for n, k, l in (('e', tarfile.DIRTYPE, ''), ('a/b/c', tarfile.DIRTYPE, ''),\n"
                        "                ('a/b', tarfile.SYMTYPE, '../e'), ('a/b/z', tarfile.REGTYPE, '')):\n"
                        "    i = tarfile.TarInfo(n); i.type = k; i.linkname = l; t.addfile(i, io.BytesIO(b''))\n");
    cbound::archive::extract_options o;
    o.unsafe = cbound::archive::on_unsafe::skip;
    o.existing = cbound::archive::overwrite::always_replace; // removes the folder a/b/c in the symlink's way
    auto const report = extract_file(archive, work / "dest", o);
    REQUIRE(report.entries.size() == 4);
    CHECK(report.entries[2].outcome == cbound::archive::entry_outcome::extracted);
    CHECK(report.entries[3].outcome == cbound::archive::entry_outcome::rejected);
    CHECK(report.entries[3].reason.find("symlink") != std::string::npos);
    CHECK_FALSE(fs::exists(work / "dest/e/z"));
}
