// Sources and sinks made of functions: the public types in their own headers, and the one
// factory name, open_callbacks, that reader and writer share.
#include <cbound/archive/block.hpp>
#include <cbound/archive/sink.hpp>
#include <cbound/archive/source.hpp>
#include <cbound/archive/sparse_region.hpp>
#include <cbound/archive/xattr.hpp>

#include <type_traits>

// Only the headers above so far: the types stand alone, before the reader or writer is seen.
static_assert(std::is_aggregate_v<cbound::archive::read_source>);
static_assert(std::is_aggregate_v<cbound::archive::write_callbacks>);
static_assert(cbound::archive::block{}.offset == 0 && cbound::archive::block{}.data.empty());
static_assert(cbound::archive::sparse_region{}.length == 0);
static_assert(cbound::archive::xattr{}.name.empty());

#include "reader_fixture.hpp"

#include <cbound/archive/reader.hpp>
#include <cbound/archive/writer.hpp>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace ca = cbound::archive;
using namespace reader_test;

namespace {

/// A source handing out `bytes` in pieces of `piece` bytes.
ca::read_source pieces_of(std::vector<std::byte> const& bytes, std::size_t piece) {
    auto at = std::make_shared<std::size_t>(0);
    return {.read = [&bytes, piece, at]() -> std::span<std::byte const> {
        std::size_t const n = std::min(piece, bytes.size() - *at);
        std::span<std::byte const> const out(bytes.data() + *at, n);
        *at += n;
        return out;
    }};
}

/// Writes two entries through write_callbacks into `out`.
void write_two(std::vector<std::byte>& out, int& opens, int& closes) {
    ca::writer w = ca::writer::open_callbacks(
        {.open = [&] { ++opens; },
         .write = [&](std::span<std::byte const> b) { out.insert(out.end(), b.begin(), b.end()); },
         .close = [&] { ++closes; }},
        ca::format::pax);
    std::string const one = "first file\n";
    std::string const two(5000, 'z');
    w.add({.pathname = "one.txt"}, std::as_bytes(std::span(one)));
    w.add({.pathname = "dir/two.txt"}, std::as_bytes(std::span(two)));
    w.close();
}

} // namespace

TEST_CASE("open_callbacks on the reader reads what open_callbacks on the writer wrote") {
    std::vector<std::byte> bytes;
    int opens = 0;
    int closes = 0;
    write_two(bytes, opens, closes);
    CHECK(opens == 1);
    CHECK(closes == 1);
    REQUIRE_FALSE(bytes.empty());

    ca::reader r = ca::reader::open_callbacks(pieces_of(bytes, 700));
    std::vector<std::string> names;
    std::vector<std::string> data;
    for (ca::entry_view e : r) {
        names.emplace_back(e.pathname());
        data.push_back(content(e));
    }
    CHECK(names == std::vector<std::string>{"one.txt", "dir/two.txt"});
    REQUIRE(data.size() == 2);
    CHECK(data[0] == "first file\n");
    CHECK(data[1] == std::string(5000, 'z'));
}

TEST_CASE("the old reader::open_callback still opens, for one release") {
    std::vector<std::byte> bytes;
    int opens = 0;
    int closes = 0;
    write_two(bytes, opens, closes);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    ca::reader r = ca::reader::open_callback(pieces_of(bytes, 1 << 20));
#pragma GCC diagnostic pop
    CHECK(pathnames(r) == std::vector<std::string>{"one.txt", "dir/two.txt"});
}

TEST_CASE("a read_source without a read function is refused by name") {
    REQUIRE_THROWS_WITH(ca::reader::open_callbacks(ca::read_source{}), Catch::Contains("read_source.read is empty"));
}
