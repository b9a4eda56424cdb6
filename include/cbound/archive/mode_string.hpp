// cbound::archive — the ten-letter mode column of `ls -l` and `bsdtar -tv` ("drwxr-xr-x").
#pragma once

#include <cbound/archive/types.hpp>

#include <cstddef>
#include <string>

namespace cbound::archive {

/// The mode as `ls -l` and `bsdtar -tv` print it: a type letter, then rwx for owner, group
/// and others, with setuid/setgid/sticky as s/S and t/T ("-rwsr-xr-x", "drwxrwxrwt").
/// `mode` may be the full st_mode or the permissions alone; only its low 12 bits are read.
[[nodiscard]] inline std::string mode_string(entry_type type, unsigned mode) {
    char kind = '?';
    switch (type) {
    case entry_type::regular: kind = '-'; break;
    case entry_type::hardlink: kind = 'h'; break; // bsdtar's letter for a hard link entry
    case entry_type::directory: kind = 'd'; break;
    case entry_type::symlink: kind = 'l'; break;
    case entry_type::fifo: kind = 'p'; break;
    case entry_type::character: kind = 'c'; break;
    case entry_type::block: kind = 'b'; break;
    case entry_type::socket: kind = 's'; break;
    case entry_type::unknown: break;
    }
    std::string s(1, kind);
    char const* const letters = "rwxrwxrwx";
    for (int bit = 0; bit < 9; ++bit)
        s += (mode & (0400u >> bit)) != 0 ? letters[bit] : '-';
    // Special bits replace the execute letter: lowercase when execute is also set.
    auto special = [&](unsigned flag, std::size_t at, char letter) {
        if ((mode & flag) == 0) return;
        s[at] = s[at] == 'x' ? letter : static_cast<char>(letter - 'a' + 'A');
    };
    special(04000, 3, 's');
    special(02000, 6, 's');
    special(01000, 9, 't');
    return s;
}

} // namespace cbound::archive
