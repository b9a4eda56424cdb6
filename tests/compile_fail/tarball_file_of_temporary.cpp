// Forbidden: file(i) of a temporary tarball. The tarball (its mapping or decoded data) is
// gone at the end of the full-expression, so the span would dangle at once.
#include <cbound/archive/tarball.hpp>

#include <cstddef>

cbound::archive::tarball make_tarball();

std::size_t first_file_size(cbound::archive::tarball const& keep) {
#if CBOUND_FORBIDDEN
    auto data = make_tarball().file(0);
#else
    auto data = keep.file(0);
#endif
    return data ? data->size() : 0;
}
