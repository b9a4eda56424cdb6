// cbound::archive — enabling formats and filters on a read handle (internal).
#pragma once

#include <cbound/archive/detail/read_state.hpp>
#include <cbound/archive/error.hpp>
#include <cbound/archive/types.hpp>
#include <cbound/config.hpp>

#include <archive.h>

#include <array>
#include <iterator>
#include <new>
#include <string>
#include <vector>

// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh).
namespace cbound::archive::detail {

/// libarchive's function enabling format `f` for reading, or nullptr when it cannot read it.
[[nodiscard]] inline auto read_format_enabler(format f) noexcept -> int (*)(::archive*) {
    switch (f) {
    case format::tar:
    case format::pax:
    case format::ustar:
    case format::v7tar: return &archive_read_support_format_tar;
    case format::gnutar: return &archive_read_support_format_gnutar;
    case format::zip: return &archive_read_support_format_zip;
    case format::sevenzip: return &archive_read_support_format_7zip;
    case format::cpio:
    case format::cpio_newc:
    case format::cpio_odc: return &archive_read_support_format_cpio;
    case format::iso9660: return &archive_read_support_format_iso9660;
    case format::ar:
    case format::ar_bsd:
    case format::ar_svr4: return &archive_read_support_format_ar;
    case format::warc: return &archive_read_support_format_warc;
    case format::xar: return &archive_read_support_format_xar;
    case format::mtree: return &archive_read_support_format_mtree;
    case format::cab: return &archive_read_support_format_cab;
    case format::lha: return &archive_read_support_format_lha;
    case format::rar: return &archive_read_support_format_rar;
    case format::rar5: return &archive_read_support_format_rar5;
    case format::raw: return &archive_read_support_format_raw;
    case format::empty: return &archive_read_support_format_empty;
    case format::shar: break; // libarchive writes shar but cannot read it
    }
    return nullptr;
}

/// libarchive's function enabling filter `f` for reading, or nullptr when it cannot read it.
[[nodiscard]] inline auto read_filter_enabler(filter f) noexcept -> int (*)(::archive*) {
    switch (f) {
    case filter::none: return &archive_read_support_filter_none;
    case filter::gzip: return &archive_read_support_filter_gzip;
    case filter::bzip2: return &archive_read_support_filter_bzip2;
    case filter::xz: return &archive_read_support_filter_xz;
    case filter::lzma: return &archive_read_support_filter_lzma;
    case filter::zstd: return &archive_read_support_filter_zstd;
    case filter::lz4: return &archive_read_support_filter_lz4;
    case filter::lzip: return &archive_read_support_filter_lzip;
    case filter::compress: return &archive_read_support_filter_compress;
    case filter::lzop: return &archive_read_support_filter_lzop;
    case filter::lrzip: return &archive_read_support_filter_lrzip;
    case filter::grzip: return &archive_read_support_filter_grzip;
    case filter::uu: return &archive_read_support_filter_uu;
    case filter::rpm: return &archive_read_support_filter_rpm;
    case filter::b64: break; // libarchive encodes base64 but does not decode it
    }
    return nullptr;
}

/// Whether `list` holds `value` (std::find, whose <algorithm> would cost every includer of reader.hpp).
template <class List, class Value>
[[nodiscard]] bool lists(List const& list, Value value) noexcept {
    for (auto const& x : list)
        if (x == value) return true;
    return false;
}

/// Enables the formats in `formats` (all but raw when empty); an unreadable one throws.
template <class Deferred = void>
void enable_formats(read_state& s, std::vector<format> const& formats) {
    ::archive* a = s.handle.get();
    if (formats.empty()) {
        if (int st = archive_read_support_format_all(a); st != ARCHIVE_OK)
            throw capture_error(a, st, "support_format_all");
        return;
    }
    for (format f : formats) {
        auto enable = read_format_enabler(f);
        cbound::detail::dependent_t<Deferred, std::string> const name(to_string(f)); // messages built only where used
        if (enable == nullptr)
            throw make_error(errc::invalid_argument, "support_format", "libarchive cannot read the format " + name);
        // WARN here means "not built into this libarchive" (xar without libxml2): unusable.
        if (int st = enable(a); st != ARCHIVE_OK) throw capture_error(a, st, "support_format " + name);
    }
}

/// Every filter libarchive can read (what archive_read_support_filter_all enables).
inline constexpr filter readable_filters[] = {
    filter::none, filter::gzip,     filter::bzip2, filter::xz,    filter::lzma,  filter::zstd, filter::lz4,
    filter::lzip, filter::compress, filter::lzop,  filter::lrzip, filter::grzip, filter::uu,   filter::rpm,
};

/// Whether this libarchive reads filter `f` by running an external program found on PATH
/// (lrzip and grzip always; lzop, lz4, zstd, … when built without their library). Its
/// enabler says so with a WARN, so each filter is tried once on a throwaway handle.
template <class Deferred = void>
[[nodiscard]] bool runs_external_program(filter f) {
    // Dependent spelling: the array type is compiled only where this is used (config.hpp).
    using flags = cbound::detail::dependent_t<Deferred, std::array<bool, std::size(readable_filters)>>;
    static auto const external = [] {
        flags out{};
        for (std::size_t i = 0; i < out.size(); ++i) {
            read_handle probe(archive_read_new());
            if (!probe) throw std::bad_alloc();
            out[i] = read_filter_enabler(readable_filters[i])(probe.get()) == ARCHIVE_WARN;
        }
        return out;
    }();
    for (std::size_t i = 0; i < external.size(); ++i)
        if (readable_filters[i] == f) return external[i];
    return false;
}

/// Enables the filters in `filters` (all when empty); an unreadable one throws. A filter that
/// runs an external program is left out (or, when named, refused) unless `allow_external`:
/// otherwise a few magic bytes would make the reader run whatever program PATH finds. Under
/// `bound_lzma`, libarchive's xz and lzma decoders stay off: cbound decodes an outer xz or
/// lzma stream itself with a memory limit (read_lzma.hpp), and libarchive's, which have
/// none, would decode one nested in another filter (gzip, uu, rpm) without a bound.
template <class Deferred = void>
void enable_filters(read_state& s, std::vector<filter> const& filters, bool allow_external, bool bound_lzma) {
    ::archive* a = s.handle.get();
    std::vector<filter> const all(std::begin(readable_filters), std::end(readable_filters));
    for (filter f : filters.empty() ? all : filters) {
        auto enable = read_filter_enabler(f);
        cbound::detail::dependent_t<Deferred, std::string> const name(to_string(f)); // messages built only where used
        if (enable == nullptr)
            throw make_error(errc::invalid_argument, "support_filter", "libarchive cannot read the filter " + name);
        if (!allow_external && runs_external_program(f)) {
            if (!filters.empty())
                throw make_error(errc::invalid_argument, "support_filter",
                                 "the filter " + name +
                                     " runs an external program; reader_options::allow_external_programs allows it");
            s.external_filters_off = true;
            continue;
        }
        if (bound_lzma && (f == filter::xz || f == filter::lzma)) continue;
        int const st = enable(a);
        if (st == ARCHIVE_WARN)
            s.warnings.push_back(capture_warning(a, "support_filter " + name));
        else if (st != ARCHIVE_OK)
            throw capture_error(a, st, "support_filter " + name);
    }
}

} // namespace cbound::archive::detail
