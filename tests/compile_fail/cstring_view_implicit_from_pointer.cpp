// Forbidden: a const char* turning into a cstring_view silently. Whether a pointer is a
// NUL-terminated string (and not null) is a claim the caller makes, so it is spelled out.
#include <cbound/cstring_view.hpp>

#include <cstddef>

std::size_t length_of(cbound::cstring_view s) { return s.size(); }

std::size_t from_c(char const* p) {
#if CBOUND_FORBIDDEN
    return length_of(p);
#else
    return length_of(cbound::cstring_view(p));
#endif
}
