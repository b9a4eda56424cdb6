// cbound::archive — gzip seek points: scanning and reading from a point (internal).
//
// The scan inflates the whole stream once (it feeds libarchive, which indexes the tar) and,
// whenever `spacing` decoded bytes have gone by since the last point, asks inflate to stop
// at the next deflate block boundary (Z_BLOCK) and records a point there: the compressed
// offset, the unused bits of the last byte read, and the 32 KiB window inflate would need.
// A read starts a raw inflate at such a point, primes the bits and sets the window as the
// dictionary. Every gzip member start is a point too (no window: nothing reaches back
// across members), so BGZF and `pigz -i` files get one per member for free.
#pragma once

#include <cbound/archive/detail/seek_point.hpp>
#include <cbound/archive/detail/temp_store.hpp>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include <zlib.h>

namespace cbound::archive::detail {

/// An initialised z_stream, ended on destruction.
class inflater {
public:
    /// `window_bits`: 31 for a gzip member (header and trailer), -15 for raw deflate.
    explicit inflater(int window_bits) {
        if (inflateInit2(&z_, window_bits) != Z_OK) throw stream_error("gzip", "inflateInit2 failed");
    }
    inflater(inflater const&) = delete;
    inflater& operator=(inflater const&) = delete;
    ~inflater() { inflateEnd(&z_); }
    z_stream* operator->() noexcept { return &z_; }
    z_stream* get() noexcept { return &z_; }

private:
    z_stream z_{};
};

/// Points z's input at src[offset, ...), at most UINT_MAX bytes at a time.
inline void gzip_feed(z_stream* z, std::span<std::byte const> src, std::uint64_t offset) noexcept {
    // zlib without ZLIB_CONST declares next_in non-const; it never writes through it.
    z->next_in = const_cast<Bytef*>(reinterpret_cast<Bytef const*>(src.data())) + offset;
    std::uint64_t const left = src.size() - offset;
    z->avail_in = static_cast<uInt>(left < UINT_MAX ? left : UINT_MAX);
}

/// The offset in src of z's next input byte.
inline std::uint64_t gzip_position(z_stream const* z, std::span<std::byte const> src) noexcept {
    return static_cast<std::uint64_t>(reinterpret_cast<std::byte const*>(z->next_in) - src.data());
}

/// Whether another gzip member starts at src[offset].
inline bool gzip_member_at(std::span<std::byte const> src, std::uint64_t offset) noexcept {
    return detect_codec(src.subspan(static_cast<std::size_t>(offset))) == codec::gzip;
}

/// The scan of a gzip stream (one member or many).
// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh; see cbound/config.hpp).
template <class Deferred = void>
class basic_gzip_scan final : public stream_scan {
public:
    basic_gzip_scan(std::span<std::byte const> src, std::vector<seek_point>& points, std::uint64_t spacing,
                    temp_store& store, std::uint64_t& store_end)
        : src_(src), points_(points), spacing_(spacing > 0 ? spacing : 1), store_(store), store_end_(store_end), z_(31),
          buffer_(gzip_window + decode_chunk) {
        gzip_feed(z_.get(), src_, 0);
        points_.push_back({0, 0, 0, 0, gzip_member});
    }

