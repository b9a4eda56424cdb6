// Reading archives made by real tools: names, types, sizes, links and contents.
#include "reader_fixture.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace ca = cbound::archive;
using namespace reader_test;

// Checked here rather than in reader.hpp, where the concept checks would cost every includer
// (tests/bench/compile_time.sh).
static_assert(
    std::input_iterator<decltype(std::declval<ca::reader&>().begin())> &&
        std::sentinel_for<decltype(std::declval<ca::reader&>().end()), decltype(std::declval<ca::reader&>().begin())>,
    "for (entry_view e : r) must work");
static_assert(std::input_iterator<ca::block_range::iterator>, "data blocks form an input range");

TEST_CASE("reader iterates a bsdtar archive with types, sizes and contents") {
    sample_tree t;
    t.sh("bsdtar -cf " + sh_quote(t.out("a.tar").string()) + " hello.txt sub link hard");
    auto r = ca::reader::open(t.out("a.tar"));
    std::map<std::string, std::string> seen;
    int hardlinks = 0, symlinks = 0;
    for (ca::entry_view e : r) {
        std::string name(e.pathname());
        if (e.type() == ca::entry_type::symlink) {
            ++symlinks;
            CHECK(e.symlink() == "hello.txt");
        } else if (e.type() == ca::entry_type::hardlink) {
            ++hardlinks;
            CHECK(e.hardlink().has_value());
        } else if (e.type() == ca::entry_type::regular) {
            REQUIRE(e.size().has_value());
            std::string data = content(e);
            CHECK(static_cast<std::int64_t>(data.size()) == *e.size());
            seen[name] = data;
        }
    }
    CHECK(symlinks == 1);
    CHECK(hardlinks == 1);
    for (auto const& [name, data] : t.files)
        CHECK(seen[name] == data);
    CHECK(r.warnings().empty());
}

TEST_CASE("reader from memory hands out blocks that point into the caller's buffer") {
    sample_tree t;
    t.sh("bsdtar -cf " + sh_quote(t.out("a.tar").string()) + " hello.txt sub/data.bin");
    std::string const archive = cbound_test::read_file(t.out("a.tar"));
    auto bytes = cbound_test::to_bytes(archive);
    auto r = ca::reader::open_memory(bytes);
    std::size_t blocks = 0;
    for (ca::entry_view e : r) {
        for (ca::block b : e.blocks()) {
            ++blocks;
            CHECK(b.data.data() >= bytes.data());
            CHECK(b.data.data() + b.data.size() <= bytes.data() + bytes.size());
        }
    }
    CHECK(blocks >= 2);
}
