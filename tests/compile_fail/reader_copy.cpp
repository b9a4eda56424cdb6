// Forbidden: copying a reader. It owns one libarchive handle, which cannot be shared.
#include <cbound/archive/reader.hpp>

#include <utility>

cbound::archive::reader duplicate(cbound::archive::reader& r) {
#if CBOUND_FORBIDDEN
    cbound::archive::reader copy = r;
#else
    cbound::archive::reader copy = std::move(r);
#endif
    return copy;
}
