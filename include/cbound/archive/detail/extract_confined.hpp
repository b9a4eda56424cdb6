// cbound::archive — extraction under the data and tar policies, through descriptors (internal).
//
// The policy (extract_policy.hpp) says what an entry will create; this run step creates it,
// relative to folders reached by descriptor (extract_dirfd.hpp), so that no step can be
// redirected by anything else changing the tree meanwhile:
//   - folders are reached one component at a time, never through a symlink; missing ones
//     are created with mkdirat and opened with O_NOFOLLOW;
//   - files are created O_CREAT | O_EXCL | O_NOFOLLOW; one that replaces an existing name is
//     written under a temporary name and renamed over it, never written through; modes,
//     times, owners, xattrs and ACLs are set on the descriptor; a sparse file keeps its holes
//     (and a trailing one);
//   - a symlink's target is resolved against the real tree inside the destination (links
//     already on disk included, at most 40 hops) and must stay inside;
//   - a hard link's target is reached through the same walk and must be a regular file; a
//     hard link carrying data (newc cpio, pax) is linked and the data written through it only
//     when its target is an inode this extraction made (inodes, not names: a name can be
//     replaced by a link to a file outside);
//   - small new files (the common case) are made on a pool of threads when
//     extract_options::threads allows: the reading thread decodes the data, a worker creates
//     the file beneath the destination's descriptor, writes it and sets its mode and times
//     (extract_pool.hpp). A file waits for the files in flight at its own name or at a folder
//     above it, and its folder exists before it goes; a worker that finds anything unusual
//     leaves the file to the reading thread, which makes it the careful way when its turn
//     comes. Anything that is not such a file first waits for every file handed over, so
//     names change in archive order, a hard link finds its target complete, and the report
//     stays in archive order;
//   - folder modes, times, ACLs and xattrs are applied at the end, each folder reached again
//     by descriptor; a symlink's xattrs are not restored (a warning in its report row).
// Nothing process-wide is touched (no chdir, no umask change), so extractions on many
// threads need no lock.
#pragma once

#include <cbound/archive/detail/errno.hpp>
#include <cbound/archive/detail/extract_books.hpp>
#include <cbound/archive/detail/extract_create.hpp>
#include <cbound/archive/detail/extract_dirfd.hpp>
#include <cbound/archive/detail/extract_policy.hpp>
#include <cbound/archive/detail/extract_pool.hpp>
#include <cbound/archive/detail/fifo.hpp>
#include <cbound/archive/detail/flat_table.hpp>
#include <cbound/archive/detail/locale.hpp>
#include <cbound/archive/detail/threads.hpp>
#include <cbound/archive/entry.hpp>
#include <cbound/archive/error.hpp>
#include <cbound/archive/reader.hpp>
#include <cbound/config.hpp>
#include <cbound/detail/shared_box.hpp>

#include <archive_entry.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace cbound::archive::detail {

/// A file on disk: its device and inode.
struct file_id {
    dev_t device; ///< st_dev
    ino_t inode;  ///< st_ino
    /// Same device, same inode.
    bool operator==(file_id const&) const = default;
};

/// flat_table's hash of a file_id.
struct file_id_hash {
    /// Device and inode mixed.
    [[nodiscard]] std::size_t operator()(file_id id) const noexcept {
        return static_cast<std::size_t>(id.inode) ^ (static_cast<std::size_t>(id.device) * 0x100000001b3ull);
    }
};

/// An entry failure from an errno.
// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh).
template <class Deferred = void>
[[nodiscard]] inline entry_failure errno_failure(int number, std::string what) {
    std::error_code const code(number, std::generic_category());
    return {code, what + ": " + code.message()};
}

/// One extraction under data or tar.
template <class Deferred = void>
class basic_confined_extraction {
public:
    /// Prepares extracting `r` into the canonical folder `root` under `options`.
    basic_confined_extraction(reader& r, std::string root, extract_options const& options)
        : books_(r, options), options_(options), root_(std::move(root)), tree_(root_), umask_(read_umask()),
          tar_(options.policy == extract_policy::tar) {
        if (!tree_.is_open())
            throw error(std::error_code(errno, std::generic_category()), "extract", "cannot open the destination",
                        root_);
        // Owners, xattrs and ACLs need lookups and lists that stay on the reading thread.
        unsigned const threads = finishing_threads(options.threads);
        if (threads > 1 && !options.preserve_owner && !options.preserve_xattrs && !options.preserve_acls)
            pool_.emplace(threads, max_bytes_in_flight);
    }

    /// Extracts every entry, then applies the deferred folder metadata.
    extract_report run() {
        try {
            while (auto e = books_.source().template next<Deferred>()) {
                books_.count_entry();
                one(*e);
            }
            settle(true);
            apply_folder_metadata();
        } catch (...) {
            abandon_handed_over();
            throw;
        }
        return books_.take();
    }

    /// How many threads finish files for extract_options::threads (0: up to 4, one per core).
    [[nodiscard]] static unsigned finishing_threads(unsigned asked) noexcept {
        if (asked != 0) return asked;
        unsigned const processors = worker_thread::processors();
        return processors < 4 ? processors : 4;
    }

private:
    /// What lstat says is at a name, or nothing; dependent, so compiled only where used (config.hpp).
    using stat_result = std::optional<cbound::detail::dependent_t<Deferred, struct stat>>;
    /// Data a file may hold to be handed to the pool (larger ones are written by the reading
    /// thread), all handed-over files' data together, and how many files may wait at once.
    static constexpr std::int64_t max_handed_file = 1 << 20;
    static constexpr std::size_t max_bytes_in_flight = 64u << 20;
    static constexpr std::size_t max_handed_files = 4096;
    /// Folders remembered to exist (as hashes of their paths), before the memory is cleared.
    static constexpr std::size_t max_known_folders = 4096;

    /// A file handed to the pool whose report row is not written yet.
    struct handed_file {
        std::string name;
        std::string relative;
        cbound::detail::shared_box<finish_job> job;
    };

