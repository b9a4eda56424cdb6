// cbound::archive — safe extraction of an archive into a folder.
//
//     auto r = cbound::archive::reader::open("upload.tar.gz");
//     cbound::archive::extract_report rep = cbound::archive::extract(r, "out");
//
// How: cbound judges every entry itself (name, link target, type, what is already on
// disk), then hands the survivors to libarchive's archive_write_disk with absolute paths
// below the canonical destination and SECURE_NODOTDOT as a second line. Symlinks on the
// way are cbound's job alone (libarchive's SECURE_SYMLINKS walks from '/' at every entry).
// archive_write_disk rather than our own openat() writer because it already restores
// everything a real tar must (sparse files, nanosecond times, xattrs, ACLs, folder modes
// and times fixed up after their contents), and our checks are what it lacks: it has no
// notion of "inside this folder" and creates symlinks pointing anywhere, FIFOs and devices.
// The destination is canonicalized first (so the symlink walk starts from a real folder), and no
// chdir() ever happens (paths longer than PATH_MAX fail instead, since libarchive would
// chdir() into them and that moves every thread).
//
// Policies mirror PEP 706's filters. Under `data` (the default) and `tar`:
//   - names with ".." anywhere, empty names, and (data) absolute names are refused;
//     `tar` strips the leading '/' instead. A folder entry "." or "./" names the
//     destination itself and is skipped (tar -C dir . writes one first); any other "." is refused.
//   - nothing is written through a symlink: an entry whose existing parent folders include
//     a symlink is refused (even one left by an earlier extraction into the same folder);
//     an existing symlink at the entry's own path is replaced, never followed.
//   - symlinks must point inside the destination, resolved from the link's folder (data:
//     never absolute; tar: absolute only when inside the destination);
//   - hard links must name an existing regular file inside the destination that is not
//     reached through a symlink. A hard link carrying data (newc cpio puts a link group's
//     data on its last name; pax may too) is linked and its data written through the link,
//     as bsdtar does: every name gets the data, and the checked target is inside. It does so
//     only to a file this extraction made: one that was there before may share its inode
//     with a file outside (or overwrite::never protects it), so the link's data is then
//     written as a file of its own;
//   - data refuses FIFOs, devices and sockets (also as root); tar allows FIFOs and devices;
//   - modes lose setuid, setgid, sticky and group/other write (data: files stay owner rw).
// `fully_trusted` hands every entry to libarchive as it is (absolute names included).
#pragma once

#include <cbound/archive/detail/extract_disk.hpp>
#include <cbound/archive/detail/extract_file.hpp>
#include <cbound/archive/detail/extract_path.hpp>
#include <cbound/archive/detail/handle.hpp>
#include <cbound/archive/detail/locale.hpp>
#include <cbound/archive/entry.hpp>
#include <cbound/archive/error.hpp>
#include <cbound/archive/reader.hpp>
#include <cbound/archive/types.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <unistd.h>
#include <utility>
#include <vector>

