// cbound::archive — the heap state behind a writer, and its entry and failure rules (internal).
//
// The state lives on the heap, as a reader's does, so that its address is stable: libarchive
// holds the sink as client data, and the name of an entry left open across calls points into
// the state. Moving a writer is then moving one pointer, and nothing needs re-pointing.
#pragma once

#include <cbound/archive/detail/handle.hpp>
#include <cbound/archive/detail/locale.hpp>
#include <cbound/archive/detail/write_sink.hpp>
#include <cbound/archive/error.hpp>
#include <cbound/archive/types.hpp>
#include <cbound/detail/box.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cbound::archive::detail {

/// Where a writer is in its life; a moved-from writer has no state at all.
enum class writer_phase { ready, in_entry, failed, closed };

// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh).

/// Everything a writer owns: the destination, the libarchive handle, the open entry, warnings.
template <class Deferred = void>
class basic_writer_state {
public:
    /// A state writing into `sink`; the handle is set up and opened by the writer.
    explicit basic_writer_state(cbound::detail::box<write_sink> destination)
        : sink(std::move(destination)), handle(archive_write_new()), scratch(archive_entry_new()),
          unwinding(std::uncaught_exceptions()), utf8_thread(thread_locale_is_utf8()) {
        if (!handle || !scratch) throw std::bad_alloc();
    }
    basic_writer_state(basic_writer_state const&) = delete;
    basic_writer_state& operator=(basic_writer_state const&) = delete;

    /// Closes normally between entries; abandons the archive during unwinding or mid-entry.
    ~basic_writer_state() { finish_quietly(); }

    /// Opens the handle onto the sink (the format and filter are set up already).
    void open() {
        int const st = archive_write_open2(raw(), sink.get(), &sink_open<Deferred>, &sink_write<Deferred>,
                                           &sink_close<Deferred>, nullptr);
        if (st < ARCHIVE_OK) fail_from_archive(st, "open");
        opened = true;
    }

    /// The libarchive handle (null once closed or abandoned).
    [[nodiscard]] ::archive* raw() const noexcept { return handle.get(); }

    /// Throws unless the writer is in phase `wanted`.
    void require(writer_phase wanted, char const* operation) const {
        if (phase != wanted) [[unlikely]]
            unusable(this, operation);
    }

    /// Throws the error of a call made in the wrong phase (`s` null: on a moved-from writer).
    [[noreturn]] [[gnu::cold]] [[gnu::noinline]] static void unusable(basic_writer_state const* s,
                                                                      char const* operation) {
        char const* why = "the writer was moved from";
        if (s != nullptr) {
            switch (s->phase) {
            case writer_phase::closed: why = "the writer is closed"; break;
            case writer_phase::failed: why = "the writer failed earlier; the archive was abandoned"; break;
            case writer_phase::in_entry: why = "an entry is still open: write its data and call finish() first"; break;
            case writer_phase::ready: why = "no entry is open: call begin_entry() first"; break;
            }
        }
        throw make_error(errc::handle_unusable, operation, why, s != nullptr ? s->entry_path() : std::string_view());
    }

    /// Whether `e` carries data: a regular file that is not a hard link.
    [[nodiscard]] static bool carries_data(::archive_entry* e) noexcept {
        return archive_entry_filetype(e) == AE_IFREG && archive_entry_hardlink(e) == nullptr;
    }

    /// The header's declared size, 0 when unset.
    [[nodiscard]] static std::int64_t declared_size(::archive_entry* header) noexcept {
        return archive_entry_size_is_set(header) != 0 ? archive_entry_size(header) : 0;
    }

    /// The entry's name as UTF-8, else in the locale's encoding; null when it has none.
    [[nodiscard]] static char const* pathname_of(::archive_entry* header) noexcept {
        char const* p = archive_entry_pathname_utf8(header);
        return p != nullptr ? p : archive_entry_pathname(header);
    }

    /// pathname_of as a string, empty when there is none.
    [[nodiscard]] static std::string safe_pathname(::archive_entry* header) {
        char const* p = pathname_of(header);
        return p != nullptr ? p : std::string();
    }

    /// Writes `header` and opens its entry; the name and size are read from it.
    void begin(::archive_entry* header) {
        begin(header, carries_data(header), pathname_of(header), declared_size(header), !utf8_thread);
    }

    /// Writes `header` and opens its entry. `name` is its pathname, alive while the entry is open
    /// (or until keep_entry_name()), `size` its declared size; `switch_locale`: the header's names
    /// need the UTF-8 locale to be read right (see the member utf8_thread).
    [[gnu::always_inline]] void begin(::archive_entry* header, bool data_entry, char const* name, std::int64_t size,
                                      bool switch_locale) {
        require(writer_phase::ready, "begin_entry");
        if (name == nullptr || *name == '\0') throw_no_pathname();
        if (size < 0) throw_negative_size(name);
        int st = 0;
        if (!switch_locale) {
            st = archive_write_header(raw(), header);
        } else {
            // Names are converted with the thread's locale; UTF-8 keeps non-ASCII names intact. The
            // header call cannot throw (callbacks are guarded), so the old locale always comes back.
            locale_t const previous = ::uselocale(utf8_locale());
            st = archive_write_header(raw(), header);
            ::uselocale(previous);
        }
        if (st != ARCHIVE_OK) [[unlikely]]
            header_status(st, header);
        remaining = data_entry ? size : 0;
        entry_name = name;
        phase = writer_phase::in_entry;
    }

