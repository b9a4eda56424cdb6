// cbound — cstring_view: a borrowed string that is guaranteed to end in NUL.
//
// C functions take and return `const char*` that must be NUL-terminated; std::string_view
// drops that guarantee, so a binding either copies into std::string or trusts a comment.
// basic_cstring_view keeps it: c_str() is always a NUL-terminated string and its size() is
// always strlen(c_str()), so what C++ sees is exactly what a C function will read. It follows
// the standard proposal P3655 (cstring_view / zstring_view) where that is consistent with
// this invariant:
//   - made implicitly from a string literal or a std::string it borrows (never from an
//     rvalue std::string: it would dangle), explicitly from a `const char*`;
//   - converts implicitly to std::string_view;
//   - what keeps the terminator stays a cstring_view (substr(pos), remove_prefix); what
//     would drop it returns std::string_view (substr(pos, count)) or does not exist
//     (remove_suffix: convert to std::string_view first);
//   - comparisons, std::hash and ostream output as for std::string_view.
// A string with an embedded NUL is seen up to its first NUL, as C would see it.
#pragma once

#include <cbound/config.hpp>

#include <compare>
#include <cstddef>
#include <iosfwd>
#include <iterator>
#include <string>
#include <string_view> // also declares std::hash, which <functional> would bring with much more
#include <type_traits>
#include <utility>

namespace cbound {

/// A borrowed, NUL-terminated string of `CharT`: size() == Traits::length(c_str()) always.
template <class CharT, class Traits = std::char_traits<CharT>>
class basic_cstring_view {
    using view_type = std::basic_string_view<CharT, Traits>;

public:
    /// The character traits.
    using traits_type = Traits;
    /// The character type.
    using value_type = CharT;
    /// A pointer to a character.
    using pointer = CharT*;
    /// A pointer to a constant character.
    using const_pointer = CharT const*;
    /// A reference to a character.
    using reference = CharT&;
    /// A reference to a constant character.
    using const_reference = CharT const&;
    /// A random-access iterator over the characters (without the terminator).
    using const_iterator = typename view_type::const_iterator;
    /// The same as const_iterator: the characters are never modified.
    using iterator = const_iterator;
    /// A reverse iterator over the characters.
    using const_reverse_iterator = std::reverse_iterator<const_iterator>;
    /// The same as const_reverse_iterator.
    using reverse_iterator = const_reverse_iterator;
    /// The type of sizes and positions.
    using size_type = std::size_t;
    /// The type of iterator differences.
    using difference_type = std::ptrdiff_t;
    /// "No position", as std::string_view::npos.
    static constexpr size_type npos = view_type::npos;

    /// The empty string (c_str() points at a NUL, never at nullptr).
    constexpr basic_cstring_view() noexcept : data_(empty_string), size_(0) {}

    /// Views a string literal (or any array holding a NUL); it ends at the first NUL.
    template <std::size_t N>
    constexpr basic_cstring_view(CharT const (&literal CBOUND_LIFETIMEBOUND)[N]) noexcept
        : data_(literal), size_(Traits::length(literal)) {}

    /// Views the NUL-terminated string at `str`, which must not be nullptr.
    constexpr explicit basic_cstring_view(CharT const* str CBOUND_LIFETIMEBOUND) noexcept
        : data_(str), size_(Traits::length(str)) {}

    /// Deleted: nullptr is not a string, and strlen(nullptr) is undefined.
    basic_cstring_view(std::nullptr_t) = delete;

    /// Borrows the characters of `str`, up to its first NUL; valid while `str` is unchanged.
    template <class Allocator>
    constexpr basic_cstring_view(std::basic_string<CharT, Traits, Allocator> const& str CBOUND_LIFETIMEBOUND) noexcept
        : data_(str.c_str()), size_(Traits::length(str.c_str())) {}

    /// Deleted: a view of a temporary std::string would dangle at the end of the statement.
    template <class Allocator>
    basic_cstring_view(std::basic_string<CharT, Traits, Allocator>&&) = delete;

