// cbound::archive — an entry's names as libarchive gives them, in UTF-8 where it holds them
// only as wide characters (internal). Zip names without a charset: read_zip_names.hpp.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <cbound/archive/detail/locale.hpp>

namespace cbound::archive::detail {

/// A name accessor of archive_entry (archive_entry_pathname, …) and its wide-char twin.
struct name_accessor {
    char const* (*narrow)(::archive_entry*);
    wchar_t const* (*wide)(::archive_entry*);
};
inline constexpr name_accessor pathname_accessor{&archive_entry_pathname, &archive_entry_pathname_w};
inline constexpr name_accessor symlink_accessor{&archive_entry_symlink, &archive_entry_symlink_w};
inline constexpr name_accessor hardlink_accessor{&archive_entry_hardlink, &archive_entry_hardlink_w};
inline constexpr name_accessor uname_accessor{&archive_entry_uname, &archive_entry_uname_w};
inline constexpr name_accessor gname_accessor{&archive_entry_gname, &archive_entry_gname_w};

/// The slow path of a name that came back NULL: some formats (LHA always) store names as wide
/// characters, which libarchive converts with the calling thread's locale, and "C" cannot hold
/// a non-ASCII one. Converted under UTF-8 instead, the name is kept in the entry (libarchive
/// caches it), so it lives as long as any other name; NULL when there truly is none.
[[gnu::cold]] [[gnu::noinline]] inline char const* wide_name(::archive_entry* e, name_accessor const& name) noexcept {
    if (name.wide(e) == nullptr) return nullptr;
    locale_t const previous = ::uselocale(utf8_locale());
    char const* p = name.narrow(e);
    ::uselocale(previous);
    return p;
}

/// Entry `e`'s name through `name`, in UTF-8 when the entry holds it only as wide characters.
[[gnu::always_inline]] inline char const* entry_name(::archive_entry* e, name_accessor const& name) noexcept {
    char const* p = name.narrow(e);
    if (p == nullptr) [[unlikely]]
        p = wide_name(e, name);
    return p;
}

} // namespace cbound::archive::detail
