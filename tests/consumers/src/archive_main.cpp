// A consumer of cbound::archive: names a format through cbound and calls libarchive itself,
// which proves both the headers and the link to libarchive reach the consumer.
#include <cbound/archive.hpp>

#include <archive.h>

#include <cstdio>

int main() {
    std::string_view name = cbound::archive::to_string(cbound::archive::format::zip);
    std::printf("cbound archive consumer: format %.*s, libarchive %d\n", static_cast<int>(name.size()), name.data(),
                archive_version_number());
    return 0;
}