    /// What is to be done at an existing name.
    enum class room { free, replace, merge, skip, fail };

    /// Folder metadata applied at the end.
    struct folder_fixup {
        std::string relative;
        bool set_mode = false;
        mode_t mode = 0;
        bool set_times = false;
        struct timespec times[2]{};
        std::string acl_access, acl_default;                     ///< system.posix_acl_* values, when preserve_acls
        std::vector<std::pair<std::string, std::string>> xattrs; ///< name and value, when preserve_xattrs
    };

    void one(entry_view e) {
        tree_.next_entry();
        ::archive_entry* const a = e.native_handle();
        std::string name;
        entry_facts facts;
        std::optional<std::string> symlink, hardlink;
        {
            utf8_scope utf8; // names are stored as UTF-8 and converted on access
            name = std::string(e.pathname());
            if (auto s = e.symlink()) symlink.emplace(*s);
            if (auto h = e.hardlink()) hardlink.emplace(*h);
        }
        books_.check_name(name, name);
        if (symlink) books_.check_name(*symlink, name);
        if (hardlink) books_.check_name(*hardlink, name);
        facts.name = name;
        facts.filetype = archive_entry_filetype(a);
        facts.symlink = symlink;
        facts.hardlink = hardlink;
        facts.size = e.size();
        facts.perm = archive_entry_perm(a);
        entry_plan plan = judge_entry(facts, options_.policy, root_);
        bool const may_hand_over = pool_ && plan.verdict == entry_outcome::extracted && plan.kind == node_kind::file &&
                                   facts.size && *facts.size <= max_handed_file;
        // Everything but a small new file waits for the files handed over: names change and
        // report rows are written in archive order.
        if (!may_hand_over) settle(true);
        if (plan.verdict == entry_outcome::rejected) return reject(e, std::move(name), std::move(plan.reason));
        if (plan.verdict == entry_outcome::skipped) return skip(e, std::move(name), std::move(plan.reason));
        if (plan.has_data) books_.check_declared(facts.size, name);
        std::string_view const relative = plan.relative;
        // A symlink is judged against the real tree before any folder is made for it.
        if (plan.kind == node_kind::symlink) {
            if (auto escape = real_escape(relative, plan.link)) return reject(e, std::move(name), std::move(*escape));
        }
        if (plan.kind == node_kind::file) {
            // A small new file goes to a worker, which creates it too: creation is the
            // kernel's main cost per file.
            if (may_hand_over && workers_create_ && tree_.uses_openat2() && clear_the_way(relative))
                return hand_over(e, std::move(name), unique_fd(), plan);
            // The common case in one call: created beneath the destination, no symlink on the
            // way. Anything unusual (a missing folder, something in the way) takes the walk.
            int const fd = tree_.create_file(relative, plan.mode);
            if (fd >= 0 && may_hand_over) return hand_over(e, std::move(name), unique_fd(fd), plan);
            if (fd >= 0) return write_new_file(e, std::move(name), unique_fd(fd), plan);
            settle(true); // something in the way: sorted out below, after what was handed over
        }
        reached_folder const folder = tree_.reach(parent_of(relative), true);
        if (!folder.refusal.empty()) return reject(e, std::move(name), folder.refusal);
        if (!folder.failure.empty())
            return fail(e, std::move(name), {std::error_code(folder.error, std::generic_category()), folder.failure});
        std::string const leaf(leaf_of(relative));
        switch (plan.kind) {
        case node_kind::folder: return make_folder(e, std::move(name), folder.fd, leaf, plan);
        case node_kind::file: return make_file(e, std::move(name), folder.fd, leaf, plan);
        case node_kind::symlink: return make_symlink(e, std::move(name), folder.fd, leaf, plan);
        case node_kind::hardlink: return make_hardlink(e, std::move(name), folder.fd, leaf, plan);
        case node_kind::fifo:
        case node_kind::character_device:
        case node_kind::block_device: return make_node(e, std::move(name), folder.fd, leaf, plan);
        }
    }

    // --- outcomes -------------------------------------------------------------------------

    void reject(entry_view e, std::string name, std::string reason) {
        if (options_.unsafe == on_unsafe::stop) throw make_error(errc::unsafe_entry, "extract", reason, name);
        books_.drain(e, name);
        done(std::move(name), entry_outcome::rejected, std::move(reason));
    }

    void skip(entry_view e, std::string name, std::string reason) {
        books_.drain(e, name);
        done(std::move(name), entry_outcome::skipped, std::move(reason));
    }

    void fail(entry_view e, std::string name, entry_failure failure) {
        if (options_.failure == on_failure::skip) books_.drain(e, name);
        books_.record_failure(name, std::move(failure));
        books_.tell_progress(name);
    }

    void done(std::string name, entry_outcome outcome, std::string note = {}) {
        std::string const shown = options_.on_progress ? name : std::string();
        books_.record(std::move(name), outcome, std::move(note));
        books_.tell_progress(shown);
    }

    // --- what is already there -----------------------------------------------------------

    /// Decides what to do about `leaf` existing in `dirfd` for a `kind`, after a create said EEXIST.
    room make_room(int dirfd, std::string const& leaf, std::string_view relative, node_kind kind,
                   entry_failure& failure) {
        stat_result const there = existing_at<Deferred>(dirfd, leaf.c_str());
        if (!there)
            return errno == ENOENT ? room::free : (failure = errno_failure(errno, "cannot inspect"), room::fail);
        bool const folder_there = S_ISDIR(there->st_mode);
        if (kind == node_kind::folder && folder_there) return room::merge;
        if (options_.existing == overwrite::never) return room::skip;
        if (kind == node_kind::folder || folder_there) {
            // A folder where something else goes, or anything where a folder goes: removed
            // (a folder only when empty, unless always_replace), then made afresh.
            tree_.forget(relative);
            known_folders_.clear();
            int number = 0;
            if (!folder_there) {
                if (::unlinkat(dirfd, leaf.c_str(), 0) != 0) number = errno;
            } else if (options_.existing == overwrite::always_replace) {
                number = remove_tree(dirfd, leaf.c_str());
            } else if (::unlinkat(dirfd, leaf.c_str(), AT_REMOVEDIR) != 0) {
                number = errno;
            }
            if (number == ENOTEMPTY || number == EEXIST) {
                failure = {std::error_code(number, std::generic_category()), "a non-empty folder is in the way"};
                return room::fail;
            }
            if (number != 0 && number != ENOENT) {
                failure = errno_failure(number, "cannot remove what is in the way");
                return room::fail;
            }
            return room::free;
        }
        return room::replace;
    }

