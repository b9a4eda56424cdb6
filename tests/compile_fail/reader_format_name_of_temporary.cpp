// Forbidden: the format name of a temporary reader, a view into a reader that is gone.
#include <cbound/archive/reader.hpp>

#include <filesystem>
#include <string_view>

std::string_view format_of(std::filesystem::path const& path, cbound::archive::reader& keep) {
#if CBOUND_FORBIDDEN
    return cbound::archive::reader::open(path).format_name();
#else
    keep = cbound::archive::reader::open(path);
    return keep.format_name();
#endif
}
