// cbound::archive — reading a folder tree from disk through descriptors, for add_tree and add_file (internal).
//
// Walking by path cannot be made safe: between looking at "a/b" and opening "a/b/c", another
// process may swap "a/b" for a symlink to somewhere else, and a path walk follows it. So the
// walk holds a descriptor of every folder it is inside, reaches each child with openat()
// relative to it (O_NOFOLLOW unless symlinks are followed on purpose), and describes what it
// opened with fstat() of that descriptor, never with a second look at a path. A regular file is
// opened with O_NONBLOCK (a FIFO swapped in cannot block the open) and checked after the open:
// still a regular file, still the inode the listing named.
//
// The metadata comes from that fstat alone, with owner names cached per id: the default costs
// the system calls GNU tar makes per file and no more. archive_read_disk is used only when the
// caller asks for extended attributes, ACLs or file flags.
#pragma once

#include <cbound/archive/detail/errno.hpp>
#include <cbound/archive/detail/flat_table.hpp>
#include <cbound/archive/detail/handle.hpp>
#include <cbound/archive/detail/utf8.hpp>
#include <cbound/archive/detail/write_sink.hpp>
#include <cbound/archive/error.hpp>
#include <cbound/archive/owned_entry.hpp>
#include <cbound/archive/types.hpp>
#include <cbound/callback.hpp>
#include <cbound/config.hpp>
#include <cbound/posix.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cbound::archive::detail {

// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh; see cbound/config.hpp).

/// The device and inode that name one file on disk.
struct file_identity {
    ::dev_t dev = 0; ///< the device
    ::ino_t ino = 0; ///< the inode on that device
    friend bool operator==(file_identity, file_identity) = default;
};

/// The identity of what `st` describes.
[[nodiscard]] inline file_identity identity_of(struct ::stat const& st) noexcept { return {st.st_dev, st.st_ino}; }

/// Hashes a file_identity for the hard-link table (a template, so that the table's type is one too).
template <class Deferred = void>
struct file_identity_hash {
    /// Mixes device and inode.
    std::size_t operator()(file_identity id) const noexcept {
        return std::hash<std::uint64_t>{}(static_cast<std::uint64_t>(id.ino) * 0x9E3779B97F4A7C15ull ^
                                          static_cast<std::uint64_t>(id.dev));
    }
};

/// What a tree walk is asked to do (tree_options as the walk needs it, plus what the writer knows).
struct tree_walk_settings {
    /// The caller's filter, or null; a folder it refuses is not descended into.
    cbound::callback<bool(std::filesystem::directory_entry const&)> const* filter = nullptr;
    bool follow_symlinks = false;   ///< store what symlinks point to, folders included
    bool keep_access_times = false; ///< keep atime and ctime
    bool xattrs = false;            ///< read extended attributes
    bool acls = false;              ///< read ACLs
    bool file_flags = false;        ///< read file flags (chattr)
    bool hard_links = false;        ///< store a second name of an inode as a hard link to the first
    /// The archive being written, never added to itself; no file when ino is 0, which no file has
    /// (a plain field rather than an optional, which would cost every includer a class to compile).
    file_identity skip{};
    std::optional<std::int64_t> mtime{};       ///< every entry's modification time, in seconds (wins over clamp)
    std::optional<std::int64_t> clamp_mtime{}; ///< later modification times become this, in seconds
    std::optional<std::int64_t> uid{};         ///< every entry's owner id (its name then comes from `uname` alone)
    std::optional<std::int64_t> gid{};         ///< every entry's group id (its name then comes from `gname` alone)
    std::optional<std::string> uname{};        ///< every entry's owner name ("" stores none)
    std::optional<std::string> gname{};        ///< every entry's group name ("" stores none)
    unsigned mode_clear = 0;                   ///< permission bits removed from every entry
    unsigned mode_set = 0;                     ///< permission bits added to every entry (after mode_clear)
    /// The caller's hook, or null: called with each header before it is written.
    cbound::callback<void(entry&)> const* edit = nullptr;
};

