// Archives for the tarball tests, made at test time by real tools, and the bsdtar oracle.
#pragma once

#include "catch_support.hpp"

#include <cbound/archive/tarball.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace tarball_test {

namespace fs = std::filesystem;
using cbound_test::must_run;
using cbound_test::run;
using cbound_test::sh_quote;

/// The bytes of a span as a string, for comparing with tool output.
inline std::string text(std::span<std::byte const> bytes) {
    return {reinterpret_cast<char const*>(bytes.data()), bytes.size()};
}

/// Deterministic, incompressible-looking bytes (no std::random: the same on every run).
inline std::string noise(std::size_t size, std::uint32_t seed) {
    std::string s(size, '\0');
    for (char& c : s) {
        seed = seed * 1664525u + 1013904223u;
        c = static_cast<char>(seed >> 24);
    }
    return s;
}

/// A folder of files to archive: text, binary, empty, nested, symlink, and optionally
/// names longer than 100 and 255 bytes (ustar cannot store those).
inline void make_tree(fs::path const& root, bool long_names) {
    cbound_test::write_file(root / "hello.txt", "hello, tarball\n");
    cbound_test::write_file(root / "empty", "");
    cbound_test::write_file(root / "dir/nested/data.bin", noise(200'000, 7));
    cbound_test::write_file(root / "dir/small.txt", "small\n");
    fs::create_directories(root / "dir/empty_dir");
    fs::create_symlink("hello.txt", root / "link");
    if (long_names) {
        cbound_test::write_file(root / ("dir/" + std::string(120, 'a') + ".txt"), "over one hundred\n");
        std::string deep = "long/" + std::string(100, 'b') + "/" + std::string(100, 'c') + "/" + std::string(90, 'd');
        cbound_test::write_file(root / deep, "over two hundred fifty-five\n");
    }
}

/// What `bsdtar -xOf archive path` prints: the oracle for an entry's bytes.
inline std::string bsdtar_extract(fs::path const& archive, std::string_view path) {
    return must_run("bsdtar -xOf " + sh_quote(archive.string()) + " " + sh_quote(path));
}

/// The number of entries `bsdtar -tf` lists.
inline std::size_t bsdtar_count(fs::path const& archive) {
    return std::stoul(must_run("bsdtar -tf " + sh_quote(archive.string()) + " | wc -l"));
}

/// Checks every regular file of `t` against bsdtar, and every hardlink against its target;
/// returns how many files were compared, so a caller can check something was.
inline std::size_t check_against_bsdtar(cbound::archive::tarball const& t, fs::path const& archive) {
    namespace ar = cbound::archive;
    REQUIRE(t.size() == bsdtar_count(archive));
    std::size_t compared = 0;
    for (auto const& e : t) {
        INFO("entry " << e.index() << " '" << e.pathname() << "' in " << archive);
        auto data = t.file(e.index());
        switch (e.type()) {
        case ar::entry_type::regular:
            REQUIRE(data.has_value());
            CHECK(data->size() == e.size());
            CHECK(text(*data) == bsdtar_extract(archive, e.pathname()));
            ++compared;
            break;
        case ar::entry_type::hardlink:
            REQUIRE(data.has_value());
            CHECK(text(*data) == bsdtar_extract(archive, e.hardlink()));
            ++compared;
            break;
        default: CHECK_FALSE(data.has_value());
        }
    }
    return compared;
}

} // namespace tarball_test