    /// Renames the temporary `temp` over `leaf`; an empty failure when done.
    entry_failure install(int dirfd, std::string const& temp, std::string const& leaf) {
        if (::renameat(dirfd, temp.c_str(), dirfd, leaf.c_str()) == 0) return {};
        int const number = errno;
        ::unlinkat(dirfd, temp.c_str(), 0);
        return errno_failure(number, "cannot replace what is there");
    }

    // --- folders ---------------------------------------------------------------------------

    void make_folder(entry_view e, std::string name, int dirfd, std::string const& leaf, entry_plan const& plan) {
        mode_t const create_mode = plan.mode | 0700;
        bool merged = false;
        if (::mkdirat(dirfd, leaf.c_str(), create_mode) != 0) {
            if (errno != EEXIST) return fail(e, std::move(name), errno_failure(errno, "cannot create the folder"));
            entry_failure failure;
            switch (make_room(dirfd, leaf, plan.relative, node_kind::folder, failure)) {
            case room::skip: return skip(e, std::move(name), "already exists");
            case room::fail: return fail(e, std::move(name), std::move(failure));
            case room::merge: merged = true; break;
            case room::replace:
            case room::free:
                if (::mkdirat(dirfd, leaf.c_str(), create_mode) != 0)
                    return fail(e, std::move(name), errno_failure(errno, "cannot create the folder"));
                break;
            }
        }
        if (!(merged && options_.existing == overwrite::never)) {
            if (options_.preserve_owner) {
                auto const [uid, gid] = owner_of(e.native_handle());
                (void)::fchownat(dirfd, leaf.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW); // never followed
            }
            defer_folder(e, plan, create_mode);
        }
        books_.drain(e, name);
        done(std::move(name), entry_outcome::extracted);
    }

    void defer_folder(entry_view e, entry_plan const& plan, mode_t create_mode) {
        folder_fixup f;
        if (options_.preserve_permissions) {
            f.set_mode = !umask_ || (create_mode & ~*umask_) != plan.mode;
            f.mode = plan.mode;
        } else if ((plan.mode & 0700) != 0700 && umask_) {
            f.set_mode = true;
            f.mode = plan.mode & ~*umask_;
        }
        if (options_.preserve_times) f.set_times = entry_times(e.native_handle(), f.times);
        if (options_.preserve_acls) {
            f.acl_access = posix_acl_xattr(e.native_handle(), ARCHIVE_ENTRY_ACL_TYPE_ACCESS);
            f.acl_default = posix_acl_xattr(e.native_handle(), ARCHIVE_ENTRY_ACL_TYPE_DEFAULT);
        }
        std::size_t held = 0;
        if (options_.preserve_xattrs) {
            for (xattr const& x : e.xattrs()) {
                if (!xattr_allowed(x.name, tar_)) continue;
                f.xattrs.emplace_back(std::string(x.name),
                                      std::string(reinterpret_cast<char const*>(x.value.data()), x.value.size()));
                held += x.name.size() + x.value.size();
            }
        }
        if (!f.set_mode && !f.set_times && f.acl_access.empty() && f.acl_default.empty() && f.xattrs.empty()) return;
        f.relative = plan.relative;
        held += f.relative.size() + f.acl_access.size() + f.acl_default.size();
        books_.hold_names(static_cast<std::int64_t>(held));
        fixups_.push_back(std::move(f));
    }

    /// Applies folder modes and times, deepest first, each folder reached again by descriptor.
    void apply_folder_metadata() {
        if (fixups_.empty()) return; // nothing to do, and qsort must not be given a null array
        // qsort of pointers, not std::sort: <algorithm> cost a thirteenth of <filesystem>.
        using order = cbound::detail::dependent_t<Deferred, std::vector<folder_fixup const*>>;
        order deepest_first;
        deepest_first.reserve(fixups_.size());
        for (folder_fixup const& f : fixups_)
            deepest_first.push_back(&f);
        std::qsort(deepest_first.data(), deepest_first.size(), sizeof(folder_fixup const*),
                   [](void const* a, void const* b) {
                       std::string const& x = (*static_cast<folder_fixup const* const*>(a))->relative;
                       std::string const& y = (*static_cast<folder_fixup const* const*>(b))->relative;
                       return y.compare(x); // descending: a folder after everything below it
                   });
        for (folder_fixup const* fixup : deepest_first) {
            folder_fixup const& f = *fixup;
            tree_.next_entry();
            reached_folder const folder = tree_.reach(f.relative, false);
            if (folder.fd < 0) continue; // replaced or removed since: nothing of ours to fix
            // Like the ACLs and the mode, a folder's xattrs are best effort: its report row is
            // written already, and bsdtar too goes on silently.
            for (auto const& [key, value] : f.xattrs)
                (void)::fsetxattr(folder.fd, key.c_str(), value.data(), value.size(), 0);
            if (!f.acl_access.empty())
                (void)::fsetxattr(folder.fd, "system.posix_acl_access", f.acl_access.data(), f.acl_access.size(), 0);
            if (!f.acl_default.empty())
                (void)::fsetxattr(folder.fd, "system.posix_acl_default", f.acl_default.data(), f.acl_default.size(), 0);
            if (f.set_mode) (void)::fchmod(folder.fd, f.mode);
            if (f.set_times) (void)::futimens(folder.fd, f.times);
        }
        fixups_.clear();
    }

