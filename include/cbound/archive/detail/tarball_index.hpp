// cbound::archive — the in-memory index behind tarball (internal).
//
// One compact record per entry, every name in one string pool, and a hash table of entry
// numbers keyed by pathname (O(1) find, built in one pass with no string sorting). File data is borrowed from the
// archive bytes (zero-copy), decoded at open into an unlinked temporary file (`decoded`), or decoded on demand from a
// seek point into a second temporary file that mirrors the decoded stream (`mirror`: a file's bytes sit at their own
// stream offset, written once and never moved or evicted, so a span given out stays valid). A record stores an offset,
// never a pointer, so nothing needs to stay put while the index is built.
#pragma once

#include <cbound/config.hpp>
#include <cbound/posix.hpp>

#include <cbound/archive/detail/seek_gzip.hpp>
#include <cbound/archive/detail/seek_point.hpp>
#include <cbound/archive/detail/seek_xz.hpp>
#include <cbound/archive/detail/seek_zstd.hpp>
#include <cbound/archive/detail/tarball_hash.hpp>
#include <cbound/archive/detail/temp_store.hpp>
#include <cbound/archive/detail/threads.hpp>
#include <cbound/archive/error.hpp>
#include <cbound/archive/types.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace cbound::archive::detail {

/// Where an entry's data lives.
enum class data_home : std::uint8_t {
    none,    ///< not a file (directory, symlink, device, unresolved hardlink)
    source,  ///< borrowed from the archive bytes
    decoded, ///< copied or decompressed at open into the tarball's temporary file
    lazy,    ///< decoded on first use from a seek point into the mirror file, at its stream offset
    failed,  ///< libarchive could not decode it; data_offset numbers its error in `failures`
};

/// One entry of the index. The strings of entry i (pathname, then link target) are
/// names[name_offset_i, name_offset_{i+1}), so the pathname length needs no field.
/// tarball_record::mtime of an entry whose header records no time (no real time is this old).
inline constexpr std::int64_t no_mtime = std::numeric_limits<std::int64_t>::min();

struct tarball_record {
    std::uint64_t data_offset = 0; ///< into the source bytes, the decoded file or the decoded stream
    std::uint64_t data_size = 0;   ///< bytes of file data
    std::int64_t mtime = 0;        ///< seconds since the epoch
    std::int64_t uid = 0;          ///< owner id
    std::int64_t gid = 0;          ///< group id
    std::uint64_t name_offset = 0; ///< start of this entry's strings in the pool
    std::uint32_t link_size = 0;   ///< bytes of the link target at the end of this entry's strings
    std::uint16_t mode = 0;        ///< st_mode: file-type bits and permissions
    data_home home = data_home::none;
    bool is_hardlink = false; ///< the link target names an earlier entry, not a path to follow
};

// The per-entry budget is 64 bytes: the record plus its share of the name table (at most
// 1.5 slots, see tarball_index::table_size).
static_assert(sizeof(tarball_record) + 3 * sizeof(std::uint32_t) / 2 <= 64, "tarball index record exceeds its budget");

/// Everything a tarball owns; immutable once built, so views into it stay valid until it dies.
// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh; see cbound/config.hpp).
// data() reaches the decoders through `fill_from_point`, set where the index is built or
// loaded, so that a translation unit that only reads files does not compile them.
struct tarball_index {
    mapped_file mapping;                             // the archive file, when opened from a path
    std::span<std::byte const> source;               // the archive bytes (the mapping, or the caller's memory)
    temp_store decoded;                              // data decoded at open
    std::uint64_t decoded_bytes = 0;                 // file data in `decoded` (holes included)
    temp_store windows;                              // the gzip points' inflate windows
    mapped_file saved;                               // the saved index, when loaded (holds the windows then)
    std::span<std::byte const> window_view;          // the windows, in `windows` or in `saved`
    std::filesystem::path temporary_directory;       // where the temporary files go
    codec stream = codec::none;                      // the compression lazy entries are decoded from
    std::vector<seek_point> points;                  // into the compressed source, sorted by decoded offset
    temp_store mirror;                               // the decoded stream, filled file by file on demand
    mutable std::vector<std::byte> filled;           // per entry: its lazy data is in the mirror (see filled_flag)
    mutable std::array<thread_mutex, 16> fill_locks; // per stripe of entries: one decodes, others wait
    std::vector<error> failures;                     // why each failed entry could not be decoded
    std::vector<tarball_record> records;
    std::string names;                     // the string pool
    std::vector<std::uint32_t> slots;      // the name table: entry numbers, open addressing
    std::vector<warning> warnings;         // libarchive warnings met while indexing
    std::uint64_t seed = name_hash_seed(); // the name table's hash key
    void (*fill_from_point)(tarball_index const&, std::size_t) = nullptr; // fill<>, set by prepare_lazy

