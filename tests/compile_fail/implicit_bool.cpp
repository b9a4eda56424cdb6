// Forbidden: converting a handle to bool implicitly. operator bool is explicit, so a handle
// cannot slip into arithmetic or an int parameter by accident.
#include <cbound/posix.hpp>

bool owns(cbound::unique_file const& h) {
#if CBOUND_FORBIDDEN
    bool b = h;
#else
    bool b = static_cast<bool>(h);
#endif
    return b;
}
