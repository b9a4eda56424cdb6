// cbound-tar list: a streaming read of the headers; the data is never decoded.
#include "commands.hpp"
#include "text.hpp"

#include <cbound/archive/entry.hpp>
#include <cbound/archive/reader.hpp>

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

/// One line like `bsdtar -tv`: mode, owner, group, size, time, name and link target.
void print_long(entry_view const& e) {
    std::string const owner = std::string(e.uname().value_or(std::to_string(e.uid())));
    std::string const group = std::string(e.gname().value_or(std::to_string(e.gid())));
    std::string size = std::to_string(e.size().value_or(0));
    if (e.type() == entry_type::character || e.type() == entry_type::block)
        size = std::to_string(major(e.rdev())) + "," + std::to_string(minor(e.rdev()));
    std::printf("%s %-8s %-8s %10s %s %s", mode_string(e.type(), e.perms()).c_str(), owner.c_str(), group.c_str(),
                size.c_str(), listing_time(seconds_of(e)).c_str(), escape_like_bsdtar(e.pathname()).c_str());
    if (auto target = e.symlink()) std::printf(" -> %s", escape_like_bsdtar(*target).c_str());
    if (auto target = e.hardlink()) std::printf(" link to %s", escape_like_bsdtar(*target).c_str());
    std::printf("\n");
}

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
    if (args.json) std::fputs("[", stdout);
    for (entry_view e : r) {
        if (args.json)
            print_json(e, first);
        else if (args.long_listing)
            print_long(e);
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
