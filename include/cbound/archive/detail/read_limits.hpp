// cbound::archive — the decoder memory an lzip stream asks for, bounded before libarchive allocates it (internal).
//
// libarchive 3.6 decodes xz, lzma and lzip with no memory limit (UINT64_MAX), and a stream's
// header chooses the dictionary: a few bytes can make it allocate 1.5 GiB. It offers no option
// to bound this. xz and lzma are decoded by cbound itself, liblzma's memlimit refusing any block
// or stream before allocating it (read_lzma.hpp). lzip stays libarchive's, so the reader reads
// the dictionary size its header records and refuses the stream at open, before any decoding;
// a later lzip member stays libarchive's (which refuses one asking for more than 128 MiB).
#pragma once

#include <cbound/archive/error.hpp>
#include <cbound/config.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>

// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh).
namespace cbound::archive::detail {

/// How many leading bytes the reader looks at before libarchive reads any: enough for
/// decoder_dictionary() (6) and lzma_container_of() (14).
inline constexpr std::size_t head_bytes = 64;

/// How many leading bytes the head checks need to see, given the first ones.
[[nodiscard]] inline std::size_t head_needed(std::span<std::byte const>) noexcept { return head_bytes; }

/// The dictionary the stream starting with `head` makes a decoder allocate, with the filter's name.
struct dictionary_request {
    char const* filter;  ///< "lzip"
    std::uint64_t bytes; ///< the dictionary size asked for
};

/// What the lzip stream starting with `head` asks of a decoder, or nullopt when it is no lzip.
template <class Deferred = void> // the result type is compiled only where this is used (config.hpp)
[[nodiscard]] std::optional<cbound::detail::dependent_t<Deferred, dictionary_request>>
decoder_dictionary(std::span<std::byte const> head) noexcept {
    using result = std::optional<cbound::detail::dependent_t<Deferred, dictionary_request>>;
    if (head.size() >= 6 && std::memcmp(head.data(), "LZIP", 4) == 0) {
        auto const b = static_cast<unsigned>(head[5]);
        std::uint64_t const base = std::uint64_t{1} << (b & 0x1F);
        return result(dictionary_request{"lzip", base - (base / 16) * ((b >> 5) & 7)});
    }
    return result();
}

/// Throws when the stream starting with `head` asks a decoder for more than `limit` bytes.
template <class Deferred = void>
void check_decoder_memory(std::span<std::byte const> head, std::uint64_t limit, std::string_view what) {
    auto const request = decoder_dictionary<Deferred>(head);
    if (!request || request->bytes <= limit) return;
    throw make_error(errc::limit_exceeded, "open",
                     std::string("the ") + request->filter + " stream asks for a " +
                         std::to_string(request->bytes >> 20) + " MiB dictionary, more than " +
                         "reader_options::max_decoder_memory (" + std::to_string(limit >> 20) + " MiB)",
                     what, status::failed, path_subject::archive);
}

} // namespace cbound::archive::detail
