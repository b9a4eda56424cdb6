// cbound::archive — reader: reads any archive libarchive knows, entry by entry.
//
//     auto r = cbound::archive::reader::open("a.tar.gz");
//     for (cbound::archive::entry_view e : r)
//         for (cbound::archive::block b : e.blocks()) consume(e.pathname(), b.offset, b.data);
//
// The reader owns its libarchive handle through a heap state (stable address for callbacks
// and checked-mode views), so moving it is one pointer. Errors follow DESIGN.md section 4:
// header warnings are kept in warnings(), a data failure throws and fails only its entry (the
// reader goes on with the next header, as libarchive does), a failed header or a callback that
// threw makes every later call throw.
#pragma once

#include <cbound/archive/detail/read_blocks.hpp>
#include <cbound/archive/detail/read_limits.hpp>
#include <cbound/archive/detail/read_source.hpp>
#include <cbound/archive/detail/read_state.hpp>
#include <cbound/archive/detail/read_support.hpp>
#include <cbound/archive/entry.hpp>
#include <cbound/archive/error.hpp>
#include <cbound/archive/types.hpp>
#include <cbound/config.hpp>
#include <cbound/posix.hpp>

#include <archive.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <istream>
#include <iterator>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cbound::archive {

/// What a reader accepts and how it reads (every field has a default, so designated initializers may omit any).
struct reader_options {
    std::vector<format> formats{};          ///< formats to accept; empty: all (raw only when listed)
    std::vector<filter> filters{};          ///< filters to accept; empty: all
    std::string options{};                  ///< passed to archive_read_set_options ("zip:ignorecrc32", …)
    std::vector<std::string> passphrases{}; ///< tried in order on encrypted entries
    /// Asked for one more passphrase once the list is used up; nullopt gives up.
    std::function<std::optional<std::string>()> passphrase_callback{};
    std::size_t block_size = 64 * 1024; ///< read size for path, fd and split sources
    /// A zip name (or symlink target) that is not valid UTF-8 is read as CP437, the zip default
    /// charset, and given in UTF-8; false gives its raw bytes. Valid UTF-8 is always kept.
    bool decode_cp437_zip_names = true;
    /// Filters that libarchive runs as an external program found on PATH (lrzip, lzop, grzip, …)
    /// are off unless this is true: attacker bytes would otherwise choose a program to run.
    bool allow_external_programs = false;
    /// The most memory an xz, lzma or lzip decoder may ask for (its dictionary), checked on the
    /// stream's first bytes before libarchive allocates it; libarchive itself sets no limit.
    std::uint64_t max_decoder_memory = std::uint64_t{256} << 20;
    /// The longest name (path or link target) an entry may have, in bytes.
    std::size_t max_name_bytes = std::size_t{64} << 10;
    /// The most name bytes (paths and link targets) of all entries together.
    std::size_t max_total_name_bytes = std::size_t{512} << 20;
};

/// Reads an archive entry by entry; move-only, and a moved-from reader throws errc::handle_unusable.
class reader {
public:
    /// The input iterator over entries; each increment reads the next header.
    class iterator {
    public:
        using value_type = entry_view;                    ///< what the iterator yields
        using difference_type = std::ptrdiff_t;           ///< required of iterators
        using iterator_concept = std::input_iterator_tag; ///< single pass

        iterator() = default;
        /// A view of the current entry, valid until the next increment.
        [[nodiscard]] entry_view operator*() const noexcept { return entry_view(*state_, state_->current); }
        /// Reads the next header.
        [[gnu::always_inline]] iterator& operator++() {
            detail::advance(*state_);
            return *this;
        }
        /// Reads the next header (input iterators return nothing from post-increment).
        void operator++(int) { detail::advance(*state_); }
        /// Whether the archive has no more entries.
        friend bool operator==(iterator const& it, std::default_sentinel_t) noexcept {
            return it.state_->current == nullptr;
        }

    private:
        friend reader;
        explicit iterator(detail::read_state* s) noexcept : state_(s) {}
        detail::read_state* state_ = nullptr;
    };

