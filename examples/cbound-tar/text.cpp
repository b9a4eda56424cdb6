// cbound-tar — printing names and metadata (see text.hpp).
#include "text.hpp"

#include <array>
#include <cctype>
#include <cstdio>
#include <cwchar>
#include <cwctype>

namespace cbound_tar {

namespace {

/// One byte as bsdtar writes a byte it cannot print.
void escape_byte(std::string& out, unsigned char c) {
    if (std::isprint(c) && c != '\\') {
        out += static_cast<char>(c);
        return;
    }
    out += '\\';
    switch (c) {
    case '\a': out += 'a'; break;
    case '\b': out += 'b'; break;
    case '\f': out += 'f'; break;
    case '\n': out += 'n'; break;
    case '\r': out += 'r'; break;
    case '\t': out += 't'; break;
    case '\v': out += 'v'; break;
    case '\\': out += '\\'; break;
    default: {
        std::array<char, 4> octal{};
        std::snprintf(octal.data(), octal.size(), "%03o", c);
        out += octal.data();
    }
    }
}

/// The length of the UTF-8 sequence starting at `s`, or 0 when it is not valid UTF-8.
std::size_t utf8_length(std::string_view s) {
    auto const lead = static_cast<unsigned char>(s[0]);
    std::size_t n = lead < 0x80                   ? 1
                    : lead >= 0xC2 && lead < 0xE0 ? 2
                    : lead >= 0xE0 && lead < 0xF0 ? 3
                    : lead >= 0xF0 && lead < 0xF5 ? 4
                                                  : 0;
    if (n == 0 || n > s.size()) return 0;
    for (std::size_t i = 1; i < n; ++i)
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return 0;
    // Overlong three- and four-byte forms, surrogates and code points past U+10FFFF.
    auto const second = static_cast<unsigned char>(s[1]);
    if ((lead == 0xE0 && second < 0xA0) || (lead == 0xED && second >= 0xA0) || (lead == 0xF0 && second < 0x90) ||
        (lead == 0xF4 && second >= 0x90))
        return 0;
    return n;
}

} // namespace

std::string escape_like_bsdtar(std::string_view name) {
    // The same walk as bsdtar's safe_fprintf: decode characters with the current locale
    // while that works, and after the first undecodable byte go byte by byte, so both tools
    // print the same bytes under the same locale.
    std::string out;
    std::mbstate_t state{};
    bool decode = true;
    while (!name.empty()) {
        wchar_t wc = 0;
        std::size_t const n = decode ? std::mbrtowc(&wc, name.data(), name.size(), &state) : std::size_t(-1);
        if (n == 0 || n == std::size_t(-1) || n == std::size_t(-2)) {
            decode = false;
            escape_byte(out, static_cast<unsigned char>(name.front()));
            name.remove_prefix(1);
            continue;
        }
        if (std::iswprint(static_cast<std::wint_t>(wc)) && wc != L'\\')
            out.append(name.substr(0, n));
        else
            for (char c : name.substr(0, n))
                escape_byte(out, static_cast<unsigned char>(c));
        name.remove_prefix(n);
    }
    return out;
}

std::string json_quote(std::string_view text) {
    std::string out = "\"";
    while (!text.empty()) {
        auto const c = static_cast<unsigned char>(text.front());
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7F) {
            std::array<char, 7> code{};
            std::snprintf(code.data(), code.size(), "\\u%04x", c);
            out += code.data();
        } else if (std::size_t const n = utf8_length(text); n != 0) {
            out.append(text.substr(0, n));
            text.remove_prefix(n);
            continue;
        } else {
            out += "\\ufffd";
        }
        text.remove_prefix(1);
    }
    return out + '"';
}

std::string listing_time(std::time_t when) {
    constexpr std::time_t half_year = 365 * 24 * 60 * 60 / 2;
    std::time_t const now = std::time(nullptr);
    std::tm local{};
    localtime_r(&when, &local);
    std::array<char, 64> out{};
    bool const recent = when >= now - half_year && when <= now + half_year; // as bsdtar decides
    std::strftime(out.data(), out.size(), recent ? "%b %e %H:%M" : "%b %e  %Y", &local);
    return out.data();
}

std::string human_bytes(std::uint64_t bytes) {
    char const* const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    auto value = static_cast<double>(bytes);
    std::size_t unit = 0;
    while (value >= 1024 && unit + 1 < std::size(units)) {
        value /= 1024;
        ++unit;
    }
    std::array<char, 32> out{};
    std::snprintf(out.data(), out.size(), unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
    return out.data();
}

} // namespace cbound_tar
