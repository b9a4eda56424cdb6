// cbound::archive — UTF-8 validation of names, and setting names that may not be UTF-8 (internal).
//
// Shared by the reader (zip names without a charset, read_names.hpp) and the writer, which
// must not hand libarchive a name through its _utf8 setters unless the name is UTF-8.
#pragma once

#include <archive_entry.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace cbound::archive::detail {

/// Whether `s` is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
[[nodiscard]] inline bool is_utf8(std::string_view s) noexcept {
    auto const* p = reinterpret_cast<unsigned char const*>(s.data());
    auto const* const end = p + s.size();
    while (p != end) {
        unsigned const c = *p++;
        if (c < 0x80) continue;
        int trailing = 0;
        std::uint32_t cp = 0;
        std::uint32_t min = 0;
        if (c >= 0xC2 && c <= 0xDF)
            trailing = 1, cp = c & 0x1F, min = 0x80;
        else if (c >= 0xE0 && c <= 0xEF)
            trailing = 2, cp = c & 0x0F, min = 0x800;
        else if (c >= 0xF0 && c <= 0xF4)
            trailing = 3, cp = c & 0x07, min = 0x10000;
        else
            return false;
        if (end - p < trailing) return false;
        for (int i = 0; i < trailing; ++i, ++p) {
            if ((*p & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (*p & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    }
    return true;
}

/// Whether the NUL-terminated `s` is well-formed UTF-8; ASCII (the common case) costs one pass.
[[nodiscard]] inline bool is_utf8(char const* s) noexcept {
    for (char const* p = s; *p != '\0'; ++p)
        if (static_cast<unsigned char>(*p) >= 0x80) return is_utf8(std::string_view(p));
    return true;
}

/// Whether the NUL-terminated `s` is ASCII: the same bytes in every locale a program can run in.
/// Eight bytes at a time after one strlen (libc's is vectorized): names are checked per entry
/// written, and a byte loop cost three instructions a byte.
[[nodiscard]] inline bool is_ascii(char const* s) noexcept {
    std::size_t const n = std::strlen(s);
    std::uint64_t high = 0;
    if (n < 8) {
        for (std::size_t i = 0; i < n; ++i)
            high |= static_cast<unsigned char>(s[i]);
        return (high & 0x80u) == 0;
    }
    auto const word_at = [s](std::size_t i) {
        std::uint64_t word = 0;
        std::memcpy(&word, s + i, 8);
        return word;
    };
    for (std::size_t i = 0; i + 8 < n; i += 8)
        high |= word_at(i);
    high |= word_at(n - 8); // the last eight bytes, overlapping what the loop read
    return (high & 0x8080808080808080u) == 0;
}

/// Sets a name on `e` through `as_utf8` when it is UTF-8, else its bytes through `as_bytes`.
/// libarchive's _utf8 setters keep only a UTF-8 form, which for a malformed name cannot be
/// converted when a format asks for the multibyte form: zip, 7z, mtree and shar then read a
/// NULL name and crash. Bytes are what the tree walk stores for names read from disk, and
/// what bsdtar stores: formats that need UTF-8 (pax) record them raw with a warning.
/// `keep_bytes`: the bytes are right as they are in the thread's locale (it is UTF-8, or the name
/// is ASCII), so they go in unconverted, which spares libarchive two conversions per name.
template <auto as_utf8, auto as_bytes>
[[gnu::always_inline]] inline void set_name(::archive_entry* e, char const* name, bool keep_bytes = false) {
    if (!keep_bytes && is_utf8(name))
        as_utf8(e, name);
    else
        as_bytes(e, name);
}

} // namespace cbound::archive::detail