    // --- files -----------------------------------------------------------------------------

    void make_file(entry_view e, std::string name, int dirfd, std::string const& leaf, entry_plan const& plan) {
        std::string temp;
        room outcome = room::free;
        entry_failure failure;
        int const fd = create_making_room(dirfd, leaf, plan.relative, plan.mode, temp, outcome, failure);
        if (outcome == room::skip) return skip(e, std::move(name), "already exists");
        if (outcome == room::fail) return fail(e, std::move(name), std::move(failure));
        if (fd < 0) return fail(e, std::move(name), errno_failure(errno, "cannot create the file"));
        unique_fd file(fd);
        std::string const& written = temp.empty() ? leaf : temp;
        std::string note;
        failure = fill(e, name, file.get(), true, note, [&] { ::unlinkat(dirfd, written.c_str(), 0); });
        if (!failure.failed() && !temp.empty()) failure = install(dirfd, temp, leaf);
        if (failure.failed()) return fail_after_data(std::move(name), std::move(failure));
        done(std::move(name), entry_outcome::extracted, std::move(note));
    }

    /// Creates the file `leaf` in `dirfd` with `mode`, making room when something is there (a
    /// file that replaces one is created under the temporary name `temp`): the descriptor, or
    /// -1 with errno, or with `outcome` room::skip or room::fail (and `failure`).
    int create_making_room(int dirfd, std::string const& leaf, std::string_view relative, mode_t mode,
                           std::string& temp, room& outcome, entry_failure& failure) {
        int const fd = create(dirfd, leaf, mode);
        if (fd >= 0 || errno != EEXIST) return fd;
        outcome = make_room(dirfd, leaf, relative, node_kind::file, failure);
        switch (outcome) {
        case room::skip:
        case room::fail: return -1;
        case room::merge:
        case room::free: return create(dirfd, leaf, mode);
        case room::replace: return create_temporary(dirfd, temp, mode);
        }
        return -1;
    }

    // --- files made on the pool -------------------------------------------------------------

    /// A hash of the path `relative`, for the sets of names in flight and folders known (a
    /// collision only makes a file wait, or a worker find no folder and leave the file to the
    /// reading thread).
    static std::size_t name_hash(std::string_view relative) noexcept { return string_hash{}(relative); }

    /// Whether a file in flight holds `relative` or a folder above it.
    [[nodiscard]] bool depends_on_flight(std::string_view relative) const {
        if (in_flight_.empty()) return false;
        if (in_flight_.contains(name_hash(relative))) return true;
        for (std::size_t slash = relative.find('/'); slash != std::string_view::npos;
             slash = relative.find('/', slash + 1))
            if (in_flight_.contains(name_hash(relative.substr(0, slash)))) return true;
        return false;
    }

    /// Readies the new file `relative` for a worker to create: waits for the files in flight
    /// at its name or at a folder above it (the same name twice, or a file where a folder
    /// goes, change in archive order), then makes sure its folder exists. False when the
    /// folder cannot be reached: the careful way then makes it or says why.
    bool clear_the_way(std::string_view relative) {
        while (!handed_.empty() && depends_on_flight(relative))
            settle_first();
        std::string_view const parent = parent_of(relative);
        if (parent.empty()) return true;
        std::size_t const key = name_hash(parent);
        if (known_folders_.contains(key)) return true;
        // A missing folder is made by the careful way, after everything in flight: should the
        // extraction stop before this file, no folder of its is left behind.
        if (tree_.reach(parent, false).fd < 0) return false;
        if (known_folders_.size() >= max_known_folders) known_folders_.clear();
        known_folders_.try_emplace(key);
        return true;
    }

    /// Makes, on the reading thread, a file its worker did not create (something at its name,
    /// a missing folder, a symlink on the way, no openat2): as make_file would have, with the
    /// data the job holds.
    void create_late(std::string name, std::string const& relative, finish_job& job) {
        if (openat2_refused(job.create_error)) workers_create_ = false;
        reached_folder const folder = tree_.reach(parent_of(relative), true);
        if (!folder.refusal.empty() || !folder.failure.empty()) books_.unwritten(job.data.size());
        if (!folder.refusal.empty()) {
            if (options_.unsafe == on_unsafe::stop)
                throw make_error(errc::unsafe_entry, "extract", folder.refusal, name);
            return done(std::move(name), entry_outcome::rejected, folder.refusal);
        }
        if (!folder.failure.empty())
            return fail_after_data(std::move(name),
                                   {std::error_code(folder.error, std::generic_category()), folder.failure});
        std::string const leaf(leaf_of(relative));
        std::string temp;
        room outcome = room::free;
        entry_failure failure;
        int const fd = create_making_room(folder.fd, leaf, relative, job.create_mode, temp, outcome, failure);
        if (fd < 0) {
            int const number = errno;
            books_.unwritten(job.data.size());
            if (outcome == room::skip) return done(std::move(name), entry_outcome::skipped, "already exists");
            if (outcome == room::fail) return fail_after_data(std::move(name), std::move(failure));
            return fail_after_data(std::move(name), errno_failure(number, "cannot create the file"));
        }
        job.fd.reset(fd);
        finish_pool::finish_here(job);
        std::string const& written = temp.empty() ? leaf : temp;
        if (job.error != 0) {
            ::unlinkat(folder.fd, written.c_str(), 0);
            return fail_after_data(std::move(name), errno_failure(job.error, job.failed_step));
        }
        if (!temp.empty()) {
            if (auto f = install(folder.fd, temp, leaf); f.failed())
                return fail_after_data(std::move(name), std::move(f));
        }
        made_.try_emplace(file_id{job.device, job.inode});
        done(std::move(name), entry_outcome::extracted);
    }

