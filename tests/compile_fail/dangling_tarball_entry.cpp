// Caught by clang's lifetime analysis: tarball_entry borrows the tarball, so returning the
// entry of a local tarball dangles. CBOUND_LIFETIMEBOUND on tarball::operator[] shows it.
// `return t[0].pathname();` is NOT caught by clang 14: marking pathname() lifetimebound would
// tie the name to the (temporary) entry rather than the tarball, and flag correct code such
// as `std::string_view f(tarball const& t) { return t[0].pathname(); }`.
#include <cbound/archive/tarball.hpp>

#include <filesystem>
#include <utility>

cbound::archive::tarball_entry first_entry(std::filesystem::path const& path, cbound::archive::tarball& keep) {
    auto archive = cbound::archive::tarball::open(path);
#if CBOUND_FORBIDDEN
    return archive[0];
#else
    keep = std::move(archive);
    return keep[0];
#endif
}
