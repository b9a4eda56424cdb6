// cbound::archive — zstd seek points: every frame start (internal).
//
// A zstd frame decodes on its own, so the start of each frame is a seek point: files made
// by concatenating frames (zstd's seekable format, `zstd` run per chunk, pzstd) get one per
// frame. A single-frame file has one point, at 0, and a tarball decodes its files at open.
#pragma once

#include <cbound/archive/detail/seek_point.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <zstd.h>

namespace cbound::archive::detail {

/// A zstd decompression context, freed on destruction.
class zstd_context {
public:
    zstd_context() : d_(ZSTD_createDCtx()) {
        if (d_ == nullptr) throw stream_error("zstd", "cannot create a decompression context");
    }
    zstd_context(zstd_context const&) = delete;
    zstd_context& operator=(zstd_context const&) = delete;
    ~zstd_context() { ZSTD_freeDCtx(d_); }

    /// Decodes from `in` into `out`; returns ZSTD_decompressStream's hint (0: a frame ended).
    std::size_t decode(ZSTD_outBuffer& out, ZSTD_inBuffer& in) {
        std::size_t const ret = ZSTD_decompressStream(d_, &out, &in);
        if (ZSTD_isError(ret) != 0) throw stream_error("zstd", ZSTD_getErrorName(ret));
        return ret;
    }

private:
    ZSTD_DCtx* d_;
};

/// The scan of a zstd stream, one point per frame.
// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh; see cbound/config.hpp).
template <class Deferred = void>
class basic_zstd_scan final : public stream_scan {
public:
    basic_zstd_scan(std::span<std::byte const> src, std::vector<seek_point>& points)
        : src_(src), points_(points), buffer_(decode_chunk) {
        points_.push_back({});
    }

    std::span<std::byte const> next() override {
        ZSTD_outBuffer out{buffer_.data(), buffer_.size(), 0};
        while (out.pos < out.size && in_.pos < in_.size) {
            std::size_t const hint = d_.decode(out, in_);
            if (hint == 0) {
                frame_open_ = false;
                if (in_.pos < in_.size) points_.push_back({in_.pos, out_ + out.pos, 0, 0, 0});
            } else {
                frame_open_ = true;
            }
        }
        if (out.pos == 0 && frame_open_) throw stream_error("zstd", "truncated stream");
        out_ += out.pos;
        consumed(in_.pos);
        return {buffer_.data(), out.pos};
    }

private:
    std::span<std::byte const> src_;
    std::vector<seek_point>& points_;
    zstd_context d_;
    ZSTD_inBuffer in_{src_.data(), src_.size(), 0};
    std::vector<std::byte> buffer_;
    std::uint64_t out_ = 0;
    bool frame_open_ = true;
};

/// The zstd scan (basic_zstd_scan's parameter only defers its compilation).
using zstd_scan = basic_zstd_scan<>;

/// Decodes the stream's bytes [begin, end) from the last frame start before `begin`.
template <class Sink>
void zstd_read(std::span<std::byte const> src, std::span<seek_point const> points, std::uint64_t begin,
               std::uint64_t end, Sink&& sink) {
    seek_point const& p = points[point_before(points, begin)];
    if (p.in > src.size()) throw stream_error("zstd", "seek point out of range");
    zstd_context d;
    ZSTD_inBuffer in{src.data(), src.size(), static_cast<std::size_t>(p.in)};
    std::vector<std::byte> chunk(decode_chunk);
    std::uint64_t at = p.out;
    while (at < end) {
        if (in.pos == in.size) throw stream_error("zstd", "truncated stream");
        ZSTD_outBuffer out{chunk.data(), chunk.size(), 0};
        d.decode(out, in);
        deliver(at, std::span<std::byte const>(chunk).first(out.pos), begin, end, sink);
        at += out.pos;
    }
}

} // namespace cbound::archive::detail
