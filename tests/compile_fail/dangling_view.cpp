// Caught by clang's lifetime analysis, not by the deleted && overload: the mapping is an
// lvalue here, so bytes() is allowed, but the span outlives it when it is returned.
// [[clang::lifetimebound]] on bytes() lets -Wreturn-stack-address see the dangling view.
#include <cbound/posix.hpp>

#include <cstddef>
#include <filesystem>
#include <span>
#include <utility>

std::span<std::byte const> load(std::filesystem::path const& path, cbound::mapped_file& keep) {
    auto mapping = cbound::mapped_file::open(path);
#if CBOUND_FORBIDDEN
    return mapping.bytes();
#else
    keep = std::move(mapping);
    return keep.bytes();
#endif
}
