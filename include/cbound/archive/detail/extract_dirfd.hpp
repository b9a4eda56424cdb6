// cbound::archive — folders inside the destination reached by descriptor (internal).
//
// Checking a path and then acting on it by path cannot be made safe: between the check and
// the act another process may swap a folder for a symlink to anywhere. So the destination
// is opened once, and every folder below it is reached from that descriptor one component
// at a time, never following a symlink: openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) where
// the kernel has it, else an openat(O_NOFOLLOW | O_DIRECTORY) walk (also when a seccomp
// sandbox answers ENOSYS, EPERM or EINVAL). Whatever changes meanwhile, what is opened is a
// real folder below the destination, and everything is then created relative to it.
//
// The cache keeps a few folder descriptors open: a descriptor cannot be redirected, unlike
// a remembered path check. The extraction forgets a path (and all below it) when one of its
// own entries removes or replaces what was there. No process-wide state is touched.
#pragma once

#include <cbound/archive/detail/errno.hpp>
#include <cbound/archive/detail/flat_table.hpp>
#include <cbound/config.hpp>
#include <cbound/posix.hpp>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#endif

namespace cbound::archive::detail {

/// A folder reached below the destination, or why not.
struct reached_folder {
    int fd = -1;         ///< the open folder (owned by the cache); -1 when not reached
    std::string refusal; ///< a symlink on the way: unsafe
    std::string failure; ///< anything else (a file on the way, a missing folder, an I/O error)
    int error = 0;       ///< the errno behind `failure`, when one
};

/// What comes before the last '/' of `path`: "a/b" of "a/b/c", "" of "c".
[[nodiscard]] inline std::string_view parent_of(std::string_view path) noexcept {
    std::size_t const slash = path.rfind('/');
    return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

/// The last component of `path`.
[[nodiscard]] inline std::string_view leaf_of(std::string_view path) noexcept {
    std::size_t const slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

/// openat2 of `path` beneath `dirfd` with no symlink anywhere (RESOLVE_BENEATH |
/// RESOLVE_NO_SYMLINKS): the open descriptor, or -1 with errno (ENOSYS where the headers have
/// no openat2). Touches nothing else, so any thread may call it with a descriptor it keeps open.
[[nodiscard]] inline int openat2_beneath(int dirfd, char const* path, int flags, mode_t mode) noexcept {
#if defined(SYS_openat2) && defined(RESOLVE_BENEATH)
    struct open_how how {};
    how.flags = static_cast<std::uint64_t>(flags);
    how.mode = mode;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    for (;;) {
        long const fd = ::syscall(SYS_openat2, dirfd, path, &how, sizeof how);
        if (fd >= 0) return static_cast<int>(fd);
        if (errno != EINTR && errno != EAGAIN) return -1;
    }
#else
    (void)dirfd;
    (void)path;
    (void)flags;
    (void)mode;
    errno = ENOSYS;
    return -1;
#endif
}

/// Whether the kernel (or a sandbox) refused openat2 itself, as openat2_beneath's errno says:
/// the O_NOFOLLOW walk must do the work from then on.
[[nodiscard]] inline bool openat2_refused(int number) noexcept {
    return number == ENOSYS || number == EPERM || number == EINVAL || number == E2BIG;
}

/// Whether openat2 is to be left unused, so that the O_NOFOLLOW walk does everything: a test
/// hook (the walk is otherwise reached only on kernels or sandboxes without openat2), set by
/// the environment variable CBOUND_EXTRACT_FORCE_WALK when the process first asks.
[[nodiscard]] inline bool walk_forced() noexcept {
    static bool const forced = [] {
        char const* value = std::getenv("CBOUND_EXTRACT_FORCE_WALK");
        return value != nullptr && *value != '\0' && *value != '0';
    }();
    return forced;
}

/// The destination folder, open, and the folders below it reached by descriptor.
// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh).
template <class Deferred = void>
class basic_confined_root {
public:
    /// Opens `root` (which the caller created) as the destination; `try_openat2` false
    /// walks one component at a time from the start (what a kernel without openat2 gets).
    explicit basic_confined_root(std::string const& root, bool try_openat2 = true)
        : root_(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)), use_openat2_(try_openat2 && !walk_forced()) {
    }

    /// Whether the destination opened; errno tells why not.
    [[nodiscard]] bool is_open() const noexcept { return static_cast<bool>(root_); }

    /// The destination's descriptor.
    [[nodiscard]] int fd() const noexcept { return root_.get(); }

    /// Opens the folder `relative` ("" is the destination; cleaned, no "." or ".."),
    /// creating missing folders (mode 0777 less the umask, as tar does) when `create`.
    [[nodiscard]] reached_folder reach(std::string_view relative, bool create) {
        if (relative.empty()) return {root_.get(), {}, {}, 0};
        if (unique_fd const* open = cache_.find(relative)) return {open->get(), {}, {}, 0};
        // Start from the deepest folder already open.
        std::string_view base = parent_of(relative);
        int base_fd = root_.get();
        while (!base.empty()) {
            if (unique_fd const* open = cache_.find(base)) {
                base_fd = open->get();
                break;
            }
            base = parent_of(base);
        }
        std::string_view rest = base.empty() ? relative : relative.substr(base.size() + 1);
        if (use_openat2_) {
            int const fd = open_beneath(base_fd, std::string(rest), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW, 0);
            if (fd >= 0) return {remember(relative, fd), {}, {}, 0};
            // Anything else (missing, a symlink, a file on the way) is sorted out by the walk.
        }
        return walk(relative, base.empty() ? 0 : base.size() + 1, base_fd, create);
    }

    /// Creates the new file `relative` (O_CREAT | O_EXCL | O_NOFOLLOW, write only) in one call:
    /// in its folder when that is open, else with openat2 beneath the destination with no
    /// symlink anywhere. -1 with errno when it cannot (a missing folder, something in the
    /// way, no openat2): the caller then walks with reach().
    [[nodiscard]] int create_file(std::string_view relative, mode_t mode) {
        std::string_view const parent = parent_of(relative);
        constexpr int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
        unique_fd const* const open = parent.empty() ? nullptr : cache_.find(parent);
        if (parent.empty() || open != nullptr) {
            int const dirfd = parent.empty() ? root_.get() : open->get();
            std::string const leaf(leaf_of(relative));
            return retry_on_signal([&] { return ::openat(dirfd, leaf.c_str(), flags, mode); });
        }
        if (!use_openat2_) {
            errno = ENOSYS;
            return -1;
        }
        return open_beneath(root_.get(), std::string(relative), flags, mode);
    }

    /// Whether files may be created with openat2 beneath the destination (not turned off by
    /// the kernel, a sandbox or CBOUND_EXTRACT_FORCE_WALK).
    [[nodiscard]] bool uses_openat2() const noexcept { return use_openat2_; }

    /// Forgets the open folder `relative` and all below it: an entry is replacing what is there.
    void forget(std::string_view relative) {
        if (relative.empty()) return;
        cache_.erase_if([&](std::string_view key, unique_fd& open) {
            bool const below = key.size() >= relative.size() && key.substr(0, relative.size()) == relative &&
                               (key.size() == relative.size() || key[relative.size()] == '/');
            if (below) retired_.push_back(std::move(open));
            return below;
        });
    }

    /// Starts a new entry: descriptors handed out so far may be closed now. Until this is
    /// called, every descriptor reach() returned stays open (forgotten ones included), so an
    /// entry can hold several at once.
    void next_entry() {
        retired_.clear();
        if (cache_.size() >= max_cached) cache_.clear();
    }

private:
    static constexpr std::size_t max_cached = 64;

    /// openat2 beneath `dirfd` with no symlink anywhere; -1 with errno on failure. Turns
    /// itself off for good when the kernel or a sandbox refuses the call itself.
    int open_beneath(int dirfd, std::string const& rest, int flags, mode_t mode) {
        int const fd = openat2_beneath(dirfd, rest.c_str(), flags, mode);
        if (fd < 0 && openat2_refused(errno)) use_openat2_ = false;
        return fd;
    }

    /// One component at a time from `fd` (the folder `relative[0, start)`), never following a symlink.
    reached_folder walk(std::string_view relative, std::size_t start, int fd, bool create) {
        while (start < relative.size()) {
            std::size_t end = relative.find('/', start);
            if (end == std::string_view::npos) end = relative.size();
            std::string const name(relative.substr(start, end - start));
            std::string_view const key = relative.substr(0, end);
            int next = open_folder(fd, name);
            if (next < 0 && errno == ENOENT && create) {
                if (::mkdirat(fd, name.c_str(), 0777) != 0 && errno != EEXIST) return failed(key, errno);
                next = open_folder(fd, name);
            }
            if (next < 0) {
                int const number = errno;
                struct stat st {};
                if (::fstatat(fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
                    if (S_ISLNK(st.st_mode))
                        return {-1, "path goes through the symlink '" + std::string(key) + "'", {}, 0};
                    if (!S_ISDIR(st.st_mode))
                        return {-1, {}, "path goes through the non-folder '" + std::string(key) + "'", ENOTDIR};
                }
                return failed(key, number);
            }
            fd = remember(key, next);
            start = end + 1;
        }
        return {fd, {}, {}, 0};
    }

    static int open_folder(int dirfd, std::string const& name) {
        return retry_on_signal(
            [&] { return ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC); });
    }

    static reached_folder failed(std::string_view key, int number) {
        return {-1,
                {},
                "cannot open the folder '" + std::string(key) + "': " + std::generic_category().message(number),
                number};
    }

    int remember(std::string_view key, int fd) {
        unique_fd fresh(fd); // closed should the table fail to grow
        *cache_.try_emplace(key).first = std::move(fresh);
        return fd;
    }

    unique_fd root_;
    cbound::detail::dependent_t<Deferred, flat_table<std::string, unique_fd, string_hash>> cache_;
    std::vector<unique_fd> retired_; ///< forgotten during the current entry, closed at the next
    bool use_openat2_ = true;
};

/// The destination and its folders (the one instantiation there is).
using confined_root = basic_confined_root<>;

} // namespace cbound::archive::detail
