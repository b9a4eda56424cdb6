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
#include <cbound/archive/detail/locale.hpp>
#include <cbound/archive/detail/tree_walk.hpp>
#include <cbound/archive/detail/write_entry.hpp>
#include <cbound/archive/detail/write_format.hpp>
#include <cbound/archive/detail/write_sink.hpp>
#include <cbound/archive/detail/write_spill.hpp>
#include <cbound/archive/error.hpp>
#include <cbound/archive/features.hpp>
#include <cbound/archive/owned_entry.hpp>
#include <cbound/archive/sink.hpp>
#include <cbound/archive/types.hpp>
#include <cbound/config.hpp>

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
#include <functional>
#include <algorithm>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <unistd.h>

namespace cbound::archive {

/// A format and the filter around it, as an archive name's ending announces them.
struct archive_kind {
    archive::format format{}; ///< the archive format
    archive::filter filter{}; ///< the compression or encoding filter
};

/// The format and filter for a file name such as "x.tar.zst" or "x.zip"; nullopt for an unknown ending.
[[nodiscard]] inline std::optional<archive_kind> try_from_extension(std::string_view name) noexcept {
    if (detail::extension_rule const* rule = detail::find_extension(name))
        return archive_kind{rule->fmt, rule->compression};
    return std::nullopt;
}

/// The format and filter for a file name such as "x.tar.zst" or "x.zip"; throws for an unknown ending.
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
    std::function<bool(std::filesystem::directory_entry const&)> filter{};
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
};

/// Writes one archive to one destination; move-only; see the guarantees at the top of writer.hpp.
class writer {
public:
    /// Writes to a file at `path` (created or truncated; removed again if the archive is abandoned).
    [[nodiscard]] static writer open(std::filesystem::path const& path, format fmt = format::pax,
                                     filter compression = filter::none, write_options const& options = {}) {
        return writer(std::make_unique<detail::path_sink>(path), fmt, compression, options);
    }

    /// Writes to a file at `path` in the format and filter its name announces ("out.tar.zst").
    [[nodiscard]] static writer create(std::filesystem::path const& path, write_options const& options = {}) {
        archive_kind const kind = from_extension(path.filename().string());
        return open(path, kind.format, kind.filter, options);
    }

    /// Writes to a descriptor the caller keeps owning (it stays open).
    [[nodiscard]] static writer open_fd(int fd, format fmt = format::pax, filter compression = filter::none,
                                        write_options const& options = {}) {
        return writer(std::make_unique<detail::fd_sink>(fd), fmt, compression, options);
    }

    /// Writes to a FILE* the caller keeps owning (flushed on close, not closed).
    [[nodiscard]] static writer open_file(std::FILE* file, format fmt = format::pax, filter compression = filter::none,
                                          write_options const& options = {}) {
        if (file == nullptr) throw detail::make_error(errc::invalid_argument, "open_file", "the FILE* is null");
        return writer(std::make_unique<detail::file_sink>(file), fmt, compression, options);
    }

    /// Writes to a stream that must outlive the writer (flushed on close).
    [[nodiscard]] static writer open_stream(std::ostream& out CBOUND_LIFETIMEBOUND, format fmt = format::pax,
                                            filter compression = filter::none, write_options const& options = {}) {
        return writer(std::make_unique<detail::stream_sink>(out), fmt, compression, options);
    }

    /// Writes into `out` (emptied first, and again if the archive is abandoned); it must outlive the writer.
    [[nodiscard]] static writer open_memory(std::vector<std::byte>& out CBOUND_LIFETIMEBOUND, format fmt = format::pax,
                                            filter compression = filter::none, write_options const& options = {}) {
        return writer(std::make_unique<detail::memory_sink>(out), fmt, compression, options);
    }

    /// Writes through caller-supplied functions (an exception they throw reaches the caller of the writer).
    [[nodiscard]] static writer open_callbacks(write_callbacks callbacks, format fmt = format::pax,
                                               filter compression = filter::none, write_options const& options = {}) {
        return writer(std::make_unique<detail::function_sink>(std::move(callbacks)), fmt, compression, options);
    }

