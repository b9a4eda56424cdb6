// add_tree with files that have holes: found with SEEK_DATA/SEEK_HOLE (only for files whose
// block count says they have holes), stored sparse, and extracted with the same bytes.
#include "writer_fixture.hpp"

#include <fcntl.h>
#include <unistd.h>

using namespace writer_test;

namespace {

// A file of `size` bytes holding "data" at each offset in `at` and holes elsewhere.
void make_sparse(fs::path const& p, ::off_t size, std::vector<::off_t> const& at) {
    cbound::unique_fd fd(::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    REQUIRE(fd);
    REQUIRE(::ftruncate(fd.get(), size) == 0);
    for (::off_t o : at)
        REQUIRE(::pwrite(fd.get(), "data", 4, o) == 4);
}

} // namespace

TEST_CASE("add_tree stores files with holes sparse, and bsdtar gives their bytes back") {
    scratch_dir dir("w-sparse");
    constexpr ::off_t size = 8 << 20;
    fs::create_directories(dir / "src");
    make_sparse(dir / "src/holes", size, {0, 5 << 20});
    make_sparse(dir / "src/all-hole", 1 << 20, {});
    struct ::stat st {};
    REQUIRE(::stat((dir / "src/holes").c_str(), &st) == 0);
    if (st.st_blocks * 512 >= size) {
        WARN("skipped: this file system stores no holes");
        return;
    }
    ar::writer w = ar::writer::open(dir / "x.tar");
    w.add_tree(dir / "src", {.prefix = "src"});
    w.close();
    CHECK(fs::file_size(dir / "x.tar") < std::uintmax_t{1} << 20); // 9 MiB of files, nearly all holes
    ar::reader r = ar::reader::open(dir / "x.tar");
    int seen = 0;
    for (ar::entry_view e : r) {
        if (e.pathname() != "src/holes" && e.pathname() != "src/all-hole") continue;
        ++seen;
        // The data regions; pax also records a zero-length region where a file ends in a hole.
        std::vector<std::int64_t> starts;
        std::size_t regions = 0;
        for (auto const& region : e.sparse_map()) {
            ++regions;
            if (region.length > 0) starts.push_back(region.offset);
        }
        CHECK(regions > 0); // stored sparse
        if (e.pathname() == "src/holes") {
            CHECK(e.size() == size);
            CHECK(starts == std::vector<std::int64_t>{0, 5 << 20});
        } else {
            CHECK(starts.empty()); // all hole
        }
    }
    CHECK(seen == 2);
    if (!cbound_test::have_tool("bsdtar")) {
        WARN("skipped the extraction: no bsdtar");
        return;
    }
    fs::create_directories(dir / "out");
    REQUIRE(cbound_test::run("bsdtar -xf " + cbound_test::sh_quote((dir / "x.tar").string()) + " -C " +
                             cbound_test::sh_quote((dir / "out").string()))
                .exit_code == 0);
    std::string want(size, '\0');
    want.replace(0, 4, "data");
    want.replace(5 << 20, 4, "data");
    CHECK((cbound_test::read_file(dir / "out/src/holes") == want)); // parenthesized: no megabytes printed
    CHECK((cbound_test::read_file(dir / "out/src/all-hole") == std::string(1 << 20, '\0')));
}