    /// The strings (pathname + link target) of entry `i`.
    [[nodiscard]] std::string_view strings(std::size_t i) const noexcept {
        std::size_t const begin = records[i].name_offset;
        std::size_t const end = i + 1 < records.size() ? records[i + 1].name_offset : names.size();
        return std::string_view(names).substr(begin, end - begin);
    }

    /// The pathname of entry `i`.
    [[nodiscard]] std::string_view pathname(std::size_t i) const noexcept {
        std::string_view s = strings(i);
        return s.substr(0, s.size() - records[i].link_size);
    }

    /// The link target of entry `i` (empty when it is not a link).
    [[nodiscard]] std::string_view link_target(std::size_t i) const noexcept {
        std::string_view s = strings(i);
        return s.substr(s.size() - records[i].link_size);
    }

    /// The data of entry `i`, or nullopt when it is not a file; decodes lazy data on first
    /// use and throws cbound::archive::error when that fails or the entry could not be decoded.
    /// A template on a dependent result type, so that the optional is compiled only where used (config.hpp).
    template <class Deferred = void>
    [[nodiscard]] std::optional<cbound::detail::dependent_t<Deferred, std::span<std::byte const>>>
    data(std::size_t i) const {
        tarball_record const& r = records[i];
        switch (r.home) {
        case data_home::source: return source.subspan(r.data_offset, r.data_size);
        case data_home::decoded: return decoded.bytes().subspan(r.data_offset, r.data_size);
        case data_home::lazy:
            // The flags are plain bytes under GCC's and Clang's __atomic builtins: <atomic> alone
            // cost tarball.hpp 4 MB of GCC's memory to compile.
            if (__atomic_load_n(filled_flag(i), __ATOMIC_ACQUIRE) == 0) fill_from_point(*this, i);
            return mirror.bytes().subspan(r.data_offset, r.data_size);
        case data_home::failed: throw failures[r.data_offset];
        case data_home::none: break;
        }
        return std::nullopt;
    }

    /// Sets up what lazy entries need once the records are final: the mirror's mapping and the fill flags.
    template <class Deferred = void>
    void prepare_lazy(std::uint64_t stream_size) {
        fill_from_point = [](tarball_index const& index, std::size_t i) { index.fill<Deferred>(i); };
        filled.assign(records.size(), std::byte{0});
        if (!mirror.exists()) return;
        mirror.map(stream_size);
    }

    /// The last entry named `path` (the one extraction would leave), if any.
    [[nodiscard]] std::optional<std::size_t> find(std::string_view path) const noexcept {
        if (slots.empty()) return std::nullopt;
        std::uint32_t const i = slots[probe(path, key(path), nullptr)];
        if (i == empty_slot) return std::nullopt;
        return i;
    }

