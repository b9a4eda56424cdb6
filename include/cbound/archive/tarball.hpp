// cbound::archive — tarball: random access to an archive's files through borrowed views.
//
// The C++ shape of the seed's Rust `Tarball::file(&self, i) -> Option<&[u8]>`: the tarball
// owns the archive bytes (a read-only mapping, or the caller's memory) and an index built
// once with libarchive; file(i) is then O(1) and returns a span that borrows from the
// tarball. Views cannot be taken from a temporary tarball (the `&&` overloads are deleted)
// and clang's -Wdangling sees the rest through CBOUND_LIFETIMEBOUND.
//
// Memory: the index costs at most 64 bytes per entry plus its names, and 40 bytes per seek
// point (footprint() reports it); resident memory does not grow with the archive.
// Uncompressed archives (and stored zip entries) are served from the archive bytes with no
// copy. A tar in gzip, zstd or xz is decoded once at open to build the index, recording
// seek points (gzip: every seek_spacing decoded bytes; zstd: every frame; xz: every
// block); file(i) then decodes only that file, from the nearest point before it, into a
// temporary file mapped read-only, where it stays until the tarball dies. Data without a
// seek point near it (one-frame zstd, one-block xz, bzip2, deflated zip entries, sparse
// files) is decoded at open into a temporary file, bounded by max_decoded_bytes. Temporary
// files are unlinked from the start (O_TMPFILE): nothing is left behind.
#pragma once

#include <cbound/config.hpp>
#include <cbound/posix.hpp>

#include <cbound/archive/detail/errno.hpp>
#include <cbound/archive/detail/tarball_builder.hpp>
#include <cbound/archive/detail/tarball_index.hpp>
#include <cbound/archive/detail/tarball_saved.hpp>
#include <cbound/archive/error.hpp>
#include <cbound/archive/reader.hpp>
#include <cbound/archive/types.hpp>
#include <cbound/detail/box.hpp>
#include <cbound/detail/chrono.hpp>

#include <compare>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <exception>
#include <filesystem>
#include <iterator>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <sys/stat.h>

