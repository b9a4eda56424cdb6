// cbound::archive — the range of data blocks of the current entry (internal).
#pragma once

#include <cbound/archive/block.hpp>
#include <cbound/archive/detail/errno.hpp>
#include <cbound/archive/detail/read_state.hpp>
#include <cbound/config.hpp>

#include <archive.h>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>

namespace cbound::archive {
namespace detail {

/// The slow path of a block read, out of line: retries RETRY a bounded number of times, then
/// reports the end of the entry (false, once per entry) or throws on failure. It writes only
/// the locals that archive_read_data_block already had, so nothing else escapes the hot path.
[[gnu::cold]] [[gnu::noinline]] inline bool block_status(read_state& s, ::archive* a, int st, void const*& buffer,
                                                         std::size_t& size, la_int64_t& offset) {
    // The end comes once per entry: answered before anything else, so that it costs a few
    // instructions rather than the whole frame the retries and the throw need. It records
    // where the data ends, which lies past the last block when a sparse file ends in a hole.
    if (st == ARCHIVE_EOF) [[likely]] {
        s.data_end = offset;
        return false;
    }
    st = retry_archive(st, [&] { return archive_read_data_block(a, &buffer, &size, &offset); });
    if (st == ARCHIVE_EOF) {
        s.data_end = offset;
        return false;
    }
    if (st != ARCHIVE_OK) data_failure(s, st, "read_data_block");
    return true;
}

/// Reads the next block into `out`; false at the end of the entry, throws on failure.
[[gnu::always_inline]] inline bool read_block(read_state& s, ::archive* a, block& out) {
    void const* buffer = nullptr;
    std::size_t size = 0;
    la_int64_t offset = 0;
    s.blocks.advance();
    int const st = archive_read_data_block(a, &buffer, &size, &offset);
    if (st != ARCHIVE_OK) [[unlikely]] {
        if (!block_status(s, a, st, buffer, size, offset)) return false;
    }
    out.offset = offset;
    out.data = {static_cast<std::byte const*>(buffer), size};
    return true;
}

/// A single-pass range over the data blocks of the current entry.
class block_range {
public:
    /// The iterator; each increment reads the next block from libarchive.
    class iterator {
    public:
        using value_type = block;                         ///< what the iterator yields
        using difference_type = std::ptrdiff_t;           ///< required of iterators
        using iterator_concept = std::input_iterator_tag; ///< single pass

        iterator() = default;
        /// The current block (checked mode: stops if a later read replaced it).
        [[nodiscard]] block const& operator*() const noexcept {
            stamp_.check("data block used after the reader read further");
            return current_;
        }
        /// Member access to the current block.
        [[nodiscard]] block const* operator->() const noexcept { return &**this; }
        /// Reads the next block.
        [[gnu::always_inline]] iterator& operator++() {
            step();
            return *this;
        }
        /// Reads the next block (input iterators return nothing from post-increment).
        void operator++(int) { step(); }
        /// Whether the entry has no more blocks.
        friend bool operator==(iterator const& it, std::default_sentinel_t) noexcept { return it.state_ == nullptr; }

    private:
        friend block_range;
        [[gnu::always_inline]] iterator(read_state* s, ::archive* a) : state_(s), archive_(a) {
            if (s->data_skipped)
                state_ = nullptr; // nothing left after skip()
            else
                step();
        }
        [[gnu::always_inline]] void step() {
            if (!read_block(*state_, archive_, current_)) state_ = nullptr;
            stamp_ = cbound::detail::generation_stamp(state_ != nullptr ? state_->blocks : empty_generation());
        }
        static cbound::detail::generation const& empty_generation() noexcept {
            static cbound::detail::generation const g;
            return g;
        }

        read_state* state_ = nullptr;
        ::archive* archive_ = nullptr;
        block current_;
        [[no_unique_address]] cbound::detail::generation_stamp stamp_;
    };

    /// A range over the blocks of the entry current in `s`.
    explicit block_range(read_state& s) noexcept : state_(&s), archive_(s.handle.get()) {}
    /// Reads the first block.
    [[nodiscard]] [[gnu::always_inline]] iterator begin() {
        require_usable(state_, "read_data_block");
        return iterator(state_, archive_);
    }
    /// The end of the entry's data.
    [[nodiscard]] std::default_sentinel_t end() const noexcept { return {}; }

private:
    read_state* state_;
    ::archive* archive_;
};

} // namespace detail
} // namespace cbound::archive