    /// The header of an entry begun by begin_entry may die before finish(): copy the name it lent.
    void keep_entry_name() {
        kept_name.assign(entry_name);
        entry_name = kept_name.c_str();
    }

    /// Writes the next part of the open entry's data; more than the declared size abandons the archive.
    void write(std::span<std::byte const> data) {
        require(writer_phase::in_entry, "write");
        if (static_cast<std::uint64_t>(remaining) < data.size())
            fail_size("write", "more data than the entry's declared size");
        pour(data);
    }

    /// Writes `count` zero bytes into the open entry (the holes of a sparse entry).
    void write_zeros(std::int64_t count) {
        static constexpr std::array<std::byte, 16384> zeros{};
        while (count > 0) {
            std::size_t const n =
                count < static_cast<std::int64_t>(zeros.size()) ? static_cast<std::size_t>(count) : zeros.size();
            write(std::span(zeros.data(), n));
            count -= static_cast<std::int64_t>(n);
        }
    }

    /// Ends the open entry; less data than declared abandons the archive.
    void finish() {
        require(writer_phase::in_entry, "finish");
        if (remaining != 0) fail_size("finish", "less data than the entry's declared size");
        end_entry();
    }

    /// Hands all of `data` to libarchive (which may take it in parts) and counts it off the open entry.
    [[gnu::always_inline]] void pour(std::span<std::byte const> data) {
        while (!data.empty()) {
            la_ssize_t const n = archive_write_data(raw(), data.data(), data.size());
            if (n <= 0) [[unlikely]]
                fail_from_archive(n < 0 ? static_cast<int>(n) : ARCHIVE_FATAL, "write");
            data = data.subspan(static_cast<std::size_t>(n));
            remaining -= n;
        }
    }

    /// Closes the open entry once all its data is written.
    [[gnu::always_inline]] void end_entry() {
        int const st = archive_write_finish_entry(raw());
        if (st != ARCHIVE_OK) [[unlikely]]
            finish_status(st);
        phase = writer_phase::ready;
    }

    /// The open entry's name; empty between entries.
    [[nodiscard]] std::string_view entry_path() const noexcept {
        return entry_name != nullptr ? std::string_view(entry_name) : std::string_view();
    }

    /// Writes the end of the archive and releases the destination; throws on failure.
    void close() {
        if (phase == writer_phase::closed) return;
        if (phase == writer_phase::in_entry && remaining == 0) finish();
        if (phase == writer_phase::in_entry)
            fail(make_error(errc::size_mismatch, "close", "the last entry is shorter than declared", entry_path(),
                            status::fatal));
        require(writer_phase::ready, "close");
        int const st = archive_write_close(raw());
        // Even a failed close has closed the filters and freed the output buffer; a second close
        // would run the format's close again, and 7-zip's then allocates coder properties that
        // nothing frees (5 bytes per writer whose sink failed at close, under LeakSanitizer).
        opened = false;
        // libarchive ignores what the close callback returns: look at the sink's own record too.
        if (st < ARCHIVE_OK || sink->guard.has_pending())
            fail_from_archive(st < ARCHIVE_OK ? st : ARCHIVE_FATAL, "close");
        phase = writer_phase::closed;
        handle.reset();
        sink.reset();
    }