    /// A whole archive in memory: `fill` adds the entries, the writer is closed, the bytes returned.
    [[nodiscard]] static std::vector<std::byte> to_memory(format fmt, filter compression,
                                                          std::function<void(writer&)> const& fill,
                                                          write_options const& options = {}) {
        std::vector<std::byte> out;
        writer w = open_memory(out, fmt, compression, options);
        fill(w);
        w.close();
        return out;
    }

    /// Takes over `other`'s archive; `other` is left unusable (every call on it throws).
    writer(writer&& other) noexcept
        : sink_(std::move(other.sink_)), handle_(std::move(other.handle_)),
          state_(std::exchange(other.state_, state::moved)), unwinding_(other.unwinding_), opened_(other.opened_),
          remaining_(other.remaining_), scratch_(std::move(other.scratch_)), utf8_(other.utf8_),
          kept_name_(std::move(other.kept_name_)), warnings_(std::move(other.warnings_)) {
        adopt_entry_name(other);
    }

    /// Finishes this writer's archive as the destructor would, then takes over `other`'s.
    writer& operator=(writer&& other) noexcept {
        if (this != &other) {
            finish_quietly();
            sink_ = std::move(other.sink_);
            handle_ = std::move(other.handle_);
            state_ = std::exchange(other.state_, state::moved);
            unwinding_ = other.unwinding_;
            opened_ = other.opened_;
            remaining_ = other.remaining_;
            scratch_ = std::move(other.scratch_);
            utf8_ = other.utf8_;
            kept_name_ = std::move(other.kept_name_);
            warnings_ = std::move(other.warnings_);
            adopt_entry_name(other);
        }
        return *this;
    }

    writer(writer const&) = delete;
    writer& operator=(writer const&) = delete;

