// Forbidden: a cstring_view of a temporary std::string. The string dies at the end of the
// full-expression, so the view would dangle at once.
#include <cbound/cstring_view.hpp>

#include <cstddef>
#include <string>

std::string make_name();

std::size_t name_size(std::string const& keep) {
#if CBOUND_FORBIDDEN
    static_cast<void>(keep);
    cbound::cstring_view name = make_name();
#else
    cbound::cstring_view name = keep;
#endif
    return name.size();
}
