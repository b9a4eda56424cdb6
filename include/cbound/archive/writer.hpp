// cbound::archive — writing archives: every format, filter and destination libarchive has.
//
// Guarantees beyond libarchive's own:
//   * an entry gets exactly the bytes its header declares: a short or long entry is an error
//     (libarchive would pad or truncate it silently and produce a well-formed lie);
//   * FATAL is permanent, and a writer that fails, is destroyed during stack unwinding or
//     with an entry half-written is abandoned: archive_write_fail, so no end-of-archive
//     trailer reaches the destination (libarchive's close still runs, into a sink that drops
//     every byte, because 3.6 frees its buffers nowhere else), a file cbound created is
//     removed, a vector is emptied, a callback sink gets `abort`. A well-formed archive only
//     appears after a complete run. (Bytes already handed to an fd, FILE* or ostream stay
//     there: cbound cannot take them back, but they never end in an archive trailer.)
//   * a writer destroyed between entries without close() and not during unwinding closes
//     normally (a destructor cannot throw: if that close fails, the archive is abandoned as
//     above). Call close() to hear about failures.
#pragma once

#include <cbound/archive/detail/handle.hpp>
#include <cbound/archive/detail/tree_walk.hpp>
#include <cbound/archive/detail/write_append.hpp>
#include <cbound/archive/detail/write_disk.hpp>
#include <cbound/archive/detail/write_entry.hpp>
#include <cbound/archive/detail/write_format.hpp>
#include <cbound/archive/detail/write_sink.hpp>
#include <cbound/archive/detail/write_spill.hpp>
#include <cbound/archive/detail/writer_state.hpp>
#include <cbound/archive/error.hpp>
#include <cbound/archive/features.hpp>
#include <cbound/archive/owned_entry.hpp>
#include <cbound/archive/sink.hpp>
#include <cbound/archive/types.hpp>
#include <cbound/callback.hpp>
#include <cbound/config.hpp>
#include <cbound/detail/box.hpp>
#include <cbound/detail/chrono.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <array>
#include <cerrno>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <unistd.h>

