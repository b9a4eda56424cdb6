// cbound::archive — what the libarchive compiled against offers beyond 3.6, decided at
// compile time from ARCHIVE_VERSION_NUMBER.
//
// cbound builds against libarchive 3.3 and later; members that need a newer release exist
// only where the header has them, and each macro below says whether they do:
//
//     #if CBOUND_ARCHIVE_HAS_OWNER_IS_SET
//         if (auto uid = e.uid_if_set()) ...
//     #endif
//
// Behaviour that distributions backport without a new version number (fixes above all) cannot
// be told from the version; cbound guards those at run time instead (reader.hpp).
#pragma once

#include <archive.h>

#include <string_view>

/// 1 where entry_view has uid_if_set(), gid_if_set() and perms_if_set() (libarchive 3.7.3: its
/// archive_entry_{uid,gid,perm}_is_set tell an unrecorded owner from user 0).
#define CBOUND_ARCHIVE_HAS_OWNER_IS_SET (ARCHIVE_VERSION_NUMBER >= 3007003)
/// 1 where entry_view has rdev_if_set() (libarchive 3.7.5: archive_entry_rdev_is_set).
#define CBOUND_ARCHIVE_HAS_RDEV_IS_SET (ARCHIVE_VERSION_NUMBER >= 3007005)
/// 1 where the zip writer compresses entries with bzip2, lzma, xz and zstd (libarchive 3.8.0).
#define CBOUND_ARCHIVE_HAS_ZIP_CODECS (ARCHIVE_VERSION_NUMBER >= 3008000)

namespace cbound::archive {

/// How the zip writer compresses each entry's data (write_options::zip_method).
enum class zip_compression {
    store,   ///< no compression
    deflate, ///< zip's usual method
    bzip2,   ///< method 12, libarchive 3.8.0 and later
    lzma,    ///< method 14, libarchive 3.8.0 and later
    xz,      ///< method 95, libarchive 3.8.0 and later
    zstd,    ///< method 93, libarchive 3.8.0 and later
};

/// The value libarchive's zip option "compression" takes for `m`.
[[nodiscard]] constexpr std::string_view to_string(zip_compression m) noexcept {
    switch (m) {
    case zip_compression::store: return "store";
    case zip_compression::deflate: return "deflate";
    case zip_compression::bzip2: return "bzip2";
    case zip_compression::lzma: return "lzma";
    case zip_compression::xz: return "xz";
    case zip_compression::zstd: return "zstd";
    }
    return "?";
}

/// Whether the libarchive compiled against knows `m` (a library built without that codec
/// still refuses it when the writer opens, with libarchive's own message).
[[nodiscard]] constexpr bool offers(zip_compression m) noexcept {
    return m == zip_compression::store || m == zip_compression::deflate || CBOUND_ARCHIVE_HAS_ZIP_CODECS;
}

} // namespace cbound::archive