/// Folders nest at most this deep below the top of a walk that does not follow symlinks.
inline constexpr std::size_t max_tree_depth = 4096;
/// Folders nest at most this deep when symlinks are followed (loops are also caught by inode).
inline constexpr std::size_t max_followed_depth = 256;

/// Owner and group names by id, each looked up once per walk (as libarchive's standard lookup caches them).
template <class Deferred = void>
class basic_owner_names {
public:
    /// The user name of `uid`, or null when it has none.
    [[nodiscard]] char const* user(::uid_t uid) { return find(users_, uid, true); }
    /// The group name of `gid`, or null when it has none.
    [[nodiscard]] char const* group(::gid_t gid) { return find(groups_, gid, false); }

private:
    struct known {
        unsigned id;
        bool found;
        std::string name;
    };

    char const* find(std::vector<known>& cache, unsigned id, bool user) {
        for (known const& k : cache)
            if (k.id == id) return k.found ? k.name.c_str() : nullptr;
        known k{id, false, {}};
        std::vector<char> buffer(1024);
        for (;;) {
            int rc = 0;
            char const* name = nullptr;
            if (user) {
                struct ::passwd pw {};
                struct ::passwd* result = nullptr;
                rc = ::getpwuid_r(id, &pw, buffer.data(), buffer.size(), &result);
                if (rc == 0 && result != nullptr) name = result->pw_name;
            } else {
                struct ::group gr {};
                struct ::group* result = nullptr;
                rc = ::getgrgid_r(id, &gr, buffer.data(), buffer.size(), &result);
                if (rc == 0 && result != nullptr) name = result->gr_name;
            }
            if (rc == ERANGE && buffer.size() < (1u << 20)) {
                buffer.resize(buffer.size() * 4);
                continue;
            }
            if (name != nullptr) {
                k.found = true;
                k.name = name;
            }
            break;
        }
        cache.push_back(std::move(k));
        return cache.back().found ? cache.back().name.c_str() : nullptr;
    }

    std::vector<known> users_;
    std::vector<known> groups_;
};

/// Walks files and folders from disk through descriptors, handing each to `out` as a filled header.
///
/// `Out` has `void entry(::archive_entry* header, int data_fd, std::string const& disk_path)` (data_fd is
/// -1 unless the entry is a regular file whose data follows) and `void warn(warning)`.
template <class Deferred = void>
class basic_tree_walk {
public:
    /// A walk configured by `settings` (the filter it points to must outlive the walk).
    explicit basic_tree_walk(tree_walk_settings settings) : settings_(std::move(settings)) {
        if (settings_.xattrs || settings_.acls || settings_.file_flags) {
            // Only for what the caller asked: archive_read_disk would otherwise probe every file.
            disk_.reset(archive_read_disk_new());
            if (!disk_) throw std::bad_alloc();
            int flags = ARCHIVE_READDISK_NO_SPARSE; // holes are found here, from fstat's block count
            if (!settings_.xattrs) flags |= ARCHIVE_READDISK_NO_XATTR;
            if (!settings_.acls) flags |= ARCHIVE_READDISK_NO_ACL;
            if (!settings_.file_flags) flags |= ARCHIVE_READDISK_NO_FFLAGS;
            archive_read_disk_set_behavior(disk_.get(), flags);
            if (settings_.follow_symlinks)
                archive_read_disk_set_symlink_logical(disk_.get());
            else
                archive_read_disk_set_symlink_physical(disk_.get());
        }
    }

    /// Hands on `path` under the name `name`: what add_file stores.
    template <class Out>
    void file(std::filesystem::path const& path, std::string const& name, Out& out) {
        operation_ = "add_file";
        visit(AT_FDCWD, path.c_str(), {}, path.string(), name, out, false);
    }