namespace cbound::archive {

// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh; see cbound/config.hpp).

/// A format and the filter around it, as an archive name's ending announces them.
struct archive_kind {
    archive::format format{}; ///< the archive format
    archive::filter filter{}; ///< the compression or encoding filter
};

/// The format and filter for a file name such as "x.tar.zst" or "x.zip"; nullopt for an unknown ending.
template <class Deferred = void>
[[nodiscard]] inline std::optional<cbound::detail::dependent_t<Deferred, archive_kind>>
try_from_extension(std::string_view name) noexcept {
    using result = std::optional<cbound::detail::dependent_t<Deferred, archive_kind>>;
    if (detail::extension_rule const* rule = detail::find_extension(name))
        return result(archive_kind{rule->fmt, rule->compression});
    return result();
}

/// The format and filter for a file name such as "x.tar.zst" or "x.zip"; throws for an unknown ending.
template <class Deferred = void>
[[nodiscard]] inline archive_kind from_extension(std::string_view name) {
    if (detail::extension_rule const* rule = detail::find_extension(name)) return {rule->fmt, rule->compression};
    throw detail::make_error(errc::invalid_argument, "from_extension",
                             "no archive format is known for this file name ending", name);
}

/// Settings applied before a writer opens.
struct write_options {
    std::string options{};    ///< libarchive's option string, e.g. "compression-level=9" or "zstd:threads=2"
    std::string passphrase{}; ///< encrypts zip entries (AES-256 unless `options` sets zip:encryption)
    /// How zip entries are compressed; nullopt: libarchive's default (deflate). See features.hpp.
    std::optional<zip_compression> zip_method{};
};

/// How add_tree walks a folder.
struct tree_options {
    /// Returns false to leave an entry out (a folder left out is not descended into); none keeps all.
    cbound::callback<bool(std::filesystem::directory_entry const&)> filter{};
    /// The archive name of the folder itself; by default the path as given, without a leading '/'.
    std::optional<std::string> prefix{};
    /// Store what symlinks point to instead of the links (at most 256 folders deep, a loop left out with a
    /// warning); without it a tree may nest 4096 folders deep.
    bool follow_symlinks = false;
    /// Keep atime and ctime; off by default because reading files changes them and archives stop being reproducible.
    bool keep_access_times = false;
    /// Store extended attributes (as `bsdtar` does by default and GNU tar with --xattrs); off by default.
    bool xattrs = false;
    /// Store POSIX.1e and NFSv4 ACLs (`--acls`); off by default.
    bool acls = false;
    /// Store file flags such as chattr's immutable (`--fflags`); off by default.
    bool file_flags = false;
    /// Every entry gets this modification time (GNU tar's `--mtime=@N`); wins over clamp_mtime.
    std::optional<std::chrono::sys_seconds> mtime{};
    /// Later modification times become this one (`--clamp-mtime --mtime=@N`, as SOURCE_DATE_EPOCH asks).
    std::optional<std::chrono::sys_seconds> clamp_mtime{};
    /// Every entry's owner id (`--owner=N --numeric-owner`); the owner name is then `uname`, or none.
    std::optional<std::int64_t> uid{};
    /// Every entry's group id (`--group=N --numeric-owner`); the group name is then `gname`, or none.
    std::optional<std::int64_t> gid{};
    /// Every entry's owner name (`--owner=NAME`); "" stores none.
    std::optional<std::string> uname{};
    /// Every entry's group name (`--group=NAME`); "" stores none.
    std::optional<std::string> gname{};
    /// Permission bits removed from every entry, as a umask removes them (022: no write for group and others).
    unsigned mode_clear = 0;
    /// Permission bits added to every entry after mode_clear (0444: readable by all).
    unsigned mode_set = 0;
    /// Called with each entry's header after the fields above, before it is written: may change times,
    /// owners, permissions and extended attributes; changing the name, type, size or link target is an error.
    cbound::callback<void(entry&)> edit{};
};

/// Writes one archive to one destination; move-only; see the guarantees at the top of writer.hpp.
class writer {
public:
    /// Writes to a file at `path` (created or truncated; removed again if the archive is abandoned).
    template <class Deferred = void>
    [[nodiscard]] static writer open(std::filesystem::path const& path, format fmt = format::pax,
                                     filter compression = filter::none, write_options const& options = {}) {
        return writer(cbound::detail::make_box<detail::basic_path_sink<Deferred>>(path), fmt, compression, options);
    }

    /// Writes to a file at `path` in the format and filter its name announces ("out.tar.zst").
    template <class Deferred = void>
    [[nodiscard]] static writer create(std::filesystem::path const& path, write_options const& options = {}) {
        archive_kind const kind = from_extension(path.filename().string());
        return open(path, kind.format, kind.filter, options);
    }

    /// Appends entries to the uncompressed tar file at `path`, in the format it already uses (GNU
    /// tar's, pax, or ustar with pax headers only where needed). A missing or empty file becomes a
    /// new archive. A compressed or non-tar file is refused and left untouched; an abandoned append
    /// puts the file back as it was (a file it created is removed).
    template <class Deferred = void>
    [[nodiscard]] static writer open_append(std::filesystem::path const& path, write_options const& options = {}) {
        auto sink = cbound::detail::make_box<detail::basic_append_sink<Deferred>>(path);
        detail::write_target const target = sink->target();
        return writer(std::move(sink), target, options);
    }

    /// Writes to a descriptor the caller keeps owning (it stays open).
    template <class Deferred = void>
    [[nodiscard]] static writer open_fd(int fd, format fmt = format::pax, filter compression = filter::none,
                                        write_options const& options = {}) {
        return writer(cbound::detail::make_box<detail::basic_fd_sink<Deferred>>(fd), fmt, compression, options);
    }

