// cbound::archive — building a tarball index with libarchive (internal).
//
// libarchive does all the parsing: cbound never reads a header itself (pax size smuggling
// and friends bite hand-written parsers). Reading an uncompressed archive from memory,
// libarchive hands each file's data back as one block pointing into the caller's buffer;
// when that is verified (inside the source, offset 0, the whole entry, nothing after it)
// the index keeps an offset into the source and copies nothing. A tar inside gzip, zstd or
// xz is read from cbound's own decoder (which records seek points as it goes): a file's
// data is contiguous in the decoded stream, so the index keeps its stream offset
// (archive_filter_bytes after the header) and decodes it on first use from the nearest
// point. Anything else — a stream without a point near enough, a deflated zip entry, a
// sparse file — is decoded once at open into the tarball's temporary file, bounded by
// max_decoded_bytes. An entry libarchive cannot decode (encrypted, unsupported method)
// is recorded as failed, and only its own file() reports it.
//
// Headers and data blocks are read with the reader's own functions (advance, read_block):
// RETRY, warnings, zip names, a callback that threw and every status are judged where the
// reader judges them, so a tarball and a reader agree on what an archive holds.
#pragma once

#include <cbound/archive/block.hpp>
#include <cbound/archive/detail/locale.hpp>
#include <cbound/archive/detail/read_blocks.hpp>
#include <cbound/archive/detail/read_names.hpp>
#include <cbound/archive/detail/read_state.hpp>
#include <cbound/archive/detail/tarball_index.hpp>
#include <cbound/archive/error.hpp>
#include <cbound/config.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace cbound::archive {

namespace detail {

/// The caps a tarball_builder enforces (from tarball_options).
struct tarball_limits {
    std::uint64_t max_decoded_bytes;           ///< bytes of file data decoded at open into temporary storage
    std::uint64_t max_entries;                 ///< entries in the index
    std::uint64_t max_name_bytes;              ///< bytes of one pathname or link target
    std::uint64_t max_total_name_bytes;        ///< bytes of all names together
    std::uint64_t lazy_reach;                  ///< most bytes decoded before a lazy file's data
    std::filesystem::path temporary_directory; ///< where temporary files go (empty: the system's)
};

/// Reads every header and every file's data of an opened archive into a tarball_index.
// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh; see cbound/config.hpp).
template <class Deferred = void>
class basic_tarball_builder {
public:
    /// Indexes through the state of an opened reader (state_of in reader.hpp), which keeps
    /// its formats, filters, passphrases and zip name decoding; names are counted against
    /// the tarball's own limits (add), not the reader's.
    basic_tarball_builder(read_state& s, tarball_index& index, tarball_limits limits) noexcept
        : s_(s), a_(s.handle.get()), index_(index), limits_(std::move(limits)) {}

