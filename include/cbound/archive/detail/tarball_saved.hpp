// cbound::archive — the tarball index saved to a file, and loaded back (internal).
//
// Format, version 1. All integers little-endian (saving and loading are off on big-endian
// machines); the file is written to a temporary name beside its place and renamed over it,
// so a reader never sees half of one.
//
//   offset size  field
//        0    8  magic "CBTARIDX"
//        8    4  version (1)
//       12    4  codec of the archive's stream: 0 none, 1 gzip, 2 zstd, 3 xz
//       16    8  archive size in bytes
//       24    8  archive modification time, nanoseconds since the epoch (0 from memory)
//       32    8  checksum of sampled archive bytes (see sample_checksum)
//       40    8  R, entry records
//       48    8  N, bytes of the name pool
//       56    8  P, seek points
//       64    8  W, bytes of gzip windows
//       72    8  S, bytes of the decoded stream
//       80    8  checksum of everything after this 96-byte header
//       88    8  reserved, 0
//       96       R records of 56 bytes: data offset, data size, mtime, uid, gid, name offset
//                (8 bytes each), link size (4), mode (2), data home (1: 0 none, 1 in the
//                archive, 2 decoded at open (empty files only), 3 on demand), hardlink (1)
//                then N name bytes, P points of 32 bytes (in, out, extra: 8 each; bits,
//                kind: 4 each), W window bytes.
//
// A saved index is trusted only when its size, time and sampled checksum match the archive
// and its own checksum and every offset in it check out; anything else rebuilds it. An
// archive with data decoded at open, failed entries or warnings is not saved: reopening it
// must decode anyway, and warnings are not kept.
#pragma once

// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh; see cbound/config.hpp).

#include <cbound/archive/detail/errno.hpp>
#include <cbound/archive/detail/tarball_hash.hpp>
#include <cbound/archive/detail/tarball_index.hpp>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cbound::archive::detail {

/// What identifies an archive's bytes to a saved index.
struct archive_identity {
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::uint64_t checksum = 0;
};

inline constexpr char saved_magic[8] = {'C', 'B', 'T', 'A', 'R', 'I', 'D', 'X'};
inline constexpr std::uint32_t saved_version = 1;
inline constexpr std::size_t saved_header_size = 96;
inline constexpr std::uint64_t saved_seed = 0x6362746172696478u; // fixed: checksums must match across runs

static_assert(sizeof(tarball_record) == 56 && sizeof(seek_point) == 32, "the saved index layout changed");

/// A checksum of 64 slices of 4 KiB spread over `bytes` (all of them when smaller), and its size.
[[nodiscard]] inline std::uint64_t sample_checksum(std::span<std::byte const> bytes) noexcept {
    constexpr std::size_t slices = 64, slice = 4096;
    auto view = [&](std::size_t at, std::size_t n) {
        return std::string_view(reinterpret_cast<char const*>(bytes.data()) + at, n);
    };
    if (bytes.size() <= slices * slice) return name_hash(view(0, bytes.size()), saved_seed);
    std::uint64_t h = bytes.size();
    for (std::size_t k = 0; k < slices; ++k) {
        std::size_t const at = (bytes.size() - slice) / (slices - 1) * k;
        h = scramble(h ^ name_hash(view(at, slice), saved_seed + k));
    }
    return h;
}

/// Whether the index can be saved (see the header comment).
[[nodiscard]] inline bool can_save(tarball_index const& index) noexcept {
    if constexpr (std::endian::native != std::endian::little) return false;
    return index.decoded_bytes == 0 && index.failures.empty() && index.warnings.empty();
}

/// Writes `index` to `path` atomically; throws std::system_error on failure.
template <class Deferred = void>
void save_index(tarball_index const& index, archive_identity const& id, std::filesystem::path const& path) {
    std::vector<std::byte> body;
    auto put = [&body](void const* p, std::size_t n) {
        auto const* b = static_cast<std::byte const*>(p);
        body.insert(body.end(), b, b + n);
    };
    std::span<std::byte const> const windows = index.window_view;
    body.reserve(index.records.size() * 56 + index.names.size() + index.points.size() * 32 + windows.size());
    put(index.records.data(), index.records.size() * sizeof(tarball_record));
    put(index.names.data(), index.names.size());
    put(index.points.data(), index.points.size() * sizeof(seek_point));
    put(windows.data(), windows.size());

    std::uint64_t header[saved_header_size / 8] = {};
    __builtin_memcpy(header, saved_magic, 8);
    auto const words = std::uint64_t{saved_version} | std::uint64_t{static_cast<std::uint8_t>(index.stream)} << 32;
    header[1] = words;
    header[2] = id.size;
    header[3] = static_cast<std::uint64_t>(id.mtime_ns);
    header[4] = id.checksum;
    header[5] = index.records.size();
    header[6] = index.names.size();
    header[7] = index.points.size();
    header[8] = windows.size();
    header[9] = index.mirror.size();
    header[10] = name_hash(std::string_view(reinterpret_cast<char const*>(body.data()), body.size()), saved_seed);

    std::string tmp = path.string() + ".XXXXXX";
    int const fd = ::mkostemp(tmp.data(), O_CLOEXEC);
    if (fd < 0) throw cbound::detail::path_error(errno, "create", tmp);
    unique_fd const owner{fd};
    auto write_all = [&](void const* p, std::size_t n) {
        auto const* b = static_cast<char const*>(p);
        while (n > 0) {
            ssize_t const w = retry_on_signal([&] { return ::write(fd, b, n); });
            if (w <= 0) {
                int const code = w < 0 ? errno : ENOSPC;
                ::unlink(tmp.c_str());
                throw cbound::detail::path_error(code, "write", tmp);
            }
            b += w;
            n -= static_cast<std::size_t>(w);
        }
    };
    write_all(header, sizeof header);
    write_all(body.data(), body.size());
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int const code = errno;
        ::unlink(tmp.c_str());
        throw cbound::detail::path_error(code, "rename", path);
    }
}

