// cbound::archive — the extraction policy: what an entry will create, or why it will not
// (internal, side-effect free).
//
// An entry is judged by what it WILL CREATE, never by what one field says: libarchive's
// own disk writer decides by the link fields (a hard link name wins, then a symlink
// target, then the type), so an mtree line `type=file link=../x`, a Rock Ridge file with a
// symlink record, or a cpio FIFO that shares an inode with a later symlink each looked like
// a regular file to a check of type() and became a link on disk. Here the fields must agree
// with each other; an entry whose fields disagree is refused under data and tar, so that
// what is checked and what is created are the same thing. Nothing here touches the disk:
// the run step (extract_confined.hpp) acts on the plan.
#pragma once

#include <cbound/archive/detail/extract_path.hpp>
#include <cbound/archive/extract_options.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <sys/stat.h>

namespace cbound::archive::detail {

// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh).

/// Permission bits under the data policy (PEP 706 "data" filter): no setuid, setgid or
/// sticky bit, no group/other write; files stay owner-readable and -writable and are only
/// group/other-executable when the owner may execute them; folders stay owner-usable.
[[nodiscard]] constexpr unsigned data_policy_perm(unsigned perm, bool is_directory) noexcept {
    perm &= 0755u;
    if (is_directory) return perm | 0700u;
    perm |= 0600u;
    if ((perm & 0100u) == 0) perm &= ~0011u;
    return perm;
}

/// Permission bits under the tar policy (PEP 706 "tar" filter): no setuid, setgid, sticky
/// bit or group/other write.
[[nodiscard]] constexpr unsigned tar_policy_perm(unsigned perm) noexcept { return perm & 0755u; }

/// What an entry creates on disk.
enum class node_kind { file, folder, symlink, hardlink, fifo, character_device, block_device };

/// The fields of an entry the policy looks at (names already UTF-8).
struct entry_facts {
    std::string_view name;                    ///< the member name
    unsigned filetype = 0;                    ///< the S_IFMT bits of the entry's mode (0 when unset)
    std::optional<std::string_view> symlink;  ///< the symlink target field, when set
    std::optional<std::string_view> hardlink; ///< the hard link target field, when set
    std::optional<std::int64_t> size;         ///< the declared data size, when set
    unsigned perm = 0;                        ///< the permission bits
};

/// The policy's verdict on one entry.
struct entry_plan {
    entry_outcome verdict = entry_outcome::extracted; ///< extracted means "go ahead"; skipped or rejected otherwise
    std::string reason;                               ///< why not, when not
    node_kind kind = node_kind::file;                 ///< what to create
    std::string relative;                             ///< where, below the destination ("a/b/c")
    std::string link;      ///< a symlink's target as stored, or a hard link's relative target
    unsigned mode = 0;     ///< permission bits after the policy's cleaning
    bool has_data = false; ///< whether data goes to the file (a hard link may carry some)
};

/// A refusal with `why`.
template <class Deferred = void>
[[nodiscard]] entry_plan refused(std::string why) {
    entry_plan p;
    p.verdict = entry_outcome::rejected;
    p.reason = std::move(why);
    return p;
}

/// Judges `e` under the data or tar policy. `root` is the canonical destination, against
/// which the tar policy accepts absolute symlink targets. The real tree (existing links)
/// is judged later, on disk, by the run step.
template <class Deferred = void>
[[nodiscard]] entry_plan judge_entry(entry_facts const& e, extract_policy policy, std::string_view root) {
    bool const tar = policy == extract_policy::tar;
    checked_name const checked = check_member_name(e.name, tar);
    if (!checked.refusal.empty()) return refused(checked.refusal);
    bool const folder_type = e.filetype == S_IFDIR;
    if (checked.relative.empty()) {
        if (folder_type && !e.symlink && !e.hardlink) {
            entry_plan p;
            p.verdict = entry_outcome::skipped;
            p.reason = "names the destination itself";
            return p;
        }
        return refused("names the destination itself");
    }
    entry_plan p;
    p.relative = checked.relative;
    // The link fields first, as libarchive's disk writer decides by them: they must agree
    // with the type, or what was checked would not be what gets created.
    if (e.hardlink) {
        if (e.symlink) return refused("both a hard link and a symlink target: the entry's fields disagree");
        if (e.filetype != 0 && e.filetype != S_IFREG)
            return refused("a hard link whose type says otherwise: the entry's fields disagree");
        checked_name const target = check_member_name(*e.hardlink, tar);
        if (!target.refusal.empty()) return refused("hard link target: " + target.refusal);
        if (target.relative.empty()) return refused("hard link to the destination itself");
        p.kind = node_kind::hardlink;
        p.link = target.relative;
        p.has_data = e.size.value_or(0) > 0;
    } else if (e.symlink || e.filetype == S_IFLNK) {
        if (e.filetype != S_IFLNK)
            return refused("a symlink target on an entry whose type says otherwise: the entry's fields disagree");
        if (!e.symlink) return refused("a symlink without a target");
        // Under tar an absolute target may name a place inside the destination.
        if (auto escape = symlink_escape(checked.relative, *e.symlink, tar ? root : std::string_view()))
            return refused(*escape);
        p.kind = node_kind::symlink;
        p.link = std::string(*e.symlink);
    } else {
        switch (e.filetype) {
        case S_IFREG: p.kind = node_kind::file; break;
        case S_IFDIR: p.kind = node_kind::folder; break;
        case S_IFIFO: p.kind = node_kind::fifo; break;
        case S_IFCHR: p.kind = node_kind::character_device; break;
        case S_IFBLK: p.kind = node_kind::block_device; break;
        case S_IFSOCK: return refused("cannot extract an entry of type socket");
        default: return refused("cannot extract an entry of unknown type");
        }
        if (!tar && p.kind != node_kind::file && p.kind != node_kind::folder) {
            char const* what = p.kind == node_kind::fifo               ? "fifo"
                               : p.kind == node_kind::character_device ? "character"
                                                                       : "block";
            return refused("special file (" + std::string(what) + ") refused by the data policy");
        }
        p.has_data = p.kind == node_kind::file;
    }
    bool const folder = p.kind == node_kind::folder;
    p.mode = tar ? tar_policy_perm(e.perm) : data_policy_perm(e.perm, folder);
    return p;
}

} // namespace cbound::archive::detail