    /// Writes to a FILE* the caller keeps owning (flushed on close, not closed).
    template <class Deferred = void>
    [[nodiscard]] static writer open_file(std::FILE* file, format fmt = format::pax, filter compression = filter::none,
                                          write_options const& options = {}) {
        if (file == nullptr) throw detail::make_error(errc::invalid_argument, "open_file", "the FILE* is null");
        return writer(cbound::detail::make_box<detail::basic_file_sink<Deferred>>(file), fmt, compression, options);
    }

    /// Writes to a stream that must outlive the writer (flushed on close).
    template <class Deferred = void>
    [[nodiscard]] static writer open_stream(std::ostream& out CBOUND_LIFETIMEBOUND, format fmt = format::pax,
                                            filter compression = filter::none, write_options const& options = {}) {
        return writer(cbound::detail::make_box<detail::basic_stream_sink<Deferred>>(out), fmt, compression, options);
    }

    /// Writes into `out` (emptied first, and again if the archive is abandoned); it must outlive the writer.
    template <class Deferred = void>
    [[nodiscard]] static writer open_memory(std::vector<std::byte>& out CBOUND_LIFETIMEBOUND, format fmt = format::pax,
                                            filter compression = filter::none, write_options const& options = {}) {
        return writer(cbound::detail::make_box<detail::basic_memory_sink<Deferred>>(out), fmt, compression, options);
    }

    /// Writes through caller-supplied functions (an exception they throw reaches the caller of the writer).
    template <class Deferred = void>
    [[nodiscard]] static writer open_callbacks(write_callbacks callbacks, format fmt = format::pax,
                                               filter compression = filter::none, write_options const& options = {}) {
        return writer(cbound::detail::make_box<detail::basic_function_sink<Deferred>>(std::move(callbacks)), fmt,
                      compression, options);
    }

    /// A whole archive in memory: `fill` adds the entries, the writer is closed, the bytes returned.
    template <class Deferred = void>
    [[nodiscard]] static std::vector<std::byte> to_memory(format fmt, filter compression,
                                                          cbound::callback<void(writer&)> const& fill,
                                                          write_options const& options = {}) {
        std::vector<std::byte> out;
        writer w = open_memory(out, fmt, compression, options);
        fill(w);
        w.close();
        return out;
    }

    /// Takes over `other`'s archive; `other` is left unusable (every call on it throws).
    writer(writer&& other) noexcept = default;
    /// Finishes this writer's archive as the destructor would, then takes over `other`'s.
    writer& operator=(writer&& other) noexcept = default;
    writer(writer const&) = delete;
    writer& operator=(writer const&) = delete;
    /// Closes normally between entries; abandons the archive during unwinding or mid-entry (see top of file).
    ~writer() = default;

    /// Adds an entry holding `data`; its size is taken from the data.
    template <class = void> // a template so that braced lists prefer the borrowing overload below
    void add(entry_info const& info, std::span<std::byte const> data = {}) {
        add_info(info, data);
    }

    /// Adds an entry holding `data` from a braced list, `add({.pathname = name}, data)`, borrowing its strings.
    /// Inlined into the caller, where the fields the list leaves unset fold away.
    [[gnu::always_inline]] void add(detail::entry_fields const& info, std::span<std::byte const> data = {}) {
        add_info(info, data);
    }

    /// Adds an entry with a header under full control; its size, if set, must equal the data size.
    template <class Deferred = void>
    void add(entry const& header, std::span<std::byte const> data = {}) {
        std::optional<std::int64_t> const declared = header.size();
        if (!declared) {
            entry sized = header;
            sized.set_size(static_cast<std::int64_t>(data.size()));
            add_entry(sized.native_handle(), data);
            return;
        }
        if (*declared != static_cast<std::int64_t>(data.size())) throw_size_differs(header.pathname());
        add_entry(header.native_handle(), data);
    }

