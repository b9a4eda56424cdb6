// cbound::archive — zip names without a charset: UTF-8 validation and CP437 decoding, the
// recovery of names flagged UTF-8 that are not, and the rest of a reader's rare state (internal).
//
// A zip name without general-purpose bit 11 is CP437 by the zip specification, but many
// Linux tools store raw UTF-8 there. libarchive 3.6 hands such names over as raw bytes
// (it honours the Info-ZIP Unicode Path extra field 0x7075 when present), so cbound keeps a
// name that is valid UTF-8 and decodes any other as CP437: a CP437 name is rarely valid
// UTF-8 by accident, while a UTF-8 name is always valid.
//
// Only the reader's open includes this: a translation unit that merely reads entries
// compiles none of it (config.hpp).
#pragma once

#include <cbound/archive/detail/read_names.hpp>
#include <cbound/archive/detail/read_state.hpp>
#include <cbound/archive/detail/utf8.hpp>
#include <cbound/config.hpp>
#include <cbound/detail/shared_box.hpp>
#include <cbound/unique_resource.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh).
namespace cbound::archive::detail {

/// The Unicode code points of CP437's bytes 0x80-0xFF (the lower half is ASCII).
inline constexpr char16_t cp437_high[128] = {
    0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, 0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE,
    0x00EC, 0x00C4, 0x00C5, 0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9, 0x00FF, 0x00D6,
    0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192, 0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA,
    0x00BA, 0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB, 0x2591, 0x2592, 0x2593, 0x2502,
    0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510, 0x2514,
    0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F, 0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550,
    0x256C, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B, 0x256A, 0x2518, 0x250C,
    0x2588, 0x2584, 0x258C, 0x2590, 0x2580, 0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4,
    0x03A6, 0x0398, 0x03A9, 0x03B4, 0x221E, 0x03C6, 0x03B5, 0x2229, 0x2261, 0x00B1, 0x2265, 0x2264, 0x2320,
    0x2321, 0x00F7, 0x2248, 0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
};

/// `s` read as CP437, in UTF-8.
template <class Deferred = void>
[[nodiscard]] std::string cp437_to_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size() * 2);
    for (char const ch : s) {
        auto const c = static_cast<unsigned char>(ch);
        if (c < 0x80) {
            out += ch;
            continue;
        }
        char16_t const cp = cp437_high[c - 0x80];
        if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
        } else {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        }
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return out;
}

/// Sorts `items` (pairs) by their `first`, equal ones kept in order: a bottom-up merge sort, since
/// std::stable_sort's <algorithm> would cost every translation unit that includes reader.hpp.
template <class List>
void stable_sort_by_first(List& items) {
    std::size_t const n = items.size();
    List merged(n);
    for (std::size_t width = 1; width < n; width *= 2) {
        for (std::size_t low = 0; low < n; low += 2 * width) {
            std::size_t const middle = n - low < width ? n : low + width;
            std::size_t const high = n - middle < width ? n : middle + width;
            std::size_t i = low, j = middle, k = low;
            // The right run's item goes first only when strictly smaller: that keeps the sort stable.
            while (i < middle && j < high)
                merged[k++] = std::move(items[j].first < items[i].first ? items[j++] : items[i++]);
            while (i < middle)
                merged[k++] = std::move(items[i++]);
            while (j < high)
                merged[k++] = std::move(items[j++]);
        }
        items.swap(merged);
    }
}

/// The raw names of a zip that claim UTF-8 (general-purpose bit 11) but are not.
///
/// libarchive 3.6 converts such a name from UTF-8, fails, and leaves the entry with no name at
/// all (archive_entry_pathname gives NULL; bsdtar skips the entry). The bytes are still in the
/// central directory: where the reader can read its input again (memory, a regular file), the
/// n-th entry that came without a name is the n-th such record in local-header order, the
/// order in which libarchive delivers zip entries, streamed or seeking.
struct zip_name_recovery {
    std::span<std::byte const> memory{}; ///< the archive in memory (open_memory)
    std::string path{};                  ///< or the file it was opened from
    int fd = -1;                         ///< or the caller's descriptor (pread only)
    std::int64_t start = 0;              ///< the offset the archive starts at in `fd`
    bool collected = false;              ///< the central directory was looked at
    std::vector<std::string> names{};    ///< the raw names, in local-header order
    std::size_t used = 0;                ///< how many entries took theirs
    std::size_t asked = 0;               ///< how many entries came without a name

