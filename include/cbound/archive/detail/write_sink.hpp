// cbound::archive — destinations for a writer's bytes (internal).
//
// Every destination, the path included, goes through libarchive's client callbacks into
// a C++ object, so cbound (not libarchive) owns the descriptor: it is closed exactly once
// even after archive_write_fail, which skips libarchive's own close callback, and an
// abandoned archive can be removed or cleared instead of being left truncated.
#pragma once

#include <cbound/archive/detail/errno.hpp>
#include <cbound/archive/error.hpp>
#include <cbound/archive/sink.hpp>
#include <cbound/posix.hpp>

#include <archive.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <ostream>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cbound::archive::detail {

// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh).

/// Where a writer's bytes go; failures are reported by throwing.
class write_sink {
public:
    write_sink() = default;
    write_sink(write_sink const&) = delete;
    write_sink& operator=(write_sink const&) = delete;
    virtual ~write_sink() = default;

    /// Called once before the first write.
    virtual void open() {}
    /// Consumes all of `bytes` or throws.
    virtual void write(std::span<std::byte const> bytes) = 0;
    /// Called once after the last write of a completed archive.
    virtual void close() {}
    /// Called instead of close() when the archive is abandoned: undo what can be undone.
    virtual void abort() noexcept {}
    /// The descriptor the bytes go to, or -1: add_tree leaves that file out of the archive.
    [[nodiscard]] virtual int descriptor() const noexcept { return -1; }

    /// Holds an exception thrown while libarchive was calling us.
    callback_guard guard;
    /// Set once the archive is abandoned: from then on bytes are dropped and close() is not called.
    bool discarding = false;
};

/// Writes all of `bytes` to `fd`, retrying after signals and partial writes.
template <class Deferred = void>
inline void write_all(int fd, std::span<std::byte const> bytes, std::string_view pathname) {
    while (!bytes.empty()) {
        ssize_t const n = retry_on_signal([&] { return ::write(fd, bytes.data(), bytes.size()); });
        if (n <= 0) throw errno_error(n < 0 ? errno : EIO, "write", pathname, path_subject::archive);
        bytes = bytes.subspan(static_cast<std::size_t>(n));
    }
}

/// A descriptor the caller owns and keeps open.
template <class Deferred = void>
class basic_fd_sink final : public write_sink {
public:
    explicit basic_fd_sink(int fd) : fd_(fd) {}
    void write(std::span<std::byte const> bytes) override { write_all(fd_, bytes, {}); }
    [[nodiscard]] int descriptor() const noexcept override { return fd_; }

private:
    int fd_;
};

/// A file cbound creates (or truncates) and closes; removed again if the archive is abandoned.
template <class Deferred = void>
class basic_path_sink final : public write_sink {
public:
    explicit basic_path_sink(std::filesystem::path path) : path_(std::move(path)), name_(path_.string()) {
        fd_.reset(::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
        if (!fd_) throw errno_error(errno, "open", name_, path_subject::archive);
        struct ::stat st {};
        removable_ = ::fstat(fd_.get(), &st) == 0 && S_ISREG(st.st_mode);
    }
    // The name is kept as a string so that writing, which happens per block, allocates nothing.
    void write(std::span<std::byte const> bytes) override { write_all(fd_.get(), bytes, name_); }
    [[nodiscard]] int descriptor() const noexcept override { return fd_.get(); }
    void close() override {
        // close() is where NFS and full disks report deferred write errors.
        // Never retried on EINTR: Linux has closed the descriptor already, and it may be reused.
        if (::close(fd_.release()) != 0 && errno != EINTR)
            throw errno_error(errno, "close", name_, path_subject::archive);
    }
    void abort() noexcept override {
        // Only a regular file we created can hold a misleading partial archive; never unlink a device.
        fd_.reset();
        if (removable_) ::unlink(path_.c_str());
    }

private:
    std::filesystem::path path_;
    std::string name_; // path_ for error messages
    unique_fd fd_;
    bool removable_ = false;
};

/// A FILE* the caller owns and keeps open.
template <class Deferred = void>
class basic_file_sink final : public write_sink {
public:
    explicit basic_file_sink(std::FILE* file) : file_(file) {}
    void write(std::span<std::byte const> bytes) override {
        errno = 0; // fwrite sets errno only where the C library does: 0 then reads as EIO
        if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size())
            throw errno_error(errno, "fwrite", {}, path_subject::archive);
    }
    [[nodiscard]] int descriptor() const noexcept override { return ::fileno(file_); }
    void close() override {
        errno = 0;
        if (std::fflush(file_) != 0) throw errno_error(errno, "fflush", {}, path_subject::archive);
    }

private:
    std::FILE* file_;
};