namespace cbound::archive {

/// Limits for tarball::open and the reader settings it opens with; the defaults suit untrusted archives.
struct tarball_options {
    /// Most bytes of file data decoded at open into the temporary file (data borrowed from
    /// the archive or decoded on demand does not count; runs of zeros count but cost no
    /// disk: they stay holes); more is an error.
    std::uint64_t max_decoded_bytes = std::uint64_t{16} << 30;
    /// Most entries the index may hold (64 bytes each at most); more is an error.
    std::uint64_t max_entries = std::uint64_t{1} << 24;
    /// Most bytes of one pathname or link target; longer is an error.
    std::uint64_t max_name_bytes = 64 * 1024;
    /// Most bytes of all names together (the index's string pool); more is an error.
    std::uint64_t max_total_name_bytes = std::uint64_t{256} << 20;
    /// Decoded bytes between gzip seek points; each point keeps a 32 KiB window in the
    /// temporary storage (not in memory), so the windows cost 32 KiB per seek_spacing.
    std::uint64_t seek_spacing = std::uint64_t{1} << 20;
    /// Most decoded bytes a file read may decode before reaching the file's data; a file
    /// farther from its nearest seek point is decoded at open instead.
    std::uint64_t max_seek_distance = std::uint64_t{32} << 20;
    /// Whether to record seek points at all (false: every compressed file is decoded at open).
    bool seek = true;
    /// Where the temporary files go; empty: the system's temporary folder (TMPDIR).
    std::filesystem::path temporary_directory{};
    /// A file to keep the index in: when it exists and matches the archive (size, time and a
    /// checksum of sampled bytes) opening reads it instead of scanning the archive; otherwise
    /// the index is built and written there (atomically). Empty: no saved index. See
    /// detail/tarball_saved.hpp for the format; failing to write it is only a warning.
    std::filesystem::path index_path{};
    /// Formats and filters to accept, libarchive options and passphrases, as for reader.
    reader_options read{};
};

/// A borrowed view of one indexed entry's metadata; valid while its tarball lives.
class tarball_entry {
public:
    /// The entry's number, in archive order from 0.
    [[nodiscard]] std::size_t index() const noexcept { return i_; }
    /// The pathname as stored in the archive, in UTF-8.
    [[nodiscard]] std::string_view pathname() const noexcept { return index_->pathname(i_); }
    /// The entry's type; a hardlink reports entry_type::hardlink.
    [[nodiscard]] entry_type type() const noexcept {
        return record().is_hardlink ? entry_type::hardlink : entry_type_from_mode(record().mode);
    }
    /// Whether file() has data: a regular file, or a hardlink whose target was found.
    [[nodiscard]] bool is_file() const noexcept { return record().home != detail::data_home::none; }
    /// Bytes of file data (a hardlink's are its target's); 0 when not a file.
    [[nodiscard]] std::uint64_t size() const noexcept { return record().data_size; }
    /// The full st_mode: file-type bits and permissions.
    [[nodiscard]] unsigned mode() const noexcept { return record().mode; }
    /// The permission bits (mode & 07777).
    [[nodiscard]] unsigned perms() const noexcept { return record().mode & 07777u; }
    /// The modification time to the second (the index keeps seconds), as entry_view::mtime() gives
    /// it; nullopt when the header has none or it lies beyond what nanoseconds hold (±292 years).
    [[nodiscard]] std::optional<entry_time> mtime() const noexcept {
        std::int64_t const seconds = record().mtime;
        constexpr std::int64_t limit = std::numeric_limits<std::int64_t>::max() / 1'000'000'000;
        if (seconds == detail::no_mtime || seconds > limit || seconds < -limit) return std::nullopt;
        return entry_time(std::chrono::seconds(seconds));
    }
    /// Owner id.
    [[nodiscard]] std::int64_t uid() const noexcept { return record().uid; }
    /// Group id.
    [[nodiscard]] std::int64_t gid() const noexcept { return record().gid; }
    /// The target of a symbolic link; empty for other entries.
    [[nodiscard]] std::string_view symlink() const noexcept {
        return record().is_hardlink ? std::string_view{} : index_->link_target(i_);
    }
    /// The pathname a hardlink points to; empty for other entries.
    [[nodiscard]] std::string_view hardlink() const noexcept {
        return record().is_hardlink ? index_->link_target(i_) : std::string_view{};
    }
    /// The file's bytes, or nullopt when it is not a file (same as tarball::file(index())).
    template <class Deferred = void> // the result type is compiled only where used (config.hpp)
    [[nodiscard]] std::optional<cbound::detail::dependent_t<Deferred, std::span<std::byte const>>> data() const {
        return index_->template data<Deferred>(i_);
    }

private:
    friend class tarball;
    friend class tarball_iterator;
    tarball_entry(detail::tarball_index const* index, std::size_t i) noexcept : index_(index), i_(i) {}
    [[nodiscard]] detail::tarball_record const& record() const noexcept { return index_->records[i_]; }

    detail::tarball_index const* index_;
    std::size_t i_;
};

/// A random-access iterator over a tarball's entries, yielding tarball_entry by value.
class tarball_iterator {
public:
    /// Random access: entries are numbered.
    using iterator_concept = std::random_access_iterator_tag;
    /// Only input for C++17 algorithms: dereferencing yields a value, not a reference.
    using iterator_category = std::input_iterator_tag;
    /// The entry view.
    using value_type = tarball_entry;
    /// The distance between two positions.
    using difference_type = std::ptrdiff_t;
    /// Dereferencing yields a view by value.
    using reference = tarball_entry;

    /// A singular iterator.
    tarball_iterator() noexcept = default;

    /// The entry at this position.
    [[nodiscard]] tarball_entry operator*() const noexcept { return {index_, i_}; }
    /// The entry `n` positions away.
    [[nodiscard]] tarball_entry operator[](difference_type n) const noexcept { return *(*this + n); }

