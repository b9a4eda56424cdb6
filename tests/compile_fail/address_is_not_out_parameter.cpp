// Forbidden: &handle as a C out-parameter. operator& is not overloaded (that surprises
// everyone): &h is a unique_resource*, so a C function expecting FILE** rejects it; use put().
#include <cbound/posix.hpp>

#include <cstdio>

extern "C" int c_open_stream(std::FILE** out);

int reopen(cbound::unique_file& h) {
#if CBOUND_FORBIDDEN
    return c_open_stream(&h);
#else
    return c_open_stream(h.put());
#endif
}
