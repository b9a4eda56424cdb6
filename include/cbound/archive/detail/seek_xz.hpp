// cbound::archive — xz seek points: every block start, from the stream's own index (internal).
//
// An xz file ends with an index of its blocks (compressed and decoded offsets), which
// liblzma's file-info decoder reads without decoding any data; every block decodes on its
// own, so each block start is a seek point. `xz -T0` and `xz --block-size` write many
// blocks; plain `xz` writes one, and a tarball then decodes its files at open.
#pragma once

#include <cbound/archive/detail/read_lzma.hpp>
#include <cbound/archive/detail/seek_point.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <lzma.h>

namespace cbound::archive::detail {

/// The error for liblzma's return code `ret`.
[[nodiscard]] inline error xz_error(lzma_ret ret) {
    switch (ret) {
    case LZMA_MEMLIMIT_ERROR: return stream_error("xz", "the decoder would need more memory than allowed");
    case LZMA_FORMAT_ERROR: return stream_error("xz", "not an xz stream");
    case LZMA_DATA_ERROR: return stream_error("xz", "corrupt compressed data");
    case LZMA_BUF_ERROR: return stream_error("xz", "truncated stream");
    default: return stream_error("xz", "decoder error " + std::to_string(static_cast<int>(ret)));
    }
}

/// Reads the block index of the xz file `src` into `points`, one per block.
// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh; see cbound/config.hpp).
template <class Deferred = void>
void xz_points(std::span<std::byte const> src, std::vector<seek_point>& points) {
    lzma_index* index = nullptr;
    {
        lzma_coder s;
        lzma_ret ret = lzma_file_info_decoder(s.get(), &index, decoder_memory_limit, src.size());
        if (ret != LZMA_OK) throw xz_error(ret);
        s->next_in = reinterpret_cast<std::uint8_t const*>(src.data());
        s->avail_in = src.size();
        while ((ret = lzma_code(s.get(), LZMA_FINISH)) != LZMA_STREAM_END) {
            if (ret != LZMA_SEEK_NEEDED || s->seek_pos > src.size()) throw xz_error(ret);
            s->next_in = reinterpret_cast<std::uint8_t const*>(src.data()) + s->seek_pos;
            s->avail_in = src.size() - s->seek_pos;
        }
    }
    lzma_index_iter it;
    lzma_index_iter_init(&it, index);
    while (lzma_index_iter_next(&it, LZMA_INDEX_ITER_NONEMPTY_BLOCK) == 0)
        points.push_back({it.block.compressed_file_offset, it.block.uncompressed_file_offset, it.block.unpadded_size,
                          static_cast<std::uint32_t>(it.stream.flags->check), 0});
    lzma_index_end(index, nullptr);
    if (points.empty() || points.front().out != 0) points.insert(points.begin(), seek_point{}); // no data at all
}

/// The scan of an xz stream: plain sequential decoding (the points come from the index). Every
/// block passes through it, refused before allocation when it asks for more than `limit`
/// (reader_options::max_decoder_memory), so the blocks a later read decodes alone are known good.
template <class Deferred = void>
class basic_xz_scan final : public stream_scan {
public:
    basic_xz_scan(std::span<std::byte const> src, std::uint64_t limit)
        : src_(src), buffer_(decode_chunk), limit_(limit) {
        lzma_ret const ret = lzma_stream_decoder(s_.get(), limit, LZMA_CONCATENATED);
        if (ret != LZMA_OK) throw xz_error(ret);
        s_->next_in = reinterpret_cast<std::uint8_t const*>(src.data());
        s_->avail_in = src.size();
    }

    std::span<std::byte const> next() override {
        if (done_) return {};
        s_->next_out = reinterpret_cast<std::uint8_t*>(buffer_.data());
        s_->avail_out = buffer_.size();
        lzma_ret const ret = lzma_code(s_.get(), LZMA_FINISH);
        if (ret == LZMA_STREAM_END)
            done_ = true;
        else if (ret == LZMA_MEMLIMIT_ERROR)
            throw lzma_decode_error(ret, lzma_container::xz, lzma_memusage(s_.get()), limit_);
        else if (ret != LZMA_OK)
            throw xz_error(ret);
        consumed(static_cast<std::uint64_t>(reinterpret_cast<std::byte const*>(s_->next_in) - src_.data()));
        return {buffer_.data(), buffer_.size() - s_->avail_out};
    }

private:
    std::span<std::byte const> src_;
    lzma_coder s_;
    std::vector<std::byte> buffer_;
    std::uint64_t limit_;
    bool done_ = false;
};

/// The xz scan (basic_xz_scan's parameter only defers its compilation).
using xz_scan = basic_xz_scan<>;

/// Decodes the stream's bytes [begin, end), block by block from the last block start before `begin`.
template <class Sink>
void xz_read(std::span<std::byte const> src, std::span<seek_point const> points, std::uint64_t begin, std::uint64_t end,
             Sink&& sink) {
    std::vector<std::byte> chunk(decode_chunk);
    std::uint64_t at = points[point_before(points, begin)].out;
    for (std::size_t k = point_before(points, begin); at < end; ++k) {
        if (k >= points.size()) throw stream_error("xz", "truncated stream");
        seek_point const& p = points[k];
        if (p.in >= src.size() || p.out != at) throw stream_error("xz", "seek point out of range");
        lzma_filter filters[LZMA_FILTERS_MAX + 1];
        lzma_block block{};
        block.version = 1;
        block.check = static_cast<lzma_check>(p.bits);
        block.filters = filters;
        block.header_size = lzma_block_header_size_decode(static_cast<std::uint8_t>(src[p.in]));
        if (block.header_size > src.size() - p.in) throw stream_error("xz", "truncated block header");
        lzma_ret ret =
            lzma_block_header_decode(&block, nullptr, reinterpret_cast<std::uint8_t const*>(src.data()) + p.in);
        if (ret != LZMA_OK) throw xz_error(ret);
        lzma_coder s;
        ret = lzma_block_compressed_size(&block, p.extra);
        if (ret == LZMA_OK) ret = lzma_block_decoder(s.get(), &block);
        lzma_filters_free(filters, nullptr); // the decoder keeps its own copy
        if (ret != LZMA_OK) throw xz_error(ret);
        s->next_in = reinterpret_cast<std::uint8_t const*>(src.data()) + p.in + block.header_size;
        s->avail_in = src.size() - p.in - block.header_size;
        do {
            s->next_out = reinterpret_cast<std::uint8_t*>(chunk.data());
            s->avail_out = chunk.size();
            ret = lzma_code(s.get(), LZMA_RUN);
            std::size_t const n = chunk.size() - s->avail_out;
            deliver(at, std::span<std::byte const>(chunk).first(n), begin, end, sink);
            at += n;
            if (ret != LZMA_OK && ret != LZMA_STREAM_END) throw xz_error(ret);
            if (ret == LZMA_OK && n == 0 && s->avail_in == 0) throw stream_error("xz", "truncated stream");
        } while (ret != LZMA_STREAM_END && at < end);
    }
}

} // namespace cbound::archive::detail