    /// Closes normally between entries; abandons the archive during unwinding or mid-entry (see top of file).
    ~writer() { finish_quietly(); }

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
            detail::spill_buffer data;
            for (auto const& block : view.blocks()) {
                if (block.offset < 0 || static_cast<std::uint64_t>(block.offset) < data.size())
                    throw detail::make_error(errc::archive_failed, "add", "the source's data blocks overlap",
                                             safe_pathname(header));
                data.put(static_cast<std::uint64_t>(block.offset), block.data); // a sparse hole reads as zeros
            }
            entry sized = entry::copy_of(header);
            sized.set_size(static_cast<std::int64_t>(data.size()));
            begin_entry(sized);
            data.for_each_piece([&](std::span<std::byte const> piece) { write(piece); });
            return finish();
        }
        begin_raw(header);
        name_lease const lease{entry_name_};
        std::int64_t position = 0;
        for (auto const& block : view.blocks()) {
            // Holes of sparse entries come back as gaps between block offsets: write them as zeros.
            if (block.offset > position) write_zeros(block.offset - position);
            write(block.data);
            position = block.offset + static_cast<std::int64_t>(block.data.size());
        }
        if (remaining_ > 0 && archive_entry_sparse_count(header) > 0) write_zeros(remaining_);
        finish();
    }

    /// Starts an entry whose data follows through write(); the size must be declared.
    void begin_entry(entry_info const& info) { begin_entry(entry(info)); }

    /// Starts an entry whose data follows through write(); a regular file's size must be set.
    void begin_entry(entry const& header) {
        if (header.size()) {
            begin_raw(header.native_handle());
            return keep_entry_name();
        }
        if (carries_data(header))
            throw detail::make_error(errc::invalid_argument, "begin_entry", "a streamed entry needs its size declared",
                                     header.pathname());
        entry sized = header; // folders and links: some formats (cpio) still want a size
        sized.set_size(0);
        begin_raw(sized.native_handle());
        keep_entry_name(); // while `sized`, which the name points into, still lives
    }

    /// Writes the next part of the open entry's data; more than the declared size abandons the archive.
    void write(std::span<std::byte const> data) {
        require(state::in_entry, "write");
        if (static_cast<std::uint64_t>(remaining_) < data.size())
            fail_size("write", "more data than the entry's declared size");
        pour(data);
    }

    /// Ends the open entry; less data than declared abandons the archive.
    void finish() {
        require(state::in_entry, "finish");
        if (remaining_ != 0) fail_size("finish", "less data than the entry's declared size");
        end_entry();
    }

    /// Adds the file, folder, symlink or device at `disk_path` under the name `archive_path`.
    void add_file(std::filesystem::path const& disk_path, std::string const& archive_path,
                  tree_options const& options = {}) {
        require(state::ready, "add_file");
        detail::tree_walk walk(walk_settings(options));
        disk_output out{*this, false, {}};
        walk.file(disk_path, archive_path, out);
    }

    /// Adds folder `dir` and everything below it, in sorted order, so equal trees give equal archives.
    /// Walked through descriptors (see detail/tree_walk.hpp); a second name of a file is stored as a
    /// hard link in tar formats; sockets and files that change during the walk are left out with a warning.
    void add_tree(std::filesystem::path const& dir, tree_options const& options = {}) {
        require(state::ready, "add_tree");
        detail::tree_walk walk(walk_settings(options));
        disk_output out{*this, true, {}};
        walk.tree(dir, options.prefix ? *options.prefix : default_prefix(dir), out);
    }

    /// Writes the end of the archive and releases the destination; throws on failure. A second close does nothing.
    void close() {
        if (state_ == state::closed) return;
        if (state_ == state::in_entry && remaining_ == 0) finish();
        if (state_ == state::in_entry)
            fail(detail::make_error(errc::size_mismatch, "close", "the last entry is shorter than declared",
                                    entry_path(), status::fatal));
        require(state::ready, "close");
        int const st = archive_write_close(raw());
        // Even a failed close has closed the filters and freed the output buffer; a second close
        // would run the format's close again, and 7-zip's then allocates coder properties that
        // nothing frees (5 bytes per writer whose sink failed at close, under LeakSanitizer).
        opened_ = false;
        // libarchive ignores what the close callback returns: look at the sink's own record too.
        if (st < ARCHIVE_OK || sink_->guard.has_pending())
            fail_from_archive(st < ARCHIVE_OK ? st : ARCHIVE_FATAL, "close");
        state_ = state::closed;
        handle_.reset();
        sink_.reset();
    }

    /// Abandons the archive: no trailer is written and the destination is undone where possible.
    void abandon() noexcept {
        if (handle_) {
            // From here every byte is dropped. libarchive 3.6 frees its buffers only in close and
            // finish_entry (zip's deflate stream), which free skips after a failure: run them into
            // the discarding sink, so nothing leaks and nothing reaches the destination. Only zip
            // needs the entry finished: xar pads a short entry there and, 100 KB or more short, spins
            // for minutes in raw libarchive 3.6.2 too, so other formats skip it.
            if (sink_) sink_->discarding = true;
            if (state_ == state::in_entry &&
                (archive_format(handle_.get()) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ZIP)
                archive_write_finish_entry(handle_.get());
            archive_write_fail(handle_.get());
            if (sink_ && opened_) archive_write_close(handle_.get());
        }
        handle_.reset();
        if (sink_) sink_->abort();
        sink_.reset();
        if (state_ != state::moved && state_ != state::closed) state_ = state::failed;
    }

    /// Warnings libarchive reported while writing (the operations still succeeded).
    [[nodiscard]] std::span<warning const> warnings() const& noexcept CBOUND_LIFETIMEBOUND { return warnings_; }
    /// A temporary writer's warnings would dangle at the end of the full-expression.
    std::span<warning const> warnings() const&& = delete;

    /// The libarchive handle, for what cbound does not wrap; null once closed, failed or moved from.
    [[nodiscard]] ::archive* native_handle() const noexcept { return handle_.get(); }

private:
    enum class state { ready, in_entry, failed, closed, moved };

    writer(std::unique_ptr<detail::write_sink> sink, format fmt, filter compression, write_options const& options)
        : sink_(std::move(sink)), handle_(archive_write_new()), unwinding_(std::uncaught_exceptions()),
          scratch_(archive_entry_new()), utf8_(detail::utf8_locale()) {
        if (!handle_ || !scratch_) throw std::bad_alloc();
        try {
            configure(fmt, compression, options);
            int const st = archive_write_open2(handle_.get(), sink_.get(), &detail::sink_open, &detail::sink_write,
                                               &detail::sink_close, nullptr);
            if (st < ARCHIVE_OK) fail_from_archive(st, "open");
            opened_ = true;
        } catch (...) {
            abandon();
            throw;
        }
    }

    void configure(format fmt, filter compression, write_options const& options) {
        ::archive* a = handle_.get();
        auto const set_format = detail::format_setter(fmt);
        if (set_format == nullptr)
            throw detail::make_error(errc::invalid_argument, "open",
                                     "libarchive cannot write the format " + std::string(to_string(fmt)));
        setup_step(set_format(a), "set_format");
        auto const add_filter = detail::filter_adder(compression);
        if (add_filter == nullptr)
            throw detail::make_error(errc::invalid_argument, "open",
                                     "libarchive cannot write the filter " + std::string(to_string(compression)));
        setup_step(add_filter(a), "add_filter"); // WARN: an external program will be used
        // No padding after the last byte: zero blocks after a compressed stream upset zstd, xz
        // and others (libarchive's own file sinks do the same for regular files).
        archive_write_set_bytes_in_last_block(a, 1);
        // gzip stamps the current time into its header by default; leave it out so equal inputs
        // give equal bytes (an explicit "gzip:timestamp" in the options turns it back on).
        if (compression == filter::gzip) setup_step(archive_write_set_options(a, "gzip:!timestamp"), "set_options");
        if (options.zip_method) set_zip_method(fmt, *options.zip_method);
        if (!options.options.empty()) setup_step(archive_write_set_options(a, options.options.c_str()), "set_options");
        if (!options.passphrase.empty()) {
            if (fmt != format::zip)
                throw detail::make_error(errc::invalid_argument, "open", "libarchive encrypts only zip when writing");
            if (options.options.find("encryption") == std::string::npos)
                setup_step(archive_write_set_options(a, "zip:encryption=aes256"), "set_options");
            setup_step(archive_write_set_passphrase(a, options.passphrase.c_str()), "set_passphrase");
        }
    }

    /// Sets the zip compression method, refusing what the libarchive compiled against lacks.
    void set_zip_method(format fmt, zip_compression method) {
        std::string const name(to_string(method));
        if (fmt != format::zip)
            throw detail::make_error(errc::invalid_argument, "open", "zip_method applies to zip archives only");
        if (!offers(method))
            throw detail::make_error(errc::invalid_argument, "open",
                                     "libarchive " ARCHIVE_VERSION_ONLY_STRING " cannot compress zip entries with " +
                                         name + " (libarchive 3.8.0 and later can)");
        setup_step(archive_write_set_options(handle_.get(), ("zip:compression=" + name).c_str()), "set_options");
    }

    void setup_step(int st, char const* operation) {
        if (st == ARCHIVE_WARN)
            warnings_.push_back(detail::capture_warning(handle_.get(), operation));
        else if (st < ARCHIVE_OK)
            throw detail::capture_error(handle_.get(), st, operation);
    }

    static bool carries_data(::archive_entry* e) {
        return archive_entry_filetype(e) == AE_IFREG && archive_entry_hardlink(e) == nullptr;
    }
    static bool carries_data(entry const& e) { return carries_data(e.native_handle()); }

    // entry_info or its borrowed mirror: the same fields, filled into the writer's one header.
    template <class Info>
    [[gnu::always_inline]] void add_info(Info const& info, std::span<std::byte const> data) {
        auto const size = static_cast<std::int64_t>(data.size());
        if (info.size && *info.size != size) throw_size_differs(info.pathname);
        ::archive_entry* const header = scratch_.get();
        if (header == nullptr) require(state::ready, "begin_entry"); // moved from: throws
        // One header per writer, cleared for each entry: what a hand-written loop does too.
        archive_entry_clear(header);
        detail::assign_entry(header, info);
        bool const data_entry = detail::carries_data(info);
        // Some formats (cpio) want a size even on folders and links.
        std::int64_t const declared = data_entry ? size : 0;
        archive_entry_set_size(header, declared);
        add_entry(header, data, data_entry, info.pathname.c_str(), declared);
    }

    // Forgets the open entry's borrowed name when the call that lent it ends, however it ends.
    class name_lease {
    public:
        explicit name_lease(char const*& name) noexcept : name_(name) {}
        name_lease(name_lease const&) = delete;
        name_lease& operator=(name_lease const&) = delete;
        ~name_lease() { name_ = nullptr; }

    private:
        char const*& name_;
    };

    void add_entry(::archive_entry* header, std::span<std::byte const> data) {
        add_entry(header, data, carries_data(header), pathname_of(header), declared_size(header));
    }

    // `name` is the entry's pathname, alive for the whole call (the caller's string or the header's);
    // `size` is the header's declared size, which the callers have checked equals the data's.
    [[gnu::always_inline]] void add_entry(::archive_entry* header, std::span<std::byte const> data, bool data_entry,
                                          char const* name, std::int64_t size) {
        if (!data.empty() && !data_entry) throw_no_data_allowed(header);
        begin_raw(header, data_entry, name, size);
        name_lease const lease{entry_name_};
        // The entry expects exactly data.size() bytes (checked above), so write() and finish()'s checks hold.
        pour(data);
        end_entry();
    }

    // Hands all of `data` to libarchive (which may take it in parts) and counts it off the open entry.
    [[gnu::always_inline]] void pour(std::span<std::byte const> data) {
        while (!data.empty()) {
            la_ssize_t const n = archive_write_data(raw(), data.data(), data.size());
            if (n <= 0) [[unlikely]]
                fail_from_archive(n < 0 ? static_cast<int>(n) : ARCHIVE_FATAL, "write");
            data = data.subspan(static_cast<std::size_t>(n));
            remaining_ -= n;
        }
    }

    // Closes the open entry once all its data is written.
    [[gnu::always_inline]] void end_entry() {
        int const st = archive_write_finish_entry(raw());
        if (st != ARCHIVE_OK) [[unlikely]]
            finish_status(st);
        state_ = state::ready;
    }

    static std::int64_t declared_size(::archive_entry* header) {
        return archive_entry_size_is_set(header) != 0 ? archive_entry_size(header) : 0;
    }

    void begin_raw(::archive_entry* header) {
        begin_raw(header, carries_data(header), pathname_of(header), declared_size(header));
    }

    [[gnu::always_inline]] void begin_raw(::archive_entry* header, bool data_entry, char const* name,
                                          std::int64_t size) {
        require(state::ready, "begin_entry");
        if (name == nullptr || *name == '\0') throw_no_pathname();
        if (size < 0) throw_negative_size(name);
        // Names are converted with the thread's locale; UTF-8 keeps non-ASCII names intact. The
        // header call cannot throw (callbacks are guarded), so the old locale always comes back.
        locale_t const previous = ::uselocale(utf8_);
        int const st = archive_write_header(raw(), header);
        ::uselocale(previous);
        if (st != ARCHIVE_OK) [[unlikely]]
            header_status(st, header);
        remaining_ = data_entry ? size : 0;
        entry_name_ = name;
        state_ = state::in_entry;
    }

    // Failed and fatal header statuses throw; a warning is recorded and the entry goes on.
    [[gnu::cold]] [[gnu::noinline]] void header_status(int st, ::archive_entry* header) {
        // Entry accessors leave the archive's error alone, so the name can be read first.
        std::string const path = safe_pathname(header);
        if (st == ARCHIVE_FAILED) throw detail::capture_error(raw(), st, "begin_entry", path); // skipped, may go on
        if (st < ARCHIVE_WARN) fail_from_archive(st, "begin_entry", path);
        if (st == ARCHIVE_WARN) warnings_.push_back(detail::capture_warning(raw(), "begin_entry", path));
    }

    // A failed finish abandons the archive; a warning is recorded, the entry being closed first.
    [[gnu::cold]] [[gnu::noinline]] void finish_status(int st) {
        if (st < ARCHIVE_WARN) fail_from_archive(st, "finish");
        warning w = detail::capture_warning(raw(), "finish", entry_path());
        state_ = state::ready;
        warnings_.push_back(std::move(w));
    }

    // The open entry's name; empty between entries.
    [[nodiscard]] std::string_view entry_path() const noexcept {
        return entry_name_ != nullptr ? std::string_view(entry_name_) : std::string_view();
    }

    // The header of an entry begun by begin_entry may die before finish(): copy the name it lent.
    void keep_entry_name() {
        kept_name_.assign(entry_name_);
        entry_name_ = kept_name_.c_str();
    }

    // After a move: an entry left open across calls (begin_entry) has its name in kept_name_.
    void adopt_entry_name(writer& other) noexcept {
        entry_name_ = other.entry_name_ != nullptr ? kept_name_.c_str() : nullptr;
        other.entry_name_ = nullptr;
    }

    [[noreturn]] [[gnu::cold]] [[gnu::noinline]] static void throw_size_differs(std::string_view path) {
        throw detail::make_error(errc::invalid_argument, "add", "the declared size differs from the data size", path);
    }
    [[noreturn]] [[gnu::cold]] [[gnu::noinline]] static void throw_no_data_allowed(::archive_entry* header) {
        throw detail::make_error(errc::invalid_argument, "add", "only regular files carry data", safe_pathname(header));
    }
    [[noreturn]] [[gnu::cold]] [[gnu::noinline]] static void throw_no_pathname() {
        throw detail::make_error(errc::invalid_argument, "begin_entry", "the entry has no pathname");
    }
    [[noreturn]] [[gnu::cold]] [[gnu::noinline]] static void throw_negative_size(char const* path) {
        throw detail::make_error(errc::invalid_argument, "begin_entry", "negative size", path);
    }
    [[noreturn]] [[gnu::cold]] [[gnu::noinline]] void fail_size(char const* operation, char const* why) {
        fail(detail::make_error(errc::size_mismatch, operation, why, entry_path(), status::fatal));
    }

    void write_zeros(std::int64_t count) {
        static constexpr std::array<std::byte, 16384> zeros{};
        while (count > 0) {
            std::size_t const n =
                count < static_cast<std::int64_t>(zeros.size()) ? static_cast<std::size_t>(count) : zeros.size();
            write(std::span(zeros.data(), n));
            count -= static_cast<std::int64_t>(n);
        }
    }

    // Where a tree walk hands what it found: into this writer, and its warnings.
    struct disk_output {
        writer& w;
        bool whole_tree; // add_tree: a file the format refuses is left out, as tar does; add_file: an error
        void entry(::archive_entry* header, int data, std::string const& disk_path) {
            try {
                w.begin_raw(header);
            } catch (error const& e) {
                // ARCHIVE_FAILED at the header (zip and named pipes, say) leaves the archive intact.
                if (!whole_tree || e.status() != status::failed || w.state_ != state::ready) throw;
                return warn(warning{"add_tree", e.message(), disk_path, e.code().value()});
            }
            name_lease const lease{w.entry_name_};
            if (data >= 0) w.copy_data(data, disk_path, buffer);
            w.finish();
        }
        void warn(warning found) { w.warnings_.push_back(std::move(found)); }
        std::unique_ptr<std::byte[]> buffer{}; // file data on its way in, shared by every file of the walk
    };

    detail::tree_walk_settings walk_settings(tree_options const& options) const {
        detail::tree_walk_settings s{.filter = &options.filter,
                                     .follow_symlinks = options.follow_symlinks,
                                     .keep_access_times = options.keep_access_times,
                                     .xattrs = options.xattrs,
                                     .acls = options.acls,
                                     .file_flags = options.file_flags};
        // Tar formats store a second name of a file as a link to the first; others store it again.
        s.hard_links = (archive_format(raw()) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_TAR;
        struct ::stat st {};
        if (int const fd = sink_->descriptor(); fd >= 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
            s.skip = detail::identity_of(st);
        return s;
    }

    void copy_data(int fd, std::string const& path, std::unique_ptr<std::byte[]>& buffer) {
        // One buffer for the whole walk, left uninitialized (read() fills what is used): a fresh
        // one per file costs an allocation that also makes malloc consolidate its free lists.
        constexpr std::size_t size = 65536;
        if (!buffer) buffer.reset(new std::byte[size]);
        while (remaining_ > 0) {
            ssize_t const n = ::read(fd, buffer.get(), size);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) fail(detail::errno_error(errno, "add_file", path));
            if (n == 0)
                fail(detail::make_error(errc::size_mismatch, "add_file", "the file shrank while it was read",
                                        entry_path(), status::fatal));
            std::size_t const take = static_cast<std::int64_t>(n) > remaining_ ? static_cast<std::size_t>(remaining_)
                                                                               : static_cast<std::size_t>(n);
            write(std::span<std::byte const>(buffer.get(), take));
        }
    }

    static std::string default_prefix(std::filesystem::path const& dir) {
        std::string p = dir.lexically_normal().relative_path().generic_string();
        while (!p.empty() && p.back() == '/')
            p.pop_back();
        return p == "." ? std::string() : p;
    }

    // The entry's name as UTF-8, else in the locale's encoding; null when it has none.
    static char const* pathname_of(::archive_entry* header) {
        char const* p = archive_entry_pathname_utf8(header);
        return p != nullptr ? p : archive_entry_pathname(header);
    }

    static std::string safe_pathname(::archive_entry* header) {
        char const* p = pathname_of(header);
        return p != nullptr ? p : std::string();
    }

    ::archive* raw() const noexcept { return handle_.get(); }

    void require(state wanted, char const* operation) const {
        if (state_ != wanted) [[unlikely]]
            unusable(operation);
    }

    [[noreturn]] [[gnu::cold]] [[gnu::noinline]] void unusable(char const* operation) const {
        char const* why = "the writer is not in the right state";
        switch (state_) {
        case state::moved: why = "the writer was moved from"; break;
        case state::closed: why = "the writer is closed"; break;
        case state::failed: why = "the writer failed earlier; the archive was abandoned"; break;
        case state::in_entry: why = "an entry is still open: write its data and call finish() first"; break;
        case state::ready: why = "no entry is open: call begin_entry() first"; break;
        }
        throw detail::make_error(errc::handle_unusable, operation, why, entry_path());
    }

    // The error of a failed libarchive call, copied first; the archive is abandoned; a callback's
    // own exception wins over libarchive's summary of it.
    [[noreturn]] [[gnu::cold]] [[gnu::noinline]] void fail_from_archive(int st, char const* operation,
                                                                        std::string_view path = {}) {
        if (path.empty()) path = entry_path();
        error e = detail::capture_error(raw(), st, operation, path);
        // Some writers (ar's long names) warn at the header and fail the data silently: the warning is the reason.
        bool const silent = e.message() == to_string(static_cast<status>(st));
        if (silent && !warnings_.empty() && warnings_.back().pathname == path)
            e = error(e.code(), operation, warnings_.back().message, std::string(path), e.status());
        fail(std::move(e));
    }

    [[noreturn]] [[gnu::cold]] [[gnu::noinline]] void fail(error e) {
        std::exception_ptr callback_error;
        if (sink_ && sink_->guard.has_pending()) {
            try {
                sink_->guard.rethrow_if_any();
            } catch (...) {
                callback_error = std::current_exception();
            }
        }
        abandon();
        if (callback_error) std::rethrow_exception(callback_error);
        throw std::move(e);
    }

    void finish_quietly() noexcept {
        if (!handle_) return;
        if (state_ == state::ready && std::uncaught_exceptions() <= unwinding_) {
            try {
                close();
                return;
            } catch (...) {
                // close() abandoned the archive already; a destructor has nobody to tell.
            }
        }
        abandon();
    }

    std::unique_ptr<detail::write_sink> sink_; // declared first: libarchive may call it until handle_ is freed
    detail::write_handle handle_;
    state state_ = state::ready;
    int unwinding_ = 0;
    bool opened_ = false; // archive_write_open2 succeeded and no close ran yet, so there are filters to close
    std::int64_t remaining_ = 0;
    detail::entry_handle scratch_;     // the header add(entry_info) fills, cleared and reused for every entry
    locale_t utf8_ = LC_GLOBAL_LOCALE; // the locale libarchive converts names in, looked up once
    std::string kept_name_;            // the open entry's name when it stays open across calls (begin_entry)
    char const* entry_name_ = nullptr; // the open entry's name, borrowed for the duration of an add
    std::vector<warning> warnings_;
};

} // namespace cbound::archive
