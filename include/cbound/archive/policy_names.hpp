// cbound::archive — extract_policy to and from the names a command line uses ("data", "tar",
// "fully_trusted"), as types.hpp does for formats and filters.
#pragma once

#include <cbound/archive/extract_options.hpp>

#include <initializer_list>
#include <optional>
#include <string_view>

namespace cbound::archive {

/// The name of an extraction policy: "data", "tar" or "fully_trusted".
[[nodiscard]] constexpr std::string_view to_string(extract_policy p) noexcept {
    switch (p) {
    case extract_policy::data: return "data";
    case extract_policy::tar: return "tar";
    case extract_policy::fully_trusted: return "fully_trusted";
    }
    return "unknown";
}

/// The extraction policy named `name` (as printed by to_string), or nullopt for any other text.
[[nodiscard]] constexpr std::optional<extract_policy> extract_policy_from_string(std::string_view name) noexcept {
    for (extract_policy p : {extract_policy::data, extract_policy::tar, extract_policy::fully_trusted})
        if (to_string(p) == name) return p;
    return std::nullopt;
}

} // namespace cbound::archive