    /// The NUL-terminated characters, to hand to a C function.
    [[nodiscard]] constexpr const_pointer c_str() const noexcept { return data_; }
    /// The same pointer as c_str(); data()[size()] is always NUL.
    [[nodiscard]] constexpr const_pointer data() const noexcept { return data_; }
    /// The number of characters before the terminator (strlen(c_str())).
    [[nodiscard]] constexpr size_type size() const noexcept { return size_; }
    /// The same as size().
    [[nodiscard]] constexpr size_type length() const noexcept { return size_; }
    /// The largest size a view can have.
    [[nodiscard]] constexpr size_type max_size() const noexcept { return view().max_size(); }
    /// Whether size() is 0.
    [[nodiscard]] constexpr bool empty() const noexcept { return size_ == 0; }

    /// The same characters as a std::string_view (which forgets the terminator).
    [[nodiscard]] constexpr view_type view() const noexcept { return view_type(data_, size_); }
    /// Converts to std::string_view, so every function taking one accepts a cstring_view.
    constexpr operator view_type() const noexcept { return view(); }

    /// An iterator to the first character.
    [[nodiscard]] constexpr const_iterator begin() const noexcept { return view().begin(); }
    /// An iterator past the last character (at the terminator).
    [[nodiscard]] constexpr const_iterator end() const noexcept { return view().end(); }
    /// The same as begin().
    [[nodiscard]] constexpr const_iterator cbegin() const noexcept { return begin(); }
    /// The same as end().
    [[nodiscard]] constexpr const_iterator cend() const noexcept { return end(); }
    /// A reverse iterator to the last character.
    [[nodiscard]] constexpr const_reverse_iterator rbegin() const noexcept { return const_reverse_iterator(end()); }
    /// A reverse iterator before the first character.
    [[nodiscard]] constexpr const_reverse_iterator rend() const noexcept { return const_reverse_iterator(begin()); }
    /// The same as rbegin().
    [[nodiscard]] constexpr const_reverse_iterator crbegin() const noexcept { return rbegin(); }
    /// The same as rend().
    [[nodiscard]] constexpr const_reverse_iterator crend() const noexcept { return rend(); }

    /// The character at `i`; `i == size()` is allowed and gives the terminator.
    [[nodiscard]] constexpr const_reference operator[](size_type i) const noexcept { return data_[i]; }
    /// The first character; the view must not be empty.
    [[nodiscard]] constexpr const_reference front() const noexcept { return data_[0]; }
    /// The last character; the view must not be empty.
    [[nodiscard]] constexpr const_reference back() const noexcept { return data_[size_ - 1]; }

    /// Drops the first `n` characters (n <= size()); the rest still ends in the same NUL.
    constexpr void remove_prefix(size_type n) noexcept {
        data_ += n;
        size_ -= n;
    }
    /// Deleted: dropping characters at the end would lose the terminator. Convert to
    /// std::string_view first (`std::string_view v = s; v.remove_suffix(n);`).
    void remove_suffix(size_type) = delete;

    /// The characters from `pos` (clamped to size()) to the end: still NUL-terminated.
    [[nodiscard]] constexpr basic_cstring_view substr(size_type pos) const noexcept {
        if (pos > size_) pos = size_;
        return basic_cstring_view(data_ + pos, size_ - pos);
    }
    /// At most `count` characters from `pos`: no longer NUL-terminated, so a std::string_view.
    [[nodiscard]] constexpr view_type substr(size_type pos, size_type count) const noexcept {
        if (pos > size_) pos = size_;
        return view().substr(pos, count);
    }

    /// Copies at most `count` characters from `pos` to `dest`, as std::string_view::copy.
    constexpr size_type copy(CharT* dest, size_type count, size_type pos = 0) const {
        return view().copy(dest, count, pos);
    }

