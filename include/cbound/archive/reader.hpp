// cbound::archive — reader: reads any archive libarchive knows, entry by entry.
//
//     auto r = cbound::archive::reader::open("a.tar.gz");
//     for (cbound::archive::entry_view e : r)
//         for (cbound::archive::block b : e.blocks()) consume(e.pathname(), b.offset, b.data);
//
// The reader owns its libarchive handle through a heap state (stable address for callbacks
// and checked-mode views), so moving it is one pointer. Errors follow libarchive's statuses:
// header warnings are kept in warnings(), a data failure throws and fails only its entry (the
// reader goes on with the next header, as libarchive does), a failed header or a callback that
// threw makes every later call throw.
#pragma once

#include <cbound/archive/detail/read_blocks.hpp>
#include <cbound/archive/detail/read_limits.hpp>
#include <cbound/archive/detail/read_lzma.hpp>
#include <cbound/archive/detail/read_source.hpp>
#include <cbound/archive/detail/read_state.hpp>
#include <cbound/archive/detail/read_support.hpp>
#include <cbound/archive/detail/read_zip_names.hpp>
#include <cbound/archive/entry.hpp>
#include <cbound/archive/error.hpp>
#include <cbound/archive/source.hpp>
#include <cbound/archive/types.hpp>
#include <cbound/callback.hpp>
#include <cbound/config.hpp>
#include <cbound/detail/box.hpp>
#include <cbound/detail/shared_box.hpp>
#include <cbound/posix.hpp>

