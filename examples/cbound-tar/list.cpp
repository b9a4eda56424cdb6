// cbound-tar list: a streaming read of the headers; the data is never decoded.
#include "commands.hpp"
#include "text.hpp"

#include <cbound/archive/entry.hpp>
#include <cbound/archive/mode_string.hpp>
#include <cbound/archive/reader.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>
#include <sys/sysmacros.h>

namespace cbound_tar {

namespace {

using cbound::archive::entry_type;
using cbound::archive::entry_view;

std::time_t seconds_of(entry_view const& e) {
    auto const t = e.mtime();
    if (!t) return 0;
    return std::chrono::floor<std::chrono::seconds>(*t).time_since_epoch().count();
}

/// `bsdtar -tv` lines, byte for byte: bsdtar lists as it reads, so the owner and the
/// group-plus-size columns start at a guessed width and only ever widen.
class long_listing {
public:
    void print(entry_view const& e) {
        unsigned const links = e.nlink();
        // bsdtar's 'h' is for a hard link whose header has no file type (tar); cpio's are '-'.
        entry_type shown = cbound::archive::entry_type_from_mode(e.mode());
        if (shown == entry_type::unknown && e.hardlink()) shown = entry_type::hardlink;
        std::string const mode = cbound::archive::mode_string(shown, e.perms()) + (e.acl_text() ? "+" : " ");
        std::string owner = std::string(e.uname().value_or(""));
        if (owner.empty()) owner = std::to_string(e.uid()) + " "; // bsdtar's trailing space
        std::string group = std::string(e.gname().value_or(""));
        if (group.empty()) group = std::to_string(e.gid());
        std::string size = std::to_string(e.size().value_or(0));
        if (e.type() == entry_type::character || e.type() == entry_type::block)
            size = std::to_string(major(e.rdev())) + "," + std::to_string(minor(e.rdev()));
        owner_width_ = std::max(owner_width_, owner.size());
        if (group.size() + size.size() >= group_and_size_width_) group_and_size_width_ = group.size() + size.size() + 1;
        // bsdtar pads the raw names, then escapes the padded text: the same bytes here.
        std::string const owner_shown = escape_like_bsdtar(owner) + std::string(owner_width_ - owner.size(), ' ');
        std::printf("%s %u %s %s%*s %s %s", mode.c_str(), links, owner_shown.c_str(), escape_like_bsdtar(group).c_str(),
                    static_cast<int>(group_and_size_width_ - group.size()), size.c_str(),
                    listing_time(seconds_of(e)).c_str(), escape_like_bsdtar(e.pathname()).c_str());
        if (auto target = e.hardlink())
            std::printf(" link to %s", escape_like_bsdtar(*target).c_str());
        else if (auto target = e.symlink())
            std::printf(" -> %s", escape_like_bsdtar(*target).c_str());
        std::printf("\n");
    }

private:
    std::size_t owner_width_ = 6;
    std::size_t group_and_size_width_ = 13;
};

/// One JSON object; optional fields are left out when the archive does not record them.
void print_json(entry_view const& e, bool first) {
    std::string o = first ? "\n  {" : ",\n  {";
    o += "\"path\": " + json_quote(e.pathname());
    o += ", \"type\": " + json_quote(cbound::archive::to_string(e.type()));
    o += ", \"mode\": " + std::to_string(e.perms());
    if (auto size = e.size()) o += ", \"size\": " + std::to_string(*size);
    if (e.mtime()) o += ", \"mtime\": " + std::to_string(seconds_of(e));
    o += ", \"uid\": " + std::to_string(e.uid()) + ", \"gid\": " + std::to_string(e.gid());
    if (auto name = e.uname()) o += ", \"uname\": " + json_quote(*name);
    if (auto name = e.gname()) o += ", \"gname\": " + json_quote(*name);
    if (auto target = e.symlink()) o += ", \"symlink\": " + json_quote(*target);
    if (auto target = e.hardlink()) o += ", \"hardlink\": " + json_quote(*target);
    std::fputs((o + "}").c_str(), stdout);
}

} // namespace

int list(arguments const& args) {
    auto r = cbound::archive::reader::open(args.archive);
    bool first = true;
    long_listing listing;
    if (args.json) std::fputs("[", stdout);
    for (entry_view e : r) {
        if (args.json)
            print_json(e, first);
        else if (args.long_listing)
            listing.print(e);
        else
            std::printf("%s\n", escape_like_bsdtar(e.pathname()).c_str());
        first = false;
    }
    if (args.json) std::fputs(first ? "]\n" : "\n]\n", stdout);
    for (cbound::archive::warning const& w : r.warnings())
        complain(args.archive, w.pathname, "warning: " + w.message);
    return std::fflush(stdout) == 0 ? ok : archive_error;
}

} // namespace cbound_tar
