// cbound::archive — choosing a writer's format and filter, setting them up, and guessing them
// from a name (internal).
#pragma once

#include <cbound/archive/detail/writer_state.hpp>
#include <cbound/archive/error.hpp>
#include <cbound/archive/features.hpp>
#include <cbound/archive/types.hpp>

#include <archive.h>

#include <array>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>

namespace cbound::archive::detail {

// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh).

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

/// What a writer is asked to write: a format (with libarchive's setter for it) and a filter.
struct write_target {
    format fmt = format::pax;                ///< the format, as the caller named it
    int (*set_format)(::archive*) = nullptr; ///< libarchive's setter for it (pax_restricted when appending, say)
    filter compression = filter::none;       ///< the filter around it
};

/// The target for `fmt` and `compression`; throws for a format or filter libarchive cannot write.
template <class Deferred = void>
[[nodiscard]] inline write_target target_of(format fmt, filter compression) {
    auto const set_format = format_setter(fmt);
    if (set_format == nullptr)
        throw make_error(errc::invalid_argument, "open",
                         "libarchive cannot write the format " + std::string(to_string(fmt)));
    return {fmt, set_format, compression};
}

/// Sets the zip compression method on `s`, refusing what the libarchive compiled against lacks.
template <class Deferred = void>
inline void set_zip_method(writer_state& s, format fmt, zip_compression method) {
    std::string const name(to_string(method));
    if (fmt != format::zip) throw make_error(errc::invalid_argument, "open", "zip_method applies to zip archives only");
    if (!offers(method))
        throw make_error(errc::invalid_argument, "open",
                         "libarchive " ARCHIVE_VERSION_ONLY_STRING " cannot compress zip entries with " + name +
                             " (libarchive 3.8.0 and later can)");
    s.setup_step(archive_write_set_options(s.raw(), ("zip:compression=" + name).c_str()), "set_options");
}

/// Sets up `s`'s handle for `target` with the caller's `options` (a write_options, writer.hpp), before it opens.
template <class Options>
void configure(writer_state& s, write_target const& target, Options const& options) {
    ::archive* a = s.raw();
    s.setup_step(target.set_format(a), "set_format");
    auto const add_filter = filter_adder(target.compression);
    if (add_filter == nullptr)
        throw make_error(errc::invalid_argument, "open",
                         "libarchive cannot write the filter " + std::string(to_string(target.compression)));
    s.setup_step(add_filter(a), "add_filter"); // WARN: an external program will be used
    // No padding after the last byte: zero blocks after a compressed stream upset zstd, xz
    // and others (libarchive's own file sinks do the same for regular files).
    archive_write_set_bytes_in_last_block(a, 1);
    // gzip stamps the current time into its header by default; leave it out so equal inputs
    // give equal bytes (an explicit "gzip:timestamp" in the options turns it back on).
    if (target.compression == filter::gzip)
        s.setup_step(archive_write_set_options(a, "gzip:!timestamp"), "set_options");
    if (options.zip_method) set_zip_method(s, target.fmt, *options.zip_method);
    if (!options.options.empty()) s.setup_step(archive_write_set_options(a, options.options.c_str()), "set_options");
    if (!options.passphrase.empty()) {
        if (target.fmt != format::zip)
            throw make_error(errc::invalid_argument, "open", "libarchive encrypts only zip when writing");
        if (options.options.find("encryption") == std::string::npos)
            s.setup_step(archive_write_set_options(a, "zip:encryption=aes256"), "set_options");
        s.setup_step(archive_write_set_passphrase(a, options.passphrase.c_str()), "set_passphrase");
    }
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
template <class Deferred = void>
[[nodiscard]] inline extension_rule const* find_extension(std::string_view name) noexcept {
    std::string lower(name);
    for (char& c : lower)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (extension_rule const& rule : extension_rules) {
        // The name must have a stem: ".tar" alone is a hidden file, not an archive name.
        if (lower.size() > rule.ending.size() && lower.ends_with(rule.ending) &&
            lower[lower.size() - rule.ending.size() - 1] != '/')
            return &rule;
    }
    return nullptr;
}

} // namespace cbound::archive::detail
