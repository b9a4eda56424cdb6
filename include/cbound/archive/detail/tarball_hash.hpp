// cbound::archive — the pathname hash behind tarball's name table (internal).
//
// The name table is built on every open, so the hash must be cheap: it eats a name eight
// bytes at a time. Names come from untrusted archives and a table flooded with colliding
// names would make opening quadratic, so the hash is keyed with a per-process random seed:
// colliding names cannot be written down in advance. (__builtin_memcpy, not <cstring>:
// that header declares POSIX ::index, which would clash with users' own `index`.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <sys/random.h>

namespace cbound::archive::detail {

/// Spreads every bit of `h` over the upper half (the half a table slot is taken from).
[[nodiscard]] constexpr std::uint64_t scramble(std::uint64_t h) noexcept {
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93u;
    h ^= h >> 32;
    return h;
}

/// A per-process random key for name hashes (a fixed one if no random source works).
[[nodiscard]] inline std::uint64_t name_hash_seed() noexcept {
    // getrandom, not std::random_device: <random> alone was a sixth of what tarball.hpp
    // cost to include. GRND_NONBLOCK: never wait for the entropy pool at boot; the fixed key is the
    // fallback, as when the call is missing or interrupted.
    static std::uint64_t const seed = [] {
        std::uint64_t key = 0;
        if (::getrandom(&key, sizeof key, GRND_NONBLOCK) != static_cast<::ssize_t>(sizeof key))
            key = 0x9e3779b97f4a7c15u;
        return key;
    }();
    return seed;
}

/// The keyed hash of a pathname.
[[nodiscard]] inline std::uint64_t name_hash(std::string_view name, std::uint64_t seed) noexcept {
    char const* p = name.data();
    std::size_t n = name.size();
    std::uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15u);
    for (; n >= 8; n -= 8, p += 8) {
        std::uint64_t word;
        __builtin_memcpy(&word, p, 8);
        h = scramble(h ^ word);
    }
    if (n == 0) return scramble(h);
    // The last 0-7 bytes: a name of 8 bytes or more rereads its last 8 (one load, no copy loop).
    std::uint64_t tail = 0;
    if (name.size() >= 8) {
        __builtin_memcpy(&tail, name.data() + name.size() - 8, 8);
    } else {
        for (std::size_t k = 0; k < n; ++k)
            tail |= std::uint64_t{static_cast<unsigned char>(p[k])} << (8 * k);
    }
    return scramble(h ^ tail);
}

} // namespace cbound::archive::detail
