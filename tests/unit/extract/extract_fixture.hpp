// Helpers for the extraction tests: archives made by real tools, and trees compared as data.
#pragma once

#include "catch_support.hpp"

#include <cbound/archive/extract.hpp>
#include <cbound/archive/reader.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <sys/stat.h>
#include <utility>
#include <vector>

namespace extract_test {

namespace fs = std::filesystem;
using cbound_test::must_run;
using cbound_test::run;
using cbound_test::sh_quote;

/// What a tree comparison looks at for one path.
struct node {
    char type = '?';        ///< f(ile), d(ir), l(ink), o(ther)
    unsigned perms = 0;     ///< permission bits (not for links)
    std::string content;    ///< file bytes or link target
    std::int64_t mtime = 0; ///< modification time in seconds (not for links)
    bool operator==(node const&) const = default;
};

/// Every path below `root` (relative, "/"-separated) with its type, mode, content and mtime.
inline std::map<std::string, node> snapshot(fs::path const& root) {
    std::map<std::string, node> out;
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
        struct stat st {};
        REQUIRE(::lstat(it->path().c_str(), &st) == 0);
        node n;
        if (S_ISREG(st.st_mode)) {
            n.type = 'f';
            n.content = cbound_test::read_file(it->path());
        } else if (S_ISDIR(st.st_mode)) {
            n.type = 'd';
        } else if (S_ISLNK(st.st_mode)) {
            n.type = 'l';
            n.content = fs::read_symlink(it->path()).string();
        } else {
            n.type = 'o';
        }
        if (!S_ISLNK(st.st_mode)) {
            n.perms = st.st_mode & 07777;
            n.mtime = st.st_mtime;
        }
        out[fs::relative(it->path(), root).string()] = n;
    }
    return out;
}

/// Runs a Python 3 program (from a file: programs carrying data outgrow a command line).
inline void python(std::string const& program) {
    cbound_test::scratch_dir scratch("py");
    cbound_test::write_file(scratch / "program.py", program);
    INFO(program.substr(0, 2000));
    REQUIRE(run("python3 " + sh_quote((scratch / "program.py").string())).exit_code == 0);
}

/// Writes `archive` with Python's tarfile: `body` runs with `t` open (tarfile.open(archive, open_args)).
inline void python_tar(fs::path const& archive, std::string const& body, std::string const& open_args = "'w'") {
    python("import tarfile, io\nt = tarfile.open(" + sh_quote(archive.string()) + ", " + open_args + ")\n" + body +
           "t.close()\n");
}

/// Extracts `archive` into `dest` with cbound.
inline cbound::archive::extract_report extract_file(fs::path const& archive, fs::path const& dest,
                                                    cbound::archive::extract_options const& options = {}) {
    auto r = cbound::archive::reader::open(archive);
    return cbound::archive::extract(r, dest, options);
}

/// The groups of names sharing an inode below `root` (regular files only), as sorted name lists.
inline std::set<std::vector<std::string>> link_groups(fs::path const& root) {
    std::map<std::pair<dev_t, ino_t>, std::vector<std::string>> by_inode;
    for (auto const& item : fs::recursive_directory_iterator(root)) {
        struct stat st {};
        REQUIRE(::lstat(item.path().c_str(), &st) == 0);
        if (S_ISREG(st.st_mode)) by_inode[{st.st_dev, st.st_ino}].push_back(fs::relative(item.path(), root).string());
    }
    std::set<std::vector<std::string>> groups;
    for (auto& [inode, names] : by_inode) {
        std::sort(names.begin(), names.end());
        groups.insert(names);
    }
    return groups;
}

/// Extracts `archive` (into `work`) with cbound and with bsdtar -xpf and requires identical
/// trees of at least `min_paths` paths: types, modes, contents, mtimes and hard-link groups.
inline void require_same_as_bsdtar(fs::path const& archive, fs::path const& work, std::size_t min_paths = 1) {
    fs::path const ours = work / ("ours-" + archive.filename().string());
    fs::path const theirs = work / ("theirs-" + archive.filename().string());
    fs::create_directories(theirs);
    must_run("bsdtar -xpf " + sh_quote(archive.string()) + " -C " + sh_quote(theirs.string()));
    cbound::archive::extract_report const rep = extract_file(archive, ours);
    CHECK(rep.rejected == 0);
    CHECK(rep.failed == 0);
    auto const expected = snapshot(theirs);
    auto const actual = snapshot(ours);
    REQUIRE(expected.size() >= min_paths);
    for (auto const& [path, n] : expected) {
        INFO(archive.filename().string() << ": " << path);
        REQUIRE(actual.count(path) == 1);
        CHECK(actual.at(path).type == n.type);
        CHECK(actual.at(path).perms == n.perms);
        CHECK(actual.at(path).content == n.content);
        CHECK(actual.at(path).mtime == n.mtime);
    }
    CHECK(actual.size() == expected.size());
    INFO(archive.filename().string());
    CHECK(link_groups(ours) == link_groups(theirs));
}

/// A tar at `archive` holding the given (name, content) regular files, written by Python's tarfile.
inline void make_tar(fs::path const& archive, std::map<std::string, std::string> const& files,
                     std::string const& mode = "w") {
    std::string program = "import tarfile, io\nt = tarfile.open(" + sh_quote(archive.string()) + ", '" + mode + "')\n";
    for (auto const& [name, content] : files) {
        program += "d = " + std::string("bytes.fromhex('");
        static char const hex[] = "0123456789abcdef";
        for (unsigned char c : content) {
            program += hex[c >> 4];
            program += hex[c & 15];
        }
        program += "')\ni = tarfile.TarInfo(" + sh_quote(name) +
                   ")\ni.size = len(d)\ni.mode = 0o644\n"
                   "i.mtime = 1600000000\nt.addfile(i, io.BytesIO(d))\n";
    }
    program += "t.close()\n";
    python(program);
}

} // namespace extract_test
