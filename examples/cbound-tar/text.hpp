// cbound-tar — how names and metadata are printed: bsdtar's escaping, JSON strings, times.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

namespace cbound_tar {

/// `name` as `bsdtar -t` prints it: characters the current locale cannot print become
/// \n, \t, … or \ooo octal escapes, and a backslash is doubled, so every name stays one line.
std::string escape_like_bsdtar(std::string_view name);

/// `text` as a quoted JSON string; bytes that are not UTF-8 become U+FFFD (JSON must be Unicode).
std::string json_quote(std::string_view text);

/// A modification time as `ls -l` shows it: the hour for recent times, the year for others.
std::string listing_time(std::time_t when);

/// A byte count for people: "512 B", "3.4 MiB".
std::string human_bytes(std::uint64_t bytes);

} // namespace cbound_tar
