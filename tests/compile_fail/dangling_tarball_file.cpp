// Caught by clang's lifetime analysis, not by the deleted && overload: the tarball is an
// lvalue here, so file(i) is allowed, but the result outlives it when it is returned.
// CBOUND_LIFETIMEBOUND on tarball::file lets -Wreturn-stack-address see it.
// Clang 14 does not see `return *t.file(0);` (it does not follow std::optional's operator*
// from a user type's result); returning the optional itself, as here, it does see.
#include <cbound/archive/tarball.hpp>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <utility>

std::optional<std::span<std::byte const>> first_file(std::filesystem::path const& path,
                                                     cbound::archive::tarball& keep) {
    auto archive = cbound::archive::tarball::open(path);
#if CBOUND_FORBIDDEN
    return archive.file(0);
#else
    keep = std::move(archive);
    return keep.file(0);
#endif
}
