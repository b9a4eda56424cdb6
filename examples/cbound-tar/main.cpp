// cbound-tar — a small archive tool written only against cbound's public API.
//
//   cbound-tar list [-l|--json] ARCHIVE
//   cbound-tar extract ARCHIVE [-C DIR] [--policy data|tar|fully_trusted]
//   cbound-tar create ARCHIVE [--format F] [--filter G] PATH...
//   cbound-tar cat ARCHIVE PATH...
#include "commands.hpp"
#include "text.hpp"

#include <cbound/archive/error.hpp>

#include <cerrno>
#include <clocale>
#include <cstdio>
#include <exception>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace {

constexpr char const* usage_text = R"(usage: cbound-tar COMMAND ARCHIVE [OPTIONS] [PATH...]

commands:
  list ARCHIVE [-l | --json]     one name per line (as bsdtar -tf prints them);
                                 -l as bsdtar -tvf (mode, owner, size, time); --json for scripts
  extract ARCHIVE [-C DIR] [--policy data|tar|fully_trusted]
                                 extract safely (policy data by default) into DIR (default .)
  create ARCHIVE [--format F] [--filter G] PATH...
                                 write PATHs (folders recursively); format and filter from the
                                 archive's name (.tar.gz, .zip, .7z, ...) unless given;
                                 times later than $SOURCE_DATE_EPOCH, when set, become it
  cat ARCHIVE PATH...            write the contents of the named files to standard output
  help, --help                   this text

exit status: 0 success, 1 an archive or entry error, 2 a command-line mistake.
As bsdtar, extract and create go on past an entry they leave out, say why on stderr
and exit 1 at the end: extract for an entry refused by the policy or failed, create
for a file it could not read (or that changed while it was read). A socket, or the
archive itself inside a folder being archived, is left out with a note and exit 0.
)";

using command = int (*)(cbound_tar::arguments const&);

/// Splits argv into options and positional words; the first word is the archive.
cbound_tar::arguments parse(std::string_view name, std::vector<std::string> const& words) {
    cbound_tar::arguments args;
    std::vector<std::string> positional;
    auto value_of = [&](std::size_t& i) -> std::string const& {
        if (i + 1 >= words.size()) throw cbound_tar::usage_mistake("option '" + words[i] + "' needs a value");
        return words[++i];
    };
    for (std::size_t i = 0; i < words.size(); ++i) {
        std::string const& w = words[i];
        if (w == "-l" && name == "list")
            args.long_listing = true;
        else if (w == "--json" && name == "list")
            args.json = true;
        else if (w == "-C" && name == "extract")
            args.directory = value_of(i);
        else if (w == "--policy" && name == "extract")
            args.policy = value_of(i);
        else if (w == "--format" && name == "create")
            args.format = value_of(i);
        else if (w == "--filter" && name == "create")
            args.filter = value_of(i);
        else if (w == "--") { // everything after it is a name, even "-x"
            positional.insert(positional.end(), words.begin() + static_cast<std::ptrdiff_t>(i) + 1, words.end());
            break;
        } else if (w.size() > 1 && w.front() == '-')
            throw cbound_tar::usage_mistake("unknown option '" + w + "' for " + std::string(name));
        else
            positional.push_back(w);
    }
    if (positional.empty()) throw cbound_tar::usage_mistake(std::string(name) + " needs an ARCHIVE");
    args.archive = positional.front();
    args.paths.assign(positional.begin() + 1, positional.end());
    if (args.long_listing && args.json) throw cbound_tar::usage_mistake("-l and --json exclude each other");
    bool const takes_paths = name == "create" || name == "cat";
    if (takes_paths && args.paths.empty()) throw cbound_tar::usage_mistake(std::string(name) + " needs a PATH");
    if (!takes_paths && !args.paths.empty())
        throw cbound_tar::usage_mistake(std::string(name) + " takes one ARCHIVE, got also '" + args.paths.front() +
                                        "'");
    return args;
}

/// Says what is wrong with the command line and where to look.
int misused(cbound_tar::usage_mistake const& e) {
    std::cerr << "cbound-tar: " << e.what() << "\nTry 'cbound-tar --help'.\n";
    return cbound_tar::usage_error;
}

} // namespace

int main(int argc, char** argv) {
    // Names print as the user's locale allows, the way bsdtar prints them.
    std::setlocale(LC_ALL, "");
    std::vector<std::string> words(argv + 1, argv + argc);
    if (words.empty()) {
        std::cerr << usage_text;
        return cbound_tar::usage_error;
    }
    std::string const name = words.front();
    if (name == "help" || name == "--help" || name == "-h") {
        std::cout << usage_text;
        return cbound_tar::ok;
    }
    std::map<std::string_view, command> const commands = {
        {"list", &cbound_tar::list},
        {"extract", &cbound_tar::extract},
        {"create", &cbound_tar::create},
        {"cat", &cbound_tar::cat},
    };
    auto const found = commands.find(name);
    cbound_tar::arguments args;
    try {
        if (found == commands.end()) throw cbound_tar::usage_mistake("unknown command '" + name + "'");
        args = parse(name, {words.begin() + 1, words.end()});
    } catch (cbound_tar::usage_mistake const& e) {
        return misused(e);
    }
    try {
        return found->second(args);
    } catch (cbound::archive::error const& e) {
        cbound_tar::complain(args.archive, e);
    } catch (cbound_tar::usage_mistake const& e) {
        return misused(e); // a command found a bad value (--policy lax)
    } catch (std::exception const& e) {
        cbound_tar::complain(args.archive, {}, e.what());
    }
    return cbound_tar::archive_error;
}

namespace cbound_tar {

void complain(std::string const& archive, std::string const& entry, std::string const& message) {
    std::cout.flush(); // keep stdout and stderr in order when both go to a terminal
    // Names and libarchive's messages (which quote names) come from the archive: escaped as
    // bsdtar escapes them, so no byte of theirs reaches the terminal as a control sequence.
    std::cerr << "cbound-tar: " << escape_like_bsdtar(archive) << ": ";
    if (!entry.empty()) std::cerr << escape_like_bsdtar(entry) << ": ";
    std::cerr << escape_like_bsdtar(message) << '\n';
}

void complain(std::string const& archive, cbound::archive::error const& e) {
    // The archive's own name is in pathname() when opening it failed: say it once.
    std::string const entry = e.pathname() == archive ? std::string() : e.pathname();
    std::string message = e.operation() + ": " + e.message();
    // libarchive's message leaves out what errno says ("Failed to open 'x'"): add it. Its own
    // codes (bad format, misuse) arrive as cbound's errc, never as a system errno.
    if (e.code().category() == std::generic_category()) message += " (" + e.code().message() + ")";
    complain(archive, entry, message);
}

} // namespace cbound_tar
