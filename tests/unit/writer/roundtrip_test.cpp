// Every format × filter libarchive can write here: cbound writes, cbound's reader reads back.
#include "writer_fixture.hpp"

#include <map>

using namespace writer_test;

namespace {

constexpr ar::format writable_formats[] = {
    ar::format::pax,      ar::format::ustar,     ar::format::gnutar,   ar::format::v7tar,   ar::format::zip,
    ar::format::sevenzip, ar::format::cpio_newc, ar::format::cpio_odc, ar::format::iso9660, ar::format::ar_bsd,
    ar::format::ar_svr4,  ar::format::warc,      ar::format::xar,      ar::format::mtree,   ar::format::raw,
};

constexpr ar::filter writable_filters[] = {
    ar::filter::none, ar::filter::gzip,     ar::filter::bzip2, ar::filter::xz,   ar::filter::lzma, ar::filter::zstd,
    ar::filter::lz4,  ar::filter::compress, ar::filter::lzip,  ar::filter::lzop, ar::filter::b64,
};

// Normalises what a format does to names: "./x" (mtree), "x/" (tar directories), basenames (ar).
std::string canonical(std::string name, ar::format f) {
    if (name.starts_with("./")) name.erase(0, 2);
    while (name.size() > 1 && name.back() == '/')
        name.pop_back();
    if (f == ar::format::ar_bsd || f == ar::format::ar_svr4) name = name.substr(name.rfind('/') + 1);
    return name;
}

bool keeps_directories(ar::format f) {
    return f != ar::format::ar_bsd && f != ar::format::ar_svr4 && f != ar::format::warc && f != ar::format::raw;
}

// libarchive 3.6 cannot read 7z through a filter, and its warc reader wants a whole record in one
// read-ahead, which a filter does not give it for large records: both are reader limits.
bool needs_seekable_input(ar::format f) { return f == ar::format::sevenzip || f == ar::format::warc; }

// The bytes inside a filter, read as libarchive's "raw" format.
std::vector<std::byte> unfilter(std::span<std::byte const> archive) {
    ar::reader_options raw;
    raw.formats = {ar::format::raw};
    raw.allow_external_programs = true; // lzop: the test's own archive
    ar::reader r = ar::reader::open_memory(archive, raw);
    std::vector<std::byte> inner;
    for (ar::entry_view e : r)
        inner = e.read_all(1 << 24);
    return inner;
}

} // namespace

TEST_CASE("every writable format and filter round-trips through cbound's reader") {
    std::string const small = "hello, archive\n";
    std::string const big = noise(70000) + std::string(50000, 'z'); // spans several blocks, partly compressible
    int combinations = 0;
    for (ar::format f : writable_formats) {
        for (ar::filter c : writable_filters) {
            std::string const label = std::string(ar::to_string(f)) + "+" + std::string(ar::to_string(c));
            std::vector<std::byte> archive;
            try {
                archive = ar::writer::to_memory(f, c, [&](ar::writer& w) {
                    if (f == ar::format::raw) {
                        w.add({.pathname = "big.bin"}, bytes_of(big));
                        return;
                    }
                    if (keeps_directories(f))
                        w.add({.pathname = "dir", .type = ar::entry_type::directory, .perms = 0755});
                    w.add({.pathname = "dir/small.txt"}, bytes_of(small));
                    w.add({.pathname = "big.bin"}, bytes_of(big));
                    w.add({.pathname = "empty"}, {});
                });
            } catch (ar::error const& e) {
                // Only lzop needs an external program here (libarchive has no built-in lzo writer).
                INFO(label << ": " << e.what());
                CHECK(c == ar::filter::lzop);
                continue;
            }
            INFO(label);
            REQUIRE_FALSE(archive.empty());
            ar::reader_options options;
            if (f == ar::format::raw) options.formats = {ar::format::raw};
            // lzop is read through the lzop program here: the test's own archive, so allowed.
            options.allow_external_programs = c == ar::filter::lzop;
            // See needs_seekable_input: undo the filter first.
            if (needs_seekable_input(f) && c != ar::filter::none) archive = unfilter(archive);
            std::map<std::string, std::string> seen;
            for (auto& [name, data] : read_back(archive, options))
                seen[canonical(name, f)] = data;
            seen.erase("."); // iso9660's root
            std::map<std::string, std::string> expected;
            bool const has_data = f != ar::format::mtree; // mtree describes files, it does not hold them
            if (f == ar::format::raw) {
                expected["data"] = big;
            } else {
                expected[f == ar::format::ar_bsd || f == ar::format::ar_svr4 ? "small.txt" : "dir/small.txt"] =
                    has_data ? small : "";
                expected["big.bin"] = has_data ? big : "";
                expected["empty"] = "";
                if (keeps_directories(f)) expected["dir"] = "";
            }
            CHECK(seen == expected);
            ++combinations;
        }
    }
    // 15 formats × 11 filters, less lzop when its program is absent.
    CHECK(combinations >= 15 * 10);
}

TEST_CASE("formats libarchive can only read are refused with a clear error") {
    std::vector<std::byte> out;
    for (ar::format f : {ar::format::cab, ar::format::rar, ar::format::rar5, ar::format::lha, ar::format::empty}) {
        INFO(ar::to_string(f));
        CHECK(contains(error_of([&] { (void)ar::writer::open_memory(out, f); }), "cannot write the format"));
    }
    CHECK(contains(error_of([&] { (void)ar::writer::open_memory(out, ar::format::pax, ar::filter::rpm); }),
                   "cannot write the filter"));
}

TEST_CASE("compression options and zip encryption pass through to libarchive") {
    std::string const text = std::string(200000, 'a') + noise(1000);
    auto fill = [&](ar::writer& w) { w.add({.pathname = "a.txt"}, bytes_of(text)); };
    auto const fast =
        ar::writer::to_memory(ar::format::pax, ar::filter::gzip, fill, {.options = "gzip:compression-level=1"});
    auto const best =
        ar::writer::to_memory(ar::format::pax, ar::filter::gzip, fill, {.options = "gzip:compression-level=9"});
    CHECK(best.size() < fast.size());
    auto const threaded = ar::writer::to_memory(ar::format::pax, ar::filter::zstd, fill, {.options = "zstd:threads=2"});
    CHECK(read_back(threaded).at(0).second == text);

    std::vector<std::byte> out;
    CHECK(contains(error_of([&] {
                       (void)ar::writer::open_memory(out, ar::format::pax, ar::filter::none,
                                                     {.options = "no-such-option=1"});
                   }),
                   "set_options"));

    auto const secret = ar::writer::to_memory(ar::format::zip, ar::filter::none, fill, {.passphrase = "s3cret"});
    CHECK(text_of(secret).find("aaaaaaaa") == std::string::npos);
    ar::reader_options with_key;
    with_key.passphrases = {"s3cret"};
    CHECK(read_back(secret, with_key).at(0).second == text);
    ar::reader_options wrong_key;
    wrong_key.passphrases = {"wrong"};
    CHECK_THROWS_AS(read_back(secret, wrong_key), ar::error);
    CHECK(contains(
        error_of([&] { (void)ar::writer::open_memory(out, ar::format::pax, ar::filter::none, {.passphrase = "x"}); }),
        "only zip"));
}
