// cbound::archive — temporary storage that is not on the heap (internal).
//
// A tarball keeps decoded data in an unlinked temporary file: written with pwrite, mapped
// read-only and shared, so the pages are the kernel's page cache (reclaimable, written back
// under pressure) rather than resident heap memory, and the file vanishes with its last
// descriptor even if the process dies. O_TMPFILE makes it unnamed from the start; where the
// file system lacks it, a mkstemp name is unlinked at once.
#pragma once

#include <cbound/archive/detail/errno.hpp>
#include <cbound/archive/error.hpp>
#include <cbound/config.hpp>
#include <cbound/posix.hpp>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <span>
#include <string>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace cbound::archive::detail {

/// An unlinked temporary file, written at offsets and mapped read-only once its size is known.
class temp_store {
public:
    temp_store() noexcept = default;
    temp_store(temp_store&& other) noexcept
        : fd_(std::move(other.fd_)), data_(std::exchange(other.data_, nullptr)),
          mapped_(std::exchange(other.mapped_, 0)), size_(std::exchange(other.size_, 0)) {}
    temp_store& operator=(temp_store&& other) noexcept {
        temp_store old(std::move(*this));
        fd_ = std::move(other.fd_);
        data_ = std::exchange(other.data_, nullptr);
        mapped_ = std::exchange(other.mapped_, 0);
        size_ = std::exchange(other.size_, 0);
        return *this;
    }
    temp_store(temp_store const&) = delete;
    temp_store& operator=(temp_store const&) = delete;
    ~temp_store() {
        if (data_ != nullptr) ::munmap(const_cast<std::byte*>(data_), mapped_);
    }

    /// Creates the file in `folder` (the system's temporary folder when empty).
    // A template only so that a translation unit compiles it where it is called (see cbound/config.hpp).
    template <class Deferred = void>
    [[nodiscard]] static temp_store create(std::filesystem::path const& folder) {
        std::error_code ec;
        cbound::detail::dependent_t<Deferred, std::filesystem::path> const dir =
            folder.empty() ? std::filesystem::temp_directory_path(ec) : folder;
        temp_store s;
        int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
            std::string name = (dir / "cbound-XXXXXX").string();
            fd = ::mkostemp(name.data(), O_CLOEXEC);
            if (fd >= 0) ::unlink(name.c_str());
        }
        if (fd < 0) throw errno_error(errno, "open", dir.string(), path_subject::file, "creating a temporary file");
        s.fd_ = unique_fd{fd};
        return s;
    }

    /// Whether a file was created.
    [[nodiscard]] bool exists() const noexcept { return fd_.get() >= 0; }

    /// Writes `bytes` at `offset`, all of them; safe from several threads at distinct offsets.
    void write(std::uint64_t offset, std::span<std::byte const> bytes) const {
        while (!bytes.empty()) {
            ssize_t const n = retry_on_signal(
                [&] { return ::pwrite(fd_.get(), bytes.data(), bytes.size(), static_cast<off_t>(offset)); });
            if (n <= 0)
                throw errno_error(n < 0 ? errno : ENOSPC, "pwrite", {}, path_subject::file,
                                  "writing the tarball's temporary file");
            bytes = bytes.subspan(static_cast<std::size_t>(n));
            offset += static_cast<std::uint64_t>(n);
        }
    }

    /// Sets the file's size to `size` (holes read as zeros, cost nothing) and maps all of it.
    void map(std::uint64_t size) {
        if (::ftruncate(fd_.get(), static_cast<off_t>(size)) != 0)
            throw errno_error(errno, "ftruncate", {}, path_subject::file, "sizing the tarball's temporary file");
        size_ = size;
        if (size == 0) return;
        // Shared, so bytes written later by pwrite (data decoded on demand) show through.
        void* p = ::mmap(nullptr, static_cast<std::size_t>(size), PROT_READ, MAP_SHARED, fd_.get(), 0);
        if (p == MAP_FAILED)
            throw errno_error(errno, "mmap", {}, path_subject::file, "mapping the tarball's temporary file");
        data_ = static_cast<std::byte const*>(p);
        mapped_ = static_cast<std::size_t>(size);
    }

    /// The mapped bytes (empty before map()).
    [[nodiscard]] std::span<std::byte const> bytes() const noexcept { return {data_, mapped_}; }
    /// The size given to map().
    [[nodiscard]] std::uint64_t size() const noexcept { return size_; }

private:
    unique_fd fd_;
    std::byte const* data_ = nullptr;
    std::size_t mapped_ = 0;
    std::uint64_t size_ = 0;
};

} // namespace cbound::archive::detail
