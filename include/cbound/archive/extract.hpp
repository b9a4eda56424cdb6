// cbound::archive — safe extraction of an archive into a folder.
//
//     auto r = cbound::archive::reader::open("upload.tar.gz");
//     cbound::archive::extract_report rep = cbound::archive::extract(r, "out");
//
// Policies mirror PEP 706's filters. Under `data` (the default) and `tar`, cbound creates
// everything itself through descriptors (detail/extract_confined.hpp): the destination is
// opened once and every folder below it is reached one component at a time without
// following a symlink, files are created with O_EXCL | O_NOFOLLOW, and metadata is set on
// the open descriptor; so no step can be redirected, whatever else changes the tree while
// the extraction runs, and nothing process-wide (working folder, umask) is touched:
// extractions on many threads need no lock. What is refused (detail/extract_policy.hpp):
//   - names with ".." anywhere, empty names, and (data) absolute names; `tar` strips the
//     leading '/' instead. A folder entry "." or "./" names the destination itself and is
//     skipped (tar -C dir . writes one first); any other "." is refused;
//   - an entry whose link fields disagree with its type (an mtree `type=file link=x`, a Rock
//     Ridge file with a symlink record, a cpio entry turned hard link to a FIFO): what is
//     checked must be what is created;
//   - anything written through a symlink: a symlink among an entry's existing folders is
//     refused (even one left by an earlier extraction); an existing symlink at the entry's
//     own path is replaced, never followed;
//   - symlinks that resolve outside the destination: lexically from the link's folder
//     (data: never absolute; tar: absolute only inside the destination), then against the
//     real tree, links already on disk included;
//   - hard links to anything but an existing regular file inside the destination (reached
//     through the same walk). A hard link carrying data (newc cpio puts a link group's data
//     on its last name; pax may too) is linked and its data written through the link, as
//     bsdtar does, but only into an inode this extraction made: one that was there before
//     may share its inode with a file outside, so the data is then written as its own file;
//   - (data) FIFOs, devices and sockets, also as root; tar allows FIFOs and devices;
//   - modes lose setuid, setgid, sticky and group/other write (data: files stay owner rw);
//     extended attributes are restored (when asked) in user.* only (tar: also trusted.*).
// `fully_trusted` hands every entry to libarchive's archive_write_disk as it is (absolute
// names included), behind a lock because libarchive sets the umask briefly.
//
// Failures: a refused entry throws errc::unsafe_entry (on_unsafe::stop, the default) or is
// recorded; a failed entry (corrupt data, a disk error) has its partial file removed, then
// throws an error naming it (on_failure::stop, the default) or is recorded. The data of
// every entry, refused or skipped ones too, is decoded to reach the next header, and every
// decoded byte counts against max_total_bytes and max_ratio.
#pragma once

#include <cbound/archive/detail/extract_confined.hpp>
#include <cbound/archive/detail/extract_file.hpp>
#include <cbound/archive/detail/extract_trusted.hpp>
#include <cbound/archive/entry.hpp>
#include <cbound/archive/error.hpp>
#include <cbound/archive/extract_options.hpp>
#include <cbound/archive/reader.hpp>
#include <cbound/archive/types.hpp>

#include <filesystem>
#include <iosfwd>
#include <string>
#include <system_error>

namespace cbound::archive {

// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh).

namespace detail {

/// The canonical destination folder, created when missing.
template <class Deferred = void>
[[nodiscard]] std::string canonical_destination(std::filesystem::path const& dest) {
    std::error_code ec;
    std::filesystem::create_directories(dest, ec);
    std::filesystem::path const root = std::filesystem::canonical(dest, ec);
    if (ec || !std::filesystem::is_directory(root))
        throw make_error(errc::invalid_argument, "extract", "the destination is not a usable folder", dest.string(),
                         status::failed, path_subject::file);
    return root.string();
}

} // namespace detail

/// Extracts every entry of `r` into the folder `dest` (created when missing) under `options`.
/// Throws errc::unsafe_entry (on_unsafe::stop), the error of a failed entry (on_failure::stop),
/// errc::limit_exceeded or errc::cancelled; entries extracted before that stay on disk.
template <class Deferred = void>
extract_report extract(reader& r, std::filesystem::path const& dest, extract_options const& options = {}) {
    std::string root = detail::canonical_destination<Deferred>(dest);
    if (options.policy == extract_policy::fully_trusted)
        return detail::basic_trusted_extraction<Deferred>(r, std::move(root), options).run();
    return detail::basic_confined_extraction<Deferred>(r, std::move(root), options).run();
}

/// Writes the data of the regular file `e` to the file `to` (replaced atomically; a folder
/// entry creates the folder). Modes follow the data policy; nothing is ever followed at `to`.
/// The data is read through the reader `e` belongs to, which must not have advanced.
template <class Deferred = void>
void extract_entry(entry_view e, std::filesystem::path const& to) {
    if (e.type() == entry_type::directory) {
        std::error_code ec;
        std::filesystem::create_directories(to, ec);
        if (ec) throw error(ec, "extract_entry", ec.message(), to.string());
        return;
    }
    detail::require_file_data<Deferred>(e, "extract_entry");
    detail::write_entry_file<Deferred>(e, to);
}

/// Writes the data of the regular file `e` to `out` (sparse holes as zeros).
template <class Deferred = void>
void extract_entry(entry_view e, std::ostream& out) {
    detail::require_file_data<Deferred>(e, "extract_entry");
    e.copy_to(out);
}

/// The old form of extract_entry(e, to), whose reader was never used; kept for one release.
template <class Deferred = void>
[[deprecated("the entry knows its reader: call extract_entry(e, to)")]] void
extract_entry(reader&, entry_view e, std::filesystem::path const& to) {
    extract_entry<Deferred>(e, to);
}

/// The old form of extract_entry(e, out), whose reader was never used; kept for one release.
template <class Deferred = void>
[[deprecated("the entry knows its reader: call extract_entry(e, out)")]] void extract_entry(reader&, entry_view e,
                                                                                            std::ostream& out) {
    extract_entry<Deferred>(e, out);
}

} // namespace cbound::archive