namespace cbound::archive {

/// How much an archive is trusted (PEP 706's extraction filters).
enum class extract_policy {
    data,          ///< the default: plain files, folders and links that stay inside; no special files
    tar,           ///< what a trusted tar needs (FIFOs, devices, absolute names made relative), still nothing outside
    fully_trusted, ///< libarchive as it is: absolute names, links anywhere, devices; only for your own archives
};

/// What happens to an entry the policy refuses.
enum class on_unsafe {
    stop, ///< the default: throw errc::unsafe_entry at the first refused entry (earlier entries stay)
    skip, ///< record it in the report as rejected and go on
};

/// What happens when something already exists at an entry's path.
enum class overwrite {
    replace_files,  ///< the default: files and links are replaced (never written through); folders are kept
                    ///< and merged into; a non-empty folder where a file goes fails that entry
    never,          ///< anything that exists is left alone and the entry is skipped (folders still merge)
    always_replace, ///< like replace_files, and a whole folder tree where a non-folder goes is removed first
};

/// Limits enforced while data streams (never from declared sizes); 0 means unlimited.
struct extract_limits {
    std::uint64_t max_total_bytes = 16ull << 30; ///< data bytes written, all entries together
    std::uint64_t max_entry_bytes = 8ull << 30;  ///< data bytes of one entry (also its declared size)
    std::uint64_t max_entries = 1'000'000;       ///< entries read, whatever became of them
    /// Data bytes written / archive bytes read so far (archive_filter_bytes(a, -1)), checked
    /// once more than 1 MiB was written.
    double max_ratio = 1000.0;
};

/// Where an extraction is, given to the progress callback.
struct progress {
    std::uint64_t entries_done = 0;             ///< entries finished (in any outcome)
    std::uint64_t bytes_done = 0;               ///< data bytes written so far
    std::optional<std::uint64_t> entries_total; ///< entries in the archive, when known (a streaming reader never knows)
    std::optional<std::uint64_t> bytes_total;   ///< data bytes in the archive, when known
    std::string_view pathname;                  ///< the entry being extracted (valid during the call)
};

/// How extract() behaves.
struct extract_options {
    extract_policy policy = extract_policy::data;  ///< how much the archive is trusted
    extract_limits limits{};                       ///< size, count and ratio limits
    on_unsafe unsafe = on_unsafe::stop;            ///< stop or skip at refused entries
    overwrite existing = overwrite::replace_files; ///< what to do with things already on disk
    bool preserve_times = true;                    ///< restore modification and access times
    bool preserve_permissions = true;              ///< restore modes (after the policy's cleaning), ignoring the umask
    bool preserve_owner = false;                   ///< restore owners (names first, then ids)
    bool preserve_xattrs = false;                  ///< restore extended attributes
    bool preserve_acls = false;                    ///< restore ACLs
    /// Called after each data block and each entry; return false to cancel (errc::cancelled).
    std::function<bool(progress const&)> on_progress;
};

/// What became of one entry.
enum class entry_outcome {
    extracted, ///< written to disk
    skipped,   ///< left out on purpose (overwrite::never, the destination's own "." entry)
    rejected,  ///< refused by the policy (only recorded with on_unsafe::skip)
    failed,    ///< libarchive or the disk failed; any partial file was removed
};

/// One entry of an extraction report.
struct entry_result {
    std::string pathname;  ///< the entry's name in the archive (UTF-8)
    entry_outcome outcome; ///< what became of it
    std::string reason;    ///< why it was skipped, rejected or failed, or a warning; empty when none
};

/// What an extraction did, entry by entry.
struct extract_report {
    std::vector<entry_result> entries; ///< every entry read, in archive order
    std::uint64_t bytes_written = 0;   ///< data bytes written
    std::size_t extracted = 0;         ///< entries with outcome extracted
    std::size_t skipped = 0;           ///< entries with outcome skipped
    std::size_t rejected = 0;          ///< entries with outcome rejected
    std::size_t failed = 0;            ///< entries with outcome failed
};

namespace detail {

/// The archive_write_disk flags that carry out `o`.
[[nodiscard]] inline int disk_flags(extract_options const& o) noexcept {
    int flags = 0;
    // No SECURE_SYMLINKS: it re-walks every entry's absolute path from '/' (open, stat and
    // close per component, destination included: 24 calls per entry 8 folders down), while
    // checked_plan() already refused symlinks on the way and unlinks one at a folder's path.
    if (o.policy != extract_policy::fully_trusted) flags |= ARCHIVE_EXTRACT_SECURE_NODOTDOT;
    if (o.preserve_times) flags |= ARCHIVE_EXTRACT_TIME;
    if (o.preserve_permissions) flags |= ARCHIVE_EXTRACT_PERM;
    if (o.preserve_owner) flags |= ARCHIVE_EXTRACT_OWNER;
    if (o.preserve_xattrs) flags |= ARCHIVE_EXTRACT_XATTR;
    if (o.preserve_acls) flags |= ARCHIVE_EXTRACT_ACL;
    if (o.existing == overwrite::never) flags |= ARCHIVE_EXTRACT_NO_OVERWRITE;
    if (o.existing == overwrite::always_replace) flags |= ARCHIVE_EXTRACT_UNLINK;
    return flags;
}

/// The canonical destination folder, created when missing.
[[nodiscard]] inline std::string canonical_destination(std::filesystem::path const& dest) {
    std::error_code ec;
    std::filesystem::create_directories(dest, ec);
    std::filesystem::path const root = std::filesystem::canonical(dest, ec);
    if (ec || !std::filesystem::is_directory(root))
        throw make_error(errc::invalid_argument, "extract", "the destination is not a usable folder", dest.string());
    return root.string();
}

/// One extraction: the per-entry decisions and the streaming of data to disk.
class extraction {
public:
    extraction(reader& r, std::string root, extract_options const& options)
        : reader_(r), root_(std::move(root)), options_(options), disk_(disk_flags(options), options.preserve_owner) {}

