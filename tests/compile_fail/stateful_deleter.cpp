// Forbidden: a deleter with state. It would make the handle larger than the raw value, and
// cbound promises sizeof(handle) == sizeof(raw handle).
#include <cbound/unique_resource.hpp>

#include <cstdio>

struct stateless_close {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

struct counting_close {
    int* count; // state: makes the deleter non-empty
    void operator()(std::FILE* f) const noexcept {
        ++*count;
        std::fclose(f);
    }
};

#if CBOUND_FORBIDDEN
using stream = cbound::unique_resource<std::FILE*, counting_close>;
#else
using stream = cbound::unique_resource<std::FILE*, stateless_close>;
#endif

bool is_open(stream const& s) { return static_cast<bool>(s); }