    /// Compares as std::string_view::compare does.
    template <class... Args>
    [[nodiscard]] constexpr int compare(Args&&... args) const noexcept(noexcept(view_type{}.compare(args...))) {
        return view().compare(std::forward<Args>(args)...);
    }
    /// Whether the view starts with `x` (a view, a character or a C string).
    template <class X>
    [[nodiscard]] constexpr bool starts_with(X const& x) const noexcept {
        return view().starts_with(x);
    }
    /// Whether the view ends with `x` (a view, a character or a C string).
    template <class X>
    [[nodiscard]] constexpr bool ends_with(X const& x) const noexcept {
        return view().ends_with(x);
    }
    /// Whether the view contains `x` (a view, a character or a C string).
    template <class X>
    [[nodiscard]] constexpr bool contains(X const& x) const noexcept {
        return view().find(x) != npos;
    }

    /// Searches as std::string_view::find does.
    template <class... Args>
    [[nodiscard]] constexpr size_type find(Args&&... args) const noexcept {
        return view().find(std::forward<Args>(args)...);
    }
    /// Searches as std::string_view::rfind does.
    template <class... Args>
    [[nodiscard]] constexpr size_type rfind(Args&&... args) const noexcept {
        return view().rfind(std::forward<Args>(args)...);
    }
    /// Searches as std::string_view::find_first_of does.
    template <class... Args>
    [[nodiscard]] constexpr size_type find_first_of(Args&&... args) const noexcept {
        return view().find_first_of(std::forward<Args>(args)...);
    }
    /// Searches as std::string_view::find_last_of does.
    template <class... Args>
    [[nodiscard]] constexpr size_type find_last_of(Args&&... args) const noexcept {
        return view().find_last_of(std::forward<Args>(args)...);
    }
    /// Searches as std::string_view::find_first_not_of does.
    template <class... Args>
    [[nodiscard]] constexpr size_type find_first_not_of(Args&&... args) const noexcept {
        return view().find_first_not_of(std::forward<Args>(args)...);
    }
    /// Searches as std::string_view::find_last_not_of does.
    template <class... Args>
    [[nodiscard]] constexpr size_type find_last_not_of(Args&&... args) const noexcept {
        return view().find_last_not_of(std::forward<Args>(args)...);
    }

    /// Exchanges two views.
    constexpr void swap(basic_cstring_view& other) noexcept {
        std::swap(data_, other.data_);
        std::swap(size_, other.size_);
    }

    /// Equal when the characters are equal; `other` is anything a std::string_view can be made from.
    template <class Other>
    requires std::is_convertible_v<Other const&, view_type> &&(!std::is_null_pointer_v<Other>)friend constexpr bool
    operator==(basic_cstring_view a, Other const& other) noexcept {
        return a.view() == view_type(other);
    }
    /// Orders as std::string_view does.
    template <class Other>
    requires std::is_convertible_v<Other const&, view_type> &&(!std::is_null_pointer_v<Other>)friend constexpr auto
    operator<=>(basic_cstring_view a, Other const& other) noexcept {
        return a.view() <=> view_type(other);
    }

    /// Writes the characters, as for std::string_view (padding and width included).
    friend std::basic_ostream<CharT, Traits>& operator<<(std::basic_ostream<CharT, Traits>& os, basic_cstring_view s) {
        return os << s.view();
    }

private:
    // Only for substr(pos): the suffix of a terminated string is terminated.
    constexpr basic_cstring_view(CharT const* data, size_type size) noexcept : data_(data), size_(size) {}

    static constexpr CharT empty_string[1] = {};

    CharT const* data_;
    size_type size_;
};

/// A borrowed NUL-terminated `char` string: what C functions take and return as `const char*`.
using cstring_view = basic_cstring_view<char>;
/// A borrowed NUL-terminated wide string.
using wcstring_view = basic_cstring_view<wchar_t>;

} // namespace cbound

namespace std {
/// Hashes a cstring_view as the std::string_view of its characters, so both find the same key.
template <class CharT, class Traits>
struct hash<cbound::basic_cstring_view<CharT, Traits>> {
    /// The hash of `s.view()`.
    std::size_t operator()(cbound::basic_cstring_view<CharT, Traits> s) const noexcept {
        return std::hash<std::basic_string_view<CharT, Traits>>{}(s.view());
    }
};
} // namespace std
