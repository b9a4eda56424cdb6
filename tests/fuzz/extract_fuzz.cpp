// Fuzz target: extract arbitrary bytes with the default policy into a scratch destination,
// and abort if anything outside it changed, a link inside points out of it, a special
// file appeared, or the working directory moved.
#include <cbound/archive/extract.hpp>
#include <cbound/archive/reader.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;

/// The sandbox: `outside/` with a sentinel file and an empty folder, next to `dest/`.
struct sandbox {
    fs::path root, dest, outside, sentinel;
    fs::path cwd = fs::current_path();
    struct stat sentinel_stat {};
    struct stat outside_stat {};

    sandbox() {
        char const* base = std::getenv("CBOUND_TEST_TMP");
        std::string pattern = (fs::path(base != nullptr ? base : "/tmp") / "extract-fuzz-XXXXXX").string();
        fs::create_directories(fs::path(pattern).parent_path());
        if (::mkdtemp(pattern.data()) == nullptr) std::abort();
        root = fs::canonical(pattern);
        dest = root / "dest";
        outside = root / "outside";
        sentinel = outside / "sentinel";
        fs::create_directories(outside / "dir");
        std::ofstream(sentinel) << "sentinel\n";
        if (::lstat(sentinel.c_str(), &sentinel_stat) != 0 || ::lstat(outside.c_str(), &outside_stat) != 0)
            std::abort();
    }
    ~sandbox() {
        std::error_code ec;
        fs::remove_all(root, ec);
    }

    static bool same(struct stat const& a, struct stat const& b) {
        return a.st_ino == b.st_ino && a.st_mode == b.st_mode && a.st_size == b.st_size &&
               a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec &&
               a.st_nlink == b.st_nlink;
    }

    /// Aborts unless everything outside `dest` is as it was and `dest` holds only safe things.
    void verify() const {
        struct stat now {};
        if (::lstat(sentinel.c_str(), &now) != 0 || !same(now, sentinel_stat)) std::abort();
        if (::lstat(outside.c_str(), &now) != 0 || !same(now, outside_stat)) std::abort();
        if (!fs::is_empty(outside / "dir") || fs::current_path() != cwd) std::abort();
        std::size_t at_top = 0;
        for (auto const& e : fs::directory_iterator(root)) {
            (void)e;
            ++at_top;
        }
        if (at_top > 2) std::abort(); // only dest and outside
        std::error_code ec;
        if (!fs::exists(dest, ec)) return;
        for (auto it = fs::recursive_directory_iterator(dest, ec); !ec && it != fs::recursive_directory_iterator();
             it.increment(ec)) {
            fs::file_status const st = it->symlink_status();
            if (fs::is_symlink(st)) {
                fs::path const resolved = fs::weakly_canonical(it->path(), ec);
                auto const rel = resolved.lexically_relative(dest);
                if (!ec && (rel.empty() || *rel.begin() == "..")) std::abort();
                ec.clear();
            } else if (!fs::is_regular_file(st) && !fs::is_directory(st)) {
                std::abort(); // FIFOs and devices are refused by the data policy
            }
        }
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    static sandbox box;
    std::error_code ec;
    fs::remove_all(box.dest, ec);
    cbound::archive::extract_options options;
    options.unsafe = cbound::archive::on_unsafe::skip;   // go on past refusals: more paths explored
    options.failure = cbound::archive::on_failure::skip; // and past failed entries
    options.limits.max_total_bytes = 16u << 20;
    options.limits.max_entries = 2000;
    try {
        auto r = cbound::archive::reader::open_memory(std::span(reinterpret_cast<std::byte const*>(data), size));
        (void)cbound::archive::extract(r, box.dest, options);
    } catch (cbound::archive::error const&) {
        // Clean errors are the expected outcome for most inputs.
    }
    box.verify();
    return 0;
}
