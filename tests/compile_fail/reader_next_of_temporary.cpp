// Forbidden: next() of a temporary reader. The entry_view borrows the reader, which is gone
// at the end of the full-expression, so `reader::open(p).next()->pathname()` would dangle.
#include <cbound/archive/reader.hpp>

#include <filesystem>

bool has_entry(std::filesystem::path const& path, cbound::archive::reader& keep) {
#if CBOUND_FORBIDDEN
    auto entry = cbound::archive::reader::open(path).next();
#else
    keep = cbound::archive::reader::open(path);
    auto entry = keep.next();
#endif
    return entry.has_value();
}
