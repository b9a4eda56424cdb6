// add_tree while something else changes the tree: a folder swapped for a symlink to outside is
// never followed, a file swapped for a FIFO does not hang the walk. The swaps happen in the
// filter callback, which runs after a folder is listed and before each child is opened: exactly
// the window a path-based walk loses.
#include "writer_fixture.hpp"

#include <atomic>
#include <span>
#include <thread>

#include <sys/stat.h>

using namespace writer_test;

namespace {

constexpr std::string_view secret = "outside: must never be archived";

// dir/outside/{stolen.txt}, dir/src/d/{f.txt, g.txt}, dir/src/z.txt
fs::path make_tree(scratch_dir const& dir) {
    cbound_test::write_file(dir / "outside/stolen.txt", secret);
    cbound_test::write_file(dir / "src/d/f.txt", "f");
    cbound_test::write_file(dir / "src/d/g.txt", "g");
    cbound_test::write_file(dir / "src/z.txt", "z");
    return dir / "src";
}

// Swaps folder `d` for a symlink to `target` (the folder itself moves aside, as an attacker would move it).
void swap_for_symlink(fs::path const& d, fs::path const& target) {
    fs::rename(d, fs::path(d).concat("-moved"));
    fs::create_symlink(target, d);
}

void check_nothing_outside(listing const& got) {
    for (auto const& [name, data] : got) {
        CHECK_FALSE(contains(name, "stolen"));
        CHECK(data != secret);
    }
}

std::vector<ar::warning> pack(fs::path const& src, ar::tree_options const& options, std::vector<std::byte>& out) {
    ar::writer w = ar::writer::open_memory(out);
    w.add_tree(src, options);
    std::span<ar::warning const> const seen = w.warnings();
    std::vector<ar::warning> warned(seen.begin(), seen.end());
    w.close();
    return warned;
}

} // namespace

TEST_CASE("add_tree: a folder swapped for a symlink after the listing is not followed") {
    scratch_dir dir("w-race-dir");
    fs::path const src = make_tree(dir);
    std::vector<std::byte> out;
    auto const warned = pack(src,
                             {.filter =
                                  [&](fs::directory_entry const& e) {
                                      if (e.path().filename() == "d") swap_for_symlink(e.path(), dir / "outside");
                                      return true;
                                  },
                              .prefix = "src"},
                             out);
    listing const got = read_back(out);
    check_nothing_outside(got);
    // The swapped name is left out with a warning; its neighbours are archived.
    CHECK(got == listing{{"src/", ""}, {"src/z.txt", "z"}});
    REQUIRE(warned.size() == 1);
    CHECK(contains(warned[0].pathname, "src/d"));
    CHECK(contains(warned[0].message, "changed while it was read"));
}

TEST_CASE("add_tree: a folder swapped while the walk is inside it stays the folder that was opened") {
    scratch_dir dir("w-race-in");
    fs::path const src = make_tree(dir);
    std::vector<std::byte> out;
    pack(src,
         {.filter =
              [&](fs::directory_entry const& e) {
                  if (e.path().filename() == "f.txt") swap_for_symlink(src / "d", dir / "outside");
                  return true;
              },
          .prefix = "src"},
         out);
    listing const got = read_back(out);
    check_nothing_outside(got);
    // The walk holds d's descriptor: it finishes d (now named d-moved) under the name it listed.
    CHECK(got == listing{{"src/", ""}, {"src/d/", ""}, {"src/d/f.txt", "f"}, {"src/d/g.txt", "g"}, {"src/z.txt", "z"}});
}

TEST_CASE("add_tree: a thread swapping a folder for a symlink to outside never gets anything outside archived") {
    scratch_dir dir("w-race-thread");
    fs::path const src = make_tree(dir);
    for (int i = 0; i < 30; ++i)
        cbound_test::write_file(src / "d" / ("n" + std::to_string(i)), "n");
    std::atomic<bool> stop{false};
    std::thread swapper([&] {
        // Back and forth: d is a folder, then a symlink to outside, then a folder again.
        std::error_code ec;
        while (!stop.load()) {
            fs::rename(src / "d", src / "d-real", ec);
            fs::create_symlink(dir / "outside", src / "d", ec);
            fs::remove(src / "d", ec);
            fs::rename(src / "d-real", src / "d", ec);
        }
    });
    for (int round = 0; round < 200; ++round) {
        std::vector<std::byte> out;
        pack(src, {.prefix = "src"}, out);
        check_nothing_outside(read_back(out));
    }
    stop = true;
    swapper.join();
}

TEST_CASE("add_tree: a file replaced by a FIFO between listing and open is left out, without hanging") {
    scratch_dir dir("w-race-fifo");
    fs::path const src = make_tree(dir);
    std::vector<std::byte> out;
    auto const warned = pack(src,
                             {.filter =
                                  [&](fs::directory_entry const& e) {
                                      if (e.path().filename() == "z.txt") {
                                          fs::remove(e.path());
                                          REQUIRE(::mkfifo(e.path().c_str(), 0644) == 0);
                                      }
                                      return true;
                                  },
                              .prefix = "src"},
                             out);
    // Nobody ever writes to the FIFO: a blocking open or read would hang here.
    CHECK(read_back(out) == listing{{"src/", ""}, {"src/d/", ""}, {"src/d/f.txt", "f"}, {"src/d/g.txt", "g"}});
    REQUIRE(warned.size() == 1);
    CHECK(contains(warned[0].pathname, "z.txt"));
    CHECK(contains(warned[0].message, "no longer the regular file listed"));
}

TEST_CASE("add_tree: deep below a folder swapped for a symlink, the way back up is not redirected") {
    // The walk keeps 128 folder descriptors open; deeper, it reopens upper folders by name on the
    // way back. A folder swapped meanwhile must stop the walk there, never lead it outside.
    scratch_dir dir("w-race-deep");
    cbound_test::write_file(dir / "outside/d/d/z-after", secret);
    fs::path folder = dir / "src";
    for (int i = 0; i < 200; ++i) {
        folder /= "d";
        fs::create_directories(folder);
    }
    cbound_test::write_file(folder / "leaf", "leaf");
    cbound_test::write_file(dir / "src/d/d/z-after", "inside");
    std::vector<std::byte> out;
    auto const warned = pack(dir / "src",
                             {.filter =
                                  [&](fs::directory_entry const& e) {
                                      if (e.path().filename() == "leaf")
                                          swap_for_symlink(dir / "src/d", dir / "outside");
                                      return true;
                                  },
                              .prefix = "src"},
                             out);
    listing const got = read_back(out);
    check_nothing_outside(got);
    CHECK(got.size() == 1 + 200 + 1); // src/, the 200 folders, the leaf; z-after is left out
    REQUIRE(warned.size() == 1);
    CHECK(contains(warned[0].message, "changed while its contents were read"));
}
