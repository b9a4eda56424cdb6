// cbound::archive — entry types, archive formats and compression filters, with their names.
#pragma once

#include <archive_entry.h>

#include <cbound/config.hpp>

#include <optional>
#include <string_view>

namespace cbound::archive {

/// The type of an archive entry (the file-type bits of its mode).
enum class entry_type {
    unknown,   ///< no or unrecognised type bits
    regular,   ///< a regular file
    directory, ///< a directory
    symlink,   ///< a symbolic link
    hardlink,  ///< a hard link to an earlier entry (libarchive reports these via hardlink(), type regular)
    fifo,      ///< a named pipe
    character, ///< a character device
    block,     ///< a block device
    socket,    ///< a socket
};

/// Maps the AE_IF* bits of an archive_entry_filetype() value to entry_type.
[[nodiscard]] constexpr entry_type entry_type_from_mode(unsigned filetype) noexcept {
    switch (filetype & AE_IFMT) {
    case AE_IFREG: return entry_type::regular;
    case AE_IFDIR: return entry_type::directory;
    case AE_IFLNK: return entry_type::symlink;
    case AE_IFIFO: return entry_type::fifo;
    case AE_IFCHR: return entry_type::character;
    case AE_IFBLK: return entry_type::block;
    case AE_IFSOCK: return entry_type::socket;
    default: return entry_type::unknown;
    }
}

/// Maps entry_type to the AE_IF* bits libarchive expects (0 for unknown; hardlinks are regular).
[[nodiscard]] constexpr unsigned mode_bits(entry_type t) noexcept {
    switch (t) {
    case entry_type::regular:
    case entry_type::hardlink: return AE_IFREG;
    case entry_type::directory: return AE_IFDIR;
    case entry_type::symlink: return AE_IFLNK;
    case entry_type::fifo: return AE_IFIFO;
    case entry_type::character: return AE_IFCHR;
    case entry_type::block: return AE_IFBLK;
    case entry_type::socket: return AE_IFSOCK;
    case entry_type::unknown: break;
    }
    return 0;
}

/// The name of an entry type ("regular", "directory", …).
[[nodiscard]] constexpr std::string_view to_string(entry_type t) noexcept {
    switch (t) {
    case entry_type::unknown: return "unknown";
    case entry_type::regular: return "regular";
    case entry_type::directory: return "directory";
    case entry_type::symlink: return "symlink";
    case entry_type::hardlink: return "hardlink";
    case entry_type::fifo: return "fifo";
    case entry_type::character: return "character";
    case entry_type::block: return "block";
    case entry_type::socket: return "socket";
    }
    return "unknown";
}

/// An archive format; readers accept a set of them, writers produce one.
enum class format {
    tar,       ///< reading: every tar dialect (ustar, pax, GNU, v7, star)
    pax,       ///< POSIX.1-2001 pax interchange tar (cbound's default for writing)
    ustar,     ///< POSIX ustar
    gnutar,    ///< GNU tar
    v7tar,     ///< 7th-edition Unix tar
    zip,       ///< PKWARE zip
    sevenzip,  ///< 7-Zip
    cpio,      ///< reading: every cpio dialect
    cpio_newc, ///< SVR4 cpio without CRC ("newc")
    cpio_odc,  ///< POSIX.1 portable cpio ("odc")
    iso9660,   ///< ISO 9660 CD image (with Rock Ridge/Joliet when reading)
    ar,        ///< reading: Unix ar (BSD and SVR4)
    ar_bsd,    ///< BSD ar
    ar_svr4,   ///< SVR4/GNU ar
    shar,      ///< shell archive
    warc,      ///< Web ARChive
    xar,       ///< eXtensible ARchiver
    mtree,     ///< mtree file-system description
    cab,       ///< Microsoft cabinet (read only)
    lha,       ///< LHA/LZH (read only)
    rar,       ///< RAR up to 4 (read only)
    rar5,      ///< RAR 5 (read only)
    raw,       ///< a single unnamed stream (reading: only when asked explicitly)
    empty,     ///< an empty input (read only)
};

/// The name cbound uses for a format ("pax", "zip", "7zip", …).
[[nodiscard]] constexpr std::string_view to_string(format f) noexcept {
    switch (f) {
    case format::tar: return "tar";
    case format::pax: return "pax";
    case format::ustar: return "ustar";
    case format::gnutar: return "gnutar";
    case format::v7tar: return "v7tar";
    case format::zip: return "zip";
    case format::sevenzip: return "7zip";
    case format::cpio: return "cpio";
    case format::cpio_newc: return "cpio_newc";
    case format::cpio_odc: return "cpio_odc";
    case format::iso9660: return "iso9660";
    case format::ar: return "ar";
    case format::ar_bsd: return "ar_bsd";
    case format::ar_svr4: return "ar_svr4";
    case format::shar: return "shar";
    case format::warc: return "warc";
    case format::xar: return "xar";
    case format::mtree: return "mtree";
    case format::cab: return "cab";
    case format::lha: return "lha";
    case format::rar: return "rar";
    case format::rar5: return "rar5";
    case format::raw: return "raw";
    case format::empty: return "empty";
    }
    return "unknown";
}

/// A compression or encoding filter applied around the archive.
enum class filter {
    none,     ///< no filter
    gzip,     ///< gzip (deflate)
    bzip2,    ///< bzip2
    xz,       ///< xz (LZMA2)
    lzma,     ///< legacy .lzma
    zstd,     ///< Zstandard
    lz4,      ///< LZ4 frame
    lzip,     ///< lzip
    compress, ///< Unix compress (.Z)
    lzop,     ///< lzop
    lrzip,    ///< lrzip (needs the external program)
    grzip,    ///< grzip (needs the external program)
    uu,       ///< uuencode (reading only)
    rpm,      ///< RPM package wrapper (reading only)
    b64,      ///< base64 encoding (writing only)
};

/// The name cbound uses for a filter ("none", "gzip", "zstd", …).
[[nodiscard]] constexpr std::string_view to_string(filter f) noexcept {
    switch (f) {
    case filter::none: return "none";
    case filter::gzip: return "gzip";
    case filter::bzip2: return "bzip2";
    case filter::xz: return "xz";
    case filter::lzma: return "lzma";
    case filter::zstd: return "zstd";
    case filter::lz4: return "lz4";
    case filter::lzip: return "lzip";
    case filter::compress: return "compress";
    case filter::lzop: return "lzop";
    case filter::lrzip: return "lrzip";
    case filter::grzip: return "grzip";
    case filter::uu: return "uu";
    case filter::rpm: return "rpm";
    case filter::b64: return "b64";
    }
    return "unknown";
}

namespace detail {

/// A from_string function: the value of Enum (0 to Last) whose to_string is `name`, or nullopt.
/// An object whose call is a template on a dependent result type, so that each std::optional is
/// compiled only where a from_string is called (cbound/config.hpp), while the name still passes
/// as a function.
template <class Enum, Enum Last>
struct from_name {
    /// The value named exactly `name`, or nullopt.
    template <class Deferred = void>
    [[nodiscard]] constexpr std::optional<cbound::detail::dependent_t<Deferred, Enum>>
    operator()(std::string_view name) const noexcept {
        using result = std::optional<cbound::detail::dependent_t<Deferred, Enum>>;
        for (int i = 0; i <= static_cast<int>(Last); ++i)
            if (to_string(static_cast<Enum>(i)) == name) return result(static_cast<Enum>(i));
        return result();
    }
};

} // namespace detail

/// The format named `name` (as printed by to_string), if any.
inline constexpr detail::from_name<format, format::empty> format_from_string{};

/// The filter named `name` (as printed by to_string), if any.
inline constexpr detail::from_name<filter, filter::b64> filter_from_string{};

} // namespace cbound::archive
