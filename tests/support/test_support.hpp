// Helpers shared by cbound's tests: scratch folders, running real tools, file I/O.
#pragma once

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace cbound_test {

namespace fs = std::filesystem;

/// A fresh folder under $CBOUND_TEST_TMP (or the system temp folder), removed on destruction.
class scratch_dir {
public:
    /// Creates a uniquely named folder whose name starts with `tag`.
    explicit scratch_dir(std::string_view tag = "t") {
        char const* base = std::getenv("CBOUND_TEST_TMP");
        fs::path root = base != nullptr ? fs::path(base) : fs::temp_directory_path();
        fs::create_directories(root);
        std::random_device rd;
        for (int attempt = 0; attempt < 100; ++attempt) {
            fs::path p = root / (std::string(tag) + "-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
            if (fs::create_directory(p)) {
                path_ = p;
                return;
            }
        }
        throw std::runtime_error("cannot create a scratch folder");
    }
    scratch_dir(scratch_dir const&) = delete;
    scratch_dir& operator=(scratch_dir const&) = delete;
    ~scratch_dir() {
        std::error_code ec;
        // Make everything removable first: tests create read-only files and folders.
        for (auto it = fs::recursive_directory_iterator(path_, fs::directory_options::skip_permission_denied, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (!it->is_symlink()) fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
        }
        fs::remove_all(path_, ec);
    }
    /// The folder.
    [[nodiscard]] fs::path const& path() const noexcept { return path_; }
    /// A path inside the folder.
    [[nodiscard]] fs::path operator/(fs::path const& rel) const { return path_ / rel; }

private:
    fs::path path_;
};

/// The result of running a shell command.
struct command_result {
    int exit_code = -1; ///< the exit status, or -1 if it did not exit normally
    std::string output; ///< what it wrote to stdout
};

/// Runs `command` with /bin/sh, capturing stdout (stderr passes through).
inline command_result run(std::string const& command) {
    command_result r;
    std::FILE* p = ::popen(command.c_str(), "r");
    if (p == nullptr) return r;
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
        r.output.append(buf.data(), n);
    int status = ::pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

/// Quotes `s` for /bin/sh.
inline std::string sh_quote(std::string_view s) {
    std::string q = "'";
    for (char c : s) {
        if (c == '\'')
            q += "'\\''";
        else
            q += c;
    }
    q += "'";
    return q;
}

/// Whether the program `name` is on PATH.
inline bool have_tool(std::string const& name) {
    return run("command -v " + sh_quote(name) + " >/dev/null 2>&1").exit_code == 0;
}

/// Whether Python 3 can import `module`.
inline bool have_python_module(std::string const& module) {
    return run("python3 -c " + sh_quote("import " + module) + " >/dev/null 2>&1").exit_code == 0;
}

/// The whole content of a file as bytes.
inline std::string read_file(fs::path const& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + p.string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Writes `content` to `p`, creating parent folders.
inline void write_file(fs::path const& p, std::string_view content) {
    if (p.has_parent_path()) fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) throw std::runtime_error("cannot write " + p.string());
}

/// The bytes of a string as std::byte (for memory sources).
inline std::vector<std::byte> to_bytes(std::string_view s) {
    std::vector<std::byte> v(s.size());
    for (std::size_t i = 0; i < s.size(); ++i)
        v[i] = static_cast<std::byte>(s[i]);
    return v;
}

/// A python program that writes, to the path in argv[1], a three-entry ustar (a, b, c) whose
/// second header has a broken checksum: libarchive skips that header (RETRY, "Damaged tar
/// archive") and goes on, as bsdtar does.
inline constexpr char const* damaged_tar_program =
    "import tarfile,io,sys\n"
    "with tarfile.open(sys.argv[1],'w',format=tarfile.USTAR_FORMAT) as t:\n"
    " for n in 'abc':\n"
    "  x=tarfile.TarInfo(n); d=(n*10).encode(); x.size=len(d); t.addfile(x, io.BytesIO(d))\n"
    "b=bytearray(open(sys.argv[1],'rb').read()); b[1024+148]^=1\n"
    "open(sys.argv[1],'wb').write(b)";

} // namespace cbound_test
