// Forbidden: iterating a temporary tarball. A range-for keeps the temporary alive, but
// begin() of a temporary also compiles where it does not (std::begin(make()), a stored
// iterator), so it is refused outright: name the tarball first.
#include <cbound/archive/tarball.hpp>

#include <cstddef>

cbound::archive::tarball make_tarball();

std::size_t first_name_size(cbound::archive::tarball const& keep) {
#if CBOUND_FORBIDDEN
    auto it = make_tarball().begin();
#else
    auto it = keep.begin();
#endif
    return (*it).pathname().size();
}
