// cbound::archive — creating things in a folder held open, and their metadata (internal).
//
// Every call here takes a folder descriptor and a single name in it (never a path), and
// never follows a symlink at that name: files are created with O_CREAT | O_EXCL |
// O_NOFOLLOW, anything that replaces an existing name is made under a temporary name and
// renamed over it, and metadata is set on the open descriptor. The process umask is read
// (from /proc, never set), so no process-wide state changes and threads need no lock.
#pragma once

#include <cbound/archive/detail/flat_table.hpp>
#include <cbound/config.hpp>
#include <cbound/posix.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace cbound::archive::detail {

/// The process umask, read from /proc/self/status (changing it to read it would race with
/// every other thread); nullopt when it cannot be read.
// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh).
template <class Deferred = void>
[[nodiscard]] inline std::optional<mode_t> read_umask() {
    unique_fd fd(::open("/proc/self/status", O_RDONLY | O_CLOEXEC));
    if (!fd) return std::nullopt;
    char buffer[4096];
    ssize_t const n = ::read(fd.get(), buffer, sizeof buffer - 1);
    if (n <= 0) return std::nullopt;
    buffer[n] = '\0';
    char const* line = std::strstr(buffer, "\nUmask:");
    if (line == nullptr) return std::nullopt;
    return static_cast<mode_t>(std::strtoul(line + 7, nullptr, 8) & 0777);
}