    /// Moves to the next entry.
    tarball_iterator& operator++() noexcept {
        ++i_;
        return *this;
    }
    /// Moves to the next entry, returning the old position.
    tarball_iterator operator++(int) noexcept { return {index_, i_++}; }
    /// Moves to the previous entry.
    tarball_iterator& operator--() noexcept {
        --i_;
        return *this;
    }
    /// Moves to the previous entry, returning the old position.
    tarball_iterator operator--(int) noexcept { return {index_, i_--}; }
    /// Moves `n` entries.
    tarball_iterator& operator+=(difference_type n) noexcept {
        i_ = static_cast<std::size_t>(static_cast<difference_type>(i_) + n);
        return *this;
    }
    /// Moves `n` entries back.
    tarball_iterator& operator-=(difference_type n) noexcept { return *this += -n; }
    /// The position `n` entries after `it`.
    [[nodiscard]] friend tarball_iterator operator+(tarball_iterator it, difference_type n) noexcept { return it += n; }
    /// The position `n` entries after `it`.
    [[nodiscard]] friend tarball_iterator operator+(difference_type n, tarball_iterator it) noexcept { return it += n; }
    /// The position `n` entries before `it`.
    [[nodiscard]] friend tarball_iterator operator-(tarball_iterator it, difference_type n) noexcept { return it -= n; }
    /// The number of entries from `b` to `a`.
    [[nodiscard]] friend difference_type operator-(tarball_iterator const& a, tarball_iterator const& b) noexcept {
        return static_cast<difference_type>(a.i_) - static_cast<difference_type>(b.i_);
    }
    /// Whether two iterators are at the same position.
    [[nodiscard]] friend bool operator==(tarball_iterator const& a, tarball_iterator const& b) noexcept {
        return a.i_ == b.i_;
    }
    /// Orders positions of the same tarball.
    [[nodiscard]] friend std::strong_ordering operator<=>(tarball_iterator const& a,
                                                          tarball_iterator const& b) noexcept {
        return a.i_ <=> b.i_;
    }

private:
    friend class tarball;
    tarball_iterator(detail::tarball_index const* index, std::size_t i) noexcept : index_(index), i_(i) {}

    detail::tarball_index const* index_ = nullptr;
    std::size_t i_ = 0;
};

/// What a tarball's index and owned data cost in memory, in bytes.
struct tarball_footprint {
    std::size_t index_bytes = 0;     ///< entry records, the name table and the seek points (heap)
    std::size_t name_bytes = 0;      ///< the string pool (pathnames and link targets) (heap)
    std::uint64_t decoded_bytes = 0; ///< file data decoded at open (temporary file, not heap)
    std::size_t seek_points = 0;     ///< places a read can start decoding from
    std::uint64_t window_bytes = 0;  ///< the gzip points' windows (temporary file, not heap)
    std::uint64_t stream_bytes = 0;  ///< the decoded stream that on-demand reads fill (temporary file,
                                     ///< sparse: only the files read take space)
};

/// An archive opened for random access: O(1) file(i) spans that borrow from the tarball.
// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh; see cbound/config.hpp).
class tarball {
public:
    /// Maps the archive at `path` and indexes it; throws cbound::archive::error.
    template <class Deferred = void>
    [[nodiscard]] static tarball open(std::filesystem::path const& path, tarball_options const& options = {}) {
        auto index = cbound::detail::make_box<cbound::detail::dependent_t<Deferred, detail::tarball_index>>();
        try {
            index->mapping = mapped_file::open(path);
        } catch (std::system_error const& e) {
            // Keep the failed call where it says more than "open" ("map (not a regular file)").
            std::string doing = e.what();
            if (std::string const tail = " '" + path.string() + "': " + e.code().message(); doing.ends_with(tail))
                doing.resize(doing.size() - tail.size());
            if (doing == "open") doing.clear();
            throw detail::errno_error(e.code().value(), "open", path.string(), path_subject::archive, doing);
        }
        index->source = index->mapping.bytes();
        std::int64_t mtime_ns = 0;
        if (std::error_code ec;
            !options.index_path.empty() && std::filesystem::equivalent(path, options.index_path, ec))
            throw detail::make_error(errc::invalid_argument, "open", "index_path names the archive itself",
                                     path.string(), status::failed, path_subject::archive);
        if (struct stat st{}; !options.index_path.empty() && ::stat(path.c_str(), &st) == 0)
            mtime_ns = std::int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
        try {
            return tarball(std::move(index), options, mtime_ns);
        } catch (error const& e) {
            // The index reads the mapped bytes, which have no name: an error about no entry is the archive's.
            if (!e.pathname().empty()) throw;
            throw error(e.code(), e.operation(), e.message(), path.string(), e.status(), path_subject::archive);
        }
    }