    /// Hands on folder `root` (under `prefix`, unless that is empty) and everything below it, sorted by name.
    template <class Out>
    void tree(std::filesystem::path const& root, std::string const& prefix, Out& out) {
        operation_ = "add_tree";
        std::string const disk = root.string();
        // The folder the caller named is opened as named (a symlink to a folder is fine there);
        // only what lies below it is held to O_NOFOLLOW.
        unique_fd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        struct ::stat st {};
        if (!fd || ::fstat(fd.get(), &st) != 0) throw errno_error(errno, "add_tree", disk);
        if (!prefix.empty()) {
            describe(st, prefix, nullptr, fd.get(), disk);
            hand_on(out, -1, disk);
        }
        levels_.clear();
        levels_.push_back(level{std::move(fd), identity_of(st), {}, disk, prefix, {}, 0});
        if (!list(levels_.back(), out)) levels_.clear();
        while (!levels_.empty()) {
            level& here = levels_.back();
            if (here.next == here.children.size()) {
                levels_.pop_back();
                continue;
            }
            if (!here.fd && !reopen(levels_.size() - 1, out)) {
                levels_.pop_back(); // the folder changed under the walk: its remaining children are left out
                continue;
            }
            child const c = std::move(here.children[here.next++]);
            std::string disk_path = join_disk(here.disk_path, c.name);
            std::string archive_name = here.archive_name.empty() ? c.name : here.archive_name + "/" + c.name;
            visit(here.fd.get(), c.name.c_str(), c, std::move(disk_path), std::move(archive_name), out, true);
        }
    }

private:
    // A name in a folder's listing, with what the listing said about it.
    struct child {
        std::string name;
        unsigned char type = DT_UNKNOWN; // from the listing: saves an lstat for files and folders
        ::ino_t ino = 0;
    };
    // One folder the walk is inside: its descriptor (closed while far above the current depth), its
    // children sorted by name, and how far through them the walk is.
    struct level {
        unique_fd fd;
        file_identity id;
        std::string name; // within its parent, for reopening
        std::string disk_path;
        std::string archive_name;
        std::vector<child> children;
        std::size_t next = 0;
    };

    // Folder descriptors kept open at once: a deeper walk closes the highest ones and reopens them
    // (by name, O_NOFOLLOW, checked by inode) on the way back, so depth is not bound by RLIMIT_NOFILE.
    static constexpr std::size_t open_levels = 128;

    static std::string join_disk(std::string const& parent, std::string const& name) {
        if (parent.empty()) return name;
        return parent.back() == '/' ? parent + name : parent + "/" + name;
    }

    template <class Out>
    void warn(Out& out, std::string message, std::string const& disk_path, int number = 0) {
        out.warn(warning{operation_, std::move(message), disk_path, number});
    }

