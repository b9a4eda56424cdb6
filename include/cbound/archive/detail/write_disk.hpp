// cbound::archive — where a tree walk hands what it found on disk: into a writer (internal).
#pragma once

#include <cbound/archive/detail/errno.hpp>
#include <cbound/archive/detail/write_sink.hpp>
#include <cbound/archive/detail/writer_state.hpp>
#include <cbound/archive/error.hpp>
#include <cbound/config.hpp>
#include <cbound/detail/box.hpp>

#include <archive_entry.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>

#include <unistd.h>

namespace cbound::archive::detail {

// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh; see cbound/config.hpp).

/// The walk's data buffer: one heap array, allocated on first use (dependent: compiled only where used).
template <class Deferred>
using byte_buffer =
    cbound::detail::box<cbound::detail::dependent_t<Deferred, std::byte>, cbound::detail::delete_array<std::byte>>;

/// Copies the open entry's data from descriptor `fd`, through `buffer` (allocated on first use).
template <class Deferred = void>
inline void copy_data(cbound::detail::dependent_t<Deferred, writer_state>& w, int fd, std::string const& path,
                      byte_buffer<Deferred>& buffer) {
    // One buffer for the whole walk, left uninitialized (read() fills what is used): a fresh
    // one per file costs an allocation that also makes malloc consolidate its free lists.
    constexpr std::size_t size = 65536;
    if (!buffer) buffer.reset(new std::byte[size]);
    while (w.remaining > 0) {
        ssize_t const n = retry_on_signal([&] { return ::read(fd, buffer.get(), size); });
        if (n < 0) w.fail(errno_error(errno, "add_file", path));
        if (n == 0)
            w.fail(make_error(errc::size_mismatch, "add_file", "the file shrank while it was read", w.entry_path(),
                              status::fatal));
        std::size_t const take = static_cast<std::int64_t>(n) > w.remaining ? static_cast<std::size_t>(w.remaining)
                                                                            : static_cast<std::size_t>(n);
        w.write(std::span<std::byte const>(buffer.get(), take));
    }
}

/// The `Out` of a tree walk (detail/tree_walk.hpp) that writes each entry found into a writer.
/// A class template, with member types spelled dependent, so that only a walk compiles it.
template <class Deferred = void>
struct basic_disk_output {
    cbound::detail::dependent_t<Deferred, writer_state>& w; ///< the writer's state
    bool whole_tree;     ///< add_tree: a file the format refuses is left out, as tar does; add_file: an error
    std::size_t added{}; ///< entries written so far
    /// File data on its way in, shared by every file of the walk.
    byte_buffer<Deferred> buffer{};

    /// Writes one entry, its data read from `data` unless that is -1.
    void entry(::archive_entry* header, int data, std::string const& disk_path) {
        try {
            w.begin(header);
        } catch (error const& e) {
            // ARCHIVE_FAILED at the header (zip and named pipes, say) leaves the archive intact.
            if (!whole_tree || e.status() != status::failed || w.phase != writer_phase::ready) throw;
            return warn(warning{"add_tree", e.message(), disk_path, e.code().value()});
        }
        name_lease const lease{w.entry_name};
        if (data >= 0) copy_data<Deferred>(w, data, disk_path, buffer);
        w.finish();
        ++added;
    }
    /// Records a warning of the walk.
    void warn(warning found) { w.warnings.push_back(std::move(found)); }
};

} // namespace cbound::archive::detail