    /// Decodes the data of the new file `file` into a job and hands it to the pool; with no
    /// `file`, the worker creates it.
    void hand_over(entry_view e, std::string name, unique_fd file, entry_plan const& plan) {
        auto job = cbound::detail::make_shared_box<cbound::detail::dependent_t<Deferred, finish_job>>();
        job->fd = std::move(file);
        if (!job->fd) {
            job->root = tree_.fd();
            job->relative = plan.relative;
            job->create_mode = plan.mode;
        }
        job->data.reserve(static_cast<std::size_t>(e.size().value_or(0)));
        try {
            each_block(e, name, [&](block const& b) {
                job->pieces.push_back({b.offset, job->data.size(), b.data.size()});
                auto const* bytes = reinterpret_cast<char const*>(b.data.data());
                job->data.insert(job->data.end(), bytes, bytes + b.data.size());
                return true;
            });
        } catch (error const& ex) {
            if (job->fd) remove_new_file(plan.relative, job->fd.get());
            if (extract_books::is_final(ex)) throw;
            settle(true);
            return fail_after_data(std::move(name), {ex.code(), ex.message()});
        } catch (...) {
            if (job->fd) remove_new_file(plan.relative, job->fd.get());
            throw;
        }
        ::archive_entry* const a = e.native_handle();
        job->size = e.size().value_or(0);
        if (options_.preserve_permissions) {
            mode_t const mode =
                tar_ ? tar_policy_perm(archive_entry_perm(a)) : data_policy_perm(archive_entry_perm(a), false);
            job->set_mode = !(umask_ && (mode & ~*umask_) == mode); // the creation mode may be it already
            job->mode = mode;
        }
        job->set_times = options_.preserve_times && entry_times(a, job->times);
        if (handed_.size() >= max_handed_files) settle_first();
        pool_->submit(job);
        handed_.push_back({std::move(name), plan.relative, std::move(job)});
        ++*in_flight_.try_emplace(name_hash(plan.relative)).first;
        books_.set_handed_over(handed_.size());
        books_.tell_progress(handed_.back().name); // the entry is done as far as the caller sees
        settle(false);
    }

    /// Writes the report rows of the files handed over that are finished, in archive order;
    /// `all` waits for every one. Throws as a failed entry does (on_failure::stop).
    void settle(bool all) {
        while (!handed_.empty() && (all || pool_->finished(*handed_.front().job)))
            settle_first();
    }

    /// Waits for the first file handed over and writes its report row.
    /// When that row stops the extraction (on_failure::stop, on_unsafe::stop), the files
    /// handed over after it are removed: the extraction stops where one thread would have.
    void settle_first() {
        try {
            settle_front();
        } catch (...) {
            abandon_handed_over(true);
            throw;
        }
    }

    /// settle_first's work.
    void settle_front() {
        handed_file first = handed_.take_front();
        std::size_t const key = name_hash(first.relative);
        if (std::size_t* const count = in_flight_.find(key); count != nullptr && --*count == 0) in_flight_.erase(key);
        books_.set_handed_over(handed_.size());
        pool_->wait(*first.job);
        finish_job& job = *first.job;
        if (job.create_error != 0) return create_late(std::move(first.name), first.relative, job);
        if (job.error != 0) {
            remove_file_if(first.relative, job.device, job.inode);
            return fail_after_data(std::move(first.name), errno_failure(job.error, job.failed_step));
        }
        made_.try_emplace(file_id{job.device, job.inode});
        done(std::move(first.name), entry_outcome::extracted);
    }

    /// After an exception: waits for every file handed over and removes the ones that failed
    /// (every one, when the exception stopped the extraction at an entry before them).
    void abandon_handed_over(bool later_than_the_stop = false) noexcept {
        for (handed_file const& f : handed_) {
            pool_->wait(*f.job);
            if (f.job->error != 0 || (later_than_the_stop && f.job->create_error == 0)) {
                try {
                    remove_file_if(f.relative, f.job->device, f.job->inode);
                } catch (...) { // out of memory while reaching the folder: the partial file stays
                }
            }
        }
        handed_.clear();
        in_flight_.clear();
    }

    /// Removes the file `relative` while it is still the new file open as `fd`.
    void remove_new_file(std::string_view relative, int fd) {
        struct stat mine {};
        if (::fstat(fd, &mine) == 0) remove_file_if(relative, mine.st_dev, mine.st_ino);
    }

    /// Removes the file `relative` only while it is still the inode (`device`, `inode`): a
    /// later entry may have replaced the name meanwhile.
    void remove_file_if(std::string_view relative, dev_t device, ino_t inode) {
        if (inode == 0) return;
        reached_folder const folder = tree_.reach(parent_of(relative), false);
        if (folder.fd < 0) return;
        std::string const leaf(leaf_of(relative));
        stat_result const there = existing_at<Deferred>(folder.fd, leaf.c_str());
        if (there && there->st_ino == inode && there->st_dev == device) ::unlinkat(folder.fd, leaf.c_str(), 0);
    }

    /// Fills a file created without its folder at hand; on failure the folder is reached
    /// again and the name removed only while it still names this file.
    void write_new_file(entry_view e, std::string name, unique_fd file, entry_plan const& plan) {
        std::string note;
        auto remove = [&] { remove_new_file(plan.relative, file.get()); };
        if (auto f = fill(e, name, file.get(), true, note, remove); f.failed())
            return fail_after_data(std::move(name), std::move(f));
        done(std::move(name), entry_outcome::extracted, std::move(note));
    }

    /// A data failure: the data is consumed already; the partial file was removed.
    void fail_after_data(std::string name, entry_failure failure) {
        books_.record_failure(name, std::move(failure));
        books_.tell_progress(name);
    }

    static int create(int dirfd, std::string const& leaf, mode_t mode) {
        return retry_on_signal(
            [&] { return ::openat(dirfd, leaf.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode); });
    }

    int create_temporary(int dirfd, std::string& temp, mode_t mode) {
        for (int attempt = 0; attempt < 16; ++attempt) {
            temp = temporary_.next();
            int const fd = create(dirfd, temp, mode);
            if (fd >= 0 || errno != EEXIST) return fd;
        }
        errno = EEXIST;
        return -1;
    }

