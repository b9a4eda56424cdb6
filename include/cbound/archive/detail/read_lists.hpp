// cbound::archive — ranges over an entry's extended attributes and sparse map (internal).
//
// libarchive exposes both as a cursor inside the entry (xxx_reset, then xxx_next until it
// fails), so the ranges are single-pass and begin() rewinds the cursor.
#pragma once

#include <cbound/archive/sparse_region.hpp>
#include <cbound/archive/xattr.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <string_view>

namespace cbound::archive {
namespace detail {

/// Reads xattrs with archive_entry_xattr_reset / _next.
struct xattr_cursor {
    using value_type = xattr;
    static int reset(::archive_entry* e) noexcept { return archive_entry_xattr_reset(e); }
    static bool next(::archive_entry* e, xattr& out) noexcept {
        char const* name = nullptr;
        void const* value = nullptr;
        std::size_t size = 0;
        if (archive_entry_xattr_next(e, &name, &value, &size) != ARCHIVE_OK) return false;
        out.name = name != nullptr ? name : "";
        out.value = {static_cast<std::byte const*>(value), value != nullptr ? size : 0};
        return true;
    }
};

/// Reads the sparse map with archive_entry_sparse_reset / _next.
struct sparse_cursor {
    using value_type = sparse_region;
    static int reset(::archive_entry* e) noexcept { return archive_entry_sparse_reset(e); }
    static bool next(::archive_entry* e, sparse_region& out) noexcept {
        la_int64_t offset = 0;
        la_int64_t length = 0;
        if (archive_entry_sparse_next(e, &offset, &length) != ARCHIVE_OK) return false;
        out = {offset, length};
        return true;
    }
};

/// A single-pass range over one of an entry's cursor lists.
template <class Cursor>
class entry_list {
public:
    /// The iterator; each increment advances the entry's cursor.
    class iterator {
    public:
        using value_type = typename Cursor::value_type;   ///< what the iterator yields
        using difference_type = std::ptrdiff_t;           ///< required of iterators
        using iterator_concept = std::input_iterator_tag; ///< single pass

        iterator() = default;
        explicit iterator(::archive_entry* e) noexcept : entry_(e) { ++*this; }
        /// The current item.
        [[nodiscard]] value_type const& operator*() const noexcept { return current_; }
        /// Advances the cursor.
        iterator& operator++() noexcept {
            if (!Cursor::next(entry_, current_)) entry_ = nullptr;
            return *this;
        }
        /// Advances the cursor.
        void operator++(int) noexcept { ++*this; }
        /// Whether the list is exhausted.
        friend bool operator==(iterator const& it, std::default_sentinel_t) noexcept { return it.entry_ == nullptr; }

    private:
        ::archive_entry* entry_ = nullptr;
        value_type current_{};
    };

    /// A list of the entry `e`.
    explicit entry_list(::archive_entry* e) noexcept : entry_(e) {}
    /// How many items the list holds.
    [[nodiscard]] std::size_t size() const noexcept { return static_cast<std::size_t>(Cursor::reset(entry_)); }
    /// Whether the list is empty.
    [[nodiscard]] bool empty() const noexcept { return size() == 0; }
    /// Rewinds the cursor and reads the first item.
    [[nodiscard]] iterator begin() const noexcept {
        Cursor::reset(entry_);
        return iterator(entry_);
    }
    /// The end of the list.
    [[nodiscard]] std::default_sentinel_t end() const noexcept { return {}; }

private:
    ::archive_entry* entry_;
};

} // namespace detail
} // namespace cbound::archive
