// cbound::archive — entries: entry_view (borrowed from a reader) here, entry and entry_info (owned) via
// owned_entry.hpp.
//
// An entry_view is two pointers (the reader's state and libarchive's entry) and every
// accessor is the matching archive_entry_* call. It is valid until the reader advances;
// in checked mode (CBOUND_CHECKED=1) using it afterwards stops the program with a message.
// Names are UTF-8 wherever the archive says how to read them: the reader reads headers under
// a UTF-8 thread locale, and a zip name that is not UTF-8 is decoded as CP437 (zip's default;
// reader_options::decode_cp437_zip_names). Formats that record no charset (ustar, GNU tar,
// cpio) give their names' stored bytes, which may not be UTF-8.
#pragma once

#include <cbound/archive/block.hpp>
#include <cbound/archive/detail/errno.hpp>
#include <cbound/archive/detail/read_blocks.hpp>
#include <cbound/archive/detail/read_lists.hpp>
#include <cbound/archive/detail/read_state.hpp>
#include <cbound/archive/features.hpp>
#include <cbound/archive/owned_entry.hpp> // entry and entry_info: the owned counterparts, for writing
#include <cbound/archive/sparse_region.hpp>
#include <cbound/archive/types.hpp>
#include <cbound/archive/xattr.hpp>
#include <cbound/config.hpp>
#include <cbound/detail/chrono.hpp>
#include <cbound/unique_resource.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <type_traits>
#include <vector>

// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh).
namespace cbound::archive {

/// A point in time with nanosecond precision, as archive entries record it.
using entry_time = std::chrono::sys_time<std::chrono::nanoseconds>;
/// The single-pass range of an entry's data blocks.
using block_range = detail::block_range;
/// The single-pass range of an entry's extended attributes.
using xattr_range = detail::entry_list<detail::xattr_cursor>;
/// The single-pass range of an entry's sparse regions.
using sparse_range = detail::entry_list<detail::sparse_cursor>;

/// The entry a reader is on: metadata accessors and data reads, borrowed from the reader.
class entry_view {
public:
    /// Makes a view of `e`, the current entry of `state` (readers make these).
    entry_view(detail::read_state& state, ::archive_entry* e) noexcept
        : state_(&state), entry_(e), stamp_(state.entries) {}

    /// libarchive's entry, for calls cbound does not wrap (which may change its names).
    [[nodiscard]] ::archive_entry* native_handle() const noexcept {
        check();
        state_->path_text = nullptr; // the caller may rename the entry: pathname() asks libarchive again
        return entry_;
    }

    // --- names ------------------------------------------------------------------------

    /// The path inside the archive (UTF-8 where the format tells the charset; "" when libarchive has none).
    [[nodiscard]] std::string_view pathname() const noexcept {
        check();
        // The reader counted the name when it read the header (reader_options::max_name_bytes).
        if (state_->path_text != nullptr) [[likely]]
            return {state_->path_text, state_->path_size};
        return text(detail::entry_name(entry_, detail::pathname_accessor));
    }
    /// The target of a symbolic link, or nullopt.
    [[nodiscard]] std::optional<std::string_view> symlink() const noexcept {
        check();
        return maybe_text(detail::entry_name(entry_, detail::symlink_accessor));
    }
    /// The earlier entry this one is a hard link to, or nullopt.
    [[nodiscard]] std::optional<std::string_view> hardlink() const noexcept {
        check();
        return maybe_text(detail::entry_name(entry_, detail::hardlink_accessor));
    }
    /// The owner's user name, or nullopt when the header has none (an empty name is none).
    [[nodiscard]] std::optional<std::string_view> uname() const noexcept {
        check();
        return nonempty_text(detail::entry_name(entry_, detail::uname_accessor));
    }
    /// The owner's group name, or nullopt when the header has none (an empty name is none).
    [[nodiscard]] std::optional<std::string_view> gname() const noexcept {
        check();
        return nonempty_text(detail::entry_name(entry_, detail::gname_accessor));
    }

    // --- type, size, mode, owner ------------------------------------------------------

