// Forbidden: the warnings of a temporary reader; the span would point into a dead reader.
#include <cbound/archive/reader.hpp>

#include <cstddef>
#include <filesystem>

std::size_t warning_count(std::filesystem::path const& path, cbound::archive::reader& keep) {
#if CBOUND_FORBIDDEN
    auto warnings = cbound::archive::reader::open(path).warnings();
#else
    keep = cbound::archive::reader::open(path);
    auto warnings = keep.warnings();
#endif
    return warnings.size();
}
