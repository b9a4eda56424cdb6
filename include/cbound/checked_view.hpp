// cbound — checked views: catch the use of a borrowed view after its owner invalidated it.
//
// A C API often lends memory that stays valid only until the next call on the same handle
// (sqlite3_column_text until the next sqlite3_step, archive_entry_pathname until the next
// header). A binding makes that rule checkable in three steps:
//
//   1. the owner keeps a `generation` at a stable address (a member of a heap state, or of
//      an object that is not moved while views exist) and calls advance() every time the
//      lent memory is invalidated;
//   2. each view it hands out carries a `generation_stamp` taken from that generation, or is
//      a `checked_view<V>` that bundles the view and its stamp;
//   3. the view checks its stamp before each use.
//
// With CBOUND_CHECKED=1 a use after advance() prints "cbound: stale view: <what>" and aborts
// instead of reading reused memory. With CBOUND_CHECKED=0 (the default) generation and
// generation_stamp are empty types, checked_view<V> is exactly as large as V, and every
// check compiles to nothing: the static_asserts below pin that.
//
// Every translation unit of a program must use the same CBOUND_CHECKED value: the layouts
// differ, so mixing them breaks the one-definition rule.
#pragma once

#include <cbound/config.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <type_traits>
#include <utility>

namespace cbound {

/// Reports a stale borrowed view and stops: using it further would read freed or reused memory.
[[noreturn]] inline void stale_view(char const* what) noexcept {
    std::fprintf(stderr, "cbound: stale view: %s\n", what);
    std::fflush(stderr);
    std::abort();
}

#if CBOUND_CHECKED
/// Owner side: a counter bumped each time the memory the owner lends out is invalidated.
/// It must stay at one address while stamps taken from it exist (stamps point at it).
struct generation {
    /// How many times the lent memory was invalidated.
    std::uint64_t value = 0;
    /// Marks every view stamped so far as stale.
    void advance() noexcept { ++value; }
};

/// View side: remembers the owner's generation at the time the view was made.
class generation_stamp {
public:
    /// A stamp of no owner: checking it reports a stale view.
    generation_stamp() noexcept = default;
    /// Takes the current generation of `g`, which must outlive every check of this stamp.
    explicit generation_stamp(generation const& g) noexcept : source_(&g), taken_(g.value) {}
    /// Whether the owner has not advanced since this stamp was taken.
    [[nodiscard]] bool fresh() const noexcept { return source_ != nullptr && source_->value == taken_; }
    /// Stops the program with `what` when the owner advanced since this stamp was taken.
    void check(char const* what) const noexcept {
        if (!fresh()) stale_view(what);
    }

private:
    generation const* source_ = nullptr;
    std::uint64_t taken_ = 0;
};
#else
/// Owner side with checked mode off: no state, no code.
struct generation {
    /// Does nothing: nothing is counted with checked mode off.
    void advance() noexcept {}
};

/// View side with checked mode off: an empty member that checks nothing.
struct generation_stamp {
    /// A stamp of no owner (with checked mode off, nothing is checked).
    generation_stamp() noexcept = default;
    /// Takes nothing from `g`: with checked mode off, nothing is checked.
    explicit generation_stamp(generation const&) noexcept {}
    /// Always true: with checked mode off, nothing is known.
    [[nodiscard]] bool fresh() const noexcept { return true; }
    /// Does nothing.
    void check(char const*) const noexcept {}
};
#endif

/// A borrowed view `View` bundled with the stamp of its owner: every access checks it first.
/// With checked mode off it is exactly a `View`; with it on it adds a stamp and a message.
template <class View>
requires std::is_trivially_copyable_v<View>
class checked_view {
public:
    /// Bundles `view` with the current generation of `owner`; `what` names it in the message.
    constexpr checked_view(View view, generation const& owner, char const* what) noexcept : view_(view), stamp_(owner) {
#if CBOUND_CHECKED
        what_ = what;
#else
        static_cast<void>(what);
#endif
    }

    /// The view, after checking that its owner has not invalidated it.
    [[nodiscard]] constexpr View get() const noexcept {
        check();
        return view_;
    }
    /// The view, after the same check as get().
    constexpr operator View() const noexcept { return get(); }
    /// Member access to the view, after the same check as get().
    constexpr View const* operator->() const noexcept {
        check();
        return &view_;
    }
    /// Whether the owner has not invalidated the view (always true with checked mode off).
    [[nodiscard]] bool fresh() const noexcept { return stamp_.fresh(); }

private:
    constexpr void check() const noexcept {
#if CBOUND_CHECKED
        stamp_.check(what_);
#endif
    }

    View view_;
    [[no_unique_address]] generation_stamp stamp_;
#if CBOUND_CHECKED
    char const* what_ = nullptr;
#endif
};

#if !CBOUND_CHECKED
// The zero-cost promise: with checked mode off the owner side and the stamp take no space,
// and a checked view is the view.
static_assert(std::is_empty_v<generation> && std::is_empty_v<generation_stamp>);
static_assert(sizeof(checked_view<std::string_view>) == sizeof(std::string_view));
static_assert(sizeof(checked_view<char const*>) == sizeof(char const*));
#endif

} // namespace cbound
