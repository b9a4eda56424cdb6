// cbound::archive — writing one entry's data to a chosen file (internal).
//
// The data goes to a fresh temporary file next to the target, which is renamed over the
// target only once complete: a failure leaves the target as it was, and an existing
// symlink at the target is replaced rather than written through.
#pragma once

#include <cbound/archive/detail/errno.hpp>
#include <cbound/archive/detail/extract_policy.hpp>
#include <cbound/archive/entry.hpp>
#include <cbound/archive/error.hpp>
#include <cbound/posix.hpp>

#include <archive_entry.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <span>
#include <string>
#include <sys/stat.h>
#include <system_error>
#include <time.h>
#include <unistd.h>

namespace cbound::archive::detail {

// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh).

/// Throws errc::invalid_argument unless `e` carries file data (a regular file, or a hard link with a body).
template <class Deferred = void>
void require_file_data(entry_view e, char const* operation) {
    entry_type const t = e.type();
    if (t == entry_type::regular || (t == entry_type::hardlink && e.size().value_or(0) > 0)) return;
    throw make_error(errc::invalid_argument, operation,
                     "a " + std::string(to_string(t)) + " entry has no file data of its own", e.pathname());
}

/// The system error `number` of `operation` on `path`, a file on disk.
template <class Deferred = void>
[[nodiscard]] error system_failure(int number, char const* operation, std::filesystem::path const& path) {
    return errno_error(number, operation, path.string());
}

/// Writes every byte of `data` at `offset` of `fd`.
template <class Deferred = void>
void write_all_at(int fd, std::span<std::byte const> data, std::int64_t offset, std::filesystem::path const& path) {
    while (!data.empty()) {
        ssize_t const n =
            retry_on_signal([&] { return ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset)); });
        if (n <= 0) throw system_failure(n < 0 ? errno : EIO, "extract_entry", path);
        data = data.subspan(static_cast<std::size_t>(n));
        offset += n;
    }
}

/// Writes the data of `e` to a temporary file beside `to`, then renames it over `to`.
template <class Deferred = void>
void write_entry_file(entry_view e, std::filesystem::path const& to) {
    std::filesystem::path const parent = to.has_parent_path() ? to.parent_path() : std::filesystem::path(".");
    std::string pattern = (parent / ("." + to.filename().string() + ".cbound-XXXXXX")).string();
    unique_fd fd(::mkostemp(pattern.data(), O_CLOEXEC));
    if (!fd) throw system_failure(errno, "extract_entry", to);
    try {
        std::int64_t end = 0;
        for (block const& b : e.blocks()) {
            write_all_at(fd.get(), b.data, b.offset, to);
            if (std::int64_t const past = b.offset + static_cast<std::int64_t>(b.data.size()); past > end) end = past;
        }
        // A sparse file may end in a hole: extend it (no blocks are allocated for it).
        if (auto declared = e.size(); declared && *declared > end && ::ftruncate(fd.get(), *declared) != 0)
            throw system_failure(errno, "extract_entry", to);
        ::archive_entry* a = e.native_handle();
        if (::fchmod(fd.get(), data_policy_perm(archive_entry_perm(a), false)) != 0)
            throw system_failure(errno, "extract_entry", to);
        if (archive_entry_mtime_is_set(a) != 0) {
            struct timespec const times[2] = {
                {archive_entry_mtime(a), archive_entry_mtime_nsec(a)},
                {archive_entry_mtime(a), archive_entry_mtime_nsec(a)},
            };
            if (::futimens(fd.get(), times) != 0) throw system_failure(errno, "extract_entry", to);
        }
        if (::rename(pattern.c_str(), to.c_str()) != 0) throw system_failure(errno, "extract_entry", to);
    } catch (...) {
        ::unlink(pattern.c_str());
        throw;
    }
}

} // namespace cbound::archive::detail