    // Describes and hands on one thing found in folder `dirfd` (AT_FDCWD for add_file); a folder is
    // then entered by pushing a level. `seen` is what the listing said, when there was a listing.
    template <class Out>
    void visit(int dirfd, char const* name, child const& seen, std::string disk_path, std::string archive_name,
               Out& out, bool in_tree) {
        if (in_tree && settings_.filter != nullptr && *settings_.filter) {
            std::error_code ec; // a vanished file still reaches the filter, by path
            std::filesystem::directory_entry const entry(disk_path, ec);
            if (!(*settings_.filter)(entry)) return;
        }
        bool const listed_plain = in_tree && (seen.type == DT_REG || seen.type == DT_DIR);
        struct ::stat listed {};
        bool followed = false;
        if (!listed_plain) {
            // No listing, or one that cannot tell: look at the name itself (never through a final symlink).
            if (::fstatat(dirfd, name, &listed, AT_SYMLINK_NOFOLLOW) != 0) {
                if (errno == ENOENT && in_tree) return warn(out, "vanished before it was read", disk_path, ENOENT);
                throw errno_error(errno, in_tree ? "add_tree" : "add_file", disk_path);
            }
            if (S_ISLNK(listed.st_mode) && settings_.follow_symlinks) {
                struct ::stat target {};
                if (::fstatat(dirfd, name, &target, 0) == 0) {
                    listed = target;
                    followed = true;
                } // a dangling or looping link is stored as the link it is
            }
        }
        mode_t const type = listed_plain ? (seen.type == DT_REG ? S_IFREG : S_IFDIR) : (listed.st_mode & S_IFMT);
        int const nofollow = followed ? 0 : O_NOFOLLOW;
        switch (type) {
        case S_IFREG:
            return regular(dirfd, name, listed_plain ? nullptr : &listed, seen, nofollow, disk_path, archive_name,
                           in_tree, out);
        case S_IFDIR: {
            unique_fd fd(::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | nofollow));
            struct ::stat st {};
            if (!fd) return opened_wrong(errno, disk_path, in_tree, out);
            if (::fstat(fd.get(), &st) != 0) throw errno_error(errno, "add_tree", disk_path);
            if (!same_as_listed(st, listed_plain ? nullptr : &listed, seen, dirfd, name))
                return warn(out, "changed while it was read; left out", disk_path);
            if (!in_tree) { // add_file: the folder alone
                describe(st, archive_name, nullptr, fd.get(), disk_path);
                return hand_on(out, -1, disk_path);
            }
            if (settings_.follow_symlinks) {
                for (level const& l : levels_)
                    if (l.id == identity_of(st))
                        return warn(out, "a symlink loop leads back to a folder above it; left out", disk_path);
            }
            std::size_t const limit = settings_.follow_symlinks ? max_followed_depth : max_tree_depth;
            if (levels_.size() > limit)
                throw make_error(errc::limit_exceeded, "add_tree",
                                 "folders nest deeper than " + std::to_string(limit) + " levels", disk_path);
            describe(st, archive_name, nullptr, fd.get(), disk_path);
            hand_on(out, -1, disk_path);
            if (levels_.size() >= open_levels) levels_[levels_.size() - open_levels + 1].fd.reset();
            levels_.push_back(
                level{std::move(fd), identity_of(st), seen.name, std::move(disk_path), std::move(archive_name), {}, 0});
            if (!list(levels_.back(), out)) levels_.pop_back();
            return;
        }
        case S_IFLNK: {
            std::optional<std::string> const target = read_link(dirfd, name, listed, disk_path);
            if (!target) return warn(out, "changed while it was read (no longer a symlink); left out", disk_path);
            describe(listed, archive_name, target->c_str(), -1, disk_path);
            return hand_on(out, -1, disk_path);
        }
        case S_IFIFO:
        case S_IFCHR:
        case S_IFBLK:
            if (linked(listed, archive_name, disk_path, out)) return;
            describe(listed, archive_name, nullptr, -1, disk_path);
            return hand_on(out, -1, disk_path);
        case S_IFSOCK: return warn(out, "socket ignored", disk_path);
        default: return warn(out, "a file of a type archives cannot hold; ignored", disk_path);
        }
    }

    // A regular file: opened without following, non-blocking, then checked to be what was listed.
    template <class Out>
    void regular(int dirfd, char const* name, struct ::stat const* listed, child const& seen, int nofollow,
                 std::string const& disk_path, std::string const& archive_name, bool in_tree, Out& out) {
        unique_fd fd(::openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC | nofollow));
        if (!fd) return opened_wrong(errno, disk_path, in_tree, out);
        struct ::stat st {};
        if (::fstat(fd.get(), &st) != 0) throw errno_error(errno, "add_file", disk_path);
        if (!S_ISREG(st.st_mode) || !same_as_listed(st, listed, seen, dirfd, name))
            return warn(out, "changed while it was read (no longer the regular file listed); left out", disk_path);
        if (settings_.skip.ino != 0 && settings_.skip == identity_of(st))
            return warn(out, "the archive being written is not added to itself", disk_path);
        if (linked(st, archive_name, disk_path, out)) return;
        describe(st, archive_name, nullptr, fd.get(), disk_path);
        find_holes(fd.get(), st);
        hand_on(out, fd.get(), disk_path);
    }

    // Opening failed: a file swapped for a symlink (ELOOP), a folder for a file (ENOTDIR), a file for
    // a socket (ENXIO) or removed (ENOENT) is a change during the walk and is left out; a file or
    // folder the caller may not read (EACCES, EPERM) is left out too, as both tars leave it out and
    // go on. The warning carries the errno, which tells these from what is left out by design
    // (sockets, the archive itself). Anything else is an error.
    template <class Out>
    void opened_wrong(int number, std::string const& disk_path, bool in_tree, Out& out) {
        if (in_tree && (number == ELOOP || number == ENOTDIR || number == ENXIO || number == ENOENT))
            return warn(out, "changed while it was read (" + std::generic_category().message(number) + "); left out",
                        disk_path, number);
        if (in_tree && (number == EACCES || number == EPERM))
            return warn(out, "cannot be read (" + std::generic_category().message(number) + "); left out", disk_path,
                        number);
        throw errno_error(number, in_tree ? "add_tree" : "add_file", disk_path);
    }

    // Whether `st` (what was opened) is what the listing named: by lstat where there was one, else by
    // the listing's inode. A mount point's listing shows the inode under the mount: there one lstat
    // of the name settles it (it sees the mounted root, as the open did).
    static bool same_as_listed(struct ::stat const& st, struct ::stat const* listed, child const& seen, int dirfd,
                               char const* name) {
        if (listed != nullptr)
            return identity_of(*listed) == identity_of(st) && (listed->st_mode & S_IFMT) == (st.st_mode & S_IFMT);
        if (seen.ino == 0 || seen.ino == st.st_ino) return true;
        struct ::stat now {};
        return ::fstatat(dirfd, name, &now, AT_SYMLINK_NOFOLLOW) == 0 && identity_of(now) == identity_of(st);
    }

    // A second name of an inode already stored: a hard link to the first, when the format has them.
    template <class Out>
    bool linked(struct ::stat const& st, std::string const& archive_name, std::string const& disk_path, Out& out) {
        if (!settings_.hard_links || st.st_nlink < 2) return false;
        auto const [first, inserted] = links_.try_emplace(identity_of(st));
        if (inserted) {
            try {
                *first = archive_name;
            } catch (...) { // no name to link to: forget the inode rather than link to ""
                links_.erase(identity_of(st));
                throw;
            }
            return false;
        }
        describe(st, archive_name, nullptr, -1, disk_path);
        set_name<archive_entry_set_hardlink_utf8, archive_entry_copy_hardlink>(header_.native_handle(), first->c_str());
        archive_entry_set_size(header_.native_handle(), 0); // the data went with the first name
        hand_on(out, -1, disk_path);
        return true;
    }

    // Reads the names in `l`'s folder, sorted by their bytes; false when the folder cannot be listed.
    template <class Out>
    bool list(level& l, Out& out) {
        // fdopendir owns what it is given and closedir closes it: give it a duplicate, since the
        // folder's own descriptor is needed for openat until every child is done.
        int const copy = ::fcntl(l.fd.get(), F_DUPFD_CLOEXEC, 0);
        if (copy < 0) throw errno_error(errno, "add_tree", l.disk_path);
        ::DIR* dir = ::fdopendir(copy);
        if (dir == nullptr) {
            int const number = errno;
            ::close(copy);
            throw errno_error(number, "add_tree", l.disk_path);
        }
        errno = 0;
        while (::dirent64 const* d = ::readdir64(dir)) {
            std::string_view const n = d->d_name;
            if (n != "." && n != "..") l.children.push_back(child{std::string(n), d->d_type, d->d_ino});
            errno = 0;
        }
        int const number = errno;
        ::closedir(dir);
        if (number != 0) {
            warn(out, "cannot be listed: " + std::generic_category().message(number), l.disk_path, number);
            return false;
        }
        // Sorted through pointers by qsort, not std::sort: <algorithm> would cost every includer of
        // writer.hpp more to compile than this costs a folder's listing (see cbound/config.hpp).
        std::vector<child*> order(l.children.size());
        for (std::size_t k = 0; k < order.size(); ++k)
            order[k] = &l.children[k];
        if (!order.empty()) // an empty folder's list has no array, and qsort must not be given null
            std::qsort(order.data(), order.size(), sizeof(child*), [](void const* a, void const* b) {
                return (*static_cast<child* const*>(a))->name.compare((*static_cast<child* const*>(b))->name);
            });
        std::vector<child> sorted;
        sorted.reserve(order.size());
        for (child* c : order)
            sorted.push_back(std::move(*c));
        l.children = std::move(sorted);
        return true;
    }

    // Opens level `i` again from the nearest open folder above it, one name at a time, without
    // following symlinks, and checks that each is still the folder it was.
    template <class Out>
    bool reopen(std::size_t i, Out& out) {
        std::size_t from = i;
        while (!levels_[from].fd)
            --from; // the top level is never closed
        for (std::size_t k = from + 1; k <= i; ++k) {
            level& l = levels_[k];
            int const nofollow = settings_.follow_symlinks ? 0 : O_NOFOLLOW;
            unique_fd fd(
                ::openat(levels_[k - 1].fd.get(), l.name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | nofollow));
            struct ::stat st {};
            if (!fd || ::fstat(fd.get(), &st) != 0 || identity_of(st) != l.id) {
                warn(out, "changed while its contents were read; the rest of it is left out", l.disk_path);
                for (std::size_t j = k; j <= i; ++j)
                    levels_[j].next = levels_[j].children.size();
                return false;
            }
            l.fd = std::move(fd);
            std::size_t const above = k - 1; // keep only the deepest ones open, and always the top
            if (above > 0 && above + open_levels <= i) levels_[above].fd.reset();
        }
        return true;
    }

    // The target of the symlink `name`; none when it was replaced by something else (EINVAL) or removed.
    static std::optional<std::string> read_link(int dirfd, char const* name, struct ::stat const& st,
                                                std::string const& disk_path) {
        std::string target(st.st_size > 0 ? static_cast<std::size_t>(st.st_size) + 1 : 256, '\0');
        for (;;) {
            ssize_t const n = ::readlinkat(dirfd, name, target.data(), target.size());
            if (n < 0 && (errno == EINVAL || errno == ENOENT)) return std::nullopt;
            if (n < 0) throw errno_error(errno, "add_tree", disk_path);
            if (static_cast<std::size_t>(n) < target.size()) {
                target.resize(static_cast<std::size_t>(n));
                return target;
            }
            target.resize(target.size() * 2); // the link grew since lstat
        }
    }

    // Fills the walk's one header from `st`, as archive_read_disk would with the default options.
    void describe(struct ::stat const& st, std::string const& archive_name, char const* link_target, int fd,
                  std::string const& disk_path) {
        ::archive_entry* e = header_.native_handle();
        archive_entry_clear(e);
        archive_entry_copy_stat(e, &st);
        if (!settings_.keep_access_times) {
            archive_entry_unset_atime(e);
            archive_entry_unset_ctime(e);
        }
        // A chosen id drops the name found on disk (it names the disk's owner, not the chosen one).
        if (!settings_.uid && !settings_.uname)
            if (char const* user = names_.user(st.st_uid)) archive_entry_copy_uname(e, user);
        if (!settings_.gid && !settings_.gname)
            if (char const* group = names_.group(st.st_gid)) archive_entry_copy_gname(e, group);
        archive_entry_copy_pathname(e, archive_name.c_str());
        if (link_target != nullptr) archive_entry_copy_symlink(e, link_target);
        if (disk_) {
            archive_entry_copy_sourcepath(e, disk_path.c_str());
            int const r = archive_read_disk_entry_from_file(disk_.get(), e, fd, &st);
            if (r < ARCHIVE_WARN) throw capture_error(disk_.get(), r, "add_tree", disk_path);
            if (!settings_.keep_access_times) {
                archive_entry_unset_atime(e);
                archive_entry_unset_ctime(e);
            }
        }
        restamp(e);
    }

    // Hands the described entry on, after the caller's edit hook, which may change its metadata but
    // not what the walk relies on: the name (hard links point to it), type, size and link targets.
    template <class Out>
    void hand_on(Out& out, int data_fd, std::string const& disk_path) {
        if (settings_.edit != nullptr && *settings_.edit) {
            ::archive_entry* const e = header_.native_handle();
            std::string const name = header_.pathname();
            entry_type const type = header_.type();
            std::optional<std::int64_t> const size = header_.size();
            std::string const target = link_target(e);
            (*settings_.edit)(header_);
            if (header_.native_handle() == nullptr) {
                header_ = entry(); // the hook took the header away: a fresh one for whatever comes next
                throw make_error(errc::invalid_argument, operation_, "the edit hook moved the entry away", disk_path);
            }
            if (header_.native_handle() != e || header_.pathname() != name || header_.type() != type ||
                header_.size() != size || link_target(header_.native_handle()) != target)
                throw make_error(errc::invalid_argument, operation_,
                                 "the edit hook may change times, owners and permissions, not the name, type, size "
                                 "or link target",
                                 disk_path);
        }
        out.entry(header_.native_handle(), data_fd, disk_path);
    }

    static std::string link_target(::archive_entry* e) {
        char const* hard = archive_entry_hardlink(e);
        char const* soft = archive_entry_symlink(e);
        return std::string(hard != nullptr ? hard : "") + '\0' + (soft != nullptr ? soft : "");
    }

    // Applies the caller's times, owners and permission masks, after everything read from disk
    // (archive_read_disk included), so that nothing the disk says about them reaches the archive.
    void restamp(::archive_entry* e) const {
        if (settings_.mtime) {
            archive_entry_set_mtime(e, static_cast<time_t>(*settings_.mtime), 0);
        } else if (settings_.clamp_mtime && archive_entry_mtime_is_set(e) &&
                   (archive_entry_mtime(e) > *settings_.clamp_mtime ||
                    (archive_entry_mtime(e) == *settings_.clamp_mtime && archive_entry_mtime_nsec(e) > 0))) {
            archive_entry_set_mtime(e, static_cast<time_t>(*settings_.clamp_mtime), 0);
        }
        if (settings_.uid) {
            archive_entry_set_uid(e, *settings_.uid);
            if (!settings_.uname) archive_entry_set_uname(e, nullptr);
        }
        if (settings_.gid) {
            archive_entry_set_gid(e, *settings_.gid);
            if (!settings_.gname) archive_entry_set_gname(e, nullptr);
        }
        if (settings_.uname) archive_entry_copy_uname(e, settings_.uname->empty() ? nullptr : settings_.uname->c_str());
        if (settings_.gname) archive_entry_copy_gname(e, settings_.gname->empty() ? nullptr : settings_.gname->c_str());
        if (settings_.mode_clear != 0 || settings_.mode_set != 0) {
            unsigned const perm = static_cast<unsigned>(archive_entry_perm(e));
            archive_entry_set_perm(e,
                                   static_cast<mode_t>(((perm & ~settings_.mode_clear) | settings_.mode_set) & 07777u));
        }
    }

    // Records the data regions of a file with holes, so formats that can store it sparse do. A file
    // with as many blocks as its size needs has no holes: no system call is spent on it.
    void find_holes(int fd, struct ::stat const& st) {
        if (st.st_size <= 0 || static_cast<std::int64_t>(st.st_blocks) * 512 >= st.st_size) return;
        ::archive_entry* e = header_.native_handle();
        ::off_t at = 0;
        bool any = false;
        while (at < st.st_size) {
            ::off_t const data = ::lseek(fd, at, SEEK_DATA);
            if (data < 0) break; // ENXIO: only a hole remains (or the file system cannot tell)
            ::off_t end = ::lseek(fd, data, SEEK_HOLE);
            if (end < 0 || end > st.st_size) end = st.st_size;
            if (data == 0 && end == st.st_size) break; // one region: not sparse after all
            archive_entry_sparse_add_entry(e, data, end - data);
            any = true;
            at = end;
        }
        if (!any && ::lseek(fd, 0, SEEK_DATA) < 0 && errno == ENXIO)
            archive_entry_sparse_add_entry(e, 0, 0); // all hole: an empty data region says so
        ::lseek(fd, 0, SEEK_SET);
    }

    // Members of types that depend on Deferred: GCC checks the bodies above only where a walk is used.
    cbound::detail::dependent_t<Deferred, tree_walk_settings> settings_;
    char const* operation_ = "add_tree"; // names the call in warnings
    // The one header every entry of the walk is described in (an entry, for the edit hook).
    cbound::detail::dependent_t<Deferred, entry> header_;
    cbound::detail::dependent_t<Deferred, read_handle> disk_; // only when xattrs, ACLs or file flags are asked for
    basic_owner_names<Deferred> names_;
    std::vector<level> levels_;
    cbound::detail::dependent_t<Deferred, flat_table<file_identity, std::string, file_identity_hash<Deferred>>> links_;
};

} // namespace cbound::archive::detail
