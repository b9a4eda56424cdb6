// cbound::archive — the heap state behind a reader, and its status rules (internal).
//
// The state lives on the heap so that its address is stable: libarchive's callbacks get it
// as client data, and checked-mode views point at its generation counters.
#pragma once

#include <cbound/archive/detail/errno.hpp>
#include <cbound/archive/detail/handle.hpp>
#include <cbound/archive/detail/locale.hpp>
#include <cbound/archive/detail/read_extent.hpp>
#include <cbound/archive/detail/read_names.hpp> // entry_name
#include <cbound/archive/error.hpp>
#include <cbound/callback.hpp>
#include <cbound/config.hpp>
#include <cbound/detail/box.hpp>
#include <cbound/detail/generation.hpp>
#include <cbound/detail/shared_box.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh).
namespace cbound::archive::detail {

struct read_rare;       // read_zip_names.hpp
struct read_cold_paths; // below

/// Everything a reader owns besides its handle: callbacks, warnings, the current entry.
struct read_state {
    read_handle handle;                      ///< the libarchive read handle
    ::archive_entry* current = nullptr;      ///< the entry last delivered; nullptr before the first and at the end
    bool fatal = false;                      ///< libarchive returned FATAL once: every later call throws
    bool data_skipped = false;               ///< skip() ran: libarchive refuses data calls until the next header
    std::int64_t data_end = 0;               ///< where the last EOF said the data ends (past a trailing sparse hole)
    bool switch_locale = true;               ///< the thread's LC_CTYPE was not UTF-8 at open: switch around each header
    bool check_zip_names = false;            ///< zip names that are not UTF-8 may come: each header takes the slow path
    std::size_t max_name_bytes = 0;          ///< reader_options::max_name_bytes
    std::size_t max_total_name_bytes = 0;    ///< reader_options::max_total_name_bytes
    std::size_t name_bytes = 0;              ///< name bytes of the entries read so far
    char const* path_text = nullptr;         ///< the current entry's pathname, as counted (nullptr: ask libarchive)
    std::size_t path_size = 0;               ///< its length
    bool external_filters_off = false;       ///< filters that run an external program were left out (for error hints)
    callback_guard guard;                    ///< holds an exception thrown by a user callback
    std::vector<warning> warnings;           ///< header warnings, in order
    cbound::detail::generation entries;      ///< advanced when the current entry changes
    cbound::detail::generation blocks;       ///< advanced when a data block is replaced
    cbound::detail::shared_box<void> source; ///< the user's source object (callbacks, istream buffer)
    cbound::callback<std::optional<std::string>()> passphrase_callback; ///< asked when the list runs out
    std::string passphrase_buffer; ///< keeps the callback's answer alive for libarchive
    file_extent extent;            ///< the regular file read (path or descriptor), checked at the end
    /// libarchive's xz and lzma decoders are off (they have no memory bound), for error hints.
    bool lzma_filters_off = false;
    /// reader_options::decode_cp437_zip_names.
    bool decode_cp437 = true;
    /// What few archives need (read_zip_names.hpp), behind one pointer so that the fields the
    /// per-entry path reads stay together; made and freed where read_rare is complete (the reader's open).
    cbound::detail::box<read_rare, void (*)(read_rare*) noexcept> rare{nullptr, nullptr};
    /// decode_zip_names (read_zip_names.hpp), set by the reader's open: reached through a pointer,
    /// the header path does not make every translation unit compile it (config.hpp).
    char const* (*decode_zip_names)(read_state&) = nullptr;
    /// The bodies of the rare paths below that build messages and grow the warning list, set by
    /// the reader's open (read_cold_table): so a translation unit compiles them only where it opens a reader.
    read_cold_paths const* cold = nullptr;