    /// Extracts every entry, then applies the deferred folder metadata.
    extract_report run() {
        while (std::optional<entry_view> e = reader_.next()) {
            ++entries_seen_;
            if (options_.limits.max_entries != 0 && entries_seen_ > options_.limits.max_entries)
                throw limit("more than " + std::to_string(options_.limits.max_entries) + " entries", {});
            one(*e);
            tell_progress(report_.entries.back().pathname);
        }
        disk_.close();
        return std::move(report_);
    }

private:
    /// The decision about an entry: where it goes, or why it does not.
    struct plan {
        entry_outcome outcome = entry_outcome::extracted; ///< extracted means "go ahead"
        std::string reason;                               ///< why not, when not
        std::string path;                                 ///< the absolute path to create
        std::string hardlink;                             ///< the absolute hard link target, when one
        bool link_has_data = false;                       ///< a hard link written as a file of its own
        bool fresh = false;                               ///< the entry's name will hold an inode this extraction made
    };
    [[nodiscard]] static plan refuse(std::string why) {
        return {entry_outcome::rejected, std::move(why), {}, {}, false, false};
    }
    [[nodiscard]] static plan skip(std::string why) {
        return {entry_outcome::skipped, std::move(why), {}, {}, false, false};
    }
    [[nodiscard]] static plan failed(std::string why) {
        return {entry_outcome::failed, std::move(why), {}, {}, false, false};
    }

    void one(entry_view e) {
        std::string name;
        std::optional<std::string> symlink_target, hardlink_target;
        {
            utf8_scope utf8; // names are stored as UTF-8 and converted on access
            name = std::string(e.pathname());
            if (auto s = e.symlink()) symlink_target.emplace(*s);
            if (auto h = e.hardlink()) hardlink_target.emplace(*h);
        }
        plan p = options_.policy == extract_policy::fully_trusted
                     ? trusted_plan(name, hardlink_target)
                     : checked_plan(e, name, symlink_target, hardlink_target);
        if (p.outcome == entry_outcome::extracted && p.path.size() >= PATH_MAX) p = failed("path longer than PATH_MAX");
        if (p.outcome == entry_outcome::rejected && options_.unsafe == on_unsafe::stop)
            throw make_error(errc::unsafe_entry, "extract", p.reason, name);
        if (p.outcome != entry_outcome::extracted) return record(std::move(name), p.outcome, std::move(p.reason));
        write(e, std::move(name), p, symlink_target);
    }

    /// fully_trusted: names and hard link targets as they are, relative ones below the destination.
    [[nodiscard]] plan trusted_plan(std::string const& name, std::optional<std::string> const& hardlink) const {
        plan p;
        if (name.empty()) return failed("empty name");
        p.path = absolute(name);
        if (hardlink) p.hardlink = absolute(*hardlink);
        return p;
    }

    [[nodiscard]] std::string absolute(std::string_view name) const {
        if (!name.empty() && name.front() == '/') return std::string(name);
        return root_ + "/" + std::string(name);
    }

