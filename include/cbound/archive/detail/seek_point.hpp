// cbound::archive — seek points into a compressed stream (internal).
//
// A seek point is a place in the compressed bytes where decoding can start afresh, paired
// with the offset of the decoded byte it yields first. Reading one file of a compressed tar
// then decodes only from the last point at or before the file's data instead of from the
// start. What a point holds depends on the compression:
//   gzip  a member start (`kind` member), or a deflate block boundary inside a member
//         (`kind` inside): `bits` unused bits of the byte before `in`, and the 32 KiB of
//         decoded data before it (the inflate window) stored at `extra` in the tarball's
//         temporary file — the technique of zlib's examples/zran.c;
//   zstd  a frame start;
//   xz    a block start: `bits` is the stream's check type, `extra` the block's unpadded size.
#pragma once

#include <cbound/archive/error.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <sys/mman.h>

namespace cbound::archive::detail {

/// The compressions a tarball can seek into.
enum class codec : std::uint8_t { none, gzip, zstd, xz };

/// One place to start decoding from; see the header comment for the fields of each codec.
struct seek_point {
    std::uint64_t in = 0;    ///< offset in the compressed bytes
    std::uint64_t out = 0;   ///< offset in the decoded stream
    std::uint64_t extra = 0; ///< gzip: window offset in the store; xz: unpadded block size
    std::uint32_t bits = 0;  ///< gzip: unused bits before `in`; xz: check type
    std::uint32_t kind = 0;  ///< gzip: 0 a member start, 1 a block boundary inside a member
};

/// The gzip point kinds.
inline constexpr std::uint32_t gzip_member = 0, gzip_inside = 1;
/// Bytes of inflate window kept at a gzip point (deflate's whole reach).
inline constexpr std::size_t gzip_window = 32 * 1024;
/// Bytes of decoded data produced per step, by the scan and by a read.
inline constexpr std::size_t decode_chunk = 256 * 1024;
/// Most memory a decoder may take (xz dictionaries; zstd windows are capped at 128 MiB by zstd).
inline constexpr std::uint64_t decoder_memory_limit = std::uint64_t{256} << 20;

/// The codec whose magic starts `bytes`, or codec::none.
[[nodiscard]] inline codec detect_codec(std::span<std::byte const> bytes) noexcept {
    auto at = [&](std::size_t i) { return i < bytes.size() ? static_cast<unsigned>(bytes[i]) : 0x100u; };
    if (at(0) == 0x1f && at(1) == 0x8b && at(2) == 8) return codec::gzip;
    if (at(0) == 0x28 && at(1) == 0xb5 && at(2) == 0x2f && at(3) == 0xfd) return codec::zstd;
    if (at(0) == 0xfd && at(1) == 0x37 && at(2) == 0x7a && at(3) == 0x58 && at(4) == 0x5a && at(5) == 0)
        return codec::xz;
    return codec::none;
}

/// The number of the last point at or before decoded offset `out` (points are sorted, the first at 0).
[[nodiscard]] inline std::size_t point_before(std::span<seek_point const> points, std::uint64_t out) noexcept {
    std::size_t low = 0, high = points.size(); // the first point past `out` lies in [low, high]
    while (low < high) {
        std::size_t const middle = low + (high - low) / 2;
        if (out < points[middle].out)
            high = middle;
        else
            low = middle + 1;
    }
    return low == 0 ? 0 : low - 1;
}

/// Passes the part of decoded bytes `chunk` (starting at stream offset `at`) that falls in
/// [begin, end) to `sink(offset, bytes)`.
template <class Sink>
void deliver(std::uint64_t at, std::span<std::byte const> chunk, std::uint64_t begin, std::uint64_t end, Sink& sink) {
    std::uint64_t const from = at > begin ? at : begin, to = at + chunk.size() < end ? at + chunk.size() : end;
    if (from < to) sink(from, chunk.subspan(static_cast<std::size_t>(from - at), static_cast<std::size_t>(to - from)));
}

/// The sequential decode that feeds libarchive while the index is built, recording seek points.
class stream_scan {
public:
    virtual ~stream_scan() = default;
    /// The next decoded bytes, valid until the next call; empty at the end. Throws on bad data.
    virtual std::span<std::byte const> next() = 0;

    /// Lets the scan drop the pages of `src` it has read from the process (the archive's own
    /// mapping only: never memory a caller lent), so that resident memory stays bounded
    /// while a large archive is scanned. The pages stay in the page cache; a later read of
    /// them faults them back in.
    void release_read_input(std::span<std::byte const> src) noexcept { release_ = src; }

protected:
    /// Called with the offset of the first input byte not yet consumed.
    void consumed(std::uint64_t at) noexcept {
        constexpr std::uint64_t step = std::uint64_t{8} << 20, page = 4096;
        if (release_.empty() || at < released_ + step) return;
        auto const base = reinterpret_cast<std::uintptr_t>(release_.data());
        std::uintptr_t const from = (base + released_ + page - 1) & ~(page - 1), to = (base + at) & ~(page - 1);
        if (to > from) ::madvise(reinterpret_cast<void*>(from), to - from, MADV_DONTNEED);
        released_ = at;
    }

private:
    std::span<std::byte const> release_;
    std::uint64_t released_ = 0;
};

/// The error for a compressed stream that cannot be decoded.
[[nodiscard]] inline error stream_error(char const* codec_name, std::string const& what) {
    return make_error(errc::archive_failed, "decode", std::string(codec_name) + ": " + what, {}, status::fatal);
}

} // namespace cbound::archive::detail