    /// The entry's type; hard links report entry_type::hardlink.
    [[nodiscard]] entry_type type() const noexcept {
        check();
        if (archive_entry_hardlink(entry_) != nullptr) return entry_type::hardlink;
        return entry_type_from_mode(archive_entry_filetype(entry_));
    }
    /// The declared data size, or nullopt when the header has none (unset is not zero).
    [[nodiscard]] std::optional<std::int64_t> size() const noexcept {
        check();
        if (archive_entry_size_is_set(entry_) == 0) return std::nullopt;
        return archive_entry_size(entry_);
    }
    /// The permission bits (07777).
    [[nodiscard]] unsigned perms() const noexcept {
        check();
        return archive_entry_perm(entry_);
    }
    /// The full mode: type bits and permission bits.
    [[nodiscard]] unsigned mode() const noexcept {
        check();
        return archive_entry_mode(entry_);
    }
    /// The owner's numeric user id.
    [[nodiscard]] std::int64_t uid() const noexcept {
        check();
        return archive_entry_uid(entry_);
    }
    /// The owner's numeric group id.
    [[nodiscard]] std::int64_t gid() const noexcept {
        check();
        return archive_entry_gid(entry_);
    }
#if CBOUND_ARCHIVE_HAS_OWNER_IS_SET
    /// The owner's user id, or nullopt when the header records none (7z, warc, mtree): uid() says 0 then.
    [[nodiscard]] std::optional<std::int64_t> uid_if_set() const noexcept {
        check();
        if (archive_entry_uid_is_set(entry_) == 0) return std::nullopt;
        return archive_entry_uid(entry_);
    }
    /// The owner's group id, or nullopt when the header records none: gid() says 0 then.
    [[nodiscard]] std::optional<std::int64_t> gid_if_set() const noexcept {
        check();
        if (archive_entry_gid_is_set(entry_) == 0) return std::nullopt;
        return archive_entry_gid(entry_);
    }
    /// The permission bits, or nullopt when the header records none: perms() says 0 then.
    [[nodiscard]] std::optional<unsigned> perms_if_set() const noexcept {
        check();
        if (archive_entry_perm_is_set(entry_) == 0) return std::nullopt;
        return archive_entry_perm(entry_);
    }
#endif
    /// The link count the header records (cpio, zip from Unix); 0 when it records none (tar).
    [[nodiscard]] unsigned nlink() const noexcept {
        check();
        return archive_entry_nlink(entry_);
    }

    // --- times ------------------------------------------------------------------------

    /// The modification time, or nullopt when not recorded or out of entry_time's range (then a warning says so).
    [[nodiscard]] std::optional<entry_time> mtime() const noexcept {
        check();
        return when(archive_entry_mtime_is_set(entry_), archive_entry_mtime(entry_), archive_entry_mtime_nsec(entry_),
                    "mtime");
    }
    /// The access time, or nullopt when not recorded or out of entry_time's range (then a warning says so).
    [[nodiscard]] std::optional<entry_time> atime() const noexcept {
        check();
        return when(archive_entry_atime_is_set(entry_), archive_entry_atime(entry_), archive_entry_atime_nsec(entry_),
                    "atime");
    }
    /// The status-change time, or nullopt when not recorded or out of entry_time's range (then a warning says so).
    [[nodiscard]] std::optional<entry_time> ctime() const noexcept {
        check();
        return when(archive_entry_ctime_is_set(entry_), archive_entry_ctime(entry_), archive_entry_ctime_nsec(entry_),
                    "ctime");
    }
    /// The creation time, or nullopt when not recorded or out of entry_time's range (then a warning says so).
    [[nodiscard]] std::optional<entry_time> birthtime() const noexcept {
        check();
        return when(archive_entry_birthtime_is_set(entry_), archive_entry_birthtime(entry_),
                    archive_entry_birthtime_nsec(entry_), "birthtime");
    }

    // --- devices, attributes, ACLs, encryption ----------------------------------------

