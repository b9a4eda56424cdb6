// cbound::archive — choosing a writer's format and filter, and guessing them from a name (internal).
#pragma once

#include <cbound/archive/error.hpp>
#include <cbound/archive/types.hpp>

#include <archive.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>

namespace cbound::archive::detail {

/// libarchive's setter for a format cbound can write, or nullptr for read-only formats.
[[nodiscard]] constexpr auto format_setter(format f) noexcept -> int (*)(::archive*) {
    switch (f) {
    case format::tar:
    case format::pax: return &archive_write_set_format_pax;
    case format::ustar: return &archive_write_set_format_ustar;
    case format::gnutar: return &archive_write_set_format_gnutar;
    case format::v7tar: return &archive_write_set_format_v7tar;
    case format::zip: return &archive_write_set_format_zip;
    case format::sevenzip: return &archive_write_set_format_7zip;
    case format::cpio:
    case format::cpio_odc: return &archive_write_set_format_cpio_odc;
    case format::cpio_newc: return &archive_write_set_format_cpio_newc;
    case format::iso9660: return &archive_write_set_format_iso9660;
    case format::ar:
    case format::ar_svr4: return &archive_write_set_format_ar_svr4;
    case format::ar_bsd: return &archive_write_set_format_ar_bsd;
    case format::shar: return &archive_write_set_format_shar;
    case format::warc: return &archive_write_set_format_warc;
    case format::xar: return &archive_write_set_format_xar;
    case format::mtree: return &archive_write_set_format_mtree;
    case format::raw: return &archive_write_set_format_raw;
    case format::cab:
    case format::lha:
    case format::rar:
    case format::rar5:
    case format::empty: break;
    }
    return nullptr;
}

/// libarchive's adder for a filter cbound can write, or nullptr for read-only filters.
[[nodiscard]] constexpr auto filter_adder(filter f) noexcept -> int (*)(::archive*) {
    switch (f) {
    case filter::none: return &archive_write_add_filter_none;
    case filter::gzip: return &archive_write_add_filter_gzip;
    case filter::bzip2: return &archive_write_add_filter_bzip2;
    case filter::xz: return &archive_write_add_filter_xz;
    case filter::lzma: return &archive_write_add_filter_lzma;
    case filter::zstd: return &archive_write_add_filter_zstd;
    case filter::lz4: return &archive_write_add_filter_lz4;
    case filter::lzip: return &archive_write_add_filter_lzip;
    case filter::compress: return &archive_write_add_filter_compress;
    case filter::lzop: return &archive_write_add_filter_lzop;
    case filter::lrzip: return &archive_write_add_filter_lrzip;
    case filter::grzip: return &archive_write_add_filter_grzip;
    case filter::b64: return &archive_write_add_filter_b64encode;
    case filter::uu:
    case filter::rpm: break;
    }
    return nullptr;
}

/// One file-name ending and what it means.
struct extension_rule {
    std::string_view ending; ///< lower case, with the leading dot
    format fmt;              ///< the archive format
    filter compression;      ///< the filter around it
};

// Longer endings first, so ".tar.gz" wins over a plain ".gz" style match.
inline constexpr std::array extension_rules{
    extension_rule{".tar.gz", format::pax, filter::gzip},    extension_rule{".tar.bz2", format::pax, filter::bzip2},
    extension_rule{".tar.xz", format::pax, filter::xz},      extension_rule{".tar.lzma", format::pax, filter::lzma},
    extension_rule{".tar.zst", format::pax, filter::zstd},   extension_rule{".tar.lz4", format::pax, filter::lz4},
    extension_rule{".tar.lzo", format::pax, filter::lzop},   extension_rule{".tar.lz", format::pax, filter::lzip},
    extension_rule{".tar.z", format::pax, filter::compress}, extension_rule{".tar", format::pax, filter::none},
    extension_rule{".tgz", format::pax, filter::gzip},       extension_rule{".taz", format::pax, filter::compress},
    extension_rule{".tbz2", format::pax, filter::bzip2},     extension_rule{".tbz", format::pax, filter::bzip2},
    extension_rule{".txz", format::pax, filter::xz},         extension_rule{".tzst", format::pax, filter::zstd},
    extension_rule{".zip", format::zip, filter::none},       extension_rule{".jar", format::zip, filter::none},
    extension_rule{".7z", format::sevenzip, filter::none},   extension_rule{".cpio", format::cpio_odc, filter::none},
    extension_rule{".iso", format::iso9660, filter::none},   extension_rule{".ar", format::ar_svr4, filter::none},
    extension_rule{".a", format::ar_svr4, filter::none},     extension_rule{".shar", format::shar, filter::none},
    extension_rule{".warc", format::warc, filter::none},     extension_rule{".xar", format::xar, filter::none},
    extension_rule{".mtree", format::mtree, filter::none},
};

/// The rule whose ending `name` has (case-insensitively), or nullptr.
[[nodiscard]] inline extension_rule const* find_extension(std::string_view name) noexcept {
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (extension_rule const& rule : extension_rules) {
        // The name must have a stem: ".tar" alone is a hidden file, not an archive name.
        if (lower.size() > rule.ending.size() && lower.ends_with(rule.ending) &&
            lower[lower.size() - rule.ending.size() - 1] != '/')
            return &rule;
    }
    return nullptr;
}

} // namespace cbound::archive::detail