    /// data and tar: every check of the header comment, in order.
    [[nodiscard]] plan checked_plan(entry_view e, std::string const& name,
                                    std::optional<std::string> const& symlink_target,
                                    std::optional<std::string> const& hardlink_target) {
        bool const tar = options_.policy == extract_policy::tar;
        entry_type const type = e.type();
        checked_name const checked = check_member_name(name, tar);
        if (!checked.refusal.empty()) return refuse(checked.refusal);
        if (checked.relative.empty()) {
            if (type == entry_type::directory) return skip("names the destination itself");
            return refuse("names the destination itself");
        }
        switch (type) {
        case entry_type::regular:
        case entry_type::directory:
        case entry_type::symlink:
        case entry_type::hardlink: break;
        case entry_type::fifo:
        case entry_type::character:
        case entry_type::block:
            if (!tar) return refuse("special file (" + std::string(to_string(type)) + ") refused by the data policy");
            break;
        case entry_type::socket:
        case entry_type::unknown: return refuse("cannot extract an entry of type " + std::string(to_string(type)));
        }
        // What is at the entry's own path matters to the overwrite choices, and to folders:
        // libarchive follows a symlink where a folder goes (files, links replace it).
        bool const want_leaf = options_.existing != overwrite::replace_files || type == entry_type::directory;
        walk_result const here = walk_existing(root_, checked.relative, &verified_, want_leaf);
        if (!here.refusal.empty()) return refuse(here.refusal);
        if (!here.failure.empty()) return failed(here.failure);
        verified_.forget(checked.relative); // this entry may replace or remove what is there
        plan p;
        p.path = root_ + "/" + checked.relative;
        p.fresh = type == entry_type::regular;
        if (type == entry_type::symlink) {
            // Under tar an absolute target may name a place inside the destination.
            std::string_view const root_for_absolute = tar ? std::string_view(root_) : std::string_view();
            if (auto escape = symlink_escape(checked.relative, symlink_target.value_or(""), root_for_absolute))
                return refuse(*escape);
        }
        if (type == entry_type::hardlink) {
            // A link carrying data is written through to its target (libarchive opens the
            // target with O_TRUNC): only these checks keep that write inside the destination.
            checked_name const target = check_member_name(*hardlink_target, tar);
            if (!target.refusal.empty()) return refuse("hard link target: " + target.refusal);
            if (target.relative.empty()) return refuse("hard link to the destination itself");
            walk_result const there = walk_existing(root_, target.relative, &verified_);
            if (!there.refusal.empty()) return refuse("hard link target: " + there.refusal);
            if (!there.leaf_exists) return failed("hard link target does not exist");
            if (!S_ISREG(there.leaf.st_mode)) return refuse("hard link to something other than a regular file");
            p.hardlink = root_ + "/" + target.relative;
            // Data goes through the link only into an inode this extraction made.
            bool const fresh_target = made_.find(target.relative) != made_.end();
            p.link_has_data = e.size().value_or(0) > 0 && !fresh_target;
            p.fresh = fresh_target || p.link_has_data;
        }
        if (here.leaf_exists && S_ISLNK(here.leaf.st_mode) && type == entry_type::directory &&
            options_.existing != overwrite::never) {
            if (::unlink(p.path.c_str()) != 0) return failed("cannot remove the symlink in the folder's way");
            return p; // nothing else is there now
        }
        if (here.leaf_exists) {
            bool const both_folders = type == entry_type::directory && S_ISDIR(here.leaf.st_mode);
            if (options_.existing == overwrite::never && !both_folders) return skip("already exists");
            if (options_.existing == overwrite::always_replace && S_ISDIR(here.leaf.st_mode) && !both_folders) {
                std::error_code ec;
                std::filesystem::remove_all(p.path, ec); // does not follow symlinks; the walk proved no parent is one
                if (ec) return failed("cannot remove the folder in the way: " + ec.message());
            }
        }
        return p;
    }

