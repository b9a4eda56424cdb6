// cbound::archive — the C trampolines that call a reader's read_source (source.hpp), and the
// sources cbound makes for descriptors, FILEs and streams (internal).
//
// libarchive calls back through C frames, so every trampoline runs the user's function
// inside callback_guard::run: an exception becomes ARCHIVE_FATAL for libarchive and is
// rethrown by the reader once the C call has returned.
#pragma once

#include <cbound/archive/detail/errno.hpp>
#include <cbound/archive/detail/read_limits.hpp>
#include <cbound/archive/detail/read_state.hpp>
#include <cbound/archive/source.hpp>
#include <cbound/config.hpp>
#include <cbound/detail/shared_box.hpp>

#include <archive.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <iosfwd>
#include <span>
#include <vector>

// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh).
namespace cbound::archive {
namespace detail {

/// The user's source, as stored in the reader's state.
[[nodiscard]] inline read_source& source_of(void* client) noexcept {
    return *static_cast<read_source*>(static_cast<read_state*>(client)->source.get());
}

/// archive_read_callback: asks the user's source for more bytes.
inline la_ssize_t source_read(::archive* a, void* client, void const** buffer) noexcept {
    return static_cast<read_state*>(client)->guard.run(a, la_ssize_t{ARCHIVE_FATAL}, [&] {
        std::span<std::byte const> bytes = source_of(client).read();
        *buffer = bytes.data();
        return static_cast<la_ssize_t>(bytes.size());
    });
}

/// archive_skip_callback: lets the user's source skip forward.
inline la_int64_t source_skip(::archive* a, void* client, la_int64_t n) noexcept {
    return static_cast<read_state*>(client)->guard.run(a, la_int64_t{ARCHIVE_FATAL},
                                                       [&] { return la_int64_t{source_of(client).skip(n)}; });
}

/// archive_seek_callback: lets the user's source move anywhere.
inline la_int64_t source_seek(::archive* a, void* client, la_int64_t offset, int whence) noexcept {
    return static_cast<read_state*>(client)->guard.run(
        a, la_int64_t{ARCHIVE_FATAL}, [&] { return la_int64_t{source_of(client).seek(offset, whence)}; });
}

/// archive_passphrase_callback: asks the user's function once the passphrase list is used up.
inline char const* ask_passphrase(::archive* a, void* client) noexcept {
    auto* s = static_cast<read_state*>(client);
    return s->guard.run(a, static_cast<char const*>(nullptr), [&]() -> char const* {
        std::optional<std::string> answer = s->passphrase_callback();
        if (!answer) return nullptr; // no more guesses: libarchive reports the entry as undecryptable
        s->passphrase_buffer = std::move(*answer);
        return s->passphrase_buffer.c_str();
    });
}

/// A read_source reading `fd` (a pipe: no skip, no seek), with a buffer of `block_size` bytes.
template <class Deferred = void>
[[nodiscard]] read_source fd_source(int fd, std::size_t block_size) {
    // Dependent spelling: the shared buffer's types are compiled only where this is used (config.hpp).
    using buffer_type = cbound::detail::dependent_t<Deferred, std::vector<std::byte>>;
    auto buffer = cbound::detail::make_shared_box<buffer_type>(block_size > 0 ? block_size : 1);
    return {[fd, buffer]() -> std::span<std::byte const> {
        ssize_t const n = retry_on_signal([&] { return ::read(fd, buffer->data(), buffer->size()); });
        if (n < 0) throw errno_error(errno, "read", {}, path_subject::archive, "reading the archive's descriptor");
        return {buffer->data(), static_cast<std::size_t>(n)};
    }};
}

/// A read_source reading `file` (a pipe: no skip, no seek), with a buffer of `block_size` bytes.
template <class Deferred = void>
[[nodiscard]] read_source file_source(std::FILE* file, std::size_t block_size) {
    using buffer_type = cbound::detail::dependent_t<Deferred, std::vector<std::byte>>; // as in fd_source
    auto buffer = cbound::detail::make_shared_box<buffer_type>(block_size > 0 ? block_size : 1);
    return {[file, buffer]() -> std::span<std::byte const> {
        errno = 0; // fread sets errno only where the C library does: 0 then reads as EIO
        std::size_t const n = std::fread(buffer->data(), 1, buffer->size(), file);
        if (n == 0 && std::ferror(file) != 0)
            throw errno_error(errno, "read", {}, path_subject::archive, "reading the archive's FILE*");
        return {buffer->data(), n};
    }};
}

/// A read_source over a std::istream, with a buffer of `block_size` bytes; seekable streams can seek.
/// A template on the stream so that only its callers need <istream>.
template <class Stream>
[[nodiscard]] read_source istream_source(Stream& in, std::size_t block_size) {
    auto buffer = cbound::detail::make_shared_box<std::vector<char>>(block_size > 0 ? block_size : 1);
    read_source src;
    src.read = [&in, buffer]() -> std::span<std::byte const> {
        in.read(buffer->data(), static_cast<std::streamsize>(buffer->size()));
        if (in.bad())
            throw make_error(errc::stream_failed, "read", "reading the archive's stream failed", {}, status::fatal);
        auto const n = static_cast<std::size_t>(in.gcount());
        if (in.eof()) in.clear(in.rdstate() & ~(Stream::eofbit | Stream::failbit)); // allow seeking back
        return {reinterpret_cast<std::byte const*>(buffer->data()), n};
    };
    if (in.tellg() != typename Stream::pos_type(-1)) {
        src.seek = [&in](std::int64_t offset, int whence) -> std::int64_t {
            auto const dir = whence == SEEK_SET ? Stream::beg : whence == SEEK_CUR ? Stream::cur : Stream::end;
            if (!in.seekg(offset, dir))
                throw make_error(errc::stream_failed, "seek", "seeking in the archive's stream failed", {},
                                 status::fatal);
            return static_cast<std::int64_t>(in.tellg());
        };
        src.skip = [&in](std::int64_t n) -> std::int64_t {
            // A stream that cannot skip this far makes libarchive read through instead.
            auto const before = in.tellg();
            if (in.seekg(n, Stream::cur)) return n;
            in.clear();
            in.seekg(before);
            return 0;
        };
    }
    return src;
}

} // namespace detail
} // namespace cbound::archive
