// add_tree made reproducible: with a fixed or clamped mtime, chosen owners and a permission mask,
// a folder archived twice gives the same bytes although its files were touched, chmod'ed and
// created again in another order in between; the same archive without those options differs.
// GNU tar with the matching options lists the same entries, times, owners and modes.
#include "writer_fixture.hpp"

#include <chrono>
#include <fcntl.h>
#include <sys/stat.h>

using namespace writer_test;

namespace {

constexpr std::int64_t epoch = 1'500'000'000; // 2017: earlier than every file the tests make

// Gives `p` the modification time `seconds` (and some nanoseconds), without following a symlink.
void set_mtime(fs::path const& p, std::int64_t seconds, long nanoseconds) {
    struct ::timespec const times[2] = {{static_cast<time_t>(seconds), nanoseconds},
                                        {static_cast<time_t>(seconds), nanoseconds}};
    REQUIRE(::utimensat(AT_FDCWD, p.c_str(), times, AT_SYMLINK_NOFOLLOW) == 0);
}

// src/{a.txt, sub/b.txt, sub/c.sh, link -> a.txt, old.txt (mtime before the epoch)}; `reversed`
// creates them in the other order, so that the folder listings come back in another order too.
fs::path make_tree(scratch_dir const& dir, bool reversed) {
    fs::path const src = dir / "src";
    fs::remove_all(src);
    fs::create_directories(src / "sub");
    std::vector<std::pair<std::string, std::string>> files{
        {"a.txt", "alpha\n"}, {"sub/b.txt", "beta\n"}, {"sub/c.sh", "#!/bin/sh\n"}, {"old.txt", "old\n"}};
    if (reversed) std::reverse(files.begin(), files.end());
    for (auto const& [name, text] : files)
        cbound_test::write_file(src / name, text);
    fs::create_symlink("a.txt", src / "link");
    fs::permissions(src / "sub/c.sh", fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::add);
    set_mtime(src / "old.txt", epoch - 86'400, 0);
    return src;
}

// What `dir` holds archived under `options` (prefix "src"), as pax bytes.
std::vector<std::byte> archive_of(fs::path const& src, ar::tree_options options) {
    options.prefix = "src";
    return tree_archive(src, options);
}

ar::tree_options reproducible() {
    return {
        .clamp_mtime = std::chrono::sys_seconds(std::chrono::seconds(epoch)), .uid = 0, .gid = 0, .mode_clear = 022};
}

// Touches every file (a later time with nanoseconds), gives group and others write permission
// and renames nothing: what a build or a checkout does to a tree between two runs.
void disturb(fs::path const& src) {
    for (fs::directory_entry const& e : fs::recursive_directory_iterator(src)) {
        if (e.is_symlink()) continue;
        fs::permissions(e.path(), fs::perms::group_write | fs::perms::others_write, fs::perm_options::add);
        if (e.path().filename() != "old.txt") set_mtime(e.path(), epoch + 1'000'000, 123'456'789);
    }
}

} // namespace

TEST_CASE("add_tree with clamped times, fixed owners and a mode mask gives the same bytes twice") {
    scratch_dir dir("w-repro");
    fs::path src = make_tree(dir, false);
    std::vector<std::byte> const first = archive_of(src, reproducible());
    std::vector<std::byte> const plain_first = archive_of(src, {});

    src = make_tree(dir, true); // new inodes, another creation order
    disturb(src);
    CHECK(archive_of(src, reproducible()) == first);
    CHECK(archive_of(src, {}) != plain_first); // the options are what made it equal

    // And what the options promised is what the archive holds.
    std::vector<std::byte> const again = archive_of(src, reproducible());
    ar::reader r = ar::reader::open_memory(again);
    std::vector<std::string> names;
    for (ar::entry_view e : r) {
        names.emplace_back(e.pathname());
        INFO(e.pathname());
        CHECK(e.uid() == 0);
        CHECK(e.gid() == 0);
        CHECK(e.uname().value_or("") == "");
        CHECK(e.gname().value_or("") == "");
        if (e.type() != ar::entry_type::symlink) CHECK((e.perms() & 022u) == 0);
        REQUIRE(e.mtime());
        auto const seconds = std::chrono::floor<std::chrono::seconds>(*e.mtime()).time_since_epoch().count();
        CHECK(seconds == (e.pathname() == "src/old.txt" ? epoch - 86'400 : epoch)); // older times are kept
    }
    CHECK(names == std::vector<std::string>{"src/", "src/a.txt", "src/link", "src/old.txt", "src/sub/", "src/sub/b.txt",
                                            "src/sub/c.sh"});
}

TEST_CASE("add_tree with a fixed mtime and owner names sets them on every entry") {
    scratch_dir dir("w-repro-names");
    fs::path const src = make_tree(dir, false);
    auto const t = std::chrono::sys_seconds(std::chrono::seconds(epoch));
    std::vector<std::byte> const out =
        archive_of(src, {.mtime = t, .uid = 1000, .gid = 100, .uname = "builder", .gname = "users", .mode_set = 0444});
    ar::reader r = ar::reader::open_memory(out);
    int count = 0;
    for (ar::entry_view e : r) {
        ++count;
        INFO(e.pathname());
        CHECK(e.mtime() == std::optional<ar::entry_time>(t)); // old.txt too: a set time is not a clamp
        CHECK(e.uid() == 1000);
        CHECK(e.gid() == 100);
        CHECK(e.uname() == std::optional<std::string_view>("builder"));
        CHECK(e.gname() == std::optional<std::string_view>("users"));
        if (e.type() != ar::entry_type::symlink) CHECK((e.perms() & 0444u) == 0444u);
    }
    CHECK(count == 7);
}

TEST_CASE("add_tree's reproducible archive lists as GNU tar's with --sort=name --clamp-mtime --numeric-owner") {
    if (!have_tool("tar") || cbound_test::run("tar --version | grep -q 'GNU tar'").exit_code != 0) {
        WARN("GNU tar not installed; skipped");
        return;
    }
    scratch_dir dir("w-repro-gnu");
    fs::path const src = make_tree(dir, true);
    disturb(src);
    std::vector<std::byte> const ours = archive_of(src, reproducible());
    std::string const ours_path = (dir / "ours.tar").string();
    cbound_test::write_file(ours_path, text_of(ours));
    std::string const theirs_path = (dir / "theirs.tar").string();
    std::string const create = "tar --sort=name --mtime=@" + std::to_string(epoch) +
                               " --clamp-mtime --owner=0 --group=0 --numeric-owner --mode=go-w --format=pax -cf " +
                               sh_quote(theirs_path) + " -C " + sh_quote(dir.path().string()) + " src";
    REQUIRE(cbound_test::run(create).exit_code == 0);
    auto const listing = [](std::string const& p) {
        cbound_test::command_result r = cbound_test::run("tar --numeric-owner --full-time -tvf " + sh_quote(p));
        REQUIRE(r.exit_code == 0);
        return r.output;
    };
    std::string const theirs = listing(theirs_path);
    CHECK(theirs.find("src/sub/c.sh") != std::string::npos);
    CHECK(listing(ours_path) == theirs);
}

TEST_CASE("add_tree's edit hook changes an entry's metadata after the stamping fields") {
    scratch_dir dir("w-repro-edit");
    fs::path const src = make_tree(dir, false);
    std::vector<std::string> seen;
    ar::tree_options options = reproducible();
    options.edit = [&](ar::entry& e) {
        seen.push_back(e.pathname());
        if (e.pathname() == "src/sub/c.sh") {
            e.set_perms(0700);
            e.set_owner(0, "builder");
        }
    };
    std::vector<std::byte> const out = archive_of(src, options);
    CHECK(seen == std::vector<std::string>{"src", "src/a.txt", "src/link", "src/old.txt", "src/sub", "src/sub/b.txt",
                                           "src/sub/c.sh"});
    ar::reader r = ar::reader::open_memory(out);
    for (ar::entry_view e : r) {
        INFO(e.pathname());
        bool const edited = e.pathname() == "src/sub/c.sh";
        if (e.type() != ar::entry_type::symlink) CHECK(e.perms() == (edited ? 0700u : (e.perms() & ~022u)));
        CHECK(e.uname().value_or("") == (edited ? "builder" : ""));
        CHECK(e.uid() == 0); // the stamping fields ran first
    }
}

TEST_CASE("add_tree's edit hook may not rename an entry or change its size, with a clear error") {
    scratch_dir dir("w-repro-edit-bad");
    fs::path const src = make_tree(dir, false);
    std::string const renamed = error_of(
        [&] { (void)archive_of(src, {.edit = [](ar::entry& e) { e.set_pathname(e.pathname() + ".renamed"); }}); });
    CHECK(renamed.find("the edit hook may change times, owners and permissions, not the name") != std::string::npos);
    std::string const resized = error_of([&] {
        (void)archive_of(src, {.edit = [](ar::entry& e) {
                             if (e.type() == ar::entry_type::regular) e.set_size(1);
                         }});
    });
    CHECK(resized.find("not the name, type, size or link target") != std::string::npos);
    CHECK(resized.find("a.txt") != std::string::npos);
    std::string const moved =
        error_of([&] { (void)archive_of(src, {.edit = [](ar::entry& e) { ar::entry taken = std::move(e); }}); });
    CHECK(moved.find("the edit hook moved the entry away") != std::string::npos);
}