    /// The entry as libarchive should create it: our absolute names, the policy's mode.
    [[nodiscard]] entry_handle disk_entry(entry_view e, plan const& p,
                                          std::optional<std::string> const& symlink_target) const {
        entry_handle d(archive_entry_clone(e.native_handle()));
        if (!d) throw make_error(errc::archive_failed, "extract", "out of memory", p.path);
        archive_entry_copy_pathname(d.get(), p.path.c_str());
        if (symlink_target) archive_entry_copy_symlink(d.get(), symlink_target->c_str());
        if (p.link_has_data) {
            // Written as its own file: libarchive would open the target and write the data into it.
            archive_entry_copy_hardlink(d.get(), nullptr);
            archive_entry_set_filetype(d.get(), AE_IFREG);
        } else if (!p.hardlink.empty()) {
            archive_entry_copy_hardlink(d.get(), p.hardlink.c_str());
        }
        unsigned const perm = archive_entry_perm(d.get());
        bool const folder = archive_entry_filetype(d.get()) == AE_IFDIR;
        if (options_.policy == extract_policy::data) archive_entry_set_perm(d.get(), data_policy_perm(perm, folder));
        if (options_.policy == extract_policy::tar) archive_entry_set_perm(d.get(), tar_policy_perm(perm));
        return d;
    }

    void write(entry_view e, std::string name, plan const& p, std::optional<std::string> const& symlink_target) {
        if (auto declared = e.size(); declared && options_.limits.max_entry_bytes != 0 && *declared > 0 &&
                                      static_cast<std::uint64_t>(*declared) > options_.limits.max_entry_bytes)
            throw limit("entry declares " + std::to_string(*declared) + " bytes, over the per-entry limit", name);
        entry_handle const d = disk_entry(e, p, symlink_target);
        std::string_view const relative = std::string_view(p.path).substr(std::min(p.path.size(), root_.size() + 1));
        // From here on the name no longer holds what it held.
        if (auto const it = made_.find(relative); it != made_.end()) made_.erase(it);
        int st = disk_.header(d.get());
        if (st == ARCHIVE_FAILED) return record(std::move(name), entry_outcome::failed, disk_.message_or("failed"));
        std::string note = st == ARCHIVE_WARN ? disk_.message_or("warning") : std::string();
        // A hard link carrying data has it written through the link (see the header comment);
        // tar readers may leave a hard link's file type unset.
        bool const has_data = archive_entry_hardlink(d.get()) != nullptr ? archive_entry_size(d.get()) > 0
                                                                         : archive_entry_filetype(d.get()) == AE_IFREG;
        if (has_data) {
            std::string failure;
            try {
                failure = copy_data(e, name);
            } catch (...) {
                // A limit, a cancel or a fatal reader error: no half-written file stays behind.
                discard(p.path, name);
                throw;
            }
            if (!failure.empty()) {
                discard(p.path, name);
                return record(std::move(name), entry_outcome::failed, std::move(failure));
            }
        }
        st = disk_.finish(name);
        if (st == ARCHIVE_FAILED) {
            std::string why = disk_.message_or("failed");
            if (has_data) ::unlink(p.path.c_str());
            return record(std::move(name), entry_outcome::failed, std::move(why));
        }
        if (st == ARCHIVE_WARN && note.empty()) note = disk_.message_or("warning");
        if (p.fresh) made_.emplace(relative);
        record(std::move(name), entry_outcome::extracted, std::move(note));
    }

    /// Streams the entry's data to disk under the limits; an empty string or why the entry failed.
    std::string copy_data(entry_view e, std::string const& name) {
        std::uint64_t entry_bytes = 0;
        try {
            for (block const& b : e.blocks()) {
                entry_bytes += b.data.size();
                report_.bytes_written += b.data.size();
                check_limits(entry_bytes, name);
                if (std::string why = disk_.data(b.data.data(), b.data.size(), b.offset); !why.empty()) return why;
                tell_progress(name);
            }
        } catch (error const& ex) {
            // A fatal reader cannot go on; any other read failure fails this entry only.
            if (ex.status() == status::fatal || ex.code() == make_error_code(errc::limit_exceeded) ||
                ex.code() == make_error_code(errc::cancelled))
                throw;
            return ex.message();
        }
        return {};
    }

