// cbound::archive — the borrowed form of entry_info that writer::add takes from a braced list (internal).
//
// `w.add({.pathname = name, ...}, data)` would copy every string into an entry_info only for
// libarchive to copy it again. A braced list lives until the end of the call, so the writer
// also offers an overload taking this mirror of entry_info, whose strings are borrowed: C++
// prefers a non-template over a template when both accept the list, so braced lists land
// here, and lists it cannot take (`.xattrs = {{...}}`) still reach the entry_info overload.
#pragma once

#include <cbound/archive/owned_entry.hpp>
#include <cbound/archive/types.hpp>
#include <cbound/config.hpp>

#include <span>
#include <string>
#include <string_view>

namespace cbound::archive::detail {

/// A NUL-terminated string borrowed for the duration of a call; empty by default.
class borrowed_text {
public:
    /// The empty string.
    constexpr borrowed_text() noexcept = default;
    /// Borrows `s`, which must outlive the call.
    borrowed_text(std::string const& s CBOUND_LIFETIMEBOUND) noexcept
        : text_(s.c_str()) {} // NOLINT: implicit on purpose
    /// Borrows `s` (null reads as empty), which must outlive the call.
    constexpr borrowed_text(char const* s CBOUND_LIFETIMEBOUND) noexcept // NOLINT: implicit on purpose
        : text_(s != nullptr ? s : "") {}

    /// The characters, NUL-terminated.
    [[nodiscard]] constexpr char const* c_str() const noexcept { return text_; }
    /// Whether the string is empty.
    [[nodiscard]] constexpr bool empty() const noexcept { return *text_ == '\0'; }
    /// The characters as a view.
    [[nodiscard]] constexpr operator std::string_view() const noexcept { return text_; }

private:
    char const* text_ = "";
};

/// entry_info with borrowed strings and attributes: the same members, by construction.
using entry_fields = basic_entry_info<borrowed_text, std::span<xattr_info const>>;

} // namespace cbound::archive::detail