    /// Writes the entry's data and metadata to `fd`; on failure `remove()` removes its name.
    /// `created` says whether the creation mode already applied.
    template <class Remove>
    entry_failure fill(entry_view e, std::string const& name, int fd, bool created, std::string& note, Remove remove) {
        std::int64_t end = 0;
        entry_failure written;
        try {
            each_block(e, name, [&](block const& b) {
                written = write_at(fd, b.data.data(), b.data.size(), b.offset);
                if (std::int64_t const past = b.offset + static_cast<std::int64_t>(b.data.size()); past > end)
                    end = past;
                return !written.failed();
            });
            if (written.failed()) {
                remove();
                books_.drain(e, name);
                return written;
            }
        } catch (error const& ex) {
            remove();
            if (extract_books::is_final(ex)) throw;
            return {ex.code(), ex.message()};
        } catch (...) {
            remove();
            throw;
        }
        entry_failure failure;
        // A sparse file may end in a hole: extend it (no blocks are allocated for it).
        if (auto declared = e.size(); declared && *declared > end && ::ftruncate(fd, *declared) != 0)
            failure = errno_failure(errno, "cannot set the size");
        struct stat st {};
        if (!failure.failed() && ::fstat(fd, &st) != 0) failure = errno_failure(errno, "cannot inspect the file");
        if (!failure.failed()) failure = file_metadata(e, fd, created, note);
        if (failure.failed()) {
            remove();
            return failure;
        }
        made_.try_emplace(file_id{st.st_dev, st.st_ino});
        return {};
    }

    /// Counts each data block of `e` against the limits, gives it to `take` (false stops
    /// early), then tells the progress callback.
    template <class Take>
    void each_block(entry_view e, std::string const& name, Take take) {
        std::uint64_t entry_bytes = 0;
        for (block const& b : e.blocks()) {
            entry_bytes += b.data.size();
            books_.decoded(b.data.size(), name);
            books_.written(b.data.size(), entry_bytes, name);
            if (!take(b)) return;
            books_.tell_progress(name);
        }
    }

    static entry_failure write_at(int fd, void const* data, std::size_t size, std::int64_t offset) {
        auto const* bytes = static_cast<char const*>(data);
        while (size > 0) {
            ssize_t const n = retry_on_signal([&] { return ::pwrite(fd, bytes, size, static_cast<off_t>(offset)); });
            if (n <= 0) return errno_failure(n < 0 ? errno : EIO, "cannot write");
            bytes += n;
            size -= static_cast<std::size_t>(n);
            offset += n;
        }
        return {};
    }

    /// The owner to restore: names first, then ids.
    cbound::detail::dependent_t<Deferred, std::pair<uid_t, gid_t>> owner_of(::archive_entry* a) {
        return {owners_.user(archive_entry_uname(a), static_cast<uid_t>(archive_entry_uid(a))),
                owners_.group(archive_entry_gname(a), static_cast<gid_t>(archive_entry_gid(a)))};
    }

    /// Owner, xattrs, ACLs, mode and times on the open file `fd`.
    entry_failure file_metadata(entry_view e, int fd, bool created, std::string& note) {
        ::archive_entry* const a = e.native_handle();
        mode_t const mode =
            tar_ ? tar_policy_perm(archive_entry_perm(a)) : data_policy_perm(archive_entry_perm(a), false);
        bool chowned = false;
        if (options_.preserve_owner) {
            auto const [uid, gid] = owner_of(a);
            if (::fchown(fd, uid, gid) != 0)
                note = "cannot restore the owner: " + std::generic_category().message(errno);
            else
                chowned = true;
        }
        if (options_.preserve_xattrs) {
            for (xattr const& x : e.xattrs()) {
                if (!xattr_allowed(x.name, tar_)) continue;
                std::string const key(x.name);
                if (::fsetxattr(fd, key.c_str(), x.value.data(), x.value.size(), 0) != 0 && note.empty())
                    note = "cannot restore the extended attribute '" + key +
                           "': " + std::generic_category().message(errno);
            }
        }
        if (options_.preserve_acls) {
            std::string const acl = posix_acl_xattr(a, ARCHIVE_ENTRY_ACL_TYPE_ACCESS);
            if (!acl.empty() && ::fsetxattr(fd, "system.posix_acl_access", acl.data(), acl.size(), 0) != 0 &&
                note.empty())
                note = "cannot restore the ACL: " + std::generic_category().message(errno);
        }
        if (options_.preserve_permissions) {
            bool const exact = created && !chowned && umask_ && (mode & ~*umask_) == mode;
            if (!exact && ::fchmod(fd, mode) != 0) return errno_failure(errno, "cannot set the mode");
        }
        if (options_.preserve_times) {
            struct timespec times[2];
            if (entry_times(a, times) && ::futimens(fd, times) != 0)
                return errno_failure(errno, "cannot set the times");
        }
        return {};
    }

    // --- symlinks --------------------------------------------------------------------------

    void make_symlink(entry_view e, std::string name, int dirfd, std::string const& leaf, entry_plan const& plan) {
        if (::symlinkat(plan.link.c_str(), dirfd, leaf.c_str()) != 0) {
            if (errno != EEXIST) return fail(e, std::move(name), errno_failure(errno, "cannot create the symlink"));
            entry_failure failure;
            switch (make_room(dirfd, leaf, plan.relative, node_kind::symlink, failure)) {
            case room::skip: return skip(e, std::move(name), "already exists");
            case room::fail: return fail(e, std::move(name), std::move(failure));
            case room::merge:
            case room::free:
                if (::symlinkat(plan.link.c_str(), dirfd, leaf.c_str()) != 0)
                    return fail(e, std::move(name), errno_failure(errno, "cannot create the symlink"));
                break;
            case room::replace:
                if (auto f = with_temporary(
                        dirfd, leaf,
                        [&](std::string const& t) { return ::symlinkat(plan.link.c_str(), dirfd, t.c_str()); });
                    f.failed())
                    return fail(e, std::move(name), std::move(f));
                break;
            }
        }
        tree_.forget(plan.relative);
        known_folders_.clear();
        link_metadata(e, dirfd, leaf);
        books_.drain(e, name);
        done(std::move(name), entry_outcome::extracted, symlink_xattr_note(e));
    }