    /// Indexes an archive in memory the caller keeps alive and unchanged while the tarball lives.
    template <class Deferred = void>
    [[nodiscard]] static tarball open_memory(std::span<std::byte const> bytes CBOUND_LIFETIMEBOUND,
                                             tarball_options const& options = {}) {
        auto index = cbound::detail::make_box<cbound::detail::dependent_t<Deferred, detail::tarball_index>>();
        index->source = bytes;
        return tarball(std::move(index), options);
    }

    /// Takes over the index of `other`, which becomes unusable (its methods throw).
    tarball(tarball&& other) noexcept = default;
    /// Releases this tarball's memory and takes over the index of `other`.
    tarball& operator=(tarball&& other) noexcept = default;
    tarball(tarball const&) = delete;
    tarball& operator=(tarball const&) = delete;
    ~tarball() = default;

    /// Whether this tarball holds an index (false once moved from).
    explicit operator bool() const noexcept { return index_ != nullptr; }

    /// The number of entries.
    [[nodiscard]] std::size_t size() const { return state().records.size(); }
    /// Whether the archive has no entries.
    [[nodiscard]] bool empty() const { return size() == 0; }

    /// The bytes of entry `i`; nullopt when out of range or not a file. Empty files give an empty span.
    /// Compressed data is decoded on first use (safe from several threads at once); throws
    /// cbound::archive::error when it cannot be, or when libarchive could not decode the entry.
    // A template on a dependent result type (compiling to the same code), so that the optional
    // is compiled only where file() is called (config.hpp).
    template <class Deferred = void>
    [[nodiscard]] std::optional<cbound::detail::dependent_t<Deferred, std::span<std::byte const>>>
    file(std::size_t i) const& CBOUND_LIFETIMEBOUND {
        detail::tarball_index const& s = state();
        if (i >= s.records.size()) return {};
        return s.template data<Deferred>(i);
    }
    /// Deleted: the bytes of a temporary tarball would dangle at the end of the expression.
    std::optional<std::span<std::byte const>> file(std::size_t i) const&& = delete;

    /// The bytes of the last entry named `path`; nullopt when there is none or it is not a file.
    template <class Deferred = void> // as file(i)
    [[nodiscard]] std::optional<cbound::detail::dependent_t<Deferred, std::span<std::byte const>>>
    file(std::string_view path) const& CBOUND_LIFETIMEBOUND {
        detail::tarball_index const& s = state();
        std::optional<std::size_t> i = s.find(path);
        if (!i) return {};
        return s.template data<Deferred>(*i);
    }
    /// Deleted: the bytes of a temporary tarball would dangle at the end of the expression.
    std::optional<std::span<std::byte const>> file(std::string_view path) const&& = delete;

    /// The number of the last entry named exactly `path` (what extraction would leave), if any.
    [[nodiscard]] std::optional<std::size_t> find(std::string_view path) const { return state().find(path); }

    /// The metadata of entry `i`; throws cbound::archive::error (not_found) when out of range.
    [[nodiscard]] tarball_entry operator[](std::size_t i) const& CBOUND_LIFETIMEBOUND {
        detail::tarball_index const& s = state();
        if (i >= s.records.size())
            throw detail::make_error(errc::not_found, "tarball::operator[]",
                                     "entry " + std::to_string(i) + " of " + std::to_string(s.records.size()));
        return {&s, i};
    }
    /// Deleted: a view of a temporary tarball would dangle at the end of the expression.
    tarball_entry operator[](std::size_t i) const&& = delete;