    /// Copies an entry being read (a reader's entry_view): its header, then its data block by block.
    /// An entry whose size the source does not declare (streamed zip) is gathered first: its
    /// first MiB in memory, the rest in an unlinked temporary file in TMPDIR.
    template <class View>
    requires requires(View const& v) {
        { v.native_handle() } -> std::convertible_to<::archive_entry*>;
        v.blocks();
    }
    void add(View const& view) {
        ::archive_entry* const header = view.native_handle();
        if (archive_entry_size_is_set(header) == 0 && carries_data(header)) {
            cbound::detail::dependent_t<View, detail::spill_buffer> data;
            for (auto const& block : view.blocks()) {
                if (block.offset < 0 || static_cast<std::uint64_t>(block.offset) < data.size())
                    throw detail::make_error(errc::archive_failed, "add", "the source's data blocks overlap",
                                             detail::writer_state::safe_pathname(header));
                data.put(static_cast<std::uint64_t>(block.offset), block.data); // a sparse hole reads as zeros
            }
            entry sized = entry::copy_of(header);
            sized.set_size(static_cast<std::int64_t>(data.size()));
            begin_entry(sized);
            data.for_each_piece([&](std::span<std::byte const> piece) { write(piece); });
            return finish();
        }
        detail::writer_state& s = ready("begin_entry");
        s.begin(header);
        detail::name_lease const lease{s.entry_name};
        std::int64_t position = 0;
        for (auto const& block : view.blocks()) {
            // Holes of sparse entries come back as gaps between block offsets: write them as zeros.
            if (block.offset > position) s.write_zeros(block.offset - position);
            s.write(block.data);
            position = block.offset + static_cast<std::int64_t>(block.data.size());
        }
        if (s.remaining > 0 && archive_entry_sparse_count(header) > 0) s.write_zeros(s.remaining);
        s.finish();
    }

    /// Starts an entry whose data follows through write(); the size must be declared.
    template <class Deferred = void>
    void begin_entry(entry_info const& info) {
        begin_entry(entry(info));
    }

    /// Starts an entry whose data follows through write(); a regular file's size must be set.
    template <class Deferred = void>
    void begin_entry(entry const& header) {
        detail::writer_state& s = ready("begin_entry");
        if (header.size()) {
            s.begin(header.native_handle());
            return s.keep_entry_name();
        }
        if (carries_data(header))
            throw detail::make_error(errc::invalid_argument, "begin_entry", "a streamed entry needs its size declared",
                                     header.pathname());
        entry sized = header; // folders and links: some formats (cpio) still want a size
        sized.set_size(0);
        s.begin(sized.native_handle());
        s.keep_entry_name(); // while `sized`, which the name points into, still lives
    }

    /// Writes the next part of the open entry's data; more than the declared size abandons the archive.
    template <class Deferred = void>
    void write(std::span<std::byte const> data) {
        state("write").write(data);
    }

    /// Ends the open entry; less data than declared abandons the archive.
    template <class Deferred = void>
    void finish() {
        state("finish").finish();
    }

    /// Adds the file, folder, symlink or device at `disk_path` under the name `archive_path`, with
    /// everything `options` says about a single file: a folder is added alone, without its contents,
    /// and a set `options.prefix` is the folder the entry goes in ("prefix/archive_path"), as add_tree
    /// puts what it finds below its prefix. Returns false when nothing was added: the filter refused
    /// the file, or it was left out with a warning (a socket, a file that changed while it was read).
    template <class Deferred = void>
    bool add_file(std::filesystem::path const& disk_path, std::string const& archive_path,
                  tree_options const& options = {}) {
        detail::writer_state& s = ready("add_file");
        if (options.filter) {
            std::error_code ec; // a missing file reaches the filter too, as in add_tree, and then fails below
            if (!options.filter(std::filesystem::directory_entry(disk_path, ec))) return false;
        }
        detail::basic_tree_walk<Deferred> walk(walk_settings(options));
        detail::basic_disk_output<Deferred> out{s, false};
        if (options.prefix && !options.prefix->empty())
            walk.file(disk_path, *options.prefix + "/" + archive_path, out);
        else
            walk.file(disk_path, archive_path, out);
        return out.added > 0;
    }