    /// The warning for a symlink whose xattrs are not restored: Linux refuses user.* on
    /// symlinks (EPERM), and the trusted.* that could apply are left alone too, so that a
    /// symlink never carries what its target seems to.
    std::string symlink_xattr_note(entry_view e) const {
        if (!options_.preserve_xattrs) return {};
        for (xattr const& x : e.xattrs())
            if (xattr_allowed(x.name, tar_))
                return "extended attributes of a symlink are not restored (Linux allows no user.* on symlinks)";
        return {};
    }

    /// Makes a thing under a temporary name with `make(name)` (0 or -1 with errno), then renames it over `leaf`.
    template <class Make>
    entry_failure with_temporary(int dirfd, std::string const& leaf, Make make) {
        for (int attempt = 0; attempt < 16; ++attempt) {
            std::string const temp = temporary_.next();
            if (make(temp) == 0) return install(dirfd, temp, leaf);
            if (errno != EEXIST) return errno_failure(errno, "cannot create");
        }
        return errno_failure(EEXIST, "cannot create");
    }

    /// Owner and times of a symlink or special file, by name in `dirfd`, never followed.
    void link_metadata(entry_view e, int dirfd, std::string const& leaf) {
        ::archive_entry* const a = e.native_handle();
        if (options_.preserve_owner) {
            auto const [uid, gid] = owner_of(a);
            (void)::fchownat(dirfd, leaf.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW);
        }
        struct timespec times[2];
        if (options_.preserve_times && entry_times(a, times))
            (void)::utimensat(dirfd, leaf.c_str(), times, AT_SYMLINK_NOFOLLOW);
    }

    /// Why the symlink at `relative` with `target` would resolve outside the destination in
    /// the real tree (existing links followed, at most 40 hops); nullopt when it stays inside.
    /// The lexical rules already passed: a leading ".." only climbs the link's own folders.
    std::optional<std::string> real_escape(std::string_view relative, std::string_view target) {
        std::vector<std::string> stack;
        for (std::string_view part : path_components(parent_of(relative)))
            stack.emplace_back(part);
        std::vector<std::string> todo; // the parts still to resolve, the next one at the back
        auto push_front = [&](std::string_view path) {
            std::vector<std::string_view> const parts = split_all(path);
            for (auto it = parts.rbegin(); it != parts.rend(); ++it)
                todo.emplace_back(*it);
        };
        if (!target.empty() && target.front() == '/') {
            // inside the root (the policy checked)
            target.remove_prefix(target.size() < root_.size() ? target.size() : root_.size());
            stack.clear();
        }
        push_front(target);
        int hops = 0;
        bool missing = false;
        std::string joined;
        while (!todo.empty()) {
            std::string const part = std::move(todo.back());
            todo.pop_back();
            if (part.empty() || part == ".") continue;
            if (part == "..") {
                if (missing) return "symlink target with '..' after a name that does not exist yet";
                if (stack.empty()) return "symlink resolves outside the destination";
                stack.pop_back();
                continue;
            }
            if (missing) {
                stack.push_back(part);
                continue;
            }
            joined.clear();
            for (std::size_t i = 0; i < stack.size(); ++i) {
                if (i != 0) joined += '/';
                joined += stack[i];
            }
            reached_folder const folder = tree_.reach(joined, false);
            if (!folder.refusal.empty()) return "symlink resolves through " + folder.refusal.substr(18);
            stat_result const there = folder.fd >= 0 ? existing_at<Deferred>(folder.fd, part.c_str()) : stat_result();
            if (!there || !S_ISLNK(there->st_mode)) {
                missing = !there || !S_ISDIR(there->st_mode);
                stack.push_back(part);
                continue;
            }
            if (++hops > 40) return "symlink resolves through too many links";
            std::string link(4096, '\0');
            ssize_t const n = ::readlinkat(folder.fd, part.c_str(), link.data(), link.size());
            if (n <= 0) return "symlink resolves through an unreadable link";
            link.resize(static_cast<std::size_t>(n));
            if (link.front() == '/') {
                std::string_view const inside(link);
                bool const under_root = tar_ && inside.substr(0, root_.size()) == root_ &&
                                        (inside.size() == root_.size() || inside[root_.size()] == '/');
                if (!under_root)
                    return "symlink resolves through the existing link '" + joined + (joined.empty() ? "" : "/") +
                           part + "' to an absolute path";
                stack.clear();
                push_front(inside.substr(root_.size()));
            } else {
                push_front(link);
            }
        }
        return std::nullopt;
    }

    /// Every '/'-separated part of `path`, ".." included, empty ones dropped.
    static std::vector<std::string_view> split_all(std::string_view path) {
        std::vector<std::string_view> parts;
        std::size_t start = 0;
        while (start <= path.size()) {
            std::size_t const slash = path.find('/', start);
            std::size_t const end = slash < path.size() ? slash : path.size();
            if (end > start) parts.push_back(path.substr(start, end - start));
            start = end + 1;
        }
        return parts;
    }

    // --- hard links ------------------------------------------------------------------------

