// Forbidden: an entry view (operator[]) of a temporary tarball: its pathname would dangle.
#include <cbound/archive/tarball.hpp>

#include <cstddef>

cbound::archive::tarball make_tarball();

std::size_t first_name_size(cbound::archive::tarball const& keep) {
#if CBOUND_FORBIDDEN
    auto entry = make_tarball()[0];
#else
    auto entry = keep[0];
#endif
    return entry.pathname().size();
}
