// cbound::archive — telling a clean end of archive from a file cut short (internal).
//
// Before libarchive 3.8.0 (and distributions' backports of the CVE-2025-5918 fix), skipping
// an entry's data in a plain file is an lseek, and lseek succeeds past the end of a file. A
// tar cut short inside an entry whose data was skipped then ends with a clean end of archive.
// What gives it away: libarchive counts the skipped bytes as consumed, so at the end it has
// consumed more bytes than the file holds. The check runs once per archive, at its end.
#pragma once

#include <cbound/archive/error.hpp>

#include <archive.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <string>

namespace cbound::archive::detail {

/// Where a reader over a regular file started and how long the file was; inactive otherwise.
struct file_extent {
    std::string path{};     ///< the file opened by path ("" when opened from a descriptor)
    int fd = -1;            ///< the caller's descriptor (open_fd), -1 when opened by path
    std::int64_t size = -1; ///< the file's size at open; -1: not a regular file, nothing to check
    std::int64_t start = 0; ///< the file offset reading started at

    /// Records the regular file at `p` (a reader opened by path).
    static file_extent of_path(char const* p) {
        file_extent x;
        struct ::stat st {};
        if (::stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
            x.path = p;
            x.size = st.st_size;
        }
        return x;
    }
    /// Records the regular file open as `descriptor`, from its current offset (a reader opened from a descriptor).
    static file_extent of_fd(int descriptor) noexcept {
        file_extent x;
        struct ::stat st {};
        if (::fstat(descriptor, &st) == 0 && S_ISREG(st.st_mode)) {
            off_t const at = ::lseek(descriptor, 0, SEEK_CUR);
            x.fd = descriptor;
            x.size = st.st_size;
            x.start = at > 0 ? at : 0;
        }
        return x;
    }

    /// The file's size now, where it can still be seen; a file that grew while it was read is not cut short.
    [[nodiscard]] std::int64_t current_size() const noexcept {
        struct ::stat st {};
        int const rc = fd >= 0 ? ::fstat(fd, &st) : ::stat(path.c_str(), &st);
        return rc == 0 && S_ISREG(st.st_mode) && st.st_size > size ? st.st_size : size;
    }
};

/// At a clean end of archive: how many bytes past the end of the file libarchive consumed
/// (a skip went beyond it), 0 when the archive ended within the file or nothing can be told.
[[nodiscard]] inline std::int64_t bytes_past_end(::archive* a, file_extent const& x) noexcept {
    if (x.size < 0) return 0;
    std::int64_t const consumed = archive_filter_bytes(a, -1);
    if (consumed <= x.size - x.start) return 0;
    std::int64_t const available = x.current_size() - x.start;
    return consumed > available ? consumed - available : 0;
}

/// The error of a file that ended inside an entry's skipped data, worded as libarchive 3.8 reports it.
[[nodiscard]] inline error truncated_file_error(std::int64_t past_end) {
    return make_error(errc::archive_failed, "read_next_header",
                      "Truncated archive: the last entry's data ends " + std::to_string(past_end) +
                          " bytes past the end of the file",
                      {}, status::fatal);
}

} // namespace cbound::archive::detail