    /// Abandons the archive: no trailer is written and the destination is undone where possible.
    void abandon() noexcept {
        if (handle) {
            // From here every byte is dropped. libarchive 3.6 frees its buffers only in close and
            // finish_entry (zip's deflate stream), which free skips after a failure: run them into
            // the discarding sink, so nothing leaks and nothing reaches the destination. Only zip
            // needs the entry finished: xar pads a short entry there and, 100 KB or more short, spins
            // for minutes in raw libarchive 3.6.2 too, so other formats skip it.
            if (sink) sink->discarding = true;
            if (phase == writer_phase::in_entry &&
                (archive_format(handle.get()) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ZIP)
                archive_write_finish_entry(handle.get());
            archive_write_fail(handle.get());
            if (sink && opened) archive_write_close(handle.get());
        }
        handle.reset();
        if (sink) sink->abort();
        sink.reset();
        if (phase != writer_phase::closed) phase = writer_phase::failed;
    }

    /// Records a setup call's warning, or throws its failure (the writer is not open yet).
    void setup_step(int st, char const* operation) {
        if (st == ARCHIVE_WARN)
            warnings.push_back(capture_warning(raw(), operation));
        else if (st < ARCHIVE_OK)
            throw capture_error(raw(), st, operation);
    }

    /// The error of a failed libarchive call, copied first; the archive is abandoned; a callback's
    /// own exception wins over libarchive's summary of it.
    [[noreturn]] [[gnu::cold]] [[gnu::noinline]] void fail_from_archive(int st, char const* operation,
                                                                        std::string_view path = {}) {
        if (path.empty()) path = entry_path();
        error e = capture_error(raw(), st, operation, path);
        // Some writers (ar's long names) warn at the header and fail the data silently: the warning is the reason.
        bool const silent = e.message() == to_string(static_cast<status>(st));
        if (silent && !warnings.empty() && warnings.back().pathname == path)
            e = error(e.code(), operation, warnings.back().message, std::string(path), e.status());
        fail(std::move(e));
    }

    /// Abandons the archive and throws `e`, or the exception a callback threw first.
    [[noreturn]] [[gnu::cold]] [[gnu::noinline]] void fail(error e) {
        std::exception_ptr callback_error;
        if (sink && sink->guard.has_pending()) {
            try {
                sink->guard.rethrow_if_any();
            } catch (...) {
                callback_error = std::current_exception();
            }
        }
        abandon();
        if (callback_error) std::rethrow_exception(callback_error);
        throw std::move(e);
    }

    cbound::detail::box<write_sink> sink;     ///< declared first: libarchive may call it until `handle` is freed
    write_handle handle;                      ///< the libarchive write handle
    entry_handle scratch;                     ///< the header add(entry_info) fills, cleared and reused for every entry
    writer_phase phase = writer_phase::ready; ///< where the writer is
    int unwinding = 0;          ///< exceptions in flight when the writer was made: more at destruction is unwinding
    bool opened = false;        ///< archive_write_open2 succeeded and no close ran yet: filters to close
    bool utf8_thread = false;   ///< the thread's LC_CTYPE was UTF-8 at open: names go in as they are
    std::int64_t remaining = 0; ///< bytes the open entry still expects
    std::string kept_name;      ///< the open entry's name when it stays open across calls (begin_entry)
    char const* entry_name = nullptr; ///< the open entry's name, borrowed for the duration of an add
    std::vector<warning> warnings;    ///< what libarchive warned about, in order

private:
    // Failed and fatal header statuses throw; a warning is recorded and the entry goes on.
    [[gnu::cold]] [[gnu::noinline]] void header_status(int st, ::archive_entry* header) {
        // Entry accessors leave the archive's error alone, so the name can be read first.
        std::string const path = safe_pathname(header);
        if (st == ARCHIVE_FAILED) throw capture_error(raw(), st, "begin_entry", path); // skipped, may go on
        if (st < ARCHIVE_WARN) fail_from_archive(st, "begin_entry", path);
        if (st == ARCHIVE_WARN) warnings.push_back(capture_warning(raw(), "begin_entry", path));
    }

    // A failed finish abandons the archive; a warning is recorded, the entry being closed first.
    [[gnu::cold]] [[gnu::noinline]] void finish_status(int st) {
        if (st < ARCHIVE_WARN) fail_from_archive(st, "finish");
        warning w = capture_warning(raw(), "finish", entry_path());
        phase = writer_phase::ready;
        warnings.push_back(std::move(w));
    }

    [[noreturn]] [[gnu::cold]] [[gnu::noinline]] static void throw_no_pathname() {
        throw make_error(errc::invalid_argument, "begin_entry", "the entry has no pathname");
    }
    [[noreturn]] [[gnu::cold]] [[gnu::noinline]] static void throw_negative_size(char const* path) {
        throw make_error(errc::invalid_argument, "begin_entry", "negative size", path);
    }
    [[noreturn]] [[gnu::cold]] [[gnu::noinline]] void fail_size(char const* operation, char const* why) {
        fail(make_error(errc::size_mismatch, operation, why, entry_path(), status::fatal));
    }

    void finish_quietly() noexcept {
        if (!handle) return;
        if (phase == writer_phase::ready && std::uncaught_exceptions() <= unwinding) {
            try {
                close();
                return;
            } catch (...) {
                // close() abandoned the archive already; a destructor has nobody to tell.
            }
        }
        abandon();
    }
};

/// The state of a writer (the one instantiation there is).
using writer_state = basic_writer_state<>;

/// Forgets the open entry's borrowed name when the call that lent it ends, however it ends.
class name_lease {
public:
    /// Clears `name` at the end of the scope.
    explicit name_lease(char const*& name) noexcept : name_(name) {}
    name_lease(name_lease const&) = delete;
    name_lease& operator=(name_lease const&) = delete;
    ~name_lease() { name_ = nullptr; }

private:
    char const*& name_;
};

} // namespace cbound::archive::detail
