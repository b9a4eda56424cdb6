// cbound::archive — the name rules of safe extraction (internal).
//
// libarchive's own checks are not enough to keep an archive inside a folder (it still
// creates symlinks pointing anywhere), so every name and link target is judged here, as
// text, before libarchive sees it. The rules are lexical on purpose: they do not depend on
// what happens to be on disk, except the symlink walk, which is exactly about the disk.
#pragma once

#include <cerrno>
#include <cstddef>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <vector>

namespace cbound::archive::detail {

/// A member name after the checks: the cleaned relative path, or why it was refused.
struct checked_name {
    std::string relative; ///< "a/b/c": no empty, "." or ".." component, no leading '/'
    std::string refusal;  ///< why the name is refused; empty when it is acceptable
};

/// Splits `path` on '/' and drops empty and "." components (so "./a//b/" is {"a", "b"}).
[[nodiscard]] inline std::vector<std::string_view> path_components(std::string_view path) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t const end = std::min(path.find('/', start), path.size());
        std::string_view const part = path.substr(start, end - start);
        if (!part.empty() && part != ".") parts.push_back(part);
        start = end + 1;
    }
    return parts;
}

/// Joins components with '/'.
[[nodiscard]] inline std::string join_components(std::vector<std::string_view> const& parts, std::size_t count) {
    std::string out;
    for (std::size_t i = 0; i < count && i < parts.size(); ++i) {
        if (i != 0) out += '/';
        out += parts[i];
    }
    return out;
}

/// Checks a member (or hard link target) name: refuses empty names, ".." anywhere, and
/// absolute names unless `strip_leading_slash` (the tar policy) turns them relative.
/// A name that cleans to nothing ("." or "./") gets an empty `relative` and no refusal:
/// it names the destination itself, and the caller decides.
[[nodiscard]] inline checked_name check_member_name(std::string_view name, bool strip_leading_slash) {
    if (name.empty()) return {{}, "empty name"};
    if (name.front() == '/') {
        if (!strip_leading_slash) return {{}, "absolute path"};
        name.remove_prefix(name.find_first_not_of('/') == std::string_view::npos ? name.size()
                                                                                 : name.find_first_not_of('/'));
        if (name.empty()) return {{}, "absolute path naming the root"};
    }
    auto const parts = path_components(name);
    for (std::string_view part : parts) {
        if (part == "..") return {{}, "'..' in the path"};
    }
    return {join_components(parts, parts.size()), {}};
}

/// Why the symlink `target`, stored at `relative` inside the destination, would point
/// outside it; nullopt when it stays inside.
///
/// The target is resolved lexically from the link's folder. A ".." after a named
/// component is refused: that component may itself be a symlink (now or later), and then
/// the kernel's ".." is not the lexical one (`d -> .` makes `d/d/../..` climb two levels).
/// `absolute_root`, when not empty, is the canonical destination: an absolute target inside
/// it is accepted (tar policy); when empty every absolute target is refused (data policy).
[[nodiscard]] inline std::optional<std::string> symlink_escape(std::string_view relative, std::string_view target,
                                                               std::string_view absolute_root = {}) {
    if (target.empty()) return "empty symlink target";
    if (target.front() == '/') {
        if (absolute_root.empty()) return "symlink to an absolute path";
        std::string_view const root = absolute_root;
        bool const inside = target.substr(0, root.size()) == root &&
                            (target.size() == root.size() || target[root.size()] == '/' || root == "/");
        if (!inside) return "symlink to an absolute path outside the destination";
        target.remove_prefix(root.size());
        for (std::string_view part : path_components(target)) {
            if (part == "..") return "symlink target with '..'";
        }
        return std::nullopt;
    }
    // Depth of the link's folder below the destination: a leading ".." may climb that far.
    std::size_t depth = path_components(relative).size();
    depth = depth > 0 ? depth - 1 : 0;
    bool named_seen = false;
    for (std::string_view part : path_components(target)) {
        if (part != "..") {
            named_seen = true;
            continue;
        }
        if (named_seen) return "symlink target with '..' after a name";
        if (depth == 0) return "symlink pointing outside the destination";
        --depth;
    }
    return std::nullopt;
}

/// Folders one extraction has seen (lstat, not followed) to be real folders, by cleaned
/// relative path, so the symlink walk stats each folder once rather than once per entry.
///
/// Sound because the archive is the attacker and only its own entries change the tree
/// during an extraction: the caller forgets an entry's path (and all below it) before the
/// entry can write, replace or remove anything there. A new extraction starts empty, since
/// anything may have changed between two.
class verified_folders {
public:
    /// Whether `relative` was seen to be a real folder and nothing has been written there since.
    [[nodiscard]] bool contains(std::string_view relative) const { return folders_.find(relative) != folders_.end(); }

    /// Records that `relative` is a real folder (the caller has just lstat()ed it).
    void add(std::string_view relative) { folders_.emplace(relative); }

    /// Forgets `relative` and every folder below it: an entry is about to change what is there.
    void forget(std::string_view relative) {
        folders_.erase(std::string(relative));
        // Paths below "a/b" sort between "a/b/" and "a/b0" ('0' follows '/').
        std::string below(relative);
        below += '/';
        auto const first = folders_.lower_bound(below);
        below.back() = '0';
        folders_.erase(first, folders_.lower_bound(below));
    }

private:
    std::set<std::string, std::less<>> folders_;
};

/// What a walk over the existing components of a path inside the destination found.
struct walk_result {
    std::string refusal;      ///< a symlink on the way (unsafe); empty when the path is clear
    std::string failure;      ///< a non-folder on the way or an lstat error (not unsafe, but fatal to the entry)
    bool leaf_exists = false; ///< whether the last component exists (lstat, not followed)
    struct stat leaf {};      ///< its lstat, when it exists
};

/// lstat()s every prefix of `relative` below `root`: any symlink before the last
/// component is refused (writing through it would leave the destination); a non-folder
/// there fails the entry. The last component is reported, not judged, and only looked at
/// when `want_leaf`. Folders in `known` are not stat()ed again; folders found are added to it.
[[nodiscard]] inline walk_result walk_existing(std::string const& root, std::string_view relative,
                                               verified_folders* known = nullptr, bool want_leaf = true) {
    walk_result result;
    auto const parts = path_components(relative);
    std::string path = root;
    if (path.empty() || path.back() != '/') path += '/';
    std::size_t const base = path.size(); // path.substr(base) is the cleaned relative prefix: the cache key
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i != 0) path += '/';
        path += parts[i];
        std::string_view const key = std::string_view(path).substr(base);
        bool const last = i + 1 == parts.size();
        if (last && !want_leaf) return result;
        if (!last && known != nullptr && known->contains(key)) continue;
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0) {
            if (errno == ENOENT) return result; // nothing further exists: nothing to follow
            result.failure = "cannot inspect '" + std::string(key) + "'";
            return result;
        }
        if (last) {
            result.leaf_exists = true;
            result.leaf = st;
        } else if (S_ISLNK(st.st_mode)) {
            result.refusal = "path goes through the symlink '" + std::string(key) + "'";
            return result;
        } else if (!S_ISDIR(st.st_mode)) {
            result.failure = "path goes through the non-folder '" + std::string(key) + "'";
            return result;
        } else if (known != nullptr) {
            known->add(key);
        }
    }
    return result;
}

} // namespace cbound::archive::detail