    /// Indexes the whole archive; throws cbound::archive::error naming the operation and entry.
    void run() {
        utf8_scope const utf8; // names come out as UTF-8 whatever the program's locale
        // Under the scope the thread is UTF-8 already: the reader's switch around each header
        // would only repeat it.
        // The state in a register for the loop: add() could change s_ for all the compiler knows.
        cbound::detail::dependent_t<Deferred, read_state>& s = s_;
        s.switch_locale = false;
        if (read_next_header<names_counted::no>(s)) {
            // Lazy offsets are offsets in cbound's decoded stream: only when libarchive reads
            // that stream as it is (one filter, the client's), not through a filter of its own
            // (a .tar.gz.gz), and reads it as a tar, whose file data is contiguous.
            lazy_ = index_.stream != codec::none && archive_filter_count(a_) == 1 && is_tar();
            do
                add(s.current);
            while (read_next_header<names_counted::no>(s));
        }
        // The reader's warnings: those of the open, then one per header that warned or was skipped.
        index_.warnings = std::move(s_.warnings);
        s_.warnings.clear();
        index_.index_names();
        index_.prepare_lazy(static_cast<std::uint64_t>(archive_filter_bytes(a_, 0)));
        if (decoded_end_ != 0) index_.decoded.map(decoded_end_);
        index_.decoded_bytes = decoded_end_;
        // A copy from plain iterators, not shrink_to_fit: clang's build of libstdc++'s
        // shrink_to_fit copies record by record where this is one memmove.
        if (index_.records.capacity() != index_.records.size())
            index_.records = cbound::detail::dependent_t<Deferred, std::vector<tarball_record>>(index_.records.begin(),
                                                                                                index_.records.end());
        index_.names.shrink_to_fit();
        index_.points.shrink_to_fit();
    }

private:
    void add(::archive_entry* entry) {
        if (index_.records.size() >= limits_.max_entries ||
            index_.records.size() >= std::numeric_limits<std::uint32_t>::max())
            throw make_error(errc::limit_exceeded, "read_next_header",
                             "more entries than max_entries allows (" + std::to_string(limits_.max_entries) + ")");
        // The pathname as the reader finds it (wide names converted under UTF-8).
        char const* name = entry_name(entry, pathname_accessor);
        char const* hardlink = archive_entry_hardlink(entry);
        char const* symlink = hardlink == nullptr ? archive_entry_symlink(entry) : nullptr;
        std::string_view const path = name != nullptr ? name : "";
        std::string_view const link = hardlink != nullptr ? hardlink : symlink != nullptr ? symlink : "";
        check_name_bytes(path, link);

        tarball_record r;
        r.name_offset = index_.names.size();
        r.link_size = static_cast<std::uint32_t>(link.size());
        r.mode = static_cast<std::uint16_t>(archive_entry_mode(entry));
        r.mtime = archive_entry_mtime_is_set(entry) != 0 ? archive_entry_mtime(entry) : no_mtime;
        r.uid = archive_entry_uid(entry);
        r.gid = archive_entry_gid(entry);
        r.is_hardlink = hardlink != nullptr;
        if (link.size() >= std::numeric_limits<std::uint32_t>::max())
            throw make_error(errc::limit_exceeded, "read_next_header", "link target too long", path);
        index_.names.append(path);
        if (!link.empty()) index_.names.append(link);

        if (r.is_hardlink || archive_entry_filetype(entry) == AE_IFREG) {
            try {
                read_data(entry, path, r);
            } catch (entry_failure& f) {
                // This entry's data cannot be decoded (encrypted, an unsupported method, a
                // damaged body): libarchive goes on to the next header, and so does the index.
                r.home = data_home::failed;
                r.data_offset = index_.failures.size();
                r.data_size = 0;
                index_.failures.push_back(std::move(f.reason));
                index_.records.push_back(r);
                return;
            }
        }
        // A hardlink without a body of its own is resolved to its target once all entries are in.
        if (r.is_hardlink && r.data_size == 0) r.home = data_home::none;
        index_.records.push_back(r);
    }

    /// Refuses names beyond the per-name and total caps, before they are stored.
    void check_name_bytes(std::string_view path, std::string_view link) const {
        std::uint64_t const longest = path.size() < link.size() ? link.size() : path.size(); // std::max
        if (longest > limits_.max_name_bytes)
            throw make_error(errc::limit_exceeded, "read_next_header",
                             "a name of " + std::to_string(longest) + " bytes exceeds max_name_bytes (" +
                                 std::to_string(limits_.max_name_bytes) + ")",
                             path.substr(0, 256));
        std::uint64_t const total = index_.names.size();
        std::uint64_t const cap = limits_.max_total_name_bytes;
        if (path.size() + link.size() > cap - (cap < total ? cap : total)) // cap - std::min(total, cap)
            throw make_error(errc::limit_exceeded, "read_next_header",
                             "names exceed max_total_name_bytes (" + std::to_string(limits_.max_total_name_bytes) + ")",
                             path.substr(0, 256));
    }

    /// Thrown (and caught in add) when one entry's data cannot be decoded but the archive goes on.
    struct entry_failure {
        error reason;
    };

    /// Reads the next block with the reader's read_block; false at the end of the entry's data.
    [[gnu::always_inline]] bool next_block(block& b) {
        try {
            return read_block(s_, a_, b);
        } catch (error const& e) {
            data_failed(e);
        }
    }