/// Loads the index saved at `path` into `index` (whose source is set) when it matches `id`
/// and checks out; false (index untouched but for the mapping) when it does not.
template <class Deferred = void>
[[nodiscard]] bool load_index(tarball_index& index, archive_identity const& id, std::filesystem::path const& path) {
    if constexpr (std::endian::native != std::endian::little) return false;
    mapped_file saved;
    try {
        saved = mapped_file::open(path);
    } catch (std::system_error const&) {
        return false; // none yet, or unreadable: build it
    }
    std::span<std::byte const> const file = saved.bytes();
    if (file.size() < saved_header_size) return false;
    std::uint64_t h[saved_header_size / 8];
    __builtin_memcpy(h, file.data(), saved_header_size);
    if (__builtin_memcmp(h, saved_magic, 8) != 0 || (h[1] & 0xffffffffu) != saved_version) return false;
    auto const stream = static_cast<codec>(h[1] >> 32);
    if (stream > codec::xz || h[2] != id.size || static_cast<std::int64_t>(h[3]) != id.mtime_ns || h[4] != id.checksum)
        return false;
    std::uint64_t const records = h[5], names = h[6], points = h[7], windows = h[8], stream_size = h[9];
    std::uint64_t const body = file.size() - saved_header_size;
    // Each count is bounded by the file before it is multiplied, so nothing overflows.
    if (records > body / 56 || names > body || points > body / 32 || windows > body ||
        records * 56 + names + points * 32 + windows != body)
        return false;
    std::span<std::byte const> const rest = file.subspan(saved_header_size);
    if (name_hash(std::string_view(reinterpret_cast<char const*>(rest.data()), rest.size()), saved_seed) != h[10])
        return false;

    for (std::uint64_t i = 0; i < records; ++i) // the hardlink flag is a bool: 0 or 1 only
        if (static_cast<unsigned>(rest[i * 56 + 55]) > 1) return false;
    std::vector<tarball_record> r(records);
    __builtin_memcpy(r.data(), rest.data(), records * 56);
    std::string pool(reinterpret_cast<char const*>(rest.data()) + records * 56, names);
    std::vector<seek_point> p(points);
    __builtin_memcpy(p.data(), rest.data() + records * 56 + names, points * 32);

    // Every offset must stay inside what it points into: a saved index is input too.
    for (std::size_t i = 0; i < r.size(); ++i) {
        std::uint64_t const end = i + 1 < r.size() ? r[i + 1].name_offset : names;
        if (r[i].name_offset > end || end > names || r[i].link_size > end - r[i].name_offset) return false;
        std::uint64_t const limit = r[i].home == data_home::source ? id.size
                                    : r[i].home == data_home::lazy ? stream_size
                                                                   : 0;
        if (static_cast<std::uint8_t>(r[i].home) > static_cast<std::uint8_t>(data_home::lazy)) return false;
        if (r[i].home == data_home::lazy && stream == codec::none) return false;
        if (r[i].home != data_home::none && (r[i].data_size > limit || r[i].data_offset > limit - r[i].data_size))
            return false;
    }
    if (!r.empty() && r[0].name_offset != 0) return false;
    for (std::size_t k = 0; k < p.size(); ++k) {
        if (p[k].in > id.size || (k == 0 ? p[k].out != 0 : p[k].out < p[k - 1].out)) return false;
        if (stream == codec::gzip && p[k].kind == gzip_inside &&
            (p[k].in == 0 || p[k].bits > 7 || p[k].extra > windows || windows - p[k].extra < gzip_window))
            return false;
    }
    if (stream != codec::none && p.empty()) return false;

    index.stream = stream;
    index.records = std::move(r);
    index.names = std::move(pool);
    index.points = std::move(p);
    index.window_view = rest.subspan(static_cast<std::size_t>(records * 56 + names + points * 32));
    index.saved = std::move(saved);
    if (stream_size != 0 && stream != codec::none) index.mirror = temp_store::create(index.temporary_directory);
    index.index_names();
    index.prepare_lazy(stream_size);
    return true;
}

} // namespace cbound::archive::detail
