// Forbidden: copying a unique_resource. Two owners of one FILE* would close it twice.
#include <cbound/posix.hpp>

#include <utility>

void take_over(cbound::unique_file& owner) {
#if CBOUND_FORBIDDEN
    cbound::unique_file second = owner;
#else
    cbound::unique_file second = std::move(owner);
#endif
    static_cast<void>(second);
}