    /// What a failed data read (judged by the reader's data_failure) does to the index. A
    /// callback that threw (cbound's own decoder) made the reader unusable: its exception goes
    /// on as it is. FATAL ends the archive; anything less (WARN included: 7z reports a corrupt
    /// entry as WARN with zero bytes) fails only this entry. Either is named "read_data", the
    /// operation a tarball reports for an entry's data.
    [[noreturn]] [[gnu::cold]] [[gnu::noinline]] void data_failed(error const& e) {
        if (s_.fatal) throw;
        error named(e.code(), "read_data", e.message(), e.pathname(), e.status());
        if (e.status() == status::fatal) throw named;
        throw entry_failure{std::move(named)};
    }

    /// Whether `b` lies wholly inside the archive bytes (compared as addresses, not pointers:
    /// pointers into unrelated objects are not ordered).
    bool in_source(block const& b) const noexcept {
        auto const begin = reinterpret_cast<std::uintptr_t>(index_.source.data());
        auto const at = reinterpret_cast<std::uintptr_t>(b.data.data());
        return at >= begin && at - begin <= index_.source.size() &&
               b.data.size() <= index_.source.size() - (at - begin);
    }

    /// Finds entry data in the source or the decoded stream, or decodes it into the temporary file (inline: once per
    /// file).
    [[gnu::always_inline]] void read_data(::archive_entry* entry, std::string_view path, tarball_record& r) {
        if (lazy_ && archive_entry_sparse_count(entry) == 0 && read_lazy(r)) return;
        block b;
        bool const more = next_block(b);
        // The common case, kept small: libarchive's tar reader hands a body that is not sparse
        // over in one block, so when that block lies in the source and holds the declared size
        // no data follows, and skipping the end-of-data call saves an archive_read_data_block
        // per file (the next header skips the padding). Other formats verify their data at its
        // end (zip's CRC), so they read on to it, out of line.
        if (more && b.offset == 0 && is_tar() && in_source(b) && archive_entry_size_is_set(entry) != 0 &&
            static_cast<std::uint64_t>(archive_entry_size(entry)) == b.data.size() &&
            archive_entry_sparse_count(entry) == 0) {
            r.home = data_home::source;
            r.data_offset = static_cast<std::uint64_t>(b.data.data() - index_.source.data());
            r.data_size = b.data.size();
            return;
        }
        read_data_blocks(entry, path, r, more, b);
    }

    /// Indexes the data of a tar entry in a seekable stream as lazy, when a seek point lies
    /// close enough before it; false (nothing read) otherwise.
    bool read_lazy(tarball_record& r) {
        auto const start = static_cast<std::uint64_t>(archive_filter_bytes(a_, 0));
        if (start - index_.points[point_before(index_.points, start)].out > limits_.lazy_reach) return false;
        // Read through the blocks (the decoder produces them anyway; nothing is copied) to
        // learn the length libarchive delivers and to check it is one contiguous run.
        std::uint64_t size = 0;
        block b;
        for (bool more = next_block(b); more; more = next_block(b)) {
            if (b.data.empty()) continue;
            if (b.offset < 0 || static_cast<std::uint64_t>(b.offset) != size)
                throw make_error(errc::archive_failed, "read_data", "data blocks not contiguous",
                                 s_.current_pathname());
            size += b.data.size();
        }
        if (size == 0) {
            r.home = data_home::decoded; // empty: nothing to decode
            return true;
        }
        if (!index_.mirror.exists()) index_.mirror = temp_store::create(limits_.temporary_directory);
        r.home = data_home::lazy;
        r.data_offset = start;
        r.data_size = size;
        return true;
    }