    /// The raw name of the next entry that came without one, nullopt when it cannot be found.
    template <class Deferred = void>
    std::optional<std::string> next() {
        if (!collected) {
            collected = true;
            try {
                collect();
            } catch (...) { // out of memory: the entry keeps a placeholder
                names.clear();
            }
        }
        ++asked;
        if (used >= names.size()) return std::nullopt;
        return std::move(names[used++]);
    }

private:
    /// Reads up to `out.size()` bytes at `offset` of the archive; how many it read.
    template <class Deferred = void>
    std::size_t read_at(std::uint64_t offset, std::span<std::byte> out) const {
        if (!memory.empty()) {
            if (offset >= memory.size()) return 0;
            std::size_t const left = memory.size() - static_cast<std::size_t>(offset);
            std::size_t const n = out.size() < left ? out.size() : left;
            std::memcpy(out.data(), memory.data() + offset, n);
            return n;
        }
        int descriptor = fd;
        // unique_fd spelled out: posix.hpp would bring <filesystem> to every includer of entry.hpp.
        unique_resource<int, fn_deleter<&::close>> own;
        if (descriptor < 0 && !path.empty())
            descriptor =
                (own = unique_resource<int, fn_deleter<&::close>>(::open(path.c_str(), O_RDONLY | O_CLOEXEC))).get();
        if (descriptor < 0) return 0;
        ssize_t const n =
            ::pread(descriptor, out.data(), out.size(), static_cast<off_t>(start + static_cast<std::int64_t>(offset)));
        return n > 0 ? static_cast<std::size_t>(n) : 0;
    }
    /// The archive's size, 0 when it cannot be told.
    template <class Deferred = void>
    std::uint64_t size() const {
        if (!memory.empty()) return memory.size();
        struct ::stat st {};
        int const rc = fd >= 0 ? ::fstat(fd, &st) : path.empty() ? -1 : ::stat(path.c_str(), &st);
        return rc == 0 && S_ISREG(st.st_mode) && st.st_size > start ? static_cast<std::uint64_t>(st.st_size - start)
                                                                    : 0;
    }
    static std::uint32_t le(std::byte const* p, int bytes) noexcept {
        std::uint32_t v = 0;
        for (int i = bytes - 1; i >= 0; --i)
            v = (v << 8) | static_cast<unsigned>(p[i]);
        return v;
    }
    /// Finds the end-of-central-directory record and walks the central directory (zip64 and
    /// directories over 64 MiB are left alone: their entries keep a placeholder).
    template <class Deferred = void>
    void collect() {
        // Dependent spellings: GCC instantiates these containers only where collect() is used (config.hpp).
        using bytes = cbound::detail::dependent_t<Deferred, std::vector<std::byte>>;
        using found_list = cbound::detail::dependent_t<Deferred, std::vector<std::pair<std::uint32_t, std::string>>>;
        std::uint64_t const total = size();
        bytes tail(static_cast<std::size_t>(total < 22 + 65535 ? total : 22 + 65535));
        if (tail.size() < 22 || read_at(total - tail.size(), tail) != tail.size()) return;
        std::size_t eocd = tail.size() - 22 + 1;
        do
            --eocd;
        while (eocd > 0 && std::memcmp(tail.data() + eocd, "PK\5\6", 4) != 0);
        if (std::memcmp(tail.data() + eocd, "PK\5\6", 4) != 0) return;
        std::uint32_t const cd_size = le(&tail[eocd + 12], 4), cd_offset = le(&tail[eocd + 16], 4);
        if (cd_offset == 0xFFFFFFFF || cd_size > (64u << 20)) return;
        bytes cd(cd_size);
        if (read_at(cd_offset, cd) != cd.size()) return;
        found_list found;
        for (std::size_t p = 0; p + 46 <= cd.size() && std::memcmp(&cd[p], "PK\1\2", 4) == 0;) {
            std::uint32_t const flags = le(&cd[p + 8], 2), name_size = le(&cd[p + 28], 2);
            std::size_t const record = 46 + name_size + le(&cd[p + 30], 2) + le(&cd[p + 32], 2);
            if (p + record > cd.size()) break;
            std::string name(reinterpret_cast<char const*>(&cd[p + 46]), name_size);
            if ((flags & 0x800) != 0 && !is_utf8(name)) found.emplace_back(le(&cd[p + 42], 4), std::move(name));
            p += record;
        }
        stable_sort_by_first(found);
        for (auto& [offset, name] : found)
            names.push_back(std::move(name));
    }
};

