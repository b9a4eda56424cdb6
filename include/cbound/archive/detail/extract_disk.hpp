// cbound::archive — archive_write_disk behind a lock, for the fully_trusted policy (internal).
//
// archive_write_disk_new() and archive_write_header() on a disk handle read the umask the
// only way POSIX offers, umask(0) then umask(old): for that instant the whole process has
// umask 0. Two extractions on two threads could then each read the other's 0, so both
// calls run under one process-wide mutex. The data and tar policies do not use it (see
// extract_confined.hpp): they create everything themselves and read the umask from /proc.
#pragma once

#include <cbound/archive/detail/handle.hpp>
#include <cbound/archive/detail/locale.hpp>
#include <cbound/archive/detail/threads.hpp>
#include <cbound/archive/error.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cbound::archive::detail {

/// The lock around every libarchive call that briefly sets the process umask.
[[nodiscard]] inline thread_mutex& umask_mutex() noexcept {
    static thread_mutex m;
    return m;
}

/// One archive_write_disk handle, with the calls extraction needs and their status rules.
// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh).
template <class Deferred = void>
class basic_disk_writer {
public:
    /// Opens a disk handle with archive_write_disk `flags`; `lookup_owners` maps user and group names.
    basic_disk_writer(int flags, bool lookup_owners) {
        {
            thread_lock lock(umask_mutex());
            handle_.reset(archive_write_disk_new());
        }
        if (!handle_) throw make_error(errc::archive_failed, "write_disk_new", "out of memory");
        archive_write_disk_set_options(handle_.get(), flags);
        if (lookup_owners) archive_write_disk_set_standard_lookup(handle_.get());
    }

    /// Creates the object for `e`: OK or WARN (done), FAILED (this entry only); throws on FATAL.
    int header(::archive_entry* e) {
        int st;
        {
            thread_lock lock(umask_mutex());
            utf8_scope utf8; // owner and group names convert through the thread locale
            st = archive_write_header(handle_.get(), e);
        }
        if (st < ARCHIVE_FAILED) throw capture_error(handle_.get(), st, "write_header", archive_entry_pathname(e));
        return st;
    }

    /// Writes `size` bytes at `offset` of the current file; an empty string or why it failed.
    [[nodiscard]] std::string data(void const* bytes, std::size_t size, std::int64_t offset) {
        la_ssize_t const n = archive_write_data_block(handle_.get(), bytes, size, offset);
        if (n >= 0) return {};
        return message_or("write_data_block failed");
    }

    /// Finishes the current entry (times, modes); OK/WARN/FAILED, throws on FATAL.
    int finish(std::string_view pathname) {
        int const st = archive_write_finish_entry(handle_.get());
        if (st < ARCHIVE_FAILED) throw capture_error(handle_.get(), st, "write_finish_entry", pathname);
        return st;
    }

    /// Applies the deferred folder modes and times; throws when that fails.
    void close() {
        int const st = archive_write_close(handle_.get());
        if (st < ARCHIVE_WARN) throw capture_error(handle_.get(), st, "write_close");
    }

    /// libarchive's last message for this handle, or `fallback`.
    [[nodiscard]] std::string message_or(std::string_view fallback) const {
        char const* text = archive_error_string(handle_.get());
        return text != nullptr ? std::string(text) : std::string(fallback);
    }

private:
    write_handle handle_;
};

/// A disk writer (the one instantiation there is).
using disk_writer = basic_disk_writer<>;

} // namespace cbound::archive::detail
