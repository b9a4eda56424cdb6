// Forbidden: copy-assigning a unique_resource. It would leak the target's handle and share the source's.
#include <cbound/posix.hpp>

#include <utility>

void replace(cbound::unique_file& target, cbound::unique_file& source) {
#if CBOUND_FORBIDDEN
    target = source;
#else
    target = std::move(source);
#endif
}