    /// The pathname of the current entry, for error messages ("" when none).
    [[nodiscard]] std::string_view current_pathname() const noexcept {
        char const* p = current != nullptr ? entry_name(current, pathname_accessor) : nullptr;
        return p != nullptr ? p : "";
    }
};

/// The error thrown by every call on a moved-from, closed or FATAL reader.
[[nodiscard]] inline error unusable_error(std::string operation) {
    return make_error(errc::handle_unusable, std::move(operation), "the reader is moved-from or failed fatally earlier",
                      {}, status::fatal);
}

/// Throws the error of an unusable reader; out of line so the checks stay two instructions.
[[noreturn]] [[gnu::cold]] [[gnu::noinline]] inline void throw_unusable(char const* operation) {
    throw unusable_error(operation);
}

/// Throws when the state is gone or went FATAL before.
inline void require_usable(read_state const* s, char const* operation) {
    if (s == nullptr || s->fatal) [[unlikely]]
        throw_unusable(operation);
}

/// Turns a failed status of `operation` into an exception; a pending callback exception wins.
[[noreturn]] inline void throw_failure(read_state& s, int st, char const* operation, std::string_view pathname,
                                       path_subject subject = path_subject::entry) {
    // Copy libarchive's message before anything else touches the handle.
    error e = capture_error(s.handle.get(), st, operation, pathname, subject);
    if (st == ARCHIVE_FATAL || st < ARCHIVE_FATAL) s.fatal = true;
    s.guard.rethrow_if_any();
    throw e;
}

/// archive_read_next_header into s.current.
[[gnu::always_inline]] inline int read_header(read_state& s) noexcept {
    return archive_read_next_header(s.handle.get(), &s.current);
}

/// read_header under a UTF-8 thread locale: libarchive converts names with the thread's locale.
/// The switch costs two uselocale calls (about 160 instructions), so it is skipped when the
/// thread already used a UTF-8 LC_CTYPE when the reader was opened.
/// Plain uselocale calls rather than utf8_scope: libarchive is C and cannot throw (callbacks
/// are guarded), and a scope object would cost a landing pad on every header.
[[gnu::always_inline]] inline int read_header_utf8(read_state& s) noexcept {
    locale_t const previous = ::uselocale(utf8_locale());
    int const st = read_header(s);
    ::uselocale(previous);
    return st;
}

/// The slow path of a header read (header_status's body): retries RETRY a bounded number of
/// times, then handles the end (once per archive), a warning (recorded) or a failure (thrown),
/// and zip names that need decoding.
template <class Deferred = void>
void header_status_body(read_state& state, int st) {
    // Dependent: compiled only where read_cold_table is, the reader's open (config.hpp).
    auto& s = static_cast<cbound::detail::dependent_t<Deferred, read_state>&>(state);
    // A RETRY skipped something ("Damaged tar archive": tar goes on at the next block): bsdtar
    // reports it, so it becomes a warning on the entry read after it, never silence.
    std::size_t const skipped_from = s.warnings.size();
    st = retry_archive(st, [&s] {
        s.warnings.push_back(capture_warning(s.handle.get(), "read_next_header"));
        s.warnings.back().message += " (skipped to the next header)";
        return s.switch_locale ? read_header_utf8(s) : read_header(s);
    });
    if (st == ARCHIVE_OK || st == ARCHIVE_WARN) {
        for (std::size_t i = skipped_from; i < s.warnings.size(); ++i)
            s.warnings[i].pathname = s.current_pathname();
    }
    if (st == ARCHIVE_OK) {
        if (char const* recovered = s.check_zip_names ? s.decode_zip_names(s) : nullptr)
            s.warnings.push_back(warning{"read_next_header", recovered, std::string(s.current_pathname()), 0});
        return;
    }
    if (st == ARCHIVE_WARN) {
        // The entry is still delivered; the warning is kept, never dropped, and names the
        // entry by the name it is delivered under.
        char const* recovered = s.check_zip_names ? s.decode_zip_names(s) : nullptr;
        s.warnings.push_back(capture_warning(s.handle.get(), "read_next_header", s.current_pathname()));
        if (recovered != nullptr) s.warnings.back().message += std::string(" (") + recovered + ")";
        s.guard.rethrow_if_any();
        return;
    }
    s.current = nullptr;
    if (st == ARCHIVE_EOF) {
        s.guard.rethrow_if_any(); // a source that threw may look like a clean end to libarchive
        // libarchive before 3.8.0 skips past the end of a cut file and reports a clean end.
        if (std::int64_t const past = bytes_past_end(s.handle.get(), s.extent); past > 0) {
            s.fatal = true;
            throw truncated_file_error(past);
        }
        return;
    }
    throw_failure(s, st, "read_next_header", {});
}

/// The length of a name libarchive gives (0 for none).
[[nodiscard]] [[gnu::always_inline]] inline std::size_t name_length(char const* s) noexcept {
    return s != nullptr ? std::strlen(s) : 0;
}

/// Throws the error of a name, or of all names so far, that exceeds its limit (names_too_long's body).
template <class Deferred = void>
void names_too_long_body(read_state& s, std::size_t longest) {
    using text = cbound::detail::dependent_t<Deferred, std::string>; // built only where used (config.hpp)
    text const pathname(s.current_pathname().substr(0, 256));
    s.current = nullptr;
    s.fatal = true; // a reader cannot skip a header it refused: the archive ends here
    if (longest > s.max_name_bytes)
        throw make_error(errc::limit_exceeded, "read_next_header",
                         text("a name of ") + std::to_string(longest) +
                             " bytes exceeds reader_options::max_name_bytes (" + std::to_string(s.max_name_bytes) + ")",
                         pathname);
    throw make_error(errc::limit_exceeded, "read_next_header",
                     text("the names so far exceed reader_options::max_total_name_bytes (") +
                         std::to_string(s.max_total_name_bytes) + ")",
                     pathname);
}

/// Records that the `field` time of the current entry, `seconds` from 1970, does not fit
/// entry_time (its accessor gives nullopt): once per entry and field, never thrown (time_out_of_range's body).
template <class Deferred = void>
void time_out_of_range_body(read_state& state, char const* field, std::int64_t seconds,
                            std::string_view pathname) noexcept {
    // Dependent: compiled only where read_cold_table is, the reader's open (config.hpp).
    auto& s = static_cast<cbound::detail::dependent_t<Deferred, read_state>&>(state);
    using text = cbound::detail::dependent_t<Deferred, std::string>;
    try {
        text message = text(field) + " " + std::to_string(seconds) +
                       " s lies outside entry_time's range (about 292 years around 1970)";
        // Only this entry's warnings, the last ones, can repeat it: the check stays short.
        for (auto w = s.warnings.rbegin(); w != s.warnings.rend() && w->pathname == pathname; ++w)
            if (w->message == message) return;
        s.warnings.push_back(warning{"time", std::move(message), text(pathname), ERANGE});
    } catch (...) { // out of memory: the nullopt the accessor returns still says the time is missing
    }
}

/// The rare paths of reading, through which the hot inline code below reaches their bodies.
struct read_cold_paths {
    void (*header_status)(read_state&, int);          ///< header_status_body
    void (*names_too_long)(read_state&, std::size_t); ///< names_too_long_body (always throws)
    /// time_out_of_range_body
    void (*time_out_of_range)(read_state&, char const*, std::int64_t, std::string_view) noexcept;
};

/// The table the reader's open points read_state::cold at.
template <class Deferred = void>
inline constexpr read_cold_paths read_cold_table{&header_status_body<Deferred>, &names_too_long_body<Deferred>,
                                                 &time_out_of_range_body<Deferred>};

/// The slow path of a header read, out of line (header_status_body).
[[gnu::cold]] [[gnu::noinline]] inline void header_status(read_state& s, int st) { s.cold->header_status(s, st); }

/// Throws the error of a name, or of all names so far, that exceeds its limit (names_too_long_body).
[[noreturn]] [[gnu::cold]] [[gnu::noinline]] inline void names_too_long(read_state& s, std::size_t longest) {
    s.cold->names_too_long(s, longest);
    __builtin_unreachable(); // the body always throws
}

/// Records that the `field` time of the current entry does not fit entry_time (time_out_of_range_body).
[[gnu::cold]] [[gnu::noinline]] inline void time_out_of_range(read_state& s, char const* field, std::int64_t seconds,
                                                              std::string_view pathname) noexcept {
    s.cold->time_out_of_range(s, field, seconds, pathname);
}

/// Counts the current entry's names (path, link target) against the reader's limits.
[[gnu::always_inline]] inline void count_names(read_state& s) {
    ::archive_entry* const e = s.current;
    // Kept for entry_view::pathname(): counting the name already paid for finding it.
    s.path_text = entry_name(e, pathname_accessor);
    std::size_t const path = s.path_size = name_length(s.path_text);
    std::size_t const link = name_length(archive_entry_symlink(e)) + name_length(archive_entry_hardlink(e));
    s.name_bytes += path + link;
    if (path > s.max_name_bytes || link > s.max_name_bytes || s.name_bytes > s.max_total_name_bytes) [[unlikely]]
        names_too_long(s, path > link ? path : link);
}

/// Whether read_next_header counts the names against the reader's limits (count_names).
enum class names_counted : bool { no, yes };

/// Reads the next header into s.current under the reader's status rules (header_status);
/// false at the end. The reader counts the names against its limits; the tarball's index
/// builder leaves them to its own. One body for both, so the status rules live here alone.
template <names_counted Count>
[[gnu::always_inline]] inline bool read_next_header(read_state& s) {
    require_usable(&s, "read_next_header");
    s.entries.advance();
    s.blocks.advance();
    s.data_skipped = false;
    int const st = s.switch_locale ? read_header_utf8(s) : read_header(s);
    if (st != ARCHIVE_OK || s.check_zip_names) [[unlikely]] {
        header_status(s, st);
        if (s.current == nullptr) {
            s.path_text = nullptr;
            return false;
        }
    }
    if constexpr (Count == names_counted::yes) count_names(s);
    return true;
}

/// Reads the next header into s.current (nullptr at the end); the per-entry hot path.
/// Always inlined: the codegen tests hold it to the instructions of the hand-written loop.
[[gnu::always_inline]] inline void advance(read_state& s) { (void)read_next_header<names_counted::yes>(s); }

/// The slow path of a data read: every status other than OK/EOF fails the entry, and only the entry.
[[noreturn]] [[gnu::cold]] [[gnu::noinline]] inline void data_failure(read_state& s, int st, char const* operation) {
    // For 7z a corrupt entry is only a WARN with no bytes: still a failure of this entry.
    // Even FATAL from a data call leaves libarchive's handle in its data state (7z, RAR and
    // CAB say FATAL for an undecodable entry and then read the next header fine, as libarchive's
    // own fuzzers do), so the reader goes on; a handle that is really broken fails the next
    // header, and that FATAL sticks. A user callback that threw is the exception: it sticks now.
    error e = capture_error(s.handle.get(), st, operation, s.current_pathname());
    if (s.guard.has_pending()) {
        s.fatal = true;
        s.guard.rethrow_if_any();
    }
    throw e;
}

} // namespace cbound::archive::detail