    /// The device the file was on, or nullopt when not recorded.
    [[nodiscard]] std::optional<dev_t> dev() const noexcept {
        check();
        if (archive_entry_dev_is_set(entry_) == 0) return std::nullopt;
        return archive_entry_dev(entry_);
    }
    /// The device number of a character or block device entry.
    [[nodiscard]] dev_t rdev() const noexcept {
        check();
        return archive_entry_rdev(entry_);
    }
#if CBOUND_ARCHIVE_HAS_RDEV_IS_SET
    /// The device number of a device entry, or nullopt when the header records none.
    [[nodiscard]] std::optional<dev_t> rdev_if_set() const noexcept {
        check();
        if (archive_entry_rdev_is_set(entry_) == 0) return std::nullopt;
        return archive_entry_rdev(entry_);
    }
#endif
    /// The extended attributes (name and raw value), borrowed from the entry.
    [[nodiscard]] xattr_range xattrs() const noexcept {
        check();
        return xattr_range(entry_);
    }
    /// The data regions of a sparse file (empty for a dense file).
    [[nodiscard]] sparse_range sparse_map() const noexcept {
        check();
        return sparse_range(entry_);
    }
    /// The entry's ACLs in libarchive's text form (NFSv4 or POSIX.1e), or nullopt when it has none.
    template <class Deferred = void>
    [[nodiscard]] std::optional<std::string> acl_text() const {
        check();
        int const type = archive_entry_acl_types(entry_);
        if (type == 0) return std::nullopt;
        int const flags = (type & ARCHIVE_ENTRY_ACL_TYPE_NFS4) != 0
                              ? ARCHIVE_ENTRY_ACL_TYPE_NFS4
                              : ARCHIVE_ENTRY_ACL_TYPE_ACCESS | ARCHIVE_ENTRY_ACL_TYPE_DEFAULT;
        // Dependent spelling: the owner is compiled only where acl_text() is used (config.hpp).
        using owned_text =
            cbound::detail::dependent_t<Deferred,
                                        unique_resource<char*, fn_deleter<&std::free>, nullable_pointer_traits<char*>>>;
        owned_text const text(archive_entry_acl_to_text(entry_, nullptr, flags));
        if (!text) return std::nullopt;
        return std::string(text.get());
    }
    /// Whether the entry's data is encrypted (zip, 7z, rar).
    [[nodiscard]] bool is_data_encrypted() const noexcept {
        check();
        return archive_entry_is_data_encrypted(entry_) == 1;
    }
    /// Whether the entry's metadata is encrypted.
    [[nodiscard]] bool is_metadata_encrypted() const noexcept {
        check();
        return archive_entry_is_metadata_encrypted(entry_) == 1;
    }

    // --- data -------------------------------------------------------------------------

