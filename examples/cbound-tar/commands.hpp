// cbound-tar — the commands, each a function over parsed arguments that returns an exit code.
#pragma once

#include <cbound/archive/error.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace cbound_tar {

/// Exit codes: scripts can tell a bad archive from a bad command line.
enum exit_code : int {
    ok = 0,            ///< everything done
    archive_error = 1, ///< the archive or one of its entries could not be read, written or extracted
    usage_error = 2,   ///< the command line is wrong
};

/// A mistake on the command line; main prints it with the usage hint and exits with usage_error.
struct usage_mistake : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The command line after the command name: options by name, the rest in order.
struct arguments {
    std::string archive;            ///< the archive to read or write
    std::vector<std::string> paths; ///< entries (cat) or files (create)
    bool long_listing = false;      ///< list -l
    bool json = false;              ///< list --json
    std::string directory = ".";    ///< extract -C
    std::string policy = "data";    ///< extract --policy
    std::string format, filter;     ///< create --format / --filter (empty: from the extension)
};

/// Prints the archive's entries, one name per line as bsdtar -t does (or -l, --json).
int list(arguments const& args);
/// Extracts the archive safely into args.directory.
int extract(arguments const& args);
/// Writes a new archive holding args.paths.
int create(arguments const& args);
/// Writes the contents of the entries args.paths to standard output.
int cat(arguments const& args);

/// Prints "cbound-tar: <archive>: <entry>: <message>" on stderr (the entry only when given).
void complain(std::string const& archive, std::string const& entry, std::string const& message);
/// Prints a cbound error the same way, with errno's text where libarchive's message lacks it.
void complain(std::string const& archive, cbound::archive::error const& e);

} // namespace cbound_tar
