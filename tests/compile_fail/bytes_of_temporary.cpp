// Forbidden: the bytes of a temporary mapped_file. The mapping is gone at the end of the
// full-expression, so the span would dangle at once.
#include <cbound/posix.hpp>

#include <cstddef>

std::size_t first_size(cbound::mapped_file& keep) {
#if CBOUND_FORBIDDEN
    auto bytes = cbound::mapped_file{}.bytes();
#else
    auto bytes = keep.bytes();
#endif
    return bytes.size() + keep.size();
}
