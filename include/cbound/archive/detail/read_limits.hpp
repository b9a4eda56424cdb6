// cbound::archive — the decoder memory a stream asks for, bounded before libarchive allocates it (internal).
//
// libarchive 3.6 decodes xz, lzma and lzip with no memory limit (UINT64_MAX), and a stream's
// header chooses the dictionary: a few bytes can make it allocate 1.5 GiB. It offers no option
// to bound this, so the reader reads the dictionary size where these streams record it, in the
// first bytes, and refuses the stream at open, before any decoding. That sees the first xz
// block and lzip member only: xz and lzma are then decoded by cbound under the same limit for
// every block and stream (read_lzma.hpp); a later lzip member stays libarchive's (which
// refuses one asking for more than 128 MiB).
#pragma once

#include <cbound/archive/error.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>

// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh).
namespace cbound::archive::detail {

/// How many leading bytes decoder_dictionary() looks at (an xz block header fits).
inline constexpr std::size_t head_bytes = 12 + 1024;

/// How many leading bytes decoder_dictionary() needs to see, given the first ones: an xz
/// stream's whole first block header, 64 bytes otherwise.
[[nodiscard]] inline std::size_t head_needed(std::span<std::byte const> head) noexcept {
    if (head.size() > 12 && static_cast<unsigned>(head[0]) == 0xFD)
        return 12 + (static_cast<std::size_t>(head[12]) + 1) * 4;
    return 64;
}

/// Reads an xz variable-length integer at `p`, advancing it; nullopt when it runs out.
[[nodiscard]] inline std::optional<std::uint64_t> xz_varint(std::span<std::byte const> head, std::size_t& p) noexcept {
    std::uint64_t value = 0;
    for (int shift = 0; shift < 63 && p < head.size(); shift += 7) {
        auto const b = static_cast<unsigned>(head[p++]);
        value |= std::uint64_t{b & 0x7Fu} << shift;
        if ((b & 0x80u) == 0) return value;
    }
    return std::nullopt;
}

/// The LZMA2 dictionary size that property byte `d` (xz's filter properties) asks for.
[[nodiscard]] inline std::uint64_t lzma2_dictionary(unsigned d) noexcept {
    d &= 0x3F;
    if (d >= 40) return d == 40 ? 0xFFFFFFFFu : ~std::uint64_t{0}; // 40 is 4 GiB - 1; more is invalid
    return std::uint64_t{2u | (d & 1u)} << (d / 2 + 11);
}

/// Little-endian 32-bit value at `p` of `head`.
[[nodiscard]] inline std::uint32_t le32(std::span<std::byte const> head, std::size_t p) noexcept {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i)
        v = (v << 8) | static_cast<unsigned>(head[p + static_cast<std::size_t>(i)]);
    return v;
}

/// The dictionary the stream starting with `head` makes a decoder allocate, with the filter's
/// name, when it is xz (its first block), lzip, or lzma as libarchive recognises it.
struct dictionary_request {
    char const* filter;  ///< "xz", "lzip" or "lzma"
    std::uint64_t bytes; ///< the dictionary size asked for
};

/// What the stream starting with `head` asks of a decoder, or nullopt when it is none of the above.
[[nodiscard]] inline std::optional<dictionary_request> decoder_dictionary(std::span<std::byte const> head) noexcept {
    auto const at = [&](std::size_t i) { return static_cast<unsigned>(head[i]); };
    static constexpr unsigned char xz_magic[] = {0xFD, '7', 'z', 'X', 'Z', 0};
    if (head.size() >= 14 && std::memcmp(head.data(), xz_magic, sizeof xz_magic) == 0) {
        // Stream header (12 bytes), then the first block header: size, flags, optional sizes, filters.
        if (at(12) == 0) return std::nullopt; // an index: no block
        std::size_t p = 14;
        unsigned const flags = at(13);
        if ((flags & 0x40) != 0 && !xz_varint(head, p)) return std::nullopt;
        if ((flags & 0x80) != 0 && !xz_varint(head, p)) return std::nullopt;
        std::uint64_t largest = 0;
        for (unsigned f = 0; f <= (flags & 3); ++f) {
            auto const id = xz_varint(head, p);
            auto const size = xz_varint(head, p);
            if (!id || !size || p + *size > head.size()) return std::nullopt;
            if (*id == 0x21 && *size == 1) largest = std::max(largest, lzma2_dictionary(at(p)));
            if (*id == 0x4000000000000001 && *size == 5) largest = std::max<std::uint64_t>(largest, le32(head, p + 1));
            p += static_cast<std::size_t>(*size);
        }
        return dictionary_request{"xz", largest};
    }
    if (head.size() >= 6 && std::memcmp(head.data(), "LZIP", 4) == 0) {
        unsigned const b = at(5);
        std::uint64_t const base = std::uint64_t{1} << (b & 0x1F);
        return dictionary_request{"lzip", base - (base / 16) * ((b >> 5) & 7)};
    }
    // lzma "alone": no magic; libarchive takes it for lzma on its properties byte, a
    // dictionary size of 2^n or 2^n + 2^(n-1) and an unknown or plausible size. Only the
    // dictionary matters here, and only a size libarchive would accept is reported.
    if (head.size() >= 14 && at(0) <= (4 * 5 + 4) * 9 + 8) {
        std::uint32_t const dict = le32(head, 1);
        bool const power = dict >= 0x1000 && (dict & (dict - 1)) == 0;
        bool const sum = dict >= 0x3000 && ((dict - (dict & (dict - 1))) * 3 == dict);
        if (power || sum) return dictionary_request{"lzma", dict};
    }
    return std::nullopt;
}

/// Throws when the stream starting with `head` asks a decoder for more than `limit` bytes.
template <class Deferred = void>
void check_decoder_memory(std::span<std::byte const> head, std::uint64_t limit, std::string_view what) {
    auto const request = decoder_dictionary(head);
    if (!request || request->bytes <= limit) return;
    throw make_error(errc::limit_exceeded, "open",
                     std::string("the ") + request->filter + " stream asks for a " +
                         std::to_string(request->bytes >> 20) + " MiB dictionary, more than " +
                         "reader_options::max_decoder_memory (" + std::to_string(limit >> 20) + " MiB)",
                     what, status::failed, path_subject::archive);
}

} // namespace cbound::archive::detail
