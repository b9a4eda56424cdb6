// Shared helpers of the reader tests: building archives with real tools at test time.
#pragma once

#include "catch_support.hpp"

#include <cbound/archive/reader.hpp>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace reader_test {

namespace fs = std::filesystem;
using cbound_test::run;
using cbound_test::sh_quote;

/// A folder with a small tree to archive: files, a subfolder, a symlink and a hard link.
struct sample_tree {
    cbound_test::scratch_dir dir{"reader"};
    fs::path root = dir / "src";
    std::map<std::string, std::string> files = {
        {"hello.txt", "hello, world\n"},
        {"sub/data.bin", std::string(70000, 'x') + "end"},
        {"sub/empty", ""},
    };

    sample_tree() {
        for (auto const& [name, content] : files)
            cbound_test::write_file(root / name, content);
        fs::create_symlink("hello.txt", root / "link");
        fs::create_hard_link(root / "hello.txt", root / "hard");
    }

    /// Runs `command` inside the source tree and requires it to succeed.
    void sh(std::string const& command) const {
        cbound_test::must_run("cd " + sh_quote(root.string()) + " && " + command);
    }

    /// A path for an output archive next to the tree.
    [[nodiscard]] fs::path out(std::string const& name) const { return dir / name; }
};

/// Every entry's pathname in order.
inline std::vector<std::string> pathnames(cbound::archive::reader& r) {
    std::vector<std::string> names;
    for (cbound::archive::entry_view e : r)
        names.emplace_back(e.pathname());
    return names;
}

/// Reads an entry's data as a string through the block range.
inline std::string content(cbound::archive::entry_view e) {
    auto bytes = e.read_all(1 << 24);
    return {reinterpret_cast<char const*>(bytes.data()), bytes.size()};
}

/// Every entry's name and data, in order.
inline std::vector<std::pair<std::string, std::string>> names_and_data(cbound::archive::reader& r) {
    std::vector<std::pair<std::string, std::string>> out;
    for (cbound::archive::entry_view e : r)
        out.emplace_back(std::string(e.pathname()), content(e));
    return out;
}

} // namespace reader_test
