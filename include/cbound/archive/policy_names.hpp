// cbound::archive — the option enums a command line sets, to and from their names: the
// extraction policy ("data", "tar", "fully_trusted"), what happens to refused, failed and
// existing entries, an entry's outcome, and the zip method; as types.hpp does for formats
// and filters. Each name is the enumerator's own spelling, written once in its enum's table
// (detail::*_names), which to_string and from_string both read: from_string accepts exactly
// what to_string prints.
#pragma once

#include <cbound/archive/extract_options.hpp>
#include <cbound/archive/features.hpp>
#include <cbound/config.hpp>

#include <cstddef>
#include <optional>
#include <string_view>

namespace cbound::archive {

namespace detail {

/// An enumerator and its name.
template <class Enum>
struct enum_name {
    Enum value;            ///< the enumerator
    std::string_view name; ///< its name: the enumerator's own spelling
};

/// The name of `value` in `table`, or "unknown" for a value the table lacks (a cast integer).
template <class Enum, std::size_t N>
[[nodiscard]] constexpr std::string_view name_of(enum_name<Enum> const (&table)[N], Enum value) noexcept {
    for (enum_name<Enum> const& row : table)
        if (row.value == value) return row.name;
    return "unknown";
}

/// The value named exactly `name` in `table`, or nullopt.
template <class Enum, std::size_t N>
[[nodiscard]] constexpr std::optional<Enum> value_named(enum_name<Enum> const (&table)[N],
                                                        std::string_view name) noexcept {
    for (enum_name<Enum> const& row : table)
        if (row.name == name) return row.value;
    return std::nullopt;
}

/// A from_string function: the value named exactly `name` in Table, or nullopt. An object whose
/// call is a template on a dependent result type, so that each std::optional is compiled only
/// where a from_string is called (cbound/config.hpp), while the name still passes as a function.
template <class Enum, auto const& Table>
struct from_table {
    /// The value named exactly `name`, or nullopt.
    template <class Deferred = void>
    [[nodiscard]] constexpr std::optional<cbound::detail::dependent_t<Deferred, Enum>>
    operator()(std::string_view name) const noexcept {
        return value_named<cbound::detail::dependent_t<Deferred, Enum>>(Table, name);
    }
};

/// The extraction policies by name.
inline constexpr enum_name<extract_policy> extract_policy_names[] = {
    {extract_policy::data, "data"}, {extract_policy::tar, "tar"}, {extract_policy::fully_trusted, "fully_trusted"}};

/// What happens to a refused entry, by name.
inline constexpr enum_name<on_unsafe> on_unsafe_names[] = {{on_unsafe::stop, "stop"}, {on_unsafe::skip, "skip"}};

/// What happens to a failed entry, by name.
inline constexpr enum_name<on_failure> on_failure_names[] = {{on_failure::stop, "stop"}, {on_failure::skip, "skip"}};

/// What happens to something already on disk, by name.
inline constexpr enum_name<overwrite> overwrite_names[] = {{overwrite::replace_files, "replace_files"},
                                                           {overwrite::never, "never"},
                                                           {overwrite::always_replace, "always_replace"}};

/// An entry's outcomes by name.
inline constexpr enum_name<entry_outcome> entry_outcome_names[] = {{entry_outcome::extracted, "extracted"},
                                                                   {entry_outcome::skipped, "skipped"},
                                                                   {entry_outcome::rejected, "rejected"},
                                                                   {entry_outcome::failed, "failed"}};

/// The zip methods by the names features.hpp gives them (its to_string spells them once).
inline constexpr enum_name<zip_compression> zip_compression_names[] = {
    {zip_compression::store, to_string(zip_compression::store)},
    {zip_compression::deflate, to_string(zip_compression::deflate)},
    {zip_compression::bzip2, to_string(zip_compression::bzip2)},
    {zip_compression::lzma, to_string(zip_compression::lzma)},
    {zip_compression::xz, to_string(zip_compression::xz)},
    {zip_compression::zstd, to_string(zip_compression::zstd)}};

} // namespace detail

/// The name of an extraction policy: "data", "tar" or "fully_trusted".
[[nodiscard]] constexpr std::string_view to_string(extract_policy p) noexcept {
    return detail::name_of(detail::extract_policy_names, p);
}

/// The extraction policy named `name` (as printed by to_string), or nullopt for any other text.
inline constexpr detail::from_table<extract_policy, detail::extract_policy_names> extract_policy_from_string{};

/// The name of what happens to a refused entry: "stop" or "skip".
[[nodiscard]] constexpr std::string_view to_string(on_unsafe u) noexcept {
    return detail::name_of(detail::on_unsafe_names, u);
}

/// The on_unsafe named `name` (as printed by to_string), or nullopt for any other text.
inline constexpr detail::from_table<on_unsafe, detail::on_unsafe_names> on_unsafe_from_string{};

/// The name of what happens to a failed entry: "stop" or "skip".
[[nodiscard]] constexpr std::string_view to_string(on_failure f) noexcept {
    return detail::name_of(detail::on_failure_names, f);
}

/// The on_failure named `name` (as printed by to_string), or nullopt for any other text.
inline constexpr detail::from_table<on_failure, detail::on_failure_names> on_failure_from_string{};

/// The name of what happens to something already on disk: "replace_files", "never" or "always_replace".
[[nodiscard]] constexpr std::string_view to_string(overwrite o) noexcept {
    return detail::name_of(detail::overwrite_names, o);
}

/// The overwrite rule named `name` (as printed by to_string), or nullopt for any other text.
inline constexpr detail::from_table<overwrite, detail::overwrite_names> overwrite_from_string{};

/// The name of an entry's outcome: "extracted", "skipped", "rejected" or "failed".
[[nodiscard]] constexpr std::string_view to_string(entry_outcome o) noexcept {
    return detail::name_of(detail::entry_outcome_names, o);
}

/// The outcome named `name` (as printed by to_string), or nullopt for any other text.
inline constexpr detail::from_table<entry_outcome, detail::entry_outcome_names> entry_outcome_from_string{};

/// The zip method named `name` (as to_string in features.hpp prints it: "store", "deflate", …),
/// or nullopt for any other text; whether this libarchive offers it is offers()'s answer.
inline constexpr detail::from_table<zip_compression, detail::zip_compression_names> zip_compression_from_string{};

} // namespace cbound::archive