    /// Reads an entry's data block by block, from the first read's answer `more` and block `b`.
    [[gnu::noinline]] void read_data_blocks(::archive_entry* entry, std::string_view path, tarball_record& r, bool more,
                                            block b) {
        la_int64_t const declared = archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : -1;
        while (more && adds_nothing(b, 0))
            more = next_block(b);
        if (more && b.offset == 0 && in_source(b)) {
            block const first = b;
            more = next_block(b);
            // zip ends an entry with an empty block at its end offset: that is not more data.
            while (more && adds_nothing(b, first.data.size()))
                more = next_block(b);
            // One block is all there is: that is the data libarchive delivers, even where a header
            // declares another size (a GNU "realsize" that disagrees with the body).
            if (!more && (archive_entry_sparse_count(entry) == 0 || declared < 0 ||
                          static_cast<std::uint64_t>(declared) == first.data.size())) {
                r.home = data_home::source;
                r.data_offset = static_cast<std::uint64_t>(first.data.data() - index_.source.data());
                r.data_size = first.data.size();
                return;
            }
            // Not one whole block after all: copy. The first block lies in the source, so
            // it is still valid after the next read.
            begin_decoded(r);
            place(first, path, r);
        } else {
            begin_decoded(r);
        }
        for (; more; more = next_block(b))
            place(b, path, r);

        if (declared < 0 || r.is_hardlink || r.data_size == static_cast<std::uint64_t>(declared)) return;
        if (r.data_size < static_cast<std::uint64_t>(declared) && archive_entry_sparse_count(entry) > 0) {
            grow_zeros(static_cast<std::uint64_t>(declared) - r.data_size, path, r); // a trailing hole
        }
        // Otherwise the data is what libarchive delivered (as the reader gives it), whatever the
        // header declared: a GNU "realsize" may disagree with the body it carries.
    }

    /// Whether the archive is a tar (any of its dialects).
    bool is_tar() const noexcept { return (archive_format(a_) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_TAR; }

    void begin_decoded(tarball_record& r) {
        if (!index_.decoded.exists()) index_.decoded = temp_store::create(limits_.temporary_directory);
        r.home = data_home::decoded;
        r.data_offset = decoded_end_;
        r.data_size = 0;
    }

    /// Whether `b` is an empty block within the first `end` bytes, which changes nothing.
    static bool adds_nothing(block const& b, std::uint64_t end) noexcept {
        return b.data.empty() && b.offset >= 0 && static_cast<std::uint64_t>(b.offset) <= end;
    }

    /// Appends block `b` at its offset, zero-filling a hole before it (sparse files).
    void place(block const& b, std::string_view path, tarball_record& r) {
        if (adds_nothing(b, r.data_size)) return;
        if (b.offset < 0 || static_cast<std::uint64_t>(b.offset) < r.data_size)
            throw make_error(errc::archive_failed, "read_data", "data blocks out of order", path);
        grow_zeros(static_cast<std::uint64_t>(b.offset) - r.data_size, path, r);
        reserve(b.data.size(), path);
        // A block of zeros stays a hole of the temporary file: a stream of zeros costs no disk.
        if (!all_zero(b.data.data(), b.data.size())) index_.decoded.write(decoded_end_, b.data);
        grow(b.data.size(), r);
    }

    static bool all_zero(std::byte const* bytes, std::size_t size) noexcept {
        return size != 0 && bytes[0] == std::byte{} && __builtin_memcmp(bytes, bytes + 1, size - 1) == 0;
    }

    /// Extends entry `r` by `count` decoded bytes written (or left as a hole) at the end of the store.
    void grow(std::uint64_t count, tarball_record& r) noexcept {
        decoded_end_ += count;
        r.data_size += count;
    }

    void grow_zeros(std::uint64_t count, std::string_view path, tarball_record& r) {
        if (count == 0) return;
        reserve(count, path);
        grow(count, r); // a hole of the temporary file reads as zeros
    }

    /// Checks the cap before growing: sizes and offsets come from the archive and may be huge.
    void reserve(std::uint64_t count, std::string_view path) const {
        std::uint64_t const used = decoded_end_;
        std::uint64_t const cap = limits_.max_decoded_bytes;
        if (count > cap - (cap < used ? cap : used)) // cap - std::min(used, cap)
            throw make_error(errc::limit_exceeded, "read_data",
                             "decoded data would exceed max_decoded_bytes (" +
                                 std::to_string(limits_.max_decoded_bytes) + ")",
                             path);
    }

    // Of types that depend on Deferred, so that GCC checks the bodies above only where they are used.
    cbound::detail::dependent_t<Deferred, read_state>& s_;
    ::archive* a_;
    cbound::detail::dependent_t<Deferred, tarball_index>& index_;
    cbound::detail::dependent_t<Deferred, tarball_limits> limits_;
    std::uint64_t decoded_end_ = 0; // next free offset of the decoded store
    bool lazy_ = false;             // whether files may be decoded on demand (see run)
};

/// The index builder (basic_tarball_builder's parameter only defers its compilation).
using tarball_builder = basic_tarball_builder<>;

} // namespace detail
} // namespace cbound::archive
