// A consumer of cbound::archive: names a format through cbound and calls libarchive itself,
// which proves both the headers and the link to libarchive reach the consumer; then reads a
// gzip, an xz and a zstd tar through the tarball, which decodes them with zlib, liblzma and
// libzstd itself: the link to those reaches the consumer too.
#include <cbound/archive.hpp>

#include <archive.h>

#include <cstdio>
#include <string_view>

int main() {
    namespace ar = cbound::archive;
    std::string_view name = ar::to_string(ar::format::zip);
    std::printf("cbound archive consumer: format %.*s, libarchive %d\n", static_cast<int>(name.size()), name.data(),
                archive_version_number());
    std::string_view const hello = "hello";
    for (ar::filter f : {ar::filter::gzip, ar::filter::xz, ar::filter::zstd}) {
        auto const bytes = ar::writer::to_memory(ar::format::pax, f, [&](ar::writer& w) {
            w.add({.pathname = "hello.txt"}, std::as_bytes(std::span(hello)));
        });
        auto const t = ar::tarball::open_memory(bytes);
        auto const data = t.file("hello.txt");
        if (!data || data->size() != hello.size()) return 1;
    }
    return 0;
}
