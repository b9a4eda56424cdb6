// cbound::archive — appending to an uncompressed tar file (internal).
//
// A tar archive ends with zero blocks after the last entry's data. Appending means finding
// where those begin, writing the new entries from there in the format the archive already
// uses, and a new end. libarchive reads the file to find the place: every header is read (the
// data between them is skipped with lseek), and the position of the header read that found
// the end is where the zero blocks start. Only uncompressed tar can be appended to in place: a
// compressed stream cannot be continued without rewriting it.
//
// An abandoned append puts the file back as it was: the bytes it overwrote (the old end of
// the archive) are kept and written back, and the file is cut to its old length.
#pragma once

#include <cbound/archive/detail/errno.hpp>
#include <cbound/archive/detail/handle.hpp>
#include <cbound/archive/detail/read_support.hpp>
#include <cbound/archive/detail/write_format.hpp>
#include <cbound/archive/detail/write_sink.hpp>
#include <cbound/archive/error.hpp>
#include <cbound/archive/types.hpp>
#include <cbound/posix.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cbound::archive::detail {

// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh).

/// Where the entries of a tar file end, and the format to continue it in.
struct tar_end {
    std::int64_t offset = 0; ///< where the end-of-archive zero blocks start (the file's size when it has none)
    write_target target;     ///< the format to continue in
};

/// Reads the tar archive in `fd` (a regular file of `size` bytes) to its end; refuses anything
/// else. `name` is the file's path, for messages.
template <class Deferred = void>
[[nodiscard]] inline tar_end find_tar_end(int fd, std::int64_t size, std::string const& name) {
    tar_end end{0, target_of(format::pax, filter::none)};
    end.target.set_format = &archive_write_set_format_pax_restricted;
    if (size == 0) return end; // an empty file becomes a new archive
    read_handle a(archive_read_new());
    if (!a) throw std::bad_alloc();
    archive_read_support_format_tar(a.get());
    // Every filter is recognized, so that a compressed tar is named as such and refused, but
    // none that runs an external program: a few magic bytes would choose a program to run.
    for (filter f : readable_filters)
        if (!runs_external_program(f)) read_filter_enabler(f)(a.get());
    auto const refuse = [&](std::string const& why) {
        return make_error(errc::invalid_argument, "open_append", why + "; only an uncompressed tar can be appended to",
                          name);
    };
    if (archive_read_open_fd(a.get(), fd, 10240) != ARCHIVE_OK) {
        char const* message = archive_error_string(a.get());
        throw refuse(std::string("not a tar archive (") + (message != nullptr ? message : "unrecognized") + ")");
    }
    if (archive_filter_code(a.get(), 0) != ARCHIVE_FILTER_NONE)
        throw refuse(std::string("the archive is compressed (") + archive_filter_name(a.get(), 0) + ")");
    bool gnu = false;
    bool pax = false;
    std::int64_t entries = 0;
    for (;;) {
        ::archive_entry* e = nullptr;
        int const st = archive_read_next_header(a.get(), &e);
        if (st == ARCHIVE_EOF) break;
        if (st != ARCHIVE_OK && st != ARCHIVE_WARN) {
            char const* message = archive_error_string(a.get());
            throw refuse(std::string("the tar archive is damaged (") + (message != nullptr ? message : "unreadable") +
                         ")");
        }
        ++entries;
        int const code = archive_format(a.get());
        gnu = gnu || code == ARCHIVE_FORMAT_TAR_GNUTAR;
        pax = pax || code == ARCHIVE_FORMAT_TAR_PAX_INTERCHANGE;
    }
    // The header read that found the end started where the zero blocks start.
    end.offset = archive_read_header_position(a.get());
    if (end.offset < 0 || end.offset > size || end.offset % 512 != 0)
        throw refuse("the end of the tar archive could not be found");
    // Continue as the archive was written: GNU tar's format where GNU headers were seen, pax where
    // pax headers were; else ustar headers, with a pax header only for what ustar cannot hold
    // (bsdtar's default, and what Python's tarfile writes).
    if (gnu)
        end.target = target_of(format::gnutar, filter::none);
    else if (pax && entries > 0)
        end.target = target_of(format::pax, filter::none);
    return end;
}

/// A tar file opened for appending: written from the end of its entries on; put back as it was if abandoned.
template <class Deferred = void>
class basic_append_sink final : public write_sink {
public:
    /// Opens (or creates) the file at `path` and finds where its entries end.
    explicit basic_append_sink(std::filesystem::path path) : path_(std::move(path)), name_(path_.string()) {
        fd_.reset(::open(path_.c_str(), O_RDWR | O_CLOEXEC));
        if (!fd_ && errno == ENOENT) {
            fd_.reset(::open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
            created_ = static_cast<bool>(fd_);
        }
        if (!fd_) throw errno_error(errno, "open_append", name_);
        struct ::stat st {};
        if (::fstat(fd_.get(), &st) != 0) throw errno_error(errno, "open_append", name_);
        if (!S_ISREG(st.st_mode))
            throw make_error(errc::invalid_argument, "open_append", "only a regular file can be appended to", name_);
        size_ = st.st_size;
        end_ = find_tar_end(fd_.get(), size_, name_);
        // Keep what the new entries will overwrite (the old end blocks), to put it back on abort.
        tail_.resize(static_cast<std::size_t>(size_ - end_.offset));
        read_at(end_.offset, tail_);
        if (::lseek(fd_.get(), end_.offset, SEEK_SET) < 0) throw errno_error(errno, "open_append", name_);
    }

    /// The format to continue the archive in.
    [[nodiscard]] write_target const& target() const noexcept { return end_.target; }

    void write(std::span<std::byte const> bytes) override { write_all(fd_.get(), bytes, name_); }
    [[nodiscard]] int descriptor() const noexcept override { return fd_.get(); }
    void close() override {
        // Old end blocks beyond the new end (GNU tar pads to 10 KiB) would only be dead weight.
        ::off_t const here = ::lseek(fd_.get(), 0, SEEK_CUR);
        if (here < 0 || ::ftruncate(fd_.get(), here) != 0) throw errno_error(errno, "close", name_);
        if (::close(fd_.release()) != 0 && errno != EINTR) throw errno_error(errno, "close", name_);
    }
    void abort() noexcept override {
        if (created_) {
            fd_.reset();
            ::unlink(path_.c_str());
            return;
        }
        if (!fd_) return;
        // Best effort: a failure here (a full disk) cannot be reported from an abandon.
        std::span<std::byte const> rest(tail_);
        for (::off_t at = end_.offset; !rest.empty();) {
            ssize_t const n = retry_on_signal([&] { return ::pwrite(fd_.get(), rest.data(), rest.size(), at); });
            if (n <= 0) break;
            rest = rest.subspan(static_cast<std::size_t>(n));
            at += n;
        }
        if (::ftruncate(fd_.get(), size_) != 0) { /* left as is: nothing to report to */
        }
        fd_.reset();
    }

private:
    void read_at(std::int64_t offset, std::vector<std::byte>& out) {
        for (std::size_t done = 0; done < out.size();) {
            ssize_t const n = retry_on_signal(
                [&] { return ::pread(fd_.get(), out.data() + done, out.size() - done, offset + done); });
            if (n <= 0) throw errno_error(n < 0 ? errno : EIO, "open_append", name_, path_subject::archive);
            done += static_cast<std::size_t>(n);
        }
    }

    std::filesystem::path path_;
    std::string name_;
    unique_fd fd_;
    bool created_ = false;
    std::int64_t size_ = 0;
    tar_end end_;
    std::vector<std::byte> tail_;
};

} // namespace cbound::archive::detail