#include <archive.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iosfwd>
#include <iterator>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh).
namespace cbound::archive {

/// What a reader accepts and how it reads (every field has a default, so designated initializers may omit any).
struct reader_options {
    std::vector<format> formats{};          ///< formats to accept; empty: all (raw only when listed)
    std::vector<filter> filters{};          ///< filters to accept; empty: all
    std::string options{};                  ///< passed to archive_read_set_options ("zip:ignorecrc32", …)
    std::vector<std::string> passphrases{}; ///< tried in order on encrypted entries
    /// Asked for one more passphrase once the list is used up; nullopt gives up.
    cbound::callback<std::optional<std::string>()> passphrase_callback{};
    std::size_t block_size = 64 * 1024; ///< read size for path, fd and split sources
    /// A zip name (or symlink target) that is not valid UTF-8 is read as CP437, the zip default
    /// charset, and given in UTF-8; false gives its raw bytes. Valid UTF-8 is always kept.
    bool decode_cp437_zip_names = true;
    /// Filters that libarchive runs as an external program found on PATH (lrzip, lzop, grzip, …)
    /// are off unless this is true: attacker bytes would otherwise choose a program to run.
    bool allow_external_programs = false;
    /// The most memory an xz or lzma decoder may take, for every block and stream (cbound decodes
    /// these itself, liblzma refusing a block before allocating it), and an lzip decoder on the
    /// first member. UINT64_MAX lets libarchive decode them with no bound, as it does by itself,
    /// which xz or lzma nested inside another filter (an rpm's payload, a .xz.gz) needs.
    std::uint64_t max_decoder_memory = std::uint64_t{256} << 20;
    /// The longest name (path or link target) an entry may have, in bytes.
    std::size_t max_name_bytes = std::size_t{64} << 10;
    /// The most name bytes (paths and link targets) of all entries together.
    std::size_t max_total_name_bytes = std::size_t{512} << 20;
};

class reader;

namespace detail {
/// The state of an open reader, for the tarball's index builder, which reads through it.
[[nodiscard]] read_state& state_of(reader& r) noexcept;
} // namespace detail

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
    template <class Deferred = void>
    [[nodiscard]] static reader open(std::filesystem::path const& path, reader_options const& options = {}) {
        if (check_head_of(path, options))
            return naming(path,
                          [&] { return open_callbacks({detail::files_reading({path}, options.block_size)}, options); });
        reader r(options);
        r.state_->rare->zip_names.path = path.string();
        r.check_open(archive_read_open_filename(r.handle(), path.c_str(), options.block_size), path.string());
        r.state_->extent = detail::file_extent::of_path(path.c_str());
        return r;
    }
    /// Opens an archive held in memory without copying it; `bytes` must outlive the reader
    /// (an uncompressed tar's data blocks point into it).
    template <class Deferred = void>
    [[nodiscard]] static reader open_memory(std::span<std::byte const> bytes CBOUND_LIFETIMEBOUND,
                                            reader_options const& options = {}) {
        if (check_head<Deferred>(bytes, options)) return open_callbacks({detail::memory_reading(bytes)}, options);
        reader r(options);
        r.state_->rare->zip_names.memory = bytes;
        r.check_open(archive_read_open_memory(r.handle(), bytes.data(), bytes.size()), {});
        return r;
    }
    /// Opens the archive readable from `fd`, which stays the caller's to close.
    template <class Deferred = void>
    [[nodiscard]] static reader open_fd(int fd, reader_options const& options = {}) {
        off_t const at = ::lseek(fd, 0, SEEK_CUR);
        // A pipe cannot be peeked at: its head is checked on the way through a callback source.
        if (at < 0) return open_callbacks(detail::fd_source(fd, options.block_size), options);
        if (check_head_at<Deferred>(fd, at, options))
            return open_callbacks(detail::fd_source(fd, options.block_size), options);
        reader r(options);
        r.state_->extent = detail::file_extent::of_fd(fd); // before libarchive reads from it
        r.state_->rare->zip_names.fd = fd;
        r.state_->rare->zip_names.start = at;
        r.check_open(archive_read_open_fd(r.handle(), fd, options.block_size), {});
        return r;
    }
    /// Opens the archive readable from `file`, which stays the caller's to close.
    template <class Deferred = void>
    [[nodiscard]] static reader open_file(std::FILE* file, reader_options const& options = {}) {
        if (file == nullptr) throw detail::make_error(errc::invalid_argument, "open", "the FILE* is null");
        long const at = std::ftell(file); // the stream's position, whatever its buffer holds
        // A pipe, or a FILE with no descriptor (fmemopen): its head is checked on the way through.
        if (at < 0 || ::fileno(file) < 0 || ::lseek(::fileno(file), 0, SEEK_CUR) < 0)
            return open_callbacks(detail::file_source(file, options.block_size), options);
        if (check_head_at<Deferred>(::fileno(file), static_cast<off_t>(at), options))
            return open_callbacks(detail::file_source(file, options.block_size), options);
        reader r(options);
        r.check_open(archive_read_open_FILE(r.handle(), file), {});
        return r;
    }
    /// Opens the archive readable from `in`, which must outlive the reader; seekable streams can seek.
    template <class Deferred = void>
    [[nodiscard]] static reader open_stream(std::istream& in CBOUND_LIFETIMEBOUND, reader_options const& options = {}) {
        return open_callbacks(detail::istream_source(in, options.block_size), options);
    }
    /// Opens the archive produced by the functions of `source` (writer::open_callbacks is the counterpart).
    template <class Deferred = void>
    [[nodiscard]] static reader open_callbacks(read_source source, reader_options const& options = {}) {
        if (!source.read) throw detail::make_error(errc::invalid_argument, "open", "read_source.read is empty");
        reader r(options);
        ::archive* a = r.handle();
        auto* s = r.state_.get();
        // The head is read before libarchive sees a byte: it chooses whether cbound decodes the
        // stream (the user's skip and seek then move in compressed bytes, so they are dropped).
        detail::source_head head = detail::read_head(std::move(source.read));
        auto const own = check_head<Deferred>(head.bytes, options);
        source.read = std::move(head.read);
        // Dependent spellings: the shared_box types are compiled only where this is used (config.hpp).
        using progress_type = cbound::detail::dependent_t<Deferred, detail::lzma_progress>;
        using source_type = cbound::detail::dependent_t<Deferred, read_source>;
        if (own) {
            auto progress = cbound::detail::make_shared_box<progress_type>();
            progress->container = *own;
            source.read = detail::lzma_decoding(std::move(source.read), *own, options.max_decoder_memory, progress);
            source.skip = {};
            source.seek = {};
            s->rare->own_decoder = std::move(progress);
        }
        s->source = cbound::detail::make_shared_box<source_type>(std::move(source));
        auto const& src = *static_cast<source_type const*>(s->source.get());
        archive_read_set_read_callback(a, &detail::source_read);
        if (src.skip) archive_read_set_skip_callback(a, &detail::source_skip);
        if (src.seek) archive_read_set_seek_callback(a, &detail::source_seek);
        archive_read_set_callback_data(a, s);
        r.check_open(archive_read_open1(a), {});
        return r;
    }
    /// The old name of open_callbacks, kept for one release.
    template <class Deferred = void>
    [[deprecated("use reader::open_callbacks, the name writer uses too")]] [[nodiscard]] static reader
    open_callback(read_source source, reader_options const& options = {}) {
        return open_callbacks(std::move(source), options);
    }
    /// Opens several files read one after the other as one archive (a split or multi-volume archive).
    template <class Deferred = void>
    [[nodiscard]] static reader open_split(std::vector<std::filesystem::path> const& paths,
                                           reader_options const& options = {}) {
        if (paths.empty())
            throw detail::make_error(errc::invalid_argument, "open", "open_split needs at least one file");
        cbound::detail::dependent_t<Deferred, std::vector<char const*>> names; // compiled only where used (config.hpp)
        for (auto const& p : paths)
            names.push_back(p.c_str());
        names.push_back(nullptr);
        if (check_head_of(paths.front(), options))
            return naming(paths.front(),
                          [&] { return open_callbacks({detail::files_reading(paths, options.block_size)}, options); });
        reader r(options);
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
    // A template on a dependent result type (compiling to the same code), so that
    // std::optional<entry_view> is built only where next() is called (config.hpp).
    template <class Deferred = void>
        [[nodiscard]] std::optional<cbound::detail::dependent_t<Deferred, entry_view>> next() & CBOUND_LIFETIMEBOUND {
        using result = std::optional<cbound::detail::dependent_t<Deferred, entry_view>>; // see above
        detail::read_state* const s = state_.get();
        detail::require_usable(s, "read_next_header");
        detail::advance(*s);
        if (s->current == nullptr) return result();
        return result(entry_view(*s, s->current));
    }
    /// The entry of a temporary reader would dangle at the end of the full-expression.
    std::optional<entry_view> next() && = delete;

    /// The warnings libarchive reported on headers so far, in order (none are dropped).
    [[nodiscard]] std::span<warning const> warnings() const& noexcept CBOUND_LIFETIMEBOUND {
        if (!state_) return {};
        // Pointer and size: span's range constructor would check its concepts on the vector in every includer.
        return {state_->warnings.data(), state_->warnings.size()};
    }
    std::span<warning const> warnings() const&& = delete;

    /// The name of the format being read ("POSIX pax interchange format", …), "" before the first header.
    [[nodiscard]] std::string_view format_name() const& CBOUND_LIFETIMEBOUND {
        return text(archive_format_name(usable("format_name")));
    }
    std::string_view format_name() const&& = delete;
    /// How many filters are stacked on the archive (the last is the raw input).
    [[nodiscard]] int filter_count() const {
        ::archive* a = usable("filter_count"); // first: a moved-from reader has no state to look at
        return archive_filter_count(a) + (state_->rare->own_decoder ? 1 : 0);
    }
    /// The name of filter `i` ("gzip", "none", …); 0 is the outermost decoded one.
    [[nodiscard]] std::string_view filter_name(int i = 0) const& CBOUND_LIFETIMEBOUND {
        ::archive* a = usable("filter_name");
        // An xz or lzma stream cbound decodes sits beneath libarchive's filters, just above the raw input.
        if (state_->rare->own_decoder && i >= archive_filter_count(a) - 1)
            return i == archive_filter_count(a) - 1 ? detail::filter_name_of(state_->rare->own_decoder->container)
                                                    : text(archive_filter_name(a, i - 1));
        return text(archive_filter_name(a, i));
    }
    std::string_view filter_name(int i = 0) const&& = delete;
    /// The size of the archive file being read, from where reading began; none unless it is a regular file.
    [[nodiscard]] std::optional<std::uint64_t> source_size() const noexcept {
        if (!state_ || state_->extent.size < 0) return std::nullopt;
        return static_cast<std::uint64_t>(state_->extent.size - state_->extent.start);
    }
    /// How many bytes of the archive (compressed, as stored) have been consumed so far.
    [[nodiscard]] std::uint64_t archive_bytes_read() const {
        ::archive* a = usable("archive_bytes_read");
        if (state_->rare->own_decoder) return state_->rare->own_decoder->consumed;
        la_int64_t const n = archive_filter_bytes(a, -1);
        return n > 0 ? static_cast<std::uint64_t>(n) : 0;
    }

private:
    template <class Deferred = void>
    explicit reader(reader_options const& options) : state_(cbound::detail::make_box<detail::read_state>()) {
        auto& s = *state_;
        detail::make_rare(s);
        s.switch_locale = !detail::thread_locale_is_utf8();
        s.handle.reset(archive_read_new());
        if (!s.handle) throw std::bad_alloc();
        ::archive* a = s.handle.get();
        detail::enable_formats(s, options.formats);
        detail::enable_filters(s, options.filters, options.allow_external_programs, bounds_lzma(options));
        s.lzma_filters_off = bounds_lzma(options);
        if (!options.options.empty()) {
            // Under UTF-8: a charset option ("zip:hdrcharset=CP437") makes its converter now,
            // towards the thread's charset, and names must come out as UTF-8.
            detail::utf8_scope const utf8;
            if (int st = archive_read_set_options(a, options.options.c_str()); st != ARCHIVE_OK)
                throw detail::capture_error(a, st, "set_options");
        }
        s.check_zip_names = reads_zip(options.formats);
        s.decode_cp437 = options.decode_cp437_zip_names;
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

    /// Whether cbound decodes xz and lzma itself, under options.max_decoder_memory.
    static bool bounds_lzma(reader_options const& options) noexcept {
        return options.max_decoder_memory != ~std::uint64_t{0};
    }
    /// Checks the decoder memory an lzip stream starting with `head` asks for at once, and says
    /// which container cbound decodes itself (nullopt: libarchive reads the stream as it is);
    /// liblzma bounds those, every block and stream, with the same limit (read_lzma.hpp).
    template <class Deferred = void>
    static std::optional<cbound::detail::dependent_t<Deferred, detail::lzma_container>>
    check_head(std::span<std::byte const> head, reader_options const& options, std::string_view what = {}) {
        detail::check_decoder_memory(head.first(head.size() < detail::head_bytes ? head.size() : detail::head_bytes),
                                     options.max_decoder_memory, what);
        auto const c = detail::lzma_container_of<Deferred>(head);
        if (!c || !bounds_lzma(options)) return {};
        filter const f = *c == detail::lzma_container::xz ? filter::xz : filter::lzma;
        if (!options.filters.empty() && !detail::lists(options.filters, f)) return {};
        return c;
    }
    /// Whether the file at `path` is read through a callback source: an xz or lzma file that
    /// cbound decodes, or a FIFO or device whose head can only be looked at on the way through.
    template <class Deferred = void>
    static bool check_head_of(std::filesystem::path const& path, reader_options const& options) {
        // A FIFO is never opened here: opened and closed before the reading open, it would let
        // its writer's first write meet no reader (SIGPIPE).
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0 || S_ISDIR(st.st_mode)) return false;
        if (!S_ISREG(st.st_mode)) return bounds_lzma(options);
        unique_fd const fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
        if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
        return check_head_at<Deferred>(fd.get(), 0, options, path.string()).has_value();
    }
    /// Checks the head of `fd` at `at`, without moving its offset.
    template <class Deferred = void>
    static std::optional<cbound::detail::dependent_t<Deferred, detail::lzma_container>>
    check_head_at(int fd, off_t at, reader_options const& options, std::string_view what = {}) {
        std::byte head[detail::head_bytes];
        ssize_t const n = ::pread(fd, head, sizeof head, at);
        if (n <= 0) return {};
        return check_head<Deferred>(std::span(head, static_cast<std::size_t>(n)), options, what);
    }

    /// Whether a reader accepting `formats` may meet a zip archive.
    static bool reads_zip(std::vector<format> const& formats) noexcept {
        return formats.empty() || detail::lists(formats, format::zip);
    }

    /// Runs `open` (an open through cbound's own xz/lzma layer), giving an error that names no
    /// path the archive's: the layer fails inside libarchive's first read, where no path is known,
    /// and an open error names its archive.
    template <class Open>
    static reader naming(std::filesystem::path const& archive, Open open) {
        try {
            return open();
        } catch (error const& e) {
            if (!e.pathname().empty()) throw;
            throw error(e.code(), "open", e.message(), archive.string(), e.status(), path_subject::archive);
        }
    }

    /// Turns the status of an archive_read_open* call into an exception where it failed.
    template <class Deferred = void>
    void check_open(int st, std::string const& what) {
        auto& s = *state_;
        if (st == ARCHIVE_WARN)
            s.warnings.push_back(detail::capture_warning(s.handle.get(), "open", what));
        else if (st != ARCHIVE_OK) {
            // EILSEQ: libarchive recognised no format (its ARCHIVE_ERRNO_FILE_FORMAT on Linux).
            // The xz hint only where a filter was recognised: a plain file that is no archive
            // had nothing nested in it, and a hint about nesting would mislead.
            bool const nested = s.lzma_filters_off && archive_filter_count(s.handle.get()) > 1;
            if ((s.external_filters_off || nested) && archive_errno(s.handle.get()) == EILSEQ) {
                error e = detail::capture_error(s.handle.get(), st, "open", what, path_subject::archive);
                s.guard.rethrow_if_any();
                cbound::detail::dependent_t<Deferred, std::string> hint; // built only where used (config.hpp)
                if (s.external_filters_off)
                    hint = "filters that run an external program, such as lrzip, lzop and grzip, are off: "
                           "reader_options::allow_external_programs";
                if (nested)
                    hint += (hint.empty() ? "" : "; ") +
                            std::string("xz and lzma inside another filter (gzip, uu, rpm) are not decoded under "
                                        "reader_options::max_decoder_memory (UINT64_MAX lifts the bound)");
                throw error(e.code(), e.operation(), e.message() + " (" + hint + ")", e.pathname(), e.status(),
                            e.subject());
            }
            detail::throw_failure(s, st, "open", what, path_subject::archive);
        }
    }

    [[nodiscard]] ::archive* usable(char const* operation) const {
        detail::require_usable(state_.get(), operation);
        return state_->handle.get();
    }
    static std::string_view text(char const* s) noexcept { return s != nullptr ? s : ""; }

    friend detail::read_state& detail::state_of(reader& r) noexcept;

    cbound::detail::box<detail::read_state> state_;
};

inline detail::read_state& detail::state_of(reader& r) noexcept { return *r.state_; }

} // namespace cbound::archive
