// cbound::archive — xz and lzma streams decoded by cbound under a memory limit, beneath libarchive (internal).
//
// libarchive 3.6 decodes xz and lzma with no memory limit, and every xz block (and every
// concatenated stream) chooses its own dictionary: a few header bytes anywhere in the file can
// make it allocate 1.5 GiB, and libarchive offers no option to bound this. So the reader
// decodes these streams itself with liblzma, whose memlimit refuses a block before its
// dictionary is allocated, and hands libarchive the decoded bytes. libarchive's own xz and
// lzma decoders stay off (see read_support.hpp): a stream nested in another filter would
// otherwise reach them unbounded.
#pragma once

#include <cbound/archive/detail/errno.hpp>
#include <cbound/archive/detail/read_limits.hpp>
#include <cbound/archive/error.hpp>
#include <cbound/callback.hpp>
#include <cbound/config.hpp>
#include <cbound/detail/shared_box.hpp>
#include <cbound/posix.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include <lzma.h>

// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh).
namespace cbound::archive::detail {

/// A function giving the next bytes of a stream, empty at its end (read_source::read's type).
using byte_reading = cbound::callback<std::span<std::byte const>()>;

/// An lzma_stream, ended on destruction.
class lzma_coder {
public:
    lzma_coder() = default;
    lzma_coder(lzma_coder const&) = delete;
    lzma_coder& operator=(lzma_coder const&) = delete;
    ~lzma_coder() { lzma_end(&s_); }
    lzma_stream* operator->() noexcept { return &s_; }
    lzma_stream* get() noexcept { return &s_; }

private:
    lzma_stream s_ = LZMA_STREAM_INIT;
};

/// The two containers of LZMA data that libarchive would decode with liblzma as a filter.
enum class lzma_container { xz, lzma };

/// The filter name libarchive gives `c` (archive_filter_name).
[[nodiscard]] constexpr char const* filter_name_of(lzma_container c) noexcept {
    return c == lzma_container::xz ? "xz" : "lzma";
}

/// The container starting `head`, recognised exactly as libarchive 3.6's xz and lzma filter
/// bidders do, so that cbound decodes what libarchive would have: xz by its magic, lzma
/// "alone" (no magic) by its properties byte and a dictionary size that LZMA SDK or XZ Utils
/// write. nullopt for anything else, or when fewer than 14 bytes are there to tell.
template <class Deferred = void> // the result type is compiled only where this is used (config.hpp)
[[nodiscard]] std::optional<cbound::detail::dependent_t<Deferred, lzma_container>>
lzma_container_of(std::span<std::byte const> head) noexcept {
    using result = std::optional<cbound::detail::dependent_t<Deferred, lzma_container>>;
    static constexpr unsigned char xz_magic[] = {0xFD, '7', 'z', 'X', 'Z', 0};
    if (head.size() >= sizeof xz_magic && std::memcmp(head.data(), xz_magic, sizeof xz_magic) == 0)
        return result(lzma_container::xz);
    if (head.size() < 14) return result();
    auto const at = [&](std::size_t i) { return static_cast<std::uint32_t>(head[i]); };
    if (at(0) > (4 * 5 + 4) * 9 + 8) return result();
    int bits = at(0) == 0x5d || at(0) == 0x5e ? 8 : 0;
    bool unknown_size = true; // bytes 5..12 all 0xFF: xz's lzma writes no size
    for (std::size_t i = 5; i < 13; ++i)
        unknown_size = unknown_size && at(i) == 0xFF;
    if (unknown_size) bits += 64;
    std::uint32_t const dict = at(1) | at(2) << 8 | at(3) << 16 | at(4) << 24;
    bool const power = dict >= 0x1000 && dict <= 0x08000000 && (dict & (dict - 1)) == 0;
    bool const odd = dict <= 0x03F00000 && dict >= 0x00300000 && (dict & ((1u << 20) - 1)) == 0 && bits == 8 + 64;
    if (power || odd) return result(lzma_container::lzma);
    return result();
}

/// What the decoding source tells the reader: the archive bytes it has consumed (libarchive
/// only sees decoded bytes, so its own count of input is the decoded size).
struct lzma_progress {
    lzma_container container = lzma_container::xz; ///< what is decoded
    std::uint64_t consumed = 0;                    ///< compressed bytes consumed so far
};

/// The error for liblzma's return code `ret` while decoding a `c` stream; `asked` is the
/// memory the decoder wanted when it hit `limit`.
template <class Deferred = void>
[[nodiscard]] error lzma_decode_error(lzma_ret ret, lzma_container c, std::uint64_t asked, std::uint64_t limit) {
    // config.hpp: the string building below is checked only where an error is made.
    using string = cbound::detail::dependent_t<Deferred, std::string>;
    string const name = filter_name_of(c);
    auto const mib = [](std::uint64_t n) { return string(std::to_string((n + (1u << 20) - 1) >> 20)) + " MiB"; };
    switch (ret) {
    case LZMA_MEMLIMIT_ERROR:
        return make_error(errc::limit_exceeded, "read",
                          "the " + name + " stream asks for " + mib(asked) +
                              " of decoder memory, more than reader_options::max_decoder_memory (" + mib(limit) + ")");
    case LZMA_MEM_ERROR: throw std::bad_alloc();
    case LZMA_FORMAT_ERROR:
        return make_error(errc::archive_failed, "read", name + ": not a valid stream", {}, status::fatal);
    case LZMA_OPTIONS_ERROR:
        return make_error(errc::archive_failed, "read", name + ": unsupported compression options", {}, status::fatal);
    case LZMA_DATA_ERROR:
        return make_error(errc::archive_failed, "read", name + ": corrupt compressed data", {}, status::fatal);
    case LZMA_BUF_ERROR: return make_error(errc::archive_failed, "read", name + ": truncated input", {}, status::fatal);
    default:
        return make_error(errc::archive_failed, "read",
                          name + ": decoder error " + std::to_string(static_cast<int>(ret)), {}, status::fatal);
    }
}

/// A read function giving the decoded bytes of the `c` stream that `raw` reads, with liblzma
/// refusing any block or stream that asks for more than `limit` bytes of memory; `progress`
/// counts the bytes consumed. Like libarchive's filter it fills 64 KiB per call and drops a
/// partly decoded buffer on error, so an archive reads entry for entry as it would there.
template <class Deferred = void>
[[nodiscard]] byte_reading lzma_decoding(byte_reading raw, lzma_container c, std::uint64_t limit,
                                         cbound::detail::shared_box<lzma_progress> progress) {
    // config.hpp: types named through Deferred are instantiated only where a stream is decoded.
    using progress_ptr = cbound::detail::dependent_t<Deferred, cbound::detail::shared_box<lzma_progress>>;
    using bytes = cbound::detail::dependent_t<Deferred, std::vector<std::byte>>;
    struct decoder {
        byte_reading raw{};
        lzma_container container = lzma_container::xz;
        std::uint64_t limit = 0;
        progress_ptr progress{};
        lzma_coder s;
        bytes out = bytes(64 * 1024);
        bool input_ended = false;
        bool ended = false;

        std::span<std::byte const> next() {
            if (ended) return {};
            s->next_out = reinterpret_cast<std::uint8_t*>(out.data());
            s->avail_out = out.size();
            while (s->avail_out > 0 && !ended) {
                if (s->avail_in == 0 && !input_ended) {
                    std::span<std::byte const> in = raw();
                    input_ended = in.empty();
                    s->next_in = reinterpret_cast<std::uint8_t const*>(in.data());
                    s->avail_in = in.size();
                }
                std::size_t const before = s->avail_in;
                lzma_ret const ret = lzma_code(s.get(), input_ended ? LZMA_FINISH : LZMA_RUN);
                progress->consumed += before - s->avail_in;
                if (ret == LZMA_STREAM_END)
                    ended = true;
                else if (ret != LZMA_OK)
                    throw lzma_decode_error(ret, container, lzma_memusage(s.get()), limit);
            }
            return std::span<std::byte const>(out).first(out.size() - s->avail_out);
        }
    };
    auto d = cbound::detail::make_shared_box<decoder>();
    d->raw = std::move(raw);
    d->container = c;
    d->limit = limit;
    d->progress = std::move(progress);
    // liblzma treats 0 as 1 byte: every stream is refused, which is what a limit of 0 asks.
    lzma_ret const ret = c == lzma_container::xz ? lzma_stream_decoder(d->s.get(), limit, LZMA_CONCATENATED)
                                                 : lzma_alone_decoder(d->s.get(), limit);
    if (ret != LZMA_OK) throw lzma_decode_error(ret, c, 0, limit);
    return [d] { return d->next(); };
}

/// The first bytes of a source, and the read function that gives them again before the rest.
struct source_head {
    std::span<std::byte const> bytes; ///< at least head_needed() bytes, unless the source ended
    byte_reading read;                ///< `bytes` first, then the source's further reads
};

/// Reads the head of the source `read` (gathered in a buffer when it gives small pieces), so
/// that the reader can check it and choose a decoder before libarchive sees any byte.
template <class Deferred = void>
[[nodiscard]] source_head read_head(byte_reading read) {
    struct replay { // config.hpp: the vector is instantiated only where a head is read
        byte_reading inner;
        cbound::detail::dependent_t<Deferred, std::vector<std::byte>> gathered;
        std::span<std::byte const> first;
        bool replayed = false;
    };
    auto r = cbound::detail::make_shared_box<replay>();
    r->inner = std::move(read);
    std::span<std::byte const> chunk = r->inner();
    if (chunk.size() >= head_needed(chunk) || chunk.empty()) {
        r->first = chunk; // the source's own buffer stays valid until its next read, after the replay
    } else {
        while (!chunk.empty()) {
            r->gathered.insert(r->gathered.end(), chunk.begin(), chunk.end());
            if (r->gathered.size() >= head_needed(r->gathered)) break;
            chunk = r->inner();
        }
        r->first = r->gathered;
    }
    source_head out{r->first, {}};
    out.read = [r]() -> std::span<std::byte const> {
        if (r->replayed) return r->inner();
        r->replayed = true;
        return r->first;
    };
    return out;
}

/// A read function giving the bytes of the files `paths` one after the other, `block_size` at a time.
template <class Deferred = void>
[[nodiscard]] byte_reading files_reading(std::vector<std::filesystem::path> paths, std::size_t block_size) {
    struct files { // config.hpp: the vectors are instantiated only where files are read
        cbound::detail::dependent_t<Deferred, std::vector<std::filesystem::path>> paths;
        std::size_t next = 0;
        unique_fd fd;
        cbound::detail::dependent_t<Deferred, std::vector<std::byte>> buffer;
    };
    auto f = cbound::detail::make_shared_box<files>();
    f->paths = std::move(paths);
    f->buffer.resize(block_size > 0 ? block_size : 1);
    return [f]() -> std::span<std::byte const> {
        for (;;) {
            if (!f->fd) {
                if (f->next == f->paths.size()) return {};
                std::filesystem::path const& p = f->paths[f->next++];
                f->fd.reset(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
                if (!f->fd) throw errno_error(errno, "open", p.string(), path_subject::archive);
            }
            ssize_t const n = retry_on_signal([&] { return ::read(f->fd.get(), f->buffer.data(), f->buffer.size()); });
            if (n < 0) throw errno_error(errno, "read", f->paths[f->next - 1].string(), path_subject::archive);
            if (n > 0) return std::span<std::byte const>(f->buffer).first(static_cast<std::size_t>(n));
            f->fd.reset();
        }
    };
}

/// A read function giving `bytes` in one piece.
template <class Deferred = void>
[[nodiscard]] byte_reading memory_reading(std::span<std::byte const> bytes) {
    return [bytes, given = false]() mutable -> std::span<std::byte const> {
        if (given) return {};
        given = true;
        return bytes;
    };
}

} // namespace cbound::archive::detail