    /// Builds the name table and points each hardlink at the data of the last earlier
    /// entry with its target's name.
    ///
    /// One pass in archive order: when entry i is reached the table holds exactly the
    /// entries before it (a later duplicate replaces an earlier one), so a hardlink finds
    /// the last earlier entry of that name, and a link to a link finds its target already
    /// resolved. A hardlink that carried a body of its own (pax allows it) keeps that body.
    template <class Deferred = void>
    void index_names() {
        slots.assign(table_size(records.size()), empty_slot);
        // Each entry's key, for this pass only: comparing keys first spares most name
        // compares, which would each touch a record and a name far apart in memory.
        std::vector<std::uint32_t> keys(records.size());
        for (std::size_t i = 0; i < records.size(); ++i) {
            tarball_record& r = records[i];
            if (r.is_hardlink && r.home == data_home::none) {
                std::string_view const target = link_target(i);
                if (std::uint32_t const t = slots[probe(target, key(target), keys.data())]; t != empty_slot) {
                    r.home = records[t].home;
                    r.data_offset = records[t].data_offset;
                    r.data_size = records[t].data_size;
                }
            }
            std::string_view const path = pathname(i);
            keys[i] = key(path);
            slots[probe(path, keys[i], keys.data())] = static_cast<std::uint32_t>(i);
        }
    }

    /// Slots for `entries` entries: at most 2/3 full, which keeps probes short, and at most
    /// 6 bytes per entry, which keeps the budget.
    [[nodiscard]] static std::size_t table_size(std::size_t entries) noexcept {
        return entries == 0 ? 0 : entries + entries / 2 + 1;
    }

private:
    static constexpr std::uint32_t empty_slot = 0xffffffffu; // entry numbers stay below it (builder's cap)

    /// Decodes entry i's data from its seek point into the mirror, once: a thread that finds
    /// another decoding the same stripe waits for it, then sees the flag set.
    template <class Deferred>
    [[gnu::noinline]] void fill(std::size_t i) const {
        tarball_record const& r = records[i];
        cbound::detail::dependent_t<Deferred, thread_lock> const held(
            fill_locks[(r.data_offset >> 12) % fill_locks.size()]);
        if (__atomic_load_n(filled_flag(i), __ATOMIC_RELAXED) != 0) return;
        std::uint64_t const begin = r.data_offset, end = r.data_offset + r.data_size;
        if (end > mirror.size() || end < begin)
            throw make_error(errc::archive_failed, "file", "entry outside the stream");
        auto sink = [this](std::uint64_t at, std::span<std::byte const> bytes) { mirror.write(at, bytes); };
        try {
            switch (stream) {
            case codec::gzip: gzip_read(source, points, window_view, begin, end, sink); break;
            case codec::zstd: zstd_read(source, points, begin, end, sink); break;
            case codec::xz: xz_read(source, points, begin, end, sink); break;
            case codec::none: throw make_error(errc::archive_failed, "file", "no stream to decode");
            }
        } catch (error const& e) {
            throw error(e.code(), "file", e.message(), std::string(pathname(i)), e.status());
        }
        __atomic_store_n(filled_flag(i), 1, __ATOMIC_RELEASE);
    }

    /// Entry i's fill flag (0: not yet), as the unsigned char the __atomic builtins take; the flags
    /// are bytes, not std::unique_ptr<bool[]>, which alone cost every includer more to compile than
    /// the rest of this index.
    [[nodiscard]] unsigned char* filled_flag(std::size_t i) const noexcept {
        return reinterpret_cast<unsigned char*>(filled.data()) + i;
    }

    /// The upper half of the name's hash: it picks the first slot and is compared while building.
    [[nodiscard]] std::uint32_t key(std::string_view path) const noexcept {
        return static_cast<std::uint32_t>(name_hash(path, seed) >> 32);
    }

    [[nodiscard]] std::size_t next_slot(std::size_t s) const noexcept { return s + 1 == slots.size() ? 0 : s + 1; }

    /// The slot of the entry named `path` (whose key is `k`), else the empty slot where it
    /// would go; `keys` (each entry's key, or null) spares name compares. The table is never
    /// full, so the probe ends. The first slot is the key scaled to the table (no division).
    [[nodiscard]] std::size_t probe(std::string_view path, std::uint32_t k, std::uint32_t const* keys) const noexcept {
        for (std::size_t s = static_cast<std::size_t>((std::uint64_t{k} * slots.size()) >> 32);; s = next_slot(s)) {
            std::uint32_t const i = slots[s];
            if (i == empty_slot || ((keys == nullptr || keys[i] == k) && pathname(i) == path)) return s;
        }
    }
};

} // namespace cbound::archive::detail