    /// Opens the archive file at `path`.
    [[nodiscard]] static reader open(std::filesystem::path const& path, reader_options const& options = {}) {
        reader r(options);
        check_head_of(path, options);
        r.check_open(archive_read_open_filename(r.handle(), path.c_str(), options.block_size), path.string());
        r.state_->extent = detail::file_extent::of_path(path.c_str());
        return r;
    }
    /// Opens an archive held in memory without copying it; `bytes` must outlive the reader
    /// (an uncompressed tar's data blocks point into it).
    [[nodiscard]] static reader open_memory(std::span<std::byte const> bytes CBOUND_LIFETIMEBOUND,
                                            reader_options const& options = {}) {
        reader r(options);
        detail::check_decoder_memory(bytes.first(std::min(bytes.size(), detail::head_bytes)),
                                     options.max_decoder_memory, {});
        r.check_open(archive_read_open_memory(r.handle(), bytes.data(), bytes.size()), {});
        return r;
    }
    /// Opens the archive readable from `fd`, which stays the caller's to close.
    [[nodiscard]] static reader open_fd(int fd, reader_options const& options = {}) {
        off_t const at = ::lseek(fd, 0, SEEK_CUR);
        // A pipe cannot be peeked at: its head is checked on the way through a callback source.
        if (at < 0) return open_callback(detail::fd_source(fd, options.block_size), options);
        check_head_at(fd, at, options);
        reader r(options);
        r.state_->extent = detail::file_extent::of_fd(fd); // before libarchive reads from it
        r.check_open(archive_read_open_fd(r.handle(), fd, options.block_size), {});
        return r;
    }
    /// Opens the archive readable from `file`, which stays the caller's to close.
    [[nodiscard]] static reader open_file(std::FILE* file, reader_options const& options = {}) {
        if (file == nullptr) throw detail::make_error(errc::invalid_argument, "open", "the FILE* is null");
        long const at = std::ftell(file); // the stream's position, whatever its buffer holds
        // A pipe, or a FILE with no descriptor (fmemopen): its head is checked on the way through.
        if (at < 0 || ::fileno(file) < 0 || ::lseek(::fileno(file), 0, SEEK_CUR) < 0)
            return open_callback(detail::file_source(file, options.block_size), options);
        check_head_at(::fileno(file), static_cast<off_t>(at), options);
        reader r(options);
        r.check_open(archive_read_open_FILE(r.handle(), file), {});
        return r;
    }
    /// Opens the archive readable from `in`, which must outlive the reader; seekable streams can seek.
    [[nodiscard]] static reader open_stream(std::istream& in CBOUND_LIFETIMEBOUND, reader_options const& options = {}) {
        return open_callback(detail::istream_source(in, options.block_size), options);
    }
    /// Opens the archive produced by the functions of `source`.
    [[nodiscard]] static reader open_callback(read_source source, reader_options const& options = {}) {
        if (!source.read) throw detail::make_error(errc::invalid_argument, "open", "read_source.read is empty");
        reader r(options);
        ::archive* a = r.handle();
        auto* s = r.state_.get();
        s->source = std::make_shared<read_source>(detail::head_checked(std::move(source), options.max_decoder_memory));
        auto const& src = *static_cast<read_source const*>(s->source.get());
        archive_read_set_read_callback(a, &detail::source_read);
        if (src.skip) archive_read_set_skip_callback(a, &detail::source_skip);
        if (src.seek) archive_read_set_seek_callback(a, &detail::source_seek);
        archive_read_set_callback_data(a, s);
        r.check_open(archive_read_open1(a), {});
        return r;
    }
    /// Opens several files read one after the other as one archive (a split or multi-volume archive).
    [[nodiscard]] static reader open_split(std::vector<std::filesystem::path> const& paths,
                                           reader_options const& options = {}) {
        if (paths.empty())
            throw detail::make_error(errc::invalid_argument, "open", "open_split needs at least one file");
        std::vector<char const*> names;
        for (auto const& p : paths)
            names.push_back(p.c_str());
        names.push_back(nullptr);
        reader r(options);
        check_head_of(paths.front(), options);
        r.check_open(archive_read_open_filenames(r.handle(), names.data(), options.block_size), paths.front().string());
        return r;
    }

    reader(reader&&) noexcept = default;
    reader& operator=(reader&&) noexcept = default;
    reader(reader const&) = delete;
    reader& operator=(reader const&) = delete;
    ~reader() = default;

    /// libarchive's handle, for calls cbound does not wrap (nullptr when moved-from).
    [[nodiscard]] ::archive* native_handle() const noexcept { return state_ ? state_->handle.get() : nullptr; }

    /// Reads the first (or next) header; iterate with `for (entry_view e : reader)`.
    [[nodiscard]] [[gnu::always_inline]] iterator begin() & {
        // One load of the state: a C call in advance() could otherwise change state_ for all
        // the compiler knows.
        detail::read_state* const s = state_.get();
        detail::require_usable(s, "read_next_header");
        detail::advance(*s);
        return iterator(s);
    }
    /// A temporary reader's iterator would dangle (a range-for over a temporary still works).
    iterator begin() && = delete;
    /// The end of the entries.
    [[nodiscard]] std::default_sentinel_t end() const noexcept { return {}; }

    /// Reads the next header: a view of the entry, or nullopt at the end of the archive.
    [[nodiscard]] std::optional<entry_view> next() & CBOUND_LIFETIMEBOUND {
        detail::read_state* const s = state_.get();
        detail::require_usable(s, "read_next_header");
        detail::advance(*s);
        if (s->current == nullptr) return std::nullopt;
        return entry_view(*s, s->current);
    }
    /// The entry of a temporary reader would dangle at the end of the full-expression.
    std::optional<entry_view> next() && = delete;

    /// The warnings libarchive reported on headers so far, in order (none are dropped).
    [[nodiscard]] std::span<warning const> warnings() const& noexcept CBOUND_LIFETIMEBOUND {
        if (!state_) return {};
        return state_->warnings;
    }
    std::span<warning const> warnings() const&& = delete;

