// double_input — the seed's "C talking to Rust" half, in C++: a function built with cbound
// and exported with C linkage, so a C program calls it like any C function.
#include <cbound/unique_resource.hpp>

#include <cstdint>

namespace {

// Stands in for the close function of a C resource whose release has nothing to do for
// this value: the optimizer sees through the owner completely.
void release(std::int32_t) noexcept {}

/// An owned value, as a real binding would hold a handle while it works.
using owned_value =
    cbound::unique_resource<std::int32_t, cbound::fn_deleter<&release>, cbound::sentinel_traits<std::int32_t, 0, true>>;

} // namespace

/// Returns twice `input`; callable from C (see main.c).
extern "C" std::int32_t double_input(std::int32_t input) {
    owned_value value{input};
    return value.get() * 2;
}