/// What lstat says is at `name` in `dirfd`; nullopt when nothing is (errno tells other failures).
template <class Deferred = void> // the result type is compiled only where this is used (config.hpp)
[[nodiscard]] std::optional<cbound::detail::dependent_t<Deferred, struct stat>> existing_at(int dirfd,
                                                                                            char const* name) {
    using result = std::optional<cbound::detail::dependent_t<Deferred, struct stat>>;
    struct stat st {};
    if (::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return result();
    return result(st);
}

/// Removes the folder `name` in `dirfd` and everything in it, following nothing; 0 or an errno.
template <class Deferred = void>
[[nodiscard]] inline int remove_tree(int dirfd, char const* name, int depth = 0) {
    if (::unlinkat(dirfd, name, AT_REMOVEDIR) == 0) return 0;
    if (errno != ENOTEMPTY && errno != EEXIST) return errno;
    if (depth > 4096) return ELOOP;
    int const fd = ::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return errno;
    DIR* dir = ::fdopendir(fd);
    if (dir == nullptr) {
        int const number = errno;
        ::close(fd);
        return number;
    }
    // The name and whether it may be a folder; through dependent_t, compiled only where called (config.hpp).
    cbound::detail::dependent_t<Deferred, std::vector<std::pair<std::string, bool>>> children;
    while (dirent* d = ::readdir(dir)) {
        std::string_view const child = d->d_name;
        if (child == "." || child == "..") continue;
        children.emplace_back(child, d->d_type == DT_DIR || d->d_type == DT_UNKNOWN);
    }
    int result = 0;
    for (auto const& [child, maybe_folder] : children) {
        if (::unlinkat(fd, child.c_str(), 0) == 0) continue;
        int const number = errno;
        if (!maybe_folder && number != EISDIR && number != EPERM) {
            result = number;
            break;
        }
        if (int const r = remove_tree(fd, child.c_str(), depth + 1); r != 0) {
            result = r;
            break;
        }
    }
    ::closedir(dir);
    if (result != 0) return result;
    return ::unlinkat(dirfd, name, AT_REMOVEDIR) == 0 ? 0 : errno;
}

/// Names for things made beside their final name and renamed over it.
class temporary_names {
public:
    // getrandom, not std::random_device: <random> was a large share of extract.hpp's compile
    // time. Should it fail, the pid-based start still gives a usable (if guessable) sequence.
    temporary_names() : state_(0x9e3779b97f4a7c15ull ^ static_cast<std::uint64_t>(::getpid())) {
        (void)::getrandom(&state_, sizeof state_, GRND_NONBLOCK);
    }

    /// A fresh name such as ".cbound-1f2e3d4c5b6a7980" (made with O_EXCL: a collision is retried).
    [[nodiscard]] std::string next() {
        state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
        static char const hex[] = "0123456789abcdef";
        std::string name = ".cbound-";
        for (int shift = 60; shift >= 0; shift -= 4)
            name += hex[(state_ >> shift) & 15];
        return name;
    }

private:
    std::uint64_t state_;
};

/// User and group ids by name, looked up once each (getpwnam_r: no shared static buffer).
template <class Deferred = void>
class basic_owner_lookup {
public:
    /// The uid of `name`, or `fallback` when there is no such user.
    [[nodiscard]] uid_t user(char const* name, uid_t fallback) {
        if (name == nullptr || *name == '\0') return fallback;
        auto [id, fresh] = users_.try_emplace(name);
        if (fresh) {
            passwd pw{}, *found = nullptr;
            std::vector<char> buffer(16384);
            if (::getpwnam_r(name, &pw, buffer.data(), buffer.size(), &found) == 0 && found != nullptr)
                *id = pw.pw_uid;
            else
                *id = static_cast<uid_t>(-1);
        }
        return *id == static_cast<uid_t>(-1) ? fallback : *id;
    }

    /// The gid of `name`, or `fallback` when there is no such group.
    [[nodiscard]] gid_t group(char const* name, gid_t fallback) {
        if (name == nullptr || *name == '\0') return fallback;
        auto [id, fresh] = groups_.try_emplace(name);
        if (fresh) {
            group_t gr{}, *found = nullptr;
            std::vector<char> buffer(16384);
            if (::getgrnam_r(name, &gr, buffer.data(), buffer.size(), &found) == 0 && found != nullptr)
                *id = gr.gr_gid;
            else
                *id = static_cast<gid_t>(-1);
        }
        return *id == static_cast<gid_t>(-1) ? fallback : *id;
    }

private:
    using group_t = struct ::group;
    cbound::detail::dependent_t<Deferred, flat_table<std::string, uid_t, string_hash>> users_;
    cbound::detail::dependent_t<Deferred, flat_table<std::string, gid_t, string_hash>> groups_;
};

/// Owner lookups (the one instantiation there is).
using owner_lookup = basic_owner_lookup<>;

/// The entry's access and modification times for futimens/utimensat; false when it has neither.
[[nodiscard]] inline bool entry_times(::archive_entry* e, struct timespec (&times)[2]) noexcept {
    bool const atime = archive_entry_atime_is_set(e) != 0, mtime = archive_entry_mtime_is_set(e) != 0;
    if (!atime && !mtime) return false;
    times[0] = atime ? timespec{archive_entry_atime(e), archive_entry_atime_nsec(e)} : timespec{0, UTIME_NOW};
    times[1] = mtime ? timespec{archive_entry_mtime(e), archive_entry_mtime_nsec(e)} : timespec{0, UTIME_NOW};
    return true;
}

/// Whether the extended attribute `name` may be restored: data keeps user.* alone; tar also
/// trusted.*, never security.* (security.capability grants privileges) or system.* (ACLs,
/// restored by preserve_acls).
[[nodiscard]] inline bool xattr_allowed(std::string_view name, bool tar) noexcept {
    if (name.substr(0, 5) == "user.") return true;
    return tar && name.substr(0, 8) == "trusted.";
}

/// The entry's POSIX ACL of `type` (ARCHIVE_ENTRY_ACL_TYPE_ACCESS or _DEFAULT) in the
/// kernel's system.posix_acl_* attribute format; empty when the entry has none beyond its mode.
template <class Deferred = void>
[[nodiscard]] inline std::string posix_acl_xattr(::archive_entry* e, int type) {
    struct item {
        std::uint16_t tag, perm;
        std::uint32_t id;
    };
    std::vector<item> items;
    if (archive_entry_acl_reset(e, type) <= 0) return {};
    int entry_type = 0, permset = 0, tag = 0, qualifier = 0;
    char const* name = nullptr;
    bool named = false;
    while (archive_entry_acl_next(e, type, &entry_type, &permset, &tag, &qualifier, &name) == ARCHIVE_OK) {
        item it{0, static_cast<std::uint16_t>(permset & 7), 0xffffffffu};
        switch (tag) {
        case ARCHIVE_ENTRY_ACL_USER_OBJ: it.tag = 0x01; break;
        case ARCHIVE_ENTRY_ACL_USER:
            it.tag = 0x02;
            it.id = static_cast<std::uint32_t>(qualifier);
            named = true;
            break;
        case ARCHIVE_ENTRY_ACL_GROUP_OBJ: it.tag = 0x04; break;
        case ARCHIVE_ENTRY_ACL_GROUP:
            it.tag = 0x08;
            it.id = static_cast<std::uint32_t>(qualifier);
            named = true;
            break;
        case ARCHIVE_ENTRY_ACL_MASK:
            it.tag = 0x10;
            named = true;
            break;
        case ARCHIVE_ENTRY_ACL_OTHER: it.tag = 0x20; break;
        default: continue;
        }
        items.push_back(it);
    }
    if (items.empty() || (type == ARCHIVE_ENTRY_ACL_TYPE_ACCESS && !named)) return {};
    // qsort (items are plain data), not std::sort: <algorithm> cost a thirteenth of <filesystem>.
    std::qsort(items.data(), items.size(), sizeof(item), [](void const* a, void const* b) {
        item const& x = *static_cast<item const*>(a);
        item const& y = *static_cast<item const*>(b);
        if (x.tag != y.tag) return x.tag < y.tag ? -1 : 1;
        return x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
    });
    std::string out(4 + 8 * items.size(), '\0');
    std::uint32_t const version = 2;
    std::memcpy(out.data(), &version, 4);
    for (std::size_t i = 0; i < items.size(); ++i) {
        std::memcpy(out.data() + 4 + 8 * i, &items[i].tag, 2);
        std::memcpy(out.data() + 6 + 8 * i, &items[i].perm, 2);
        std::memcpy(out.data() + 8 + 8 * i, &items[i].id, 4);
    }
    return out;
}

} // namespace cbound::archive::detail
