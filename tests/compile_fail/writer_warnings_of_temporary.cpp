// Forbidden: the warnings of a temporary writer; the span would point into a dead writer.
#include <cbound/archive/writer.hpp>

#include <cstddef>
#include <filesystem>

std::size_t warning_count(std::filesystem::path const& path, cbound::archive::writer& keep) {
#if CBOUND_FORBIDDEN
    auto warnings = cbound::archive::writer::open(path).warnings();
#else
    keep = cbound::archive::writer::open(path);
    auto warnings = keep.warnings();
#endif
    return warnings.size();
}
