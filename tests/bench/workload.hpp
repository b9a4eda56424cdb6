// Benchmarks: the deterministic file sets every benchmark side builds or reads.
//
// The generator, the raw-C writers and the cbound writers all derive their entries from
// here, so every side of a comparison handles byte-for-byte the same content.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

/// A small, fast, portable pseudo-random generator (splitmix64): the standard
/// distributions differ between libraries, so sizes and bytes are derived by hand.
struct splitmix64 {
    std::uint64_t state;
    /// The next 64 random bits.
    std::uint64_t next() noexcept {
        std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    /// A number in [0, bound).
    std::uint64_t below(std::uint64_t bound) noexcept { return next() % bound; }
};

/// The seed of every workload: change it and every cached archive is regenerated.
inline constexpr std::uint64_t workload_seed = 20261123;
/// The modification time stored in every generated entry (fixed so archives are reproducible).
inline constexpr long long workload_mtime = 1700000000;

/// One regular file of a workload: where it goes, how big it is, and what it holds.
struct file_spec {
    std::string path;   ///< relative pathname, '/'-separated
    std::size_t size;   ///< content length in bytes
    bool compressible;  ///< text-like content (true) or random bytes (false)
    std::uint64_t seed; ///< seed of this file's content
};

/// The small-file set: `count` files of 100 B – 4 KiB (log-uniform), half text, in nested folders.
inline std::vector<file_spec> small_files(std::size_t count) {
    std::vector<file_spec> files;
    files.reserve(count);
    splitmix64 rng{workload_seed};
    for (std::size_t i = 0; i < count; ++i) {
        // Log-uniform sizes: many tiny files, some near 4 KiB, like a source tree.
        std::uint64_t const r = rng.next();
        double const unit = static_cast<double>(r >> 11) / static_cast<double>(1ULL << 53);
        double const size = 100.0 * std::pow(4096.0 / 100.0, unit);
        bool const text = (rng.next() & 1U) == 0;
        // Three levels of folders, 16 × 16 × up to ~50 files each for 200,000 entries.
        // Built by append: GCC 12 gives a false -Wrestrict on chains of string operator+.
        std::string path = "d";
        path.append(std::to_string(i % 16)).append("/s").append(std::to_string((i / 16) % 16));
        path.append("/f").append(std::to_string(i)).append(text ? ".txt" : ".bin");
        files.push_back({std::move(path), static_cast<std::size_t>(size), text, rng.next()});
    }
    return files;
}

/// The large-file set: `count` files of `mebibytes` MiB each, alternating text and random.
inline std::vector<file_spec> large_files(std::size_t count, std::size_t mebibytes) {
    std::vector<file_spec> files;
    splitmix64 rng{workload_seed ^ 0x5a5a5a5aULL};
    for (std::size_t i = 0; i < count; ++i) {
        bool const text = i % 2 == 0;
        std::string path = "big/large";
        path.append(std::to_string(i)).append(text ? ".txt" : ".bin");
        files.push_back({std::move(path), mebibytes << 20, text, rng.next()});
    }
    return files;
}

/// Writes the content of `spec` into `out` (which holds spec.size bytes).
inline void fill(file_spec const& spec, std::byte* out) {
    static constexpr std::string_view words[] = {"archive ", "entry ",  "header ", "block ", "the ",    "of ",
                                                 "data\n",   "cbound ", "tar ",    "read ",  "write ",  "zero ",
                                                 "cost ",    "span ",   "view\n",  "owner ", "handle ", "file "};
    splitmix64 rng{spec.seed};
    std::size_t pos = 0;
    if (spec.compressible) {
        while (pos < spec.size) {
            std::string_view const w = words[rng.below(std::size(words))];
            for (std::size_t k = 0; k < w.size() && pos < spec.size; ++k)
                out[pos++] = static_cast<std::byte>(w[k]);
        }
        return;
    }
    while (pos < spec.size) {
        std::uint64_t v = rng.next();
        for (int k = 0; k < 8 && pos < spec.size; ++k, v >>= 8)
            out[pos++] = static_cast<std::byte>(v & 0xff);
    }
}

/// A whole file set in memory: every side of a writer benchmark adds these same bytes.
struct materialized {
    std::vector<file_spec> files;    ///< the specs, in archive order
    std::vector<std::size_t> offset; ///< where each file's content starts in `data`
    std::vector<std::byte> data;     ///< all contents, back to back
};

/// Generates every file's content once, before anything is measured.
inline materialized materialize(std::vector<file_spec> files) {
    materialized m;
    std::size_t total = 0;
    for (auto const& f : files) {
        m.offset.push_back(total);
        total += f.size;
    }
    m.data.resize(total);
    for (std::size_t i = 0; i < files.size(); ++i)
        fill(files[i], m.data.data() + m.offset[i]);
    m.files = std::move(files);
    return m;
}

/// The file set a benchmark argument names: "small:<count>" or "large:<count>x<MiB>".
inline std::vector<file_spec> parse_set(std::string_view name) {
    auto const colon = name.find(':');
    std::string_view const kind = name.substr(0, colon);
    std::string const rest(colon == std::string_view::npos ? "" : name.substr(colon + 1));
    if (kind == "small") return small_files(rest.empty() ? 200000 : std::stoul(rest));
    if (kind == "large") {
        auto const x = rest.find('x');
        std::size_t const count = rest.empty() ? 4 : std::stoul(rest.substr(0, x));
        std::size_t const mib = x == std::string::npos ? 64 : std::stoul(rest.substr(x + 1));
        return large_files(count, mib);
    }
    return {};
}

} // namespace bench
