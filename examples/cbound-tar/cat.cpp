// cbound-tar cat: files by name through the random-access tarball (an index, then borrowed
// spans; a compressed tar decodes only the files asked for, from the nearest seek point), or,
// when the archive cannot be indexed, through a streaming reader.
#include "commands.hpp"

#include <cbound/archive/reader.hpp>
#include <cbound/archive/tarball.hpp>

#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

namespace cbound_tar {

namespace {

using cbound::archive::entry_type;

/// What a name is in a streamed archive: found at entry `index`, and whose data to print.
struct lookup {
    std::optional<std::size_t> index;              ///< the last entry of that name (what extraction would leave)
    entry_type type = entry_type::unknown;         ///< its type
    std::string hardlink;                          ///< the target, for a hard link without data of its own
    std::optional<cbound::archive::error> trouble; ///< why the scan stopped early (a truncated archive)
};

/// Prints one file of a tarball; false (after saying why) when it is missing or not a file.
bool cat_indexed(cbound::archive::tarball const& t, arguments const& args, std::string const& path) {
    // A folder is stored as "d/": find it by "d" too, to say what it is.
    std::optional<std::size_t> i = t.find(path);
    if (!i) i = t.find(path + "/");
    if (!i) {
        complain(args.archive, path, "not found in the archive");
        return false;
    }
    std::optional<std::span<std::byte const>> bytes;
    try {
        bytes = t.file(*i); // a hard link gives its target's bytes
    } catch (cbound::archive::error const& e) {
        complain(args.archive, e); // this entry cannot be decoded (encrypted, damaged): the others still can
        return false;
    }
    if (!bytes) {
        complain(args.archive, path, "not a regular file (" + std::string(to_string(t[*i].type())) + ")");
        return false;
    }
    return std::fwrite(bytes->data(), 1, bytes->size(), stdout) == bytes->size();
}

/// Finds the last entry named `path` with one pass over the headers.
lookup find_streaming(std::string const& archive, std::string const& path) {
    lookup found;
    auto r = cbound::archive::reader::open(archive);
    std::size_t i = 0;
    try {
        for (cbound::archive::entry_view e : r) {
            if (e.pathname() == path || e.pathname() == path + "/") {
                found.index = i;
                found.type = e.type();
                found.hardlink = std::string(e.hardlink().value_or(""));
                // A hard link that carries data (cpio, pax) is printed from itself.
                if (e.size().value_or(0) > 0) found.hardlink.clear();
            }
            ++i;
        }
    } catch (cbound::archive::error const& e) {
        // Like tar: what was found before the damage is still printed, then the damage reported.
        if (!found.index) throw;
        found.trouble = e;
    }
    return found;
}

/// Prints one file of an archive that could not be indexed: find it, then read up to it.
bool cat_streaming(arguments const& args, std::string const& path, int depth = 0) {
    lookup const found = find_streaming(args.archive, path);
    if (!found.index) {
        complain(args.archive, path, "not found in the archive");
        return false;
    }
    if (!found.hardlink.empty() && depth < 8) return cat_streaming(args, found.hardlink, depth + 1);
    if (found.type != entry_type::regular && found.type != entry_type::hardlink) {
        complain(args.archive, path, "not a regular file (" + std::string(to_string(found.type)) + ")");
        return false;
    }
    auto r = cbound::archive::reader::open(args.archive);
    auto it = r.begin();
    for (std::size_t i = 0; i < *found.index; ++i)
        ++it;
    (*it).copy_to(std::cout);
    bool const written = static_cast<bool>(std::cout.flush());
    if (found.trouble) complain(args.archive, *found.trouble);
    return written && !found.trouble;
}

} // namespace

int cat(arguments const& args) {
    std::optional<cbound::archive::tarball> indexed;
    try {
        indexed.emplace(cbound::archive::tarball::open(args.archive));
    } catch (cbound::archive::error const&) {
        // Beyond a limit, or unreadable: the streaming reader reports the real problem.
    }
    bool all = true;
    for (std::string const& path : args.paths)
        all = (indexed ? cat_indexed(*indexed, args, path) : cat_streaming(args, path)) && all;
    if (std::fflush(stdout) != 0) complain(args.archive, {}, "cannot write to standard output");
    return all ? ok : archive_error;
}

} // namespace cbound_tar
