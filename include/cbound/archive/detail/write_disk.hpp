// cbound::archive — describing files on disk as entries, via archive_read_disk (internal).
#pragma once

#include <cbound/archive/detail/handle.hpp>
#include <cbound/archive/detail/write_sink.hpp>
#include <cbound/archive/error.hpp>
#include <cbound/archive/owned_entry.hpp>
#include <cbound/posix.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <filesystem>
#include <new>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>

namespace cbound::archive::detail {

/// A file opened for archiving: its header (named by its disk path) and, for regular files, an open descriptor.
struct disk_file {
    entry header;   ///< filled by archive_read_disk_entry_from_file
    unique_fd data; ///< open when the file is regular
};

/// archive_read_disk configured the way cbound archives files: links as links, owner names looked up.
class disk_reader {
public:
    /// A reader that stores symlinks as links, or what they point to when `follow_symlinks`.
    explicit disk_reader(bool follow_symlinks) : handle_(archive_read_disk_new()), follow_(follow_symlinks) {
        if (!handle_) throw std::bad_alloc();
        if (follow_symlinks)
            archive_read_disk_set_symlink_logical(handle_.get());
        else
            archive_read_disk_set_symlink_physical(handle_.get());
        archive_read_disk_set_standard_lookup(handle_.get());
    }

    /// Describes `path`; opens it first when regular so the header and the data are of the same file.
    [[nodiscard]] disk_file describe(std::filesystem::path const& path) {
        disk_file f;
        struct ::stat st {};
        int const found = follow_ ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st);
        if (found != 0) throw errno_error(errno, "add_file", path.string());
        if (S_ISREG(st.st_mode)) {
            // O_NOFOLLOW: a file swapped for a symlink after lstat must not be read through the link.
            f.data.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC | (follow_ ? 0 : O_NOFOLLOW)));
            if (!f.data || ::fstat(f.data.get(), &st) != 0) throw errno_error(errno, "add_file", path.string());
        }
        archive_entry_copy_sourcepath(f.header.native_handle(), path.c_str());
        archive_entry_copy_pathname(f.header.native_handle(), path.c_str());
        int const r =
            archive_read_disk_entry_from_file(handle_.get(), f.header.native_handle(), f.data ? f.data.get() : -1, &st);
        if (r < ARCHIVE_WARN) throw capture_error(handle_.get(), r, "add_file", path.string());
        return f;
    }

private:
    read_handle handle_;
    bool follow_;
};

/// The entries of folder `dir`, sorted by name bytes so archives do not depend on readdir order.
[[nodiscard]] inline std::vector<std::filesystem::directory_entry> sorted_children(std::filesystem::path const& dir) {
    std::vector<std::filesystem::directory_entry> children;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        children.push_back(*it);
    if (ec) throw error(ec, "add_tree", ec.message(), dir.string());
    std::sort(children.begin(), children.end(),
              [](auto const& a, auto const& b) { return a.path().filename().native() < b.path().filename().native(); });
    return children;
}

} // namespace cbound::archive::detail