    /// The name of the format being read ("POSIX pax interchange format", …), "" before the first header.
    [[nodiscard]] std::string_view format_name() const& CBOUND_LIFETIMEBOUND {
        return text(archive_format_name(usable("format_name")));
    }
    std::string_view format_name() const&& = delete;
    /// How many filters are stacked on the archive (the last is the raw input).
    [[nodiscard]] int filter_count() const { return archive_filter_count(usable("filter_count")); }
    /// The name of filter `i` ("gzip", "none", …); 0 is the outermost decoded one.
    [[nodiscard]] std::string_view filter_name(int i = 0) const& CBOUND_LIFETIMEBOUND {
        return text(archive_filter_name(usable("filter_name"), i));
    }
    std::string_view filter_name(int i = 0) const&& = delete;

private:
    explicit reader(reader_options const& options) : state_(std::make_unique<detail::read_state>()) {
        auto& s = *state_;
        s.switch_locale = !detail::thread_locale_is_utf8();
        s.handle.reset(archive_read_new());
        if (!s.handle) throw std::bad_alloc();
        ::archive* a = s.handle.get();
        detail::enable_formats(s, options.formats);
        detail::enable_filters(s, options.filters, options.allow_external_programs);
        if (!options.options.empty()) {
            // Under UTF-8: a charset option ("zip:hdrcharset=CP437") makes its converter now,
            // towards the thread's charset, and names must come out as UTF-8.
            detail::utf8_scope const utf8;
            if (int st = archive_read_set_options(a, options.options.c_str()); st != ARCHIVE_OK)
                throw detail::capture_error(a, st, "set_options");
        }
        s.check_zip_names = options.decode_cp437_zip_names && reads_zip(options.formats);
        s.max_name_bytes = options.max_name_bytes;
        s.max_total_name_bytes = options.max_total_name_bytes;
        for (std::string const& p : options.passphrases) {
            if (int st = archive_read_add_passphrase(a, p.c_str()); st != ARCHIVE_OK)
                throw detail::capture_error(a, st, "add_passphrase");
        }
        if (options.passphrase_callback) {
            s.passphrase_callback = options.passphrase_callback;
            archive_read_set_passphrase_callback(a, &s, &detail::ask_passphrase);
        }
    }

    [[nodiscard]] ::archive* handle() const noexcept { return state_->handle.get(); }

    /// Checks the decoder memory the head of the regular file at `path` asks for (libarchive
    /// reports a missing file itself; a FIFO's head is not consumed here).
    static void check_head_of(std::filesystem::path const& path, reader_options const& options) {
        unique_fd const fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
        struct stat st {};
        if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return;
        check_head_at(fd.get(), 0, options, path.string());
    }
    /// Checks the decoder memory the bytes of `fd` at `at` ask for, without moving its offset.
    static void check_head_at(int fd, off_t at, reader_options const& options, std::string_view what = {}) {
        std::byte head[detail::head_bytes];
        ssize_t const n = ::pread(fd, head, sizeof head, at);
        if (n > 0)
            detail::check_decoder_memory(std::span(head, static_cast<std::size_t>(n)), options.max_decoder_memory,
                                         what);
    }

    /// Whether a reader accepting `formats` may meet a zip archive.
    static bool reads_zip(std::vector<format> const& formats) noexcept {
        return formats.empty() || std::find(formats.begin(), formats.end(), format::zip) != formats.end();
    }

    /// Turns the status of an archive_read_open* call into an exception where it failed.
    void check_open(int st, std::string const& what) {
        auto& s = *state_;
        if (st == ARCHIVE_WARN)
            s.warnings.push_back(detail::capture_warning(s.handle.get(), "open", what));
        else if (st != ARCHIVE_OK) {
            // EILSEQ: libarchive recognised no format (its ARCHIVE_ERRNO_FILE_FORMAT on Linux).
            if (s.external_filters_off && archive_errno(s.handle.get()) == EILSEQ) {
                error e = detail::capture_error(s.handle.get(), st, "open", what);
                s.guard.rethrow_if_any();
                throw error(e.code(), e.operation(),
                            e.message() + " (filters that run an external program, such as lrzip, lzop and grzip,"
                                          " are off: reader_options::allow_external_programs)",
                            e.pathname(), e.status());
            }
            detail::throw_failure(s, st, "open", what);
        }
    }

    [[nodiscard]] ::archive* usable(char const* operation) const {
        detail::require_usable(state_.get(), operation);
        return state_->handle.get();
    }
    static std::string_view text(char const* s) noexcept { return s != nullptr ? s : ""; }

    std::unique_ptr<detail::read_state> state_;
};

// Spelled with <iterator> concepts, not std::ranges::input_range: <ranges> would cost every
// includer of reader.hpp a noticeable share of its compile time.
static_assert(std::input_iterator<decltype(std::declval<reader&>().begin())> &&
                  std::sentinel_for<decltype(std::declval<reader&>().end()), decltype(std::declval<reader&>().begin())>,
              "for (entry_view e : r) must work");
static_assert(std::input_iterator<block_range::iterator>, "data blocks form an input range");

} // namespace cbound::archive