    void make_hardlink(entry_view e, std::string name, int dirfd, std::string const& leaf, entry_plan const& plan) {
        reached_folder const from = tree_.reach(parent_of(plan.link), false);
        if (!from.refusal.empty()) return reject(e, std::move(name), "hard link target: " + from.refusal);
        std::string const target_leaf(leaf_of(plan.link));
        stat_result const target = from.fd >= 0 ? existing_at<Deferred>(from.fd, target_leaf.c_str()) : stat_result();
        if (!target)
            return fail(e, std::move(name), {make_error_code(errc::not_found), "hard link target does not exist"});
        if (!S_ISREG(target->st_mode))
            return reject(e, std::move(name), "hard link to something other than a regular file");
        bool const fresh = made_.contains(file_id{target->st_dev, target->st_ino});
        if (plan.has_data && !fresh) {
            // One that was there before may share its inode with a file outside (or
            // overwrite::never protects it): the data becomes a file of its own.
            entry_plan own = plan;
            own.kind = node_kind::file;
            own.mode = tar_ ? tar_policy_perm(archive_entry_perm(e.native_handle()))
                            : data_policy_perm(archive_entry_perm(e.native_handle()), false);
            return make_file(e, std::move(name), dirfd, leaf, own);
        }
        if (::linkat(from.fd, target_leaf.c_str(), dirfd, leaf.c_str(), 0) != 0) {
            if (errno != EEXIST) return fail(e, std::move(name), errno_failure(errno, "cannot create the hard link"));
            stat_result const there = existing_at<Deferred>(dirfd, leaf.c_str());
            bool const same = there && there->st_dev == target->st_dev && there->st_ino == target->st_ino;
            if (!same) {
                entry_failure failure;
                switch (make_room(dirfd, leaf, plan.relative, node_kind::hardlink, failure)) {
                case room::skip: return skip(e, std::move(name), "already exists");
                case room::fail: return fail(e, std::move(name), std::move(failure));
                case room::merge:
                case room::free:
                    if (::linkat(from.fd, target_leaf.c_str(), dirfd, leaf.c_str(), 0) != 0)
                        return fail(e, std::move(name), errno_failure(errno, "cannot create the hard link"));
                    break;
                case room::replace:
                    if (auto f = with_temporary(dirfd, leaf,
                                                [&](std::string const& t) {
                                                    return ::linkat(from.fd, target_leaf.c_str(), dirfd, t.c_str(), 0);
                                                });
                        f.failed())
                        return fail(e, std::move(name), std::move(f));
                    break;
                }
            }
        }
        if (!plan.has_data) {
            books_.drain(e, name);
            return done(std::move(name), entry_outcome::extracted);
        }
        // The data goes through the link into the inode this extraction made, as bsdtar does.
        unique_fd file(::openat(dirfd, leaf.c_str(), O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC));
        struct stat st {};
        if (!file || ::fstat(file.get(), &st) != 0 || st.st_ino != target->st_ino || st.st_dev != target->st_dev)
            return fail(e, std::move(name), errno_failure(file ? EBUSY : errno, "cannot write through the hard link"));
        std::string note;
        if (auto f = fill(e, name, file.get(), false, note, [&] { ::unlinkat(dirfd, leaf.c_str(), 0); }); f.failed())
            return fail_after_data(std::move(name), std::move(f));
        done(std::move(name), entry_outcome::extracted, std::move(note));
    }

    // --- FIFOs and devices (tar policy) -----------------------------------------------------

    void make_node(entry_view e, std::string name, int dirfd, std::string const& leaf, entry_plan const& plan) {
        mode_t const type = plan.kind == node_kind::fifo               ? S_IFIFO
                            : plan.kind == node_kind::character_device ? S_IFCHR
                                                                       : S_IFBLK;
        dev_t const device = plan.kind == node_kind::fifo ? 0 : archive_entry_rdev(e.native_handle());
        auto make = [&](std::string const& n) { return ::mknodat(dirfd, n.c_str(), type | plan.mode, device); };
        if (make(leaf) != 0) {
            if (errno != EEXIST)
                return fail(e, std::move(name), errno_failure(errno, "cannot create the special file"));
            entry_failure failure;
            switch (make_room(dirfd, leaf, plan.relative, plan.kind, failure)) {
            case room::skip: return skip(e, std::move(name), "already exists");
            case room::fail: return fail(e, std::move(name), std::move(failure));
            case room::merge:
            case room::free:
                if (make(leaf) != 0)
                    return fail(e, std::move(name), errno_failure(errno, "cannot create the special file"));
                break;
            case room::replace:
                if (auto f = with_temporary(dirfd, leaf, make); f.failed())
                    return fail(e, std::move(name), std::move(f));
                break;
            }
        }
        if (options_.preserve_permissions) (void)::fchmodat(dirfd, leaf.c_str(), plan.mode, AT_SYMLINK_NOFOLLOW);
        link_metadata(e, dirfd, leaf);
        books_.drain(e, name);
        done(std::move(name), entry_outcome::extracted);
    }

    // Member types through dependent_t: every expression using them is compiled only where
    // an extraction is (config.hpp explains why).
    cbound::detail::dependent_t<Deferred, extract_books> books_;
    extract_options const& options_;
    std::string root_;
    cbound::detail::dependent_t<Deferred, confined_root> tree_;
    std::optional<mode_t> umask_;
    bool tar_;
    cbound::detail::dependent_t<Deferred, flat_table<file_id, char, file_id_hash>>
        made_; ///< the files this extraction made
    std::vector<folder_fixup> fixups_;
    cbound::detail::dependent_t<Deferred, temporary_names> temporary_;
    cbound::detail::dependent_t<Deferred, owner_lookup> owners_;
    fifo<handed_file> handed_; ///< files handed to the pool, in archive order
    /// name_hash of each handed file's path, and how many files in flight have it
    cbound::detail::dependent_t<Deferred, flat_table<std::size_t, std::size_t, number_hash>> in_flight_;
    /// name_hash of folders known to exist
    cbound::detail::dependent_t<Deferred, flat_table<std::size_t, char, number_hash>> known_folders_;
    bool workers_create_ = true; ///< false once a worker found openat2 refused
    cbound::detail::dependent_t<Deferred, std::optional<finish_pool>>
        pool_; ///< destroyed first: finishes what it holds, joins its threads
};

/// An extraction under data or tar (the one instantiation there is).
using confined_extraction = basic_confined_extraction<>;

} // namespace cbound::archive::detail
