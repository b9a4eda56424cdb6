// cbound::archive — the name rules of safe extraction (internal).
//
// Every name and link target is judged here, as text, before anything is created. The
// rules are lexical on purpose: they do not depend on what happens to be on disk. What is
// on disk is judged by the descriptor walk (extract_dirfd.hpp), one component at a time.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cbound::archive::detail {

// Heavy bodies are templates on an unused parameter so that a translation unit
// compiles them only where it calls them (tests/bench/compile_time.sh).

/// A member name after the checks: the cleaned relative path, or why it was refused.
struct checked_name {
    std::string relative; ///< "a/b/c": no empty, "." or ".." component, no leading '/'
    std::string refusal;  ///< why the name is refused; empty when it is acceptable
};

/// Splits `path` on '/' and drops empty and "." components (so "./a//b/" is {"a", "b"}).
template <class Deferred = void>
[[nodiscard]] std::vector<std::string_view> path_components(std::string_view path) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t const slash = path.find('/', start);
        std::size_t const end = slash < path.size() ? slash : path.size();
        std::string_view const part = path.substr(start, end - start);
        if (!part.empty() && part != ".") parts.push_back(part);
        start = end + 1;
    }
    return parts;
}

/// Joins components with '/'.
template <class Deferred = void>
[[nodiscard]] std::string join_components(std::vector<std::string_view> const& parts, std::size_t count) {
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
template <class Deferred = void>
[[nodiscard]] checked_name check_member_name(std::string_view name, bool strip_leading_slash) {
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
template <class Deferred = void>
[[nodiscard]] std::optional<std::string> symlink_escape(std::string_view relative, std::string_view target,
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

} // namespace cbound::archive::detail