    /// The data blocks, straight from archive_read_data_block; each is valid until the next.
    [[nodiscard]] block_range blocks() const {
        check();
        return block_range(*state_);
    }
    /// Reads up to out.size() bytes (sparse holes as zeros); 0 at the end of the data.
    std::size_t read(std::span<std::byte> out) const {
        check();
        detail::require_usable(state_, "read_data");
        if (state_->data_skipped) return 0;
        state_->blocks.advance();
        ::archive* const a = state_->handle.get();
        la_ssize_t const n = detail::retry_archive(archive_read_data(a, out.data(), out.size()),
                                                   [&] { return archive_read_data(a, out.data(), out.size()); });
        if (n < 0) [[unlikely]]
            detail::data_failure(*state_, static_cast<int>(n), "read_data");
        return static_cast<std::size_t>(n);
    }
    /// The whole data, growing as it arrives (the declared size is never trusted); sparse holes,
    /// a trailing one included, read as zeros.
    /// Throws errc::limit_exceeded when it would exceed `max_bytes`.
    template <class Deferred = void>
    [[nodiscard]] std::vector<std::byte> read_all(std::size_t max_bytes) const {
        cbound::detail::dependent_t<Deferred, std::vector<std::byte>> out; // compiled only where used (config.hpp)
        state_->data_end = 0;
        for (block const& b : blocks()) {
            auto const end = static_cast<std::uint64_t>(b.offset) + b.data.size();
            if (b.offset < 0 || end > max_bytes) throw too_large(max_bytes);
            // A block past the end of what we have leaves a sparse hole: resize fills it with zeros.
            if (static_cast<std::size_t>(b.offset) != out.size()) out.resize(static_cast<std::size_t>(b.offset));
            out.insert(out.end(), b.data.begin(), b.data.end());
        }
        // A sparse file can end in a hole: the end of the data comes with the end of the blocks.
        if (auto const end = static_cast<std::uint64_t>(sparse_end()); end > out.size()) {
            if (end > max_bytes) throw too_large(max_bytes);
            out.resize(static_cast<std::size_t>(end));
        }
        return out;
    }
    /// Writes the whole data to `out` (sparse holes as zeros, a trailing one included); throws if the stream fails.
    // Stream is always std::ostream (type_identity_t deduces nothing): a dependent type, so that
    // only callers need <ostream>.
    template <class Stream = std::ostream>
    void copy_to(std::type_identity_t<Stream>& out) const {
        std::int64_t position = 0;
        state_->data_end = 0;
        for (block const& b : blocks()) {
            write_zeros(out, position, b.offset);
            out.write(reinterpret_cast<char const*>(b.data.data()), static_cast<std::streamsize>(b.data.size()));
            position = b.offset + static_cast<std::int64_t>(b.data.size());
            if (!out) throw stream_failed();
        }
        // A sparse file can end in a hole: the end of the data comes with the end of the blocks.
        write_zeros(out, position, sparse_end());
        if (!out) throw stream_failed();
    }
    /// Writes the whole data to the file descriptor `fd` (sparse holes are seeked over).
    void copy_to_fd(int fd) const {
        check();
        detail::require_usable(state_, "read_data_into_fd");
        if (state_->data_skipped) return;
        state_->blocks.advance();
        int const st = archive_read_data_into_fd(state_->handle.get(), fd);
        if (st != ARCHIVE_OK) [[unlikely]]
            detail::data_failure(*state_, st, "read_data_into_fd");
    }
    /// Skips the rest of the data (reading the next header does this too).
    void skip() const {
        check();
        detail::require_usable(state_, "read_data_skip");
        if (state_->data_skipped) return;
        state_->blocks.advance();
        state_->data_skipped = true;
        int const st = archive_read_data_skip(state_->handle.get());
        if (st != ARCHIVE_OK && st != ARCHIVE_EOF) [[unlikely]]
            detail::data_failure(*state_, st, "read_data_skip");
    }

private:
    void check() const noexcept { stamp_.check("entry_view used after its reader advanced to another entry"); }
    static std::string_view text(char const* s) noexcept {
        return s != nullptr ? std::string_view(s) : std::string_view();
    }
    static std::optional<std::string_view> maybe_text(char const* s) noexcept {
        if (s == nullptr) return std::nullopt;
        return std::string_view(s);
    }
    // Owner names: an empty field means "no name" in every format, so it is never a value.
    static std::optional<std::string_view> nonempty_text(char const* s) noexcept {
        if (s == nullptr || *s == '\0') return std::nullopt;
        return std::string_view(s);
    }
    std::optional<entry_time> when(int is_set, std::int64_t seconds, long nanoseconds,
                                   char const* field) const noexcept {
        if (is_set == 0) return std::nullopt;
        auto t = detail::time_of(seconds, nanoseconds);
        if (!t) [[unlikely]]
            detail::time_out_of_range(*state_, field, seconds, pathname());
        return t;
    }
    template <class Deferred = void>
    [[nodiscard]] error too_large(std::size_t max_bytes) const {
        using text = cbound::detail::dependent_t<Deferred, std::string>; // built only where used (config.hpp)
        return detail::make_error(errc::limit_exceeded, "read_all",
                                  text("entry data exceeds ") + std::to_string(max_bytes) + " bytes", pathname());
    }
    /// Where a sparse entry's data ends, after the blocks are read: the EOF's offset, past a
    /// trailing hole (0 for a dense entry: WARC, for one, puts its EOF 4 bytes past the data).
    [[nodiscard]] std::int64_t sparse_end() const noexcept {
        if (archive_entry_sparse_count(entry_) == 0) return 0;
        return state_->data_end;
    }
    /// Writes zeros from `position` up to `end` (a sparse hole; nothing when end <= position).
    template <class Stream>
    static void write_zeros(Stream& out, std::int64_t position, std::int64_t end) {
        static constexpr char zeros[4096] = {};
        for (; position < end && out; position += static_cast<std::int64_t>(sizeof zeros))
            out.write(zeros, static_cast<std::streamsize>(end - position < std::int64_t{sizeof zeros}
                                                              ? end - position
                                                              : std::int64_t{sizeof zeros}));
    }
    template <class Deferred = void>
    [[nodiscard]] error stream_failed() const {
        return detail::make_error(errc::stream_failed, "copy_to", "the output stream failed", pathname());
    }

    detail::read_state* state_;
    ::archive_entry* entry_;
    [[no_unique_address]] cbound::detail::generation_stamp stamp_;
};

#if !CBOUND_CHECKED
static_assert(sizeof(entry_view) == 2 * sizeof(void*), "entry_view is its two pointers and nothing else");
#endif

} // namespace cbound::archive