/// Gives entry `e`, a zip entry that libarchive left without a name, the raw bytes the zip
/// holds or, when they cannot be read again, a placeholder naming the entry's rank; returns
/// which of the two it did, for the entry's warning.
template <class Deferred = void>
[[gnu::cold]] char const* recover_zip_name(::archive_entry* e, zip_name_recovery& recovery) {
    if (std::optional<std::string> raw = recovery.next()) {
        archive_entry_copy_pathname(e, raw->c_str());
        return "the name is flagged UTF-8 but is not: its bytes are given as stored";
    }
    archive_entry_copy_pathname(
        e, ("(zip entry " + std::to_string(recovery.asked) + " with a name not valid UTF-8)").c_str());
    return "the name is flagged UTF-8 but is not, and its bytes cannot be read again: a placeholder names the entry";
}

/// Replaces entry `e`'s name or symlink target that is not valid UTF-8 by its CP437 reading,
/// when `a` reads a zip; returns whether it does (false: no entry of `a` ever needs this).
template <class Deferred = void>
bool decode_zip_names(::archive* a, ::archive_entry* e) {
    if ((archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) != ARCHIVE_FORMAT_ZIP) return false;
    // Stored as the entry's own multibyte name: accessors return it as is, in any locale,
    // and it lives as long as the entry (until the next header), like every other name.
    if (char const* p = archive_entry_pathname(e); p != nullptr && !is_utf8(p))
        archive_entry_copy_pathname(e, cp437_to_utf8(p).c_str());
    if (archive_entry_filetype(e) != AE_IFLNK) return true;
    if (char const* p = archive_entry_symlink(e); p != nullptr && !is_utf8(p))
        archive_entry_copy_symlink(e, cp437_to_utf8(p).c_str());
    return true;
}

struct lzma_progress; // read_lzma.hpp

/// What few archives need (zip name recovery, cbound's own xz or lzma decoder), behind one
/// pointer of the reader's state (read_state::rare).
struct read_rare {
    /// Where zip names flagged UTF-8 that are not can be read again.
    zip_name_recovery zip_names{};
    /// cbound decodes the archive's xz or lzma stream itself, beneath libarchive (read_lzma.hpp); null otherwise.
    cbound::detail::shared_box<lzma_progress const> own_decoder{};
};

/// Gives the current zip entry the name libarchive left it without, and decodes its names
/// when they are CP437 (above); the first header of another format turns the check
/// off for good, since libarchive picks the format once per archive. Returns what the entry's
/// warning adds about a recovered name, nullptr when none was.
template <class Deferred = void>
char const* decode_zip_names(read_state& s) {
    ::archive* a = s.handle.get();
    if ((archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) != ARCHIVE_FORMAT_ZIP) {
        s.check_zip_names = false;
        return nullptr;
    }
    char const* recovered = nullptr;
    if (entry_name(s.current, pathname_accessor) == nullptr) [[unlikely]]
        recovered = recover_zip_name(s.current, s.rare->zip_names);
    if (s.decode_cp437) decode_zip_names(a, s.current);
    return recovered;
}

/// Gives `s` its rare state, and the zip name decoder and other rare paths (read_cold_table) its
/// hot paths call through pointers.
template <class Deferred = void>
void make_rare(read_state& s) {
    s.rare = {new read_rare(), [](read_rare* r) noexcept { delete r; }};
    s.decode_zip_names = &decode_zip_names<>;
    s.cold = &read_cold_table<>;
}

} // namespace cbound::archive::detail
