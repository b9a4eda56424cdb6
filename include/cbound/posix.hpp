// cbound — POSIX handles: file descriptors, FILE streams and read-only mappings.
//
// These show that the core serves any C API, not only libarchive; mapped_file is also what
// the random-access tarball stands on. The functions that open throw std::system_error, so
// with -fno-exceptions only the handle types are declared (open them with out_ptr/put and a
// try_checked call, <cbound/checked_call.hpp>).
#pragma once

#include <cbound/config.hpp>
#include <cbound/unique_resource.hpp>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <span>
#include <string>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cbound {

/// An owned POSIX file descriptor, closed with close(); -1 means none.
using unique_fd = unique_resource<int, fn_deleter<&::close>, fd_traits>;

/// An owned C stream, closed with fclose(); nullptr means none (and is never passed to fclose).
using unique_file = unique_resource<std::FILE*, fn_deleter<&std::fclose>>;

#if CBOUND_EXCEPTIONS
namespace detail {
/// Builds the exception for a failed system call on `path`, from the errno value `code`.
[[nodiscard]] inline std::system_error path_error(int code, char const* operation, std::filesystem::path const& path) {
    return std::system_error(code, std::generic_category(), std::string(operation) + " '" + path.string() + "'");
}
} // namespace detail

/// Opens `path` with open(2) flags (O_CLOEXEC is always added); throws std::system_error naming the path.
[[nodiscard]] inline unique_fd open_fd(std::filesystem::path const& path, int flags = O_RDONLY, mode_t mode = 0666) {
    int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
    if (fd < 0) throw detail::path_error(errno, "open", path);
    return unique_fd{fd};
}

/// Opens `path` with fopen(3) and the given mode; throws std::system_error naming the path.
[[nodiscard]] inline unique_file open_file(std::filesystem::path const& path, char const* mode = "rb") {
    std::FILE* f = std::fopen(path.c_str(), mode);
    if (f == nullptr) throw detail::path_error(errno, "fopen", path);
    return unique_file{f};
}
#endif // CBOUND_EXCEPTIONS

/// A read-only private mapping of a whole file; its bytes stay valid until it is destroyed.
class mapped_file {
public:
    /// An empty mapping of zero bytes.
    mapped_file() noexcept = default;

#if CBOUND_EXCEPTIONS
    /// Maps the whole of `path` read-only; throws std::system_error naming the path.
    [[nodiscard]] static mapped_file open(std::filesystem::path const& path) {
        unique_fd fd = open_fd(path, O_RDONLY);
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0) throw detail::path_error(errno, "stat", path);
        if (!S_ISREG(st.st_mode)) throw detail::path_error(EINVAL, "map (not a regular file)", path);
        mapped_file m;
        if (st.st_size == 0) return m; // mmap rejects length 0; an empty file is an empty span
        void* p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd.get(), 0);
        if (p == MAP_FAILED) throw detail::path_error(errno, "mmap", path);
        m.data_ = static_cast<std::byte const*>(p);
        m.size_ = static_cast<std::size_t>(st.st_size);
        return m;
    }
#endif // CBOUND_EXCEPTIONS

    /// Takes over the mapping of `other`, which becomes empty.
    mapped_file(mapped_file&& other) noexcept
        : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

    /// Unmaps the current mapping, then takes over the one of `other`.
    mapped_file& operator=(mapped_file&& other) noexcept {
        mapped_file old(std::move(*this));
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
        return *this;
    }

    mapped_file(mapped_file const&) = delete;
    mapped_file& operator=(mapped_file const&) = delete;

    /// Unmaps the file.
    ~mapped_file() {
        if (data_ != nullptr) ::munmap(const_cast<std::byte*>(data_), size_);
    }

    /// The mapped bytes, valid while this mapping lives.
    [[nodiscard]] std::span<std::byte const> bytes() const& noexcept CBOUND_LIFETIMEBOUND { return {data_, size_}; }
    /// Deleted: the bytes of a temporary mapping would dangle at the end of the expression.
    std::span<std::byte const> bytes() const&& = delete;

    /// The number of mapped bytes.
    [[nodiscard]] std::size_t size() const noexcept { return size_; }

    /// Whether no bytes are mapped (an empty file, or a moved-from mapping).
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }

private:
    std::byte const* data_ = nullptr;
    std::size_t size_ = 0;
};

} // namespace cbound
