// Forbidden: the throwing checked() in a build without exceptions. It cannot throw there, so
// it explains itself and points at try_checked, which returns a call_result instead.
#include <cbound/checked_call.hpp>

extern "C" int api_call(int x);
constexpr auto api_ok = cbound::fails_unless_equal<0>{};

bool call(int x) {
#if CBOUND_FORBIDDEN
    cbound::checked<&api_call, api_ok>(x);
    return true;
#else
    return cbound::try_checked<&api_call, api_ok>(x).ok();
#endif
}
