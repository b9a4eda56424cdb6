// cbound::archive — xattr: one extended attribute of an entry, as entry_view::xattrs() yields it.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace cbound::archive {

/// One extended attribute: its name and its raw value, borrowed from the entry.
struct xattr {
    std::string_view name{};            ///< such as "user.comment"
    std::span<std::byte const> value{}; ///< the raw value bytes
};

} // namespace cbound::archive