    /// The first entry, in archive order.
    [[nodiscard]] tarball_iterator begin() const& CBOUND_LIFETIMEBOUND { return {&state(), 0}; }
    /// Deleted: iterating a temporary tarball would dangle.
    tarball_iterator begin() const&& = delete;
    /// Past the last entry.
    [[nodiscard]] tarball_iterator end() const& CBOUND_LIFETIMEBOUND {
        detail::tarball_index const& s = state();
        return {&s, s.records.size()};
    }
    /// Deleted: iterating a temporary tarball would dangle.
    tarball_iterator end() const&& = delete;

    /// Warnings libarchive reported while indexing (the entries were still indexed).
    [[nodiscard]] std::span<warning const> warnings() const& CBOUND_LIFETIMEBOUND {
        // From pointer and size: span's range constructor checks the range concepts on the vector
        // in every translation unit that includes this header (see cbound/config.hpp).
        detail::tarball_index const& s = state();
        return {s.warnings.data(), s.warnings.size()};
    }
    /// Deleted: the warnings of a temporary tarball would dangle.
    std::span<warning const> warnings() const&& = delete;

    /// Whether opening read the index saved at tarball_options::index_path instead of scanning the archive.
    [[nodiscard]] bool from_saved_index() const { return !state().saved.empty(); }

    /// What the index costs on the heap, and what the tarball keeps in its temporary files.
    [[nodiscard]] tarball_footprint footprint() const {
        detail::tarball_index const& s = state();
        return {s.records.capacity() * sizeof(detail::tarball_record) + s.slots.capacity() * sizeof(std::uint32_t) +
                    s.points.capacity() * sizeof(detail::seek_point) + s.records.size(),
                s.names.capacity(),
                s.decoded_bytes,
                s.points.size(),
                s.windows.size(),
                s.mirror.size()};
    }

private:
    /// Opens the index's source with a reader configured by `options` and indexes it.
    /// `mtime_ns`, the archive file's modification time, identifies it to a saved index.
    /// A passphrase callback's exception reaches the caller as it was thrown.
    template <class Deferred = void>
    tarball(cbound::detail::box<detail::tarball_index> index, tarball_options const& options,
            std::int64_t mtime_ns = 0) {
        if (!options.read.passphrase_callback) {
            build(std::move(index), options, mtime_ns);
            return;
        }
        // The index walks libarchive's handle past the reader, whose guard would keep the
        // exception to itself, and libarchive replaces its record with "Passphrase required":
        // the exception is kept here instead, and ends the open as the reader's would.
        std::exception_ptr thrown;
        tarball_options watched = options;
        watched.read.passphrase_callback = [&thrown, &ask = options.read.passphrase_callback] {
            try {
                return ask();
            } catch (...) {
                if (!thrown) thrown = std::current_exception();
                throw;
            }
        };
        try {
            build(std::move(index), watched, mtime_ns);
        } catch (error const&) {
            if (thrown) std::rethrow_exception(thrown);
            throw;
        }
        if (thrown) std::rethrow_exception(thrown);
    }

