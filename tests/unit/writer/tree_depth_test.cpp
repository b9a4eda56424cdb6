// add_tree on deep trees: depth is bounded only far below any real tree when symlinks are not
// followed (deeper than the descriptors a process may hold open, and than PATH_MAX), and a
// symlink loop is caught by inode when they are.
#include "writer_fixture.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace writer_test;

namespace {

// `levels` folders named "d", one inside the next, below `top`, with a file "leaf" at the bottom.
// Built and removed through descriptors: the deepest paths are longer than PATH_MAX.
void make_chain(fs::path const& top, int levels) {
    cbound::unique_fd fd(::open(top.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    for (int i = 0; i < levels; ++i) {
        REQUIRE(::mkdirat(fd.get(), "d", 0755) == 0);
        fd.reset(::openat(fd.get(), "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        REQUIRE(fd);
    }
    cbound::unique_fd leaf(::openat(fd.get(), "leaf", O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
    REQUIRE(::write(leaf.get(), "bottom", 6) == 6);
}

void remove_chain(fs::path const& top, int levels) {
    std::vector<cbound::unique_fd> fds;
    fds.emplace_back(::open(top.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    for (int i = 0; i < levels; ++i)
        fds.emplace_back(::openat(fds.back().get(), "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    ::unlinkat(fds.back().get(), "leaf", 0);
    for (int i = levels; i > 0; --i) {
        fds.pop_back();
        ::unlinkat(fds.back().get(), "d", AT_REMOVEDIR);
    }
}

std::string chain_name(int levels) {
    std::string name = "top";
    for (int i = 0; i < levels; ++i)
        name += "/d";
    return name;
}

} // namespace

TEST_CASE("add_tree archives a plain tree 450 folders deep, with fewer descriptors than levels") {
    scratch_dir dir("w-deep");
    constexpr int levels = 450; // over the old limit of 256, and over the 128 folders the walk keeps open
    make_chain(dir.path(), levels);
    // A process allowed fewer open files than the tree has levels still gets the whole tree.
    ::rlimit old{};
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &old) == 0);
    ::rlimit tight = old;
    tight.rlim_cur = 300;
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &tight) == 0);
    std::vector<std::byte> out;
    std::string failure;
    try {
        ar::writer w = ar::writer::open_memory(out);
        w.add_tree(dir.path(), {.prefix = "top"});
        w.close();
    } catch (std::exception const& e) {
        failure = e.what();
    }
    ::setrlimit(RLIMIT_NOFILE, &old);
    CHECK(failure.empty());
    listing const got = read_back(out);
    REQUIRE(got.size() == levels + 2);
    CHECK(got.back() == listing::value_type{chain_name(levels) + "/leaf", "bottom"});
    remove_chain(dir.path(), levels);
}

TEST_CASE("add_tree refuses a tree deeper than its bound with a clear error") {
    // Without following, the bound is 4096 folders; following symlinks it is 256, which is the same
    // check and cheaper to build here (every folder costs a journaled mkdir).
    scratch_dir dir("w-deeper");
    constexpr int levels = 260;
    make_chain(dir.path(), levels);
    std::vector<std::byte> out;
    ar::writer w = ar::writer::open_memory(out);
    std::string const why = error_of([&] { w.add_tree(dir.path(), {.prefix = "top", .follow_symlinks = true}); });
    CHECK(contains(why, "folders nest deeper than 256 levels"));
    remove_chain(dir.path(), levels);
}

TEST_CASE("add_tree following symlinks stops at a loop with a warning") {
    scratch_dir dir("w-loop");
    cbound_test::write_file(dir / "src/a/f.txt", "f");
    fs::create_symlink("..", dir / "src/a/up"); // src/a/up -> src: a loop once followed
    std::vector<std::byte> out;
    ar::writer w = ar::writer::open_memory(out);
    w.add_tree(dir / "src", {.prefix = "src", .follow_symlinks = true});
    REQUIRE(w.warnings().size() == 1);
    CHECK(contains(w.warnings()[0].message, "symlink loop"));
    CHECK(contains(w.warnings()[0].pathname, "src/a/up"));
    w.close();
    CHECK(read_back(out) == listing{{"src/", ""}, {"src/a/", ""}, {"src/a/f.txt", "f"}});
}
