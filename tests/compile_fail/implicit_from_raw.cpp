// Forbidden: turning a raw handle into an owner implicitly. Taking ownership must be visible
// at the call site, or a borrowed FILE* handed to a function would be closed behind its owner's back.
#include <cbound/posix.hpp>

#include <cstdio>

void consume(cbound::unique_file owner);

void hand_over(std::FILE* raw) {
#if CBOUND_FORBIDDEN
    consume(raw);
#else
    consume(cbound::unique_file{raw});
#endif
}
