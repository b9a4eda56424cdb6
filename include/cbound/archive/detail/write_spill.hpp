// cbound::archive — the data of an entry whose size is not known yet, held in bounded memory (internal).
//
// Re-packing an entry that declares no size (a zip read from a pipe) needs all its data
// before its header can be written. The first `memory_limit` bytes stay in memory; past
// that, everything goes to an unlinked temporary file in TMPDIR, so memory stays bounded
// whatever the entry's size, and nothing is left behind on any exit.
#pragma once

#include <cbound/archive/detail/errno.hpp>
#include <cbound/archive/error.hpp>
#include <cbound/posix.hpp>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace cbound::archive::detail {

// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh).

/// Bytes placed at increasing offsets (gaps read as zeros), in memory up to a limit, then in a temporary file.
template <class Deferred = void>
class basic_spill_buffer {
public:
    /// How much an entry keeps in memory before it spills to a temporary file.
    static constexpr std::size_t default_memory_limit = std::size_t{1} << 20;

    explicit basic_spill_buffer(std::size_t memory_limit = default_memory_limit) : limit_(memory_limit) {}

    /// Places `data` at `offset`, which must not lie before the end of what is there.
    void put(std::uint64_t offset, std::span<std::byte const> data) {
        std::uint64_t const end = offset + data.size();
        if (!file_ && end <= limit_) {
            memory_.resize(static_cast<std::size_t>(offset)); // a gap reads as zeros
            memory_.insert(memory_.end(), data.begin(), data.end());
        } else {
            if (!file_) spill();
            write_at(offset, data);
        }
        size_ = end;
    }
    /// How many bytes there are (the end of the last piece).
    [[nodiscard]] std::uint64_t size() const noexcept { return size_; }
    /// Whether the data went to a temporary file.
    [[nodiscard]] bool spilled() const noexcept { return static_cast<bool>(file_); }

    /// Calls `consume(span)` on the whole data in order, in pieces of at most 64 KiB from the file.
    template <class F>
    void for_each_piece(F&& consume) const {
        if (!file_) {
            if (size_ > 0) consume(std::span<std::byte const>(memory_.data(), static_cast<std::size_t>(size_)));
            return;
        }
        std::vector<std::byte> piece(std::size_t{64} << 10);
        for (std::uint64_t at = 0; at < size_;) {
            auto const want = static_cast<std::size_t>(size_ - at < piece.size() ? size_ - at : piece.size());
            ssize_t const n = ::pread(file_.get(), piece.data(), want, static_cast<off_t>(at));
            if (n <= 0) fail(n < 0 ? errno : EIO, "reading back the temporary file");
            consume(std::span<std::byte const>(piece.data(), static_cast<std::size_t>(n)));
            at += static_cast<std::uint64_t>(n);
        }
    }

private:
    /// Opens the temporary file (unlinked from the start where O_TMPFILE works) and moves the memory part there.
    void spill() {
        char const* env = std::getenv("TMPDIR");
        std::string const dir = env != nullptr && *env != '\0' ? env : "/tmp";
        file_.reset(::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
        if (!file_) {
            std::string name = dir + "/cbound-entry-XXXXXX";
            file_.reset(::mkostemp(name.data(), O_CLOEXEC));
            if (!file_) fail(errno, "creating a temporary file in " + dir);
            ::unlink(name.c_str());
        }
        write_at(0, memory_);
        memory_ = {};
    }
    void write_at(std::uint64_t offset, std::span<std::byte const> data) {
        while (!data.empty()) {
            ssize_t const n = retry_on_signal(
                [&] { return ::pwrite(file_.get(), data.data(), data.size(), static_cast<off_t>(offset)); });
            if (n <= 0) fail(n < 0 ? errno : EIO, "writing the temporary file");
            data = data.subspan(static_cast<std::size_t>(n));
            offset += static_cast<std::uint64_t>(n);
        }
    }
    [[noreturn]] static void fail(int number, std::string const& what) {
        throw errno_error(number, "add", {}, path_subject::file, what + " for an entry of unknown size");
    }

    std::size_t limit_;
    std::vector<std::byte> memory_;
    unique_fd file_;
    std::uint64_t size_ = 0;
};

/// Data of unknown size on its way into an entry (the one instantiation there is).
using spill_buffer = basic_spill_buffer<>;

} // namespace cbound::archive::detail