    /// Adds folder `dir` and everything below it, in sorted order, so equal trees give equal archives.
    /// Walked through descriptors (see detail/tree_walk.hpp); a second name of a file is stored as a
    /// hard link in tar formats; sockets and files that change during the walk are left out with a warning.
    template <class Deferred = void>
    void add_tree(std::filesystem::path const& dir, tree_options const& options = {}) {
        detail::writer_state& s = ready("add_tree");
        detail::basic_tree_walk<Deferred> walk(walk_settings(options));
        detail::basic_disk_output<Deferred> out{s, true};
        walk.tree(dir, options.prefix ? *options.prefix : default_prefix(dir), out);
    }

    /// Writes the end of the archive and releases the destination; throws on failure. A second close does nothing.
    template <class Deferred = void>
    void close() {
        state("close").close();
    }

    /// Abandons the archive: no trailer is written and the destination is undone where possible.
    void abandon() noexcept {
        if (state_) state_->abandon();
    }

    /// Warnings libarchive reported while writing (the operations still succeeded).
    [[nodiscard]] std::span<warning const> warnings() const& noexcept CBOUND_LIFETIMEBOUND {
        // From pointer and size: span's range constructor checks the range concepts on the vector
        // in every translation unit that includes this header (see cbound/config.hpp).
        return state_ ? std::span<warning const>(state_->warnings.data(), state_->warnings.size())
                      : std::span<warning const>();
    }
    /// A temporary writer's warnings would dangle at the end of the full-expression.
    std::span<warning const> warnings() const&& = delete;

    /// The libarchive handle, for what cbound does not wrap; null once closed, failed or moved from.
    [[nodiscard]] ::archive* native_handle() const noexcept { return state_ ? state_->raw() : nullptr; }

private:
    template <class Deferred = void>
    writer(cbound::detail::box<detail::write_sink> sink, format fmt, filter compression, write_options const& options)
        : writer(std::move(sink), detail::target_of(fmt, compression), options) {}

    template <class Deferred = void>
    writer(cbound::detail::box<detail::write_sink> sink, detail::write_target const& target,
           write_options const& options)
        : state_(cbound::detail::make_box<detail::basic_writer_state<Deferred>>(std::move(sink))) {
        try {
            detail::configure(*state_, target, options);
            state_->open();
        } catch (...) {
            state_->abandon();
            throw;
        }
    }

    // The state, whatever its phase (the call checks that); a moved-from writer throws.
    detail::writer_state& state(char const* operation) const {
        if (!state_) [[unlikely]]
            detail::writer_state::unusable(nullptr, operation);
        return *state_;
    }

    // The state of a writer between entries; anything else throws.
    detail::writer_state& ready(char const* operation) const {
        if (!state_ || state_->phase != detail::writer_phase::ready) [[unlikely]]
            detail::writer_state::unusable(state_.get(), operation);
        return *state_;
    }

    static bool carries_data(::archive_entry* e) { return detail::writer_state::carries_data(e); }
    static bool carries_data(entry const& e) { return carries_data(e.native_handle()); }

