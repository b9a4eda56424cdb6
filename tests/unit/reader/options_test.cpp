// reader_options is an aggregate with a default for every field: designated initializers may
// name any subset without -Wmissing-field-initializers (an error under the house warnings).
#include "reader_fixture.hpp"

#include <span>
#include <utility>

namespace ca = cbound::archive;
using namespace reader_test;

TEST_CASE("reader_options: every field has its documented default") {
    ca::reader_options const o{};
    CHECK(o.formats.empty());
    CHECK(o.filters.empty());
    CHECK(o.options.empty());
    CHECK(o.passphrases.empty());
    CHECK(!o.passphrase_callback);
    CHECK(o.block_size == 64 * 1024);
    CHECK(o.decode_cp437_zip_names);
}

TEST_CASE("reader_options: designated initializers name one field and leave the others at their defaults") {
    sample_tree t;
    t.sh("bsdtar --format=zip -cf ../a.zip hello.txt");
    t.sh("bsdtar -cf ../a.tar hello.txt");

    ca::reader_options const zip_only{.formats = {ca::format::zip}};
    CHECK(zip_only.block_size == 64 * 1024);
    CHECK(zip_only.decode_cp437_zip_names);
    auto r = ca::reader::open(t.out("a.zip"), zip_only);
    CHECK(pathnames(r) == std::vector<std::string>{"hello.txt"});
    // The one format named is the only one accepted.
    REQUIRE_THROWS_AS(ca::reader::open(t.out("a.tar"), zip_only), ca::error);

    auto r2 = ca::reader::open(t.out("a.tar"), {.block_size = 512});
    CHECK(pathnames(r2) == std::vector<std::string>{"hello.txt"});
}

TEST_CASE("reader_options: designated initializers over several fields, in declaration order") {
    sample_tree t;
    t.sh("bsdtar --format=zip -cf ../a.zip hello.txt");
    ca::reader_options const o{
        .formats = {ca::format::zip},
        .filters = {ca::filter::none},
        .options = "zip:ignorecrc32",
        .passphrases = {"unused"},
        .decode_cp437_zip_names = false,
    };
    CHECK(!o.passphrase_callback);
    auto r = ca::reader::open(t.out("a.zip"), o);
    for (ca::entry_view e : r)
        CHECK(content(e) == "hello, world\n");
}

TEST_CASE("the reader's other public aggregates take designated initializers too") {
    ca::block const b{.offset = 7};
    CHECK(b.data.empty());
    ca::xattr const x{.name = "user.comment"};
    CHECK(x.value.empty());
    ca::sparse_region const s{.length = 3};
    CHECK(s.offset == 0);

    // A read_source naming only `read` (skip and seek are optional).
    sample_tree t;
    t.sh("bsdtar -cf ../a.tar hello.txt");
    std::string const bytes = cbound_test::read_file(t.out("a.tar"));
    bool served = false;
    auto r = ca::reader::open_callbacks({.read = [&]() -> std::span<std::byte const> {
        if (std::exchange(served, true)) return {};
        return std::as_bytes(std::span(bytes));
    }});
    CHECK(pathnames(r) == std::vector<std::string>{"hello.txt"});
}
