// cbound::archive — the option enums a command line sets, to and from their names: the
// extraction policy ("data", "tar", "fully_trusted"), what happens to refused, failed and
// existing entries, an entry's outcome, and the zip method; as types.hpp does for formats
// and filters. Each name is the enumerator's own spelling, and from_string accepts exactly
// what to_string prints.
#pragma once

#include <cbound/archive/extract_options.hpp>
#include <cbound/archive/features.hpp>

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string_view>

namespace cbound::archive {

namespace detail {

/// The value among `all` whose to_string is `name`, or nullopt.
template <class Enum, std::size_t N>
[[nodiscard]] constexpr std::optional<Enum> named(std::string_view name, Enum const (&all)[N]) noexcept {
    for (Enum value : all)
        if (to_string(value) == name) return value;
    return std::nullopt;
}

} // namespace detail

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
    constexpr extract_policy all[] = {extract_policy::data, extract_policy::tar, extract_policy::fully_trusted};
    return detail::named(name, all);
}

/// The name of what happens to a refused entry: "stop" or "skip".
[[nodiscard]] constexpr std::string_view to_string(on_unsafe u) noexcept {
    switch (u) {
    case on_unsafe::stop: return "stop";
    case on_unsafe::skip: return "skip";
    }
    return "unknown";
}

/// The on_unsafe named `name` (as printed by to_string), or nullopt for any other text.
[[nodiscard]] constexpr std::optional<on_unsafe> on_unsafe_from_string(std::string_view name) noexcept {
    constexpr on_unsafe all[] = {on_unsafe::stop, on_unsafe::skip};
    return detail::named(name, all);
}

/// The name of what happens to a failed entry: "stop" or "skip".
[[nodiscard]] constexpr std::string_view to_string(on_failure f) noexcept {
    switch (f) {
    case on_failure::stop: return "stop";
    case on_failure::skip: return "skip";
    }
    return "unknown";
}

/// The on_failure named `name` (as printed by to_string), or nullopt for any other text.
[[nodiscard]] constexpr std::optional<on_failure> on_failure_from_string(std::string_view name) noexcept {
    constexpr on_failure all[] = {on_failure::stop, on_failure::skip};
    return detail::named(name, all);
}

/// The name of what happens to something already on disk: "replace_files", "never" or "always_replace".
[[nodiscard]] constexpr std::string_view to_string(overwrite o) noexcept {
    switch (o) {
    case overwrite::replace_files: return "replace_files";
    case overwrite::never: return "never";
    case overwrite::always_replace: return "always_replace";
    }
    return "unknown";
}

/// The overwrite rule named `name` (as printed by to_string), or nullopt for any other text.
[[nodiscard]] constexpr std::optional<overwrite> overwrite_from_string(std::string_view name) noexcept {
    constexpr overwrite all[] = {overwrite::replace_files, overwrite::never, overwrite::always_replace};
    return detail::named(name, all);
}

/// The name of an entry's outcome: "extracted", "skipped", "rejected" or "failed".
[[nodiscard]] constexpr std::string_view to_string(entry_outcome o) noexcept {
    switch (o) {
    case entry_outcome::extracted: return "extracted";
    case entry_outcome::skipped: return "skipped";
    case entry_outcome::rejected: return "rejected";
    case entry_outcome::failed: return "failed";
    }
    return "unknown";
}

/// The outcome named `name` (as printed by to_string), or nullopt for any other text.
[[nodiscard]] constexpr std::optional<entry_outcome> entry_outcome_from_string(std::string_view name) noexcept {
    constexpr entry_outcome all[] = {entry_outcome::extracted, entry_outcome::skipped, entry_outcome::rejected,
                                     entry_outcome::failed};
    return detail::named(name, all);
}

/// The zip method named `name` (as to_string in features.hpp prints it: "store", "deflate", …),
/// or nullopt for any other text; whether this libarchive offers it is offers()'s answer.
[[nodiscard]] constexpr std::optional<zip_compression> zip_compression_from_string(std::string_view name) noexcept {
    constexpr zip_compression all[] = {zip_compression::store, zip_compression::deflate, zip_compression::bzip2,
                                       zip_compression::lzma,  zip_compression::xz,      zip_compression::zstd};
    return detail::named(name, all);
}

} // namespace cbound::archive