    std::span<std::byte const> next() override {
        // Keep the last 32 KiB decoded in front of the new output: a point's window.
        std::memmove(buffer_.data(), buffer_.data() + produced_, gzip_window);
        produced_ = 0;
        while (!done_ && produced_ < decode_chunk)
            step();
        out_ += produced_;
        consumed(gzip_position(z_.get(), src_));
        return {buffer_.data() + gzip_window, produced_};
    }

private:
    void step() {
        if (z_->avail_in == 0) {
            std::uint64_t const at = gzip_position(z_.get(), src_);
            if (at == src_.size()) throw stream_error("gzip", "truncated stream");
            gzip_feed(z_.get(), src_, at);
        }
        std::uint64_t const since = out_ + produced_ - points_.back().out;
        int const flush = since >= spacing_ ? Z_BLOCK : Z_NO_FLUSH;
        z_->next_out = reinterpret_cast<Bytef*>(buffer_.data() + gzip_window + produced_);
        // Up to the spacing mark, then block by block (Z_BLOCK) until a boundary comes.
        std::uint64_t const space = decode_chunk - produced_;
        auto const room = static_cast<uInt>(flush == Z_BLOCK || space < spacing_ - since ? space : spacing_ - since);
        z_->avail_out = room;
        int const ret = inflate(z_.get(), flush);
        produced_ += room - z_->avail_out;
        if (ret == Z_STREAM_END) {
            std::uint64_t const at = gzip_position(z_.get(), src_);
            if (at < src_.size() && gzip_member_at(src_, at)) {
                inflateReset(z_.get());
                points_.push_back({at, out_ + produced_, 0, 0, gzip_member});
            } else {
                done_ = true; // trailing bytes that are not a member are ignored, as gzip does
            }
            return;
        }
        if (ret == Z_BUF_ERROR && z_->avail_in == 0 && gzip_position(z_.get(), src_) == src_.size())
            throw stream_error("gzip", "truncated stream");
        if (ret != Z_OK && ret != Z_BUF_ERROR)
            throw stream_error("gzip", z_->msg != nullptr ? z_->msg : "invalid compressed data");
        // At a block boundary that is not the end of the member, and far enough from the last point.
        bool const boundary = (z_->data_type & 128) != 0 && (z_->data_type & 64) == 0;
        if (flush == Z_BLOCK && boundary && out_ + produced_ - points_.back().out >= spacing_) {
            std::byte const* window_end = buffer_.data() + gzip_window + produced_;
            store_.write(store_end_, {window_end - gzip_window, gzip_window});
            points_.push_back({gzip_position(z_.get(), src_), out_ + produced_, store_end_,
                               static_cast<std::uint32_t>(z_->data_type & 7), gzip_inside});
            store_end_ += gzip_window;
        }
    }

    std::span<std::byte const> src_;
    std::vector<seek_point>& points_;
    std::uint64_t spacing_;
    temp_store& store_;
    std::uint64_t& store_end_;
    inflater z_;
    std::vector<std::byte> buffer_; // [window | output chunk]
    std::size_t produced_ = 0;
    std::uint64_t out_ = 0;
    bool done_ = false;
};

/// The gzip scan (basic_gzip_scan's parameter only defers its compilation).
using gzip_scan = basic_gzip_scan<>;

/// Decodes the stream's bytes [begin, end) from the last point before `begin`, giving them to sink(offset, bytes).
template <class Sink>
void gzip_read(std::span<std::byte const> src, std::span<seek_point const> points, std::span<std::byte const> windows,
               std::uint64_t begin, std::uint64_t end, Sink&& sink) {
    seek_point const& p = points[point_before(points, begin)];
    bool raw = p.kind == gzip_inside;
    if (p.in > src.size() || (raw && (p.in == 0 || p.extra > windows.size() || windows.size() - p.extra < gzip_window)))
        throw stream_error("gzip", "seek point out of range");
    inflater z(raw ? -15 : 31);
    if (raw) {
        if (p.bits != 0)
            inflatePrime(z.get(), static_cast<int>(p.bits),
                         static_cast<int>(static_cast<unsigned>(src[p.in - 1]) >> (8 - p.bits)));
        inflateSetDictionary(z.get(), reinterpret_cast<Bytef const*>(windows.data() + p.extra), gzip_window);
    }
    gzip_feed(z.get(), src, p.in);
    std::vector<std::byte> chunk(decode_chunk);
    std::uint64_t at = p.out;
    while (at < end) {
        if (z->avail_in == 0) {
            std::uint64_t const pos = gzip_position(z.get(), src);
            if (pos == src.size()) throw stream_error("gzip", "truncated stream");
            gzip_feed(z.get(), src, pos);
        }
        z->next_out = reinterpret_cast<Bytef*>(chunk.data());
        z->avail_out = static_cast<uInt>(chunk.size());
        int const ret = inflate(z.get(), Z_NO_FLUSH);
        std::size_t const n = chunk.size() - z->avail_out;
        deliver(at, std::span<std::byte const>(chunk).first(n), begin, end, sink);
        at += n;
        if (ret == Z_STREAM_END) {
            std::uint64_t pos = gzip_position(z.get(), src);
            if (raw) pos += 8; // the member's trailer (CRC-32, size), which raw inflate leaves
            if (pos >= src.size() || !gzip_member_at(src, pos)) break;
            inflateReset2(z.get(), 31);
            raw = false;
            gzip_feed(z.get(), src, pos);
        } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
            throw stream_error("gzip", z->msg != nullptr ? z->msg : "invalid compressed data");
        } else if (ret == Z_BUF_ERROR && n == 0 && z->avail_in != 0) {
            throw stream_error("gzip", "no progress");
        }
    }
    if (at < end) throw stream_error("gzip", "truncated stream");
}

} // namespace cbound::archive::detail
