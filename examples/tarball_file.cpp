// tarball_file — the seed's Tarball example in C++: open an archive once, then read any
// file by index as a span that borrows from the tarball.
//
//     tarball_file [archive [index]]
//
// Lists every entry with its size, then prints the content of entry `index` (default: the
// first regular file). With no archive it first writes a small demo tar and uses that.
#include <cbound/archive/tarball.hpp>
#include <cbound/archive/writer.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ar = cbound::archive;

namespace {

/// Writes a three-entry tar to `path`, so the example runs with no input.
void write_demo(char const* path) {
    auto const bytes = [](std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); };
    ar::writer w = ar::writer::open(path);
    w.add({.pathname = "docs/", .type = ar::entry_type::directory, .perms = 0755});
    w.add({.pathname = "docs/hello.txt"}, bytes("Hello from a borrowed span!\n"));
    w.add({.pathname = "docs/empty.txt"});
    w.close();
}

} // namespace

int main(int argc, char** argv) try {
    char const* path = argc > 1 ? argv[1] : "tarball_file_demo.tar";
    if (argc < 2) write_demo(path);

    ar::tarball const tarball = ar::tarball::open(path);
    std::printf("%s: %zu entries\n", path, tarball.size());
    std::optional<std::size_t> shown;
    for (ar::tarball_entry const& e : tarball) {
        // file(i) is nullopt for what is not a file: directories, symlinks, devices.
        if (std::optional<std::span<std::byte const>> data = tarball.file(e.index())) {
            std::printf("  [%zu] %-40.*s %8zu bytes\n", e.index(), static_cast<int>(e.pathname().size()),
                        e.pathname().data(), data->size());
            if (!shown && !data->empty()) shown = e.index();
        } else {
            std::printf("  [%zu] %-40.*s %8s\n", e.index(), static_cast<int>(e.pathname().size()), e.pathname().data(),
                        std::string(to_string(e.type())).c_str());
        }
    }
    if (argc > 2) shown = std::strtoull(argv[2], nullptr, 10);
    if (!shown) return EXIT_SUCCESS;

    std::optional<std::span<std::byte const>> data = tarball.file(*shown);
    if (!data) {
        std::fprintf(stderr, "entry %zu is not a file\n", *shown);
        return EXIT_FAILURE;
    }
    std::printf("--- %zu ---\n", *shown);
    std::fwrite(data->data(), 1, data->size(), stdout);
    return EXIT_SUCCESS;
} catch (std::exception const& e) {
    std::fprintf(stderr, "tarball_file: %s\n", e.what());
    return EXIT_FAILURE;
}
