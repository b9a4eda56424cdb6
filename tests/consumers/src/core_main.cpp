// A consumer of cbound::core: owns a C stream and reports what it wrote through it.
#include <cbound/cbound.hpp>

#include <cstdio>

int main() {
    using file = cbound::unique_resource<std::FILE*, cbound::fn_deleter<&std::fclose>>;
    static_assert(sizeof(file) == sizeof(std::FILE*), "the handle is exactly as large as the raw pointer");
    file f{std::tmpfile()};
    if (!f) return 1;
    if (std::fputs("cbound", f.get()) < 0) return 1;
    std::printf("cbound core consumer %d.%d.%d: wrote %ld bytes\n", CBOUND_VERSION_MAJOR, CBOUND_VERSION_MINOR,
                CBOUND_VERSION_PATCH, std::ftell(f.get()));
    return 0;
}