    // entry_info or its borrowed mirror: the same fields, filled into the writer's one header.
    template <class Info>
    [[gnu::always_inline]] void add_info(Info const& info, std::span<std::byte const> data) {
        auto const size = static_cast<std::int64_t>(data.size());
        if (info.size && *info.size != size) throw_size_differs(info.pathname);
        detail::writer_state& s = state("begin_entry");
        ::archive_entry* const header = s.scratch.get();
        // One header per writer, cleared for each entry: what a hand-written loop does too.
        archive_entry_clear(header);
        // Names that read the same in every locale (ASCII, or any name in a UTF-8 thread) go in as
        // they are, and the header needs no locale switch: libarchive converts nothing.
        bool const keep_bytes = s.utf8_thread || detail::names_are_ascii(info);
        detail::assign_entry(header, info, keep_bytes);
        bool const data_entry = detail::carries_data(info);
        // Some formats (cpio) want a size even on folders and links.
        std::int64_t const declared = data_entry ? size : 0;
        archive_entry_set_size(header, declared);
        add_entry(s, header, data, data_entry, info.pathname.c_str(), declared, !keep_bytes);
    }

    template <class Deferred = void>
    void add_entry(::archive_entry* header, std::span<std::byte const> data) {
        detail::writer_state& s = state("begin_entry");
        add_entry(s, header, data, carries_data(header), detail::writer_state::pathname_of(header),
                  detail::writer_state::declared_size(header), !s.utf8_thread);
    }

    // `name` is the entry's pathname, alive for the whole call (the caller's string or the header's);
    // `size` is the header's declared size, which the callers have checked equals the data's.
    [[gnu::always_inline]] static void add_entry(detail::writer_state& s, ::archive_entry* header,
                                                 std::span<std::byte const> data, bool data_entry, char const* name,
                                                 std::int64_t size, bool switch_locale) {
        if (!data.empty() && !data_entry) throw_no_data_allowed(header);
        s.begin(header, data_entry, name, size, switch_locale);
        detail::name_lease const lease{s.entry_name};
        // The entry expects exactly data.size() bytes (checked above), so write() and finish()'s checks hold.
        s.pour(data);
        s.end_entry();
    }

    [[noreturn]] [[gnu::cold]] [[gnu::noinline]] static void throw_size_differs(std::string_view path) {
        throw detail::make_error(errc::invalid_argument, "add", "the declared size differs from the data size", path);
    }
    [[noreturn]] [[gnu::cold]] [[gnu::noinline]] static void throw_no_data_allowed(::archive_entry* header) {
        throw detail::make_error(errc::invalid_argument, "add", "only regular files carry data",
                                 detail::writer_state::safe_pathname(header));
    }

    template <class Deferred = void>
    detail::tree_walk_settings walk_settings(tree_options const& options) const {
        detail::tree_walk_settings s{.filter = &options.filter,
                                     .follow_symlinks = options.follow_symlinks,
                                     .keep_access_times = options.keep_access_times,
                                     .xattrs = options.xattrs,
                                     .acls = options.acls,
                                     .file_flags = options.file_flags,
                                     .mtime = whole_seconds(options.mtime),
                                     .clamp_mtime = whole_seconds(options.clamp_mtime),
                                     .uid = options.uid,
                                     .gid = options.gid,
                                     .uname = options.uname,
                                     .gname = options.gname,
                                     .mode_clear = options.mode_clear,
                                     .mode_set = options.mode_set,
                                     .edit = &options.edit};
        // Tar formats store a second name of a file as a link to the first; others store it again.
        s.hard_links = (archive_format(state_->raw()) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_TAR;
        struct ::stat st {};
        if (int const fd = state_->sink->descriptor(); fd >= 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
            s.skip = detail::identity_of(st);
        return s;
    }

    template <class Deferred = void>
    static std::optional<std::int64_t> whole_seconds(std::optional<std::chrono::sys_seconds> t) {
        if (!t) return std::nullopt;
        return static_cast<std::int64_t>(t->time_since_epoch().count());
    }

    template <class Deferred = void>
    static std::string default_prefix(std::filesystem::path const& dir) {
        std::string p = dir.lexically_normal().relative_path().generic_string();
        while (!p.empty() && p.back() == '/')
            p.pop_back();
        return p == "." ? std::string() : p;
    }

    cbound::detail::box<detail::writer_state> state_; // null once moved from
};

} // namespace cbound::archive