    /// Indexes as the constructor says, with the options as given.
    template <class Deferred = void>
    void build(cbound::detail::box<detail::tarball_index> index, tarball_options const& options,
               std::int64_t mtime_ns) {
        // An empty mapping has no address; libarchive still wants one.
        static constexpr std::byte nothing{};
        std::span<std::byte const> const bytes = index->source.empty() ? std::span(&nothing, 0) : index->source;
        index->temporary_directory = options.temporary_directory;
        detail::archive_identity id;
        if (!options.index_path.empty()) {
            id = {bytes.size(), mtime_ns, detail::sample_checksum(bytes)};
            if (detail::load_index<Deferred>(*index, id, options.index_path)) {
                index_ = std::move(index);
                return;
            }
        }
        detail::tarball_limits limits{options.max_decoded_bytes, options.max_entries,
                                      options.max_name_bytes,    options.max_total_name_bytes,
                                      options.max_seek_distance, options.temporary_directory};
        detail::codec c = options.seek ? seekable(bytes, options.read.filters) : detail::codec::none;
        if (c == detail::codec::xz) {
            // The block index sits at the end of the file: without a readable one (a cut or
            // damaged file), libarchive reads what it can and names the problem itself.
            try {
                detail::xz_points<Deferred>(bytes, index->points);
            } catch (error const&) {
                index->points.clear();
                c = detail::codec::none;
            }
        }
        if (c == detail::codec::none) {
            // The reader applies the allow-lists, options and passphrases; the index reads through it.
            reader r = reader::open_memory(bytes, options.read);
            detail::basic_tarball_builder<Deferred>(detail::state_of(r), *index, std::move(limits)).run();
        } else {
            index_seekable(*index, bytes, c, options, std::move(limits));
        }
        if (!options.index_path.empty() && detail::can_save(*index)) {
            try {
                detail::save_index<Deferred>(*index, id, options.index_path);
            } catch (std::system_error const& e) {
                index->warnings.push_back({"save_index", e.what(), {}, e.code().value()});
            }
        }
        index_ = std::move(index);
    }

    /// The codec cbound decodes itself (to record seek points), when the filters allow it.
    template <class Deferred = void>
    static detail::codec seekable(std::span<std::byte const> bytes, std::vector<filter> const& allowed) noexcept {
        detail::codec const c = detail::detect_codec(bytes);
        filter const f = c == detail::codec::gzip ? filter::gzip : c == detail::codec::zstd ? filter::zstd : filter::xz;
        if (c == detail::codec::none) return c;
        for (filter const a : allowed)
            if (a == f) return c;
        return allowed.empty() ? c : detail::codec::none;
    }

    /// Indexes a stream cbound decodes itself, libarchive reading the decoded bytes.
    template <class Deferred = void>
    static void index_seekable(detail::tarball_index& index, std::span<std::byte const> bytes, detail::codec c,
                               tarball_options const& options, detail::tarball_limits limits) {
        index.stream = c;
        std::uint64_t windows_end = 0;
        cbound::detail::box<cbound::detail::dependent_t<Deferred, detail::stream_scan>> scan;
        switch (c) {
        case detail::codec::gzip:
            index.windows = detail::temp_store::create(options.temporary_directory);
            scan = cbound::detail::make_box<detail::basic_gzip_scan<Deferred>>(
                bytes, index.points, options.seek_spacing, index.windows, windows_end);
            break;
        case detail::codec::zstd:
            scan = cbound::detail::make_box<detail::basic_zstd_scan<Deferred>>(bytes, index.points);
            break;
        case detail::codec::xz:
            scan = cbound::detail::make_box<detail::basic_xz_scan<Deferred>>(bytes, options.read.max_decoder_memory);
            break; // points: read already
        case detail::codec::none: break;
        }
        // Only the tarball's own mapping: a caller's memory is theirs to manage.
        if (!index.mapping.empty()) scan->release_read_input(bytes);
        std::exception_ptr failure;
        read_source source;
        source.read = [&]() -> std::span<std::byte const> {
            try {
                return scan->next();
            } catch (...) {
                failure = std::current_exception();
                throw;
            }
        };
        // A lambda, not std::optional<reader>: that type alone cost every includer 1 MB of GCC's memory.
        reader r = [&] {
            try {
                return reader::open_callbacks(std::move(source), options.read);
            } catch (error const&) {
                if (failure) std::rethrow_exception(failure);
                throw;
            }
        }();
        detail::basic_tarball_builder<Deferred>(detail::state_of(r), index, std::move(limits)).run();
        if (windows_end != 0) index.windows.map(windows_end);
        index.window_view = index.windows.bytes();
    }

    [[noreturn, gnu::cold, gnu::noinline]] static void throw_unusable() {
        throw detail::make_error(errc::handle_unusable, "tarball", "the tarball was moved from", {}, status::fatal);
    }

    [[nodiscard]] detail::tarball_index const& state() const {
        if (index_ == nullptr) throw_unusable();
        return *index_;
    }

    cbound::detail::box<detail::tarball_index> index_;
};

} // namespace cbound::archive
