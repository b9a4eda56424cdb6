// cbound-tar create: a writer to a file, fed with files and folder trees from disk.
#include "commands.hpp"

#include <cbound/archive/types.hpp>
#include <cbound/archive/writer.hpp>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace cbound_tar {

namespace {

namespace fs = std::filesystem;
using cbound::archive::archive_kind;

/// The format and filter: from --format/--filter where given, from the archive's name otherwise.
archive_kind kind_for(arguments const& args) {
    std::optional<archive_kind> const from_name =
        cbound::archive::try_from_extension(fs::path(args.archive).filename().string());
    if (!from_name && args.format.empty())
        throw usage_mistake("cannot tell the format from the name '" + args.archive + "'; give --format");
    archive_kind kind = from_name.value_or(archive_kind{cbound::archive::format::pax, cbound::archive::filter::none});
    if (!args.format.empty()) {
        auto const f = cbound::archive::format_from_string(args.format);
        if (!f) throw usage_mistake("unknown format '" + args.format + "'");
        kind.format = *f;
        if (!from_name) kind.filter = cbound::archive::filter::none;
    }
    if (!args.filter.empty()) {
        auto const g = cbound::archive::filter_from_string(args.filter);
        if (!g) throw usage_mistake("unknown filter '" + args.filter + "'");
        kind.filter = *g;
    }
    return kind;
}

/// The name a file gets inside the archive: its path as given, tidied, without a leading '/'
/// or '../' (as tar does), so that extracting the archive stays in the current folder.
std::string archive_name(fs::path const& p) {
    std::string name = p.lexically_normal().relative_path().generic_string();
    while (name == ".." || name.starts_with("../"))
        name.erase(0, name.size() > 2 ? 3 : 2);
    while (!name.empty() && name.back() == '/')
        name.pop_back();
    return name == "." ? std::string() : name;
}

/// The time SOURCE_DATE_EPOCH names (whole seconds since 1970, as reproducible-builds.org
/// defines it), or none when it is unset; a value that is not such a number is a mistake.
std::optional<std::chrono::sys_seconds> source_date_epoch() {
    char const* value = std::getenv("SOURCE_DATE_EPOCH");
    if (value == nullptr) return std::nullopt;
    std::string_view const text = value;
    std::int64_t seconds = 0;
    auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || seconds < 0)
        throw usage_mistake("SOURCE_DATE_EPOCH='" + std::string(text) + "' is not a number of seconds");
    return std::chrono::sys_seconds(std::chrono::seconds(seconds));
}

/// Whether `w` left something out because it could not be read (a file it may not open, one
/// that changed or vanished during the walk): tar then exits 1. What is left out by design (a
/// socket, the archive itself) carries no errno; EILSEQ and EINVAL are libarchive's own codes
/// for what a format cannot hold.
bool unreadable(cbound::archive::warning const& w) {
    return w.error_number > 0 && w.error_number != EILSEQ && w.error_number != EINVAL;
}

} // namespace

int create(arguments const& args) {
    archive_kind const kind = kind_for(args);
    // Newer files get SOURCE_DATE_EPOCH's time, as GNU tar's --clamp-mtime --mtime=@N gives them.
    cbound::archive::tree_options options;
    options.clamp_mtime = source_date_epoch();
    // Check the inputs first, so a typo does not leave a half-made archive to be removed.
    for (std::string const& p : args.paths) {
        std::error_code ec;
        if (!fs::exists(fs::symlink_status(p, ec))) {
            complain(args.archive, p, "no such file or folder");
            return archive_error;
        }
    }
    auto w = cbound::archive::writer::open(args.archive, kind.format, kind.filter);
    // A folder holding the archive being written does not add it to itself: add_tree knows its output.
    for (std::string const& p : args.paths) {
        if (fs::is_directory(fs::symlink_status(p))) {
            options.prefix = archive_name(p); // "" puts the folder's contents at the top
            w.add_tree(p, options);
        } else {
            // add_file puts its entry under options.prefix: a file's name is already whole.
            options.prefix.reset();
            w.add_file(p, archive_name(p), options);
        }
    }
    w.close();
    // What was left out (sockets, files that changed during the walk), as tar reports it; the
    // archive is finished all the same, and the exit status says when a file could not be read.
    bool left_out = false;
    for (cbound::archive::warning const& warned : w.warnings()) {
        complain(args.archive, warned.pathname, warned.message);
        left_out = left_out || unreadable(warned);
    }
    return left_out ? archive_error : ok;
}

} // namespace cbound_tar
