// cbound — generation stamps behind checked mode (see config.hpp).
#pragma once

#include <cbound/config.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace cbound::detail {

/// Reports a stale borrowed view and stops: using it further would read freed or reused memory.
[[noreturn]] inline void stale_view(char const* what) noexcept {
    std::fprintf(stderr, "cbound: stale view: %s\n", what);
    std::fflush(stderr);
    std::abort();
}

#if CBOUND_CHECKED
/// Owner side: a counter bumped each time the borrowed memory is invalidated.
/// It must live at a stable address (for example in a heap state) for views to point at it.
struct generation {
    std::uint64_t value = 0;
    void advance() noexcept { ++value; }
};

/// View side: remembers the owner's counter at the time the view was made.
class generation_stamp {
public:
    generation_stamp() noexcept = default;
    explicit generation_stamp(generation const& g) noexcept : source_(&g), taken_(g.value) {}
    /// Stops the program when the owner advanced since this stamp was taken.
    void check(char const* what) const noexcept {
        if (source_ == nullptr || source_->value != taken_) stale_view(what);
    }

private:
    generation const* source_ = nullptr;
    std::uint64_t taken_ = 0;
};
#else
/// Owner side with checked mode off: no state, no code.
struct generation {
    void advance() noexcept {}
};

/// View side with checked mode off: an empty member that checks nothing.
struct generation_stamp {
    generation_stamp() noexcept = default;
    explicit generation_stamp(generation const&) noexcept {}
    void check(char const*) const noexcept {}
};
#endif

} // namespace cbound::detail