/// A std::ostream the caller owns.
template <class Deferred = void>
class basic_stream_sink final : public write_sink {
public:
    explicit basic_stream_sink(std::ostream& out) : out_(out) {}
    void write(std::span<std::byte const> bytes) override {
        out_.write(reinterpret_cast<char const*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        if (!out_) throw make_error(errc::stream_failed, "write", "the output stream failed", {}, status::fatal);
    }
    void close() override {
        if (!out_.flush())
            throw make_error(errc::stream_failed, "close", "the output stream failed", {}, status::fatal);
    }

private:
    std::ostream& out_;
};

/// A growing vector of bytes; emptied if the archive is abandoned.
template <class Deferred = void>
class basic_memory_sink final : public write_sink {
public:
    explicit basic_memory_sink(std::vector<std::byte>& out) : out_(out) {}
    void open() override { out_.clear(); }
    void write(std::span<std::byte const> bytes) override { out_.insert(out_.end(), bytes.begin(), bytes.end()); }
    void abort() noexcept override { out_.clear(); }

private:
    std::vector<std::byte>& out_;
};

/// Forwards to the caller's write_callbacks (sink.hpp).
template <class Deferred = void>
class basic_function_sink final : public write_sink {
public:
    explicit basic_function_sink(write_callbacks f) : f_(std::move(f)) {
        if (!f_.write) throw make_error(errc::invalid_argument, "open", "the sink has no write function");
    }
    void open() override {
        if (f_.open) f_.open();
    }
    void write(std::span<std::byte const> bytes) override { f_.write(bytes); }
    void close() override {
        if (f_.close) f_.close();
    }
    void abort() noexcept override {
        // Nothing may escape a destructor path; the archive is already being abandoned.
        try {
            if (f_.abort) f_.abort();
        } catch (...) {
        }
    }

private:
    write_callbacks f_;
};

// The C callbacks: `self` is the write_sink; exceptions stay in its guard until the C call returns.

/// archive_open_callback for a write_sink.
template <class Deferred = void>
inline int sink_open(::archive* a, void* self) {
    auto* s = static_cast<write_sink*>(self);
    return s->guard.run(a, ARCHIVE_FATAL, [&] {
        s->open();
        return ARCHIVE_OK;
    });
}

/// archive_write_callback for a write_sink.
template <class Deferred = void>
inline la_ssize_t sink_write(::archive* a, void* self, void const* buffer, std::size_t length) {
    auto* s = static_cast<write_sink*>(self);
    if (s->discarding) return static_cast<la_ssize_t>(length);
    if (s->guard.has_pending()) return -1; // the sink failed already; libarchive may still flush
    return s->guard.run(a, la_ssize_t{-1}, [&] {
        s->write({static_cast<std::byte const*>(buffer), length});
        return static_cast<la_ssize_t>(length);
    });
}

/// archive_close_callback for a write_sink; skipped after a failure, which gets abort() instead.
template <class Deferred = void>
inline int sink_close(::archive* a, void* self) {
    auto* s = static_cast<write_sink*>(self);
    if (s->discarding) return ARCHIVE_OK;
    if (s->guard.has_pending()) return ARCHIVE_FATAL;
    return s->guard.run(a, ARCHIVE_FATAL, [&] {
        s->close();
        return ARCHIVE_OK;
    });
}

} // namespace cbound::archive::detail
