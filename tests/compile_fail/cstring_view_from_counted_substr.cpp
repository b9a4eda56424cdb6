// Forbidden: a cstring_view from substr(pos, count). The piece is not NUL-terminated, so it
// is a std::string_view and cannot become a cstring_view; substr(pos) keeps the terminator.
#include <cbound/cstring_view.hpp>

#include <cstddef>

std::size_t middle_size(cbound::cstring_view s) {
#if CBOUND_FORBIDDEN
    cbound::cstring_view middle = s.substr(1, 2);
#else
    cbound::cstring_view middle = s.substr(1);
#endif
    return middle.size();
}
