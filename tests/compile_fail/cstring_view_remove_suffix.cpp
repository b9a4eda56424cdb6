// Forbidden: remove_suffix on a cstring_view. The shortened view would no longer end at a
// NUL; make a std::string_view first, which makes no such promise.
#include <cbound/cstring_view.hpp>

#include <cstddef>
#include <string_view>

std::size_t stem_size(cbound::cstring_view name) {
#if CBOUND_FORBIDDEN
    name.remove_suffix(4);
    return name.size();
#else
    std::string_view stem = name;
    stem.remove_suffix(4);
    return stem.size();
#endif
}