    void check_limits(std::uint64_t entry_bytes, std::string const& name) const {
        extract_limits const& l = options_.limits;
        if (l.max_entry_bytes != 0 && entry_bytes > l.max_entry_bytes)
            throw limit("entry data exceeds " + std::to_string(l.max_entry_bytes) + " bytes", name);
        if (l.max_total_bytes != 0 && report_.bytes_written > l.max_total_bytes)
            throw limit("extracted data exceeds " + std::to_string(l.max_total_bytes) + " bytes", name);
        constexpr std::uint64_t grace = 1u << 20;
        if (l.max_ratio > 0 && report_.bytes_written > grace) {
            la_int64_t const read = archive_filter_bytes(reader_.native_handle(), -1);
            if (read > 0 && static_cast<double>(report_.bytes_written) / static_cast<double>(read) > l.max_ratio)
                throw limit("compression ratio exceeds " + std::to_string(l.max_ratio), name);
        }
    }

    void tell_progress(std::string const& name) {
        if (!options_.on_progress) return;
        progress const now{report_.entries.size(), report_.bytes_written, std::nullopt, std::nullopt, name};
        if (!options_.on_progress(now))
            throw make_error(errc::cancelled, "extract", "cancelled by the progress callback", name);
    }

    /// Removes a partly written file; libarchive is told the entry is over first.
    void discard(std::string const& path, std::string const& name) noexcept {
        try {
            (void)disk_.finish(name);
        } catch (...) {
        }
        ::unlink(path.c_str());
    }

    [[nodiscard]] static error limit(std::string message, std::string_view name) {
        return make_error(errc::limit_exceeded, "extract", std::move(message), name);
    }

    void record(std::string name, entry_outcome outcome, std::string reason) {
        switch (outcome) {
        case entry_outcome::extracted: ++report_.extracted; break;
        case entry_outcome::skipped: ++report_.skipped; break;
        case entry_outcome::rejected: ++report_.rejected; break;
        case entry_outcome::failed: ++report_.failed; break;
        }
        report_.entries.push_back({std::move(name), outcome, std::move(reason)});
    }

    reader& reader_;
    std::string root_;
    extract_options const& options_;
    disk_writer disk_;
    extract_report report_;
    std::uint64_t entries_seen_ = 0;
    verified_folders verified_;               ///< folders known real in this extraction: the symlink walk's cache
    std::set<std::string, std::less<>> made_; ///< names holding a file this extraction made (relative)
};

} // namespace detail

/// Extracts every entry of `r` into the folder `dest` (created when missing) under `options`.
/// Throws errc::unsafe_entry (on_unsafe::stop), errc::limit_exceeded or errc::cancelled;
/// entries extracted before that stay on disk.
inline extract_report extract(reader& r, std::filesystem::path const& dest, extract_options const& options = {}) {
    detail::extraction run(r, detail::canonical_destination(dest), options);
    return run.run();
}

/// Writes the data of the regular file `e` to the file `to` (replaced atomically; a folder
/// entry creates the folder). Modes follow the data policy; nothing is ever followed at `to`.
inline void extract_entry(reader& r, entry_view e, std::filesystem::path const& to) {
    (void)r; // the entry's data is read through the reader it belongs to
    if (e.type() == entry_type::directory) {
        std::error_code ec;
        std::filesystem::create_directories(to, ec);
        if (ec) throw error(ec, "extract_entry", ec.message(), to.string());
        return;
    }
    detail::require_file_data(e, "extract_entry");
    detail::write_entry_file(e, to);
}

/// Writes the data of the regular file `e` to `out` (sparse holes as zeros).
inline void extract_entry(reader& r, entry_view e, std::ostream& out) {
    (void)r;
    detail::require_file_data(e, "extract_entry");
    e.copy_to(out);
}

} // namespace cbound::archive
