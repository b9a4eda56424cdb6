// Forbidden: an iterator of a temporary reader, which dies at the end of the statement.
// (A range-for over a temporary reader keeps it alive and is allowed.)
#include <cbound/archive/reader.hpp>

#include <cstddef>
#include <filesystem>

std::size_t first_name_size(std::filesystem::path const& path, cbound::archive::reader& keep) {
#if CBOUND_FORBIDDEN
    auto it = cbound::archive::reader::open(path).begin();
#else
    keep = cbound::archive::reader::open(path);
    auto it = keep.begin();
#endif
    return (*it).pathname().size();
}
