// Helpers shared by the writer tests: the names every test uses, reading archives back, trees into archives.
#pragma once

#include "catch_support.hpp"

#include <cbound/archive/reader.hpp>
#include <cbound/archive/writer.hpp>

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace writer_test {

namespace ar = cbound::archive;
namespace fs = std::filesystem;
using cbound_test::have_tool;
using cbound_test::run;
using cbound_test::scratch_dir;
using cbound_test::sh_quote;

/// The bytes of `s`, viewed (no copy).
inline std::span<std::byte const> bytes_of(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }

/// A byte vector as a string, for comparisons with readable failure output.
inline std::string text_of(std::span<std::byte const> b) { return {reinterpret_cast<char const*>(b.data()), b.size()}; }

/// Deterministic incompressible-ish content of `n` bytes.
inline std::string noise(std::size_t n, unsigned seed = 1) {
    std::string s(n, '\0');
    unsigned x = seed * 2654435761u + 1;
    for (char& c : s) {
        x = x * 1103515245u + 12345u;
        c = static_cast<char>(x >> 23);
    }
    return s;
}

/// (pathname, data) of each entry, in archive order.
using listing = std::vector<std::pair<std::string, std::string>>;

/// What cbound's reader sees in an archive.
inline listing read_back(std::span<std::byte const> archive, ar::reader_options const& options = {}) {
    listing out;
    ar::reader r = ar::reader::open_memory(archive, options);
    for (ar::entry_view e : r)
        out.emplace_back(std::string(e.pathname()), text_of(e.read_all(1 << 24)));
    return out;
}

/// The entry names cbound's reader sees in `archive`, in order.
inline std::vector<std::string> names_in(std::span<std::byte const> archive) {
    std::vector<std::string> names;
    for (auto const& [name, data] : read_back(archive))
        names.push_back(name);
    return names;
}

/// The archive in format `f` that add_tree makes of folder `src` with `options`.
inline std::vector<std::byte> tree_archive(fs::path const& src, ar::tree_options const& options,
                                           ar::format f = ar::format::pax) {
    std::vector<std::byte> out;
    ar::writer w = ar::writer::open_memory(out, f);
    w.add_tree(src, options);
    w.close();
    return out;
}

} // namespace writer_test

namespace writer_test {

/// The what() of the cbound::archive::error `f` throws, or "<no error>" (other exceptions propagate).
template <class F>
std::string error_of(F&& f) {
    return cbound_test::error_of<ar::error>(static_cast<F&&>(f));
}

/// Whether `text` contains `part`.
inline bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

} // namespace writer_test
