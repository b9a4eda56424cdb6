// cbound — callback<R(Args...)>: an owning, copyable, type-erased callable, light to compile.
//
//     cbound::callback<std::size_t(std::span<std::byte const>)> on_bytes = [&](auto b) { return b.size(); };
//
// It plays std::function's role for the functions a caller hands to a C API binding (an
// archive's read source, a progress callback), without <functional>: that header, and each
// std::function<Sig> a header names, cost a compiler a good share of what including
// <filesystem> costs, in every translation unit. This one needs <new>, <type_traits>,
// <utility> and <cstddef>, and instantiates little per signature.
//
// A callable that fits in three pointers and moves without throwing (a lambda capturing a
// pointer or two, a function pointer) is stored inline: making, moving and calling it never
// allocate, so a reader can call one per block. A bigger one lives on the heap.
//
// Calling an empty callback throws cbound::bad_callback_call (std::function throws
// std::bad_function_call, which would need <functional> back); with -fno-exceptions it calls
// std::terminate. Like std::function, a callback calls its target as a non-const lvalue, so
// a `mutable` lambda keeps its state from call to call. A null function pointer, or anything
// with an explicit operator bool that says false (an empty std::function, an empty callback
// of another signature), makes an empty callback, as std::function does. Pointers to members
// are not callables here: wrap them in a lambda.
#pragma once

#include <cbound/config.hpp>

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

#if !CBOUND_EXCEPTIONS
#include <exception> // std::terminate, only where nothing can be thrown
#endif

namespace cbound {

#if CBOUND_EXCEPTIONS
/// Thrown by calling an empty callback. (std::exception is complete here: <new>'s bad_alloc derives from it.)
class bad_callback_call : public std::exception {
public:
    /// Says that an empty cbound::callback was called.
    [[nodiscard]] char const* what() const noexcept override { return "cbound::callback: called while empty"; }
};
#endif

template <class Signature>
class callback;

namespace detail {

/// Fails the call of an empty callback, as callback.hpp's comment says.
[[noreturn]] inline void fail_empty_callback_call() {
#if CBOUND_EXCEPTIONS
    throw bad_callback_call{};
#else
    std::terminate();
#endif
}

/// The bytes a callback keeps its target in: the target itself when small, else a pointer to it.
struct callback_storage {
    alignas(void*) unsigned char bytes[3 * sizeof(void*)]{}; ///< zeroed so that copying an unused part reads no garbage
};

/// True when a callable of type F lives in callback_storage itself (no allocation).
template <class F>
inline constexpr bool
    callback_fits_inline = sizeof(F) <= sizeof(callback_storage) &&
                           alignof(F) <= alignof(callback_storage) && std::is_nothrow_move_constructible_v<F>;

/// What a callback asks of the manager of a target that is not trivially copyable.
enum class callback_action { copy, move, destroy };

/// A decayed type a callback<R(Args...)> can hold: copyable, callable as an lvalue with Args, result converting to R.
template <class F, class R, class... Args>
concept callback_target = // invocability first: it rules out a type whose copy would ask this again
    !std::is_member_pointer_v<F> && std::is_invocable_r_v<R, F&, Args...> && std::is_copy_constructible_v<F>;

/// Where a callback keeps a target of type F (inline, or through a pointer), and how it copies and calls it.
template <class F>
struct callback_access {
    static constexpr bool inline_target = callback_fits_inline<F>; ///< stored in the bytes, not allocated
    /// Whether copying the bytes copies the target (and dropping them destroys it).
    static constexpr bool trivial = inline_target && std::is_trivially_copyable_v<F>;

    /// The target kept in `s`.
    static F& target(callback_storage& s) noexcept {
        if constexpr (inline_target)
            return *std::launder(reinterpret_cast<F*>(s.bytes));
        else
            return **std::launder(reinterpret_cast<F**>(s.bytes));
    }

    /// Keeps a target made from `f` in `s`.
    template <class G>
    static void make(callback_storage& s, G&& f) {
        if constexpr (inline_target)
            ::new (static_cast<void*>(s.bytes)) F(std::forward<G>(f));
        else
            ::new (static_cast<void*>(s.bytes)) F*(new F(std::forward<G>(f)));
    }

    /// Copies, moves (the source's target ends) or destroys the target, for the targets that are not trivial.
    static void manage(callback_action action, callback_storage& to, callback_storage& from) {
        switch (action) {
        case callback_action::copy: make(to, target(from)); break;
        case callback_action::move:
            if constexpr (inline_target) {
                make(to, std::move(target(from)));
                target(from).~F();
            } else {
                to = from; // the pointer changes hands
            }
            break;
        case callback_action::destroy:
            if constexpr (inline_target)
                target(to).~F();
            else
                delete &target(to);
            break;
        }
    }
};

/// Whether `f` is a null function pointer or otherwise says it is empty (an empty std::function or callback).
template <class F>
[[nodiscard]] constexpr bool callable_is_empty(F const& f) noexcept {
    if constexpr (std::is_pointer_v<F>)
        return f == nullptr;
    else if constexpr (std::is_constructible_v<bool, F const&> && !std::is_convertible_v<F const&, bool>)
        return !static_cast<bool>(f);
    else
        return false;
}

} // namespace detail

/// An owning, copyable, type-erased callable taking Args and returning R (std::function's role, lighter to compile).
template <class R, class... Args>
class callback<R(Args...)> {
public:
    /// An empty callback: calling it fails (see bad_callback_call).
    callback() noexcept = default;
    /// An empty callback, as from `= nullptr`.
    callback(std::nullptr_t) noexcept {}

    /// A callback calling a copy of `f` (empty when `f` is a null function pointer or an empty std::function).
    template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, callback> && detail::callback_target<std::decay_t<F>, R, Args...>)
        callback(F&& f) { // NOLINT(google-explicit-constructor): implicit, like std::function
        using target = std::decay_t<F>;
        using access = detail::callback_access<target>;
        if (detail::callable_is_empty<target>(f)) return;
        access::make(storage_, std::forward<F>(f));
        invoke_ = &call<target>;
        if constexpr (!access::trivial) manage_ = &access::manage;
    }

    /// A callback calling its own copy of `other`'s target.
    callback(callback const& other) : storage_(other.manage_ ? detail::callback_storage{} : other.storage_) {
        if (other.manage_) other.manage_(detail::callback_action::copy, storage_, other.storage_);
        invoke_ = other.invoke_;
        manage_ = other.manage_;
    }

    /// Takes `other`'s target; `other` is left empty. Never allocates or throws.
    callback(callback&& other) noexcept { take(other); }

    /// Replaces the target with a copy of `other`'s.
    callback& operator=(callback const& other) {
        if (this != &other) *this = callback(other);
        return *this;
    }

    /// Replaces the target with `other`'s; `other` is left empty.
    callback& operator=(callback&& other) noexcept {
        if (this != &other) {
            reset();
            take(other);
        }
        return *this;
    }

    /// Empties the callback.
    callback& operator=(std::nullptr_t) noexcept {
        reset();
        return *this;
    }

    /// Replaces the target with a copy of `f`.
    template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, callback> &&
             detail::callback_target<std::decay_t<F>, R, Args...>) callback&
    operator=(F&& f) {
        return *this = callback(std::forward<F>(f));
    }

    /// Destroys the target.
    ~callback() { reset(); }

    /// Exchanges the targets of two callbacks.
    void swap(callback& other) noexcept {
        callback moved(std::move(other));
        other = std::move(*this);
        *this = std::move(moved);
    }

    /// Exchanges the targets of two callbacks.
    friend void swap(callback& a, callback& b) noexcept { a.swap(b); }

    /// Whether there is a target to call.
    explicit operator bool() const noexcept { return invoke_ != &call_empty; }

    /// Whether the callback is empty (`cb == nullptr`).
    friend bool operator==(callback const& cb, std::nullptr_t) noexcept { return !cb; }

    /// Calls the target with `args` (references are passed on, not copied); an empty callback fails.
    R operator()(Args... args) const { return invoke_(storage_, std::forward<Args>(args)...); }

private:
    using invoker = R (*)(detail::callback_storage&, Args&&...);
    using manager = void (*)(detail::callback_action, detail::callback_storage&, detail::callback_storage&);

    /// Calls a target of type F: one indirect call, no test for emptiness on the way.
    template <class F>
    static R call(detail::callback_storage& s, Args&&... args) {
        if constexpr (std::is_void_v<R>)
            static_cast<void>(detail::callback_access<F>::target(s)(std::forward<Args>(args)...));
        else
            return detail::callback_access<F>::target(s)(std::forward<Args>(args)...);
    }

    /// What an empty callback calls.
    [[noreturn]] static R call_empty(detail::callback_storage&, Args&&...) { detail::fail_empty_callback_call(); }

    /// Moves `other`'s target here (this one is empty) and empties `other`.
    void take(callback& other) noexcept {
        if (other.manage_)
            other.manage_(detail::callback_action::move, storage_, other.storage_);
        else
            storage_ = other.storage_;
        invoke_ = other.invoke_;
        manage_ = other.manage_;
        other.invoke_ = &call_empty;
        other.manage_ = nullptr;
    }

    /// Destroys the target, leaving the callback empty.
    void reset() noexcept {
        if (manage_) manage_(detail::callback_action::destroy, storage_, storage_);
        invoke_ = &call_empty;
        manage_ = nullptr;
    }

    mutable detail::callback_storage storage_{}; ///< the target (called as non-const, like std::function's)
    invoker invoke_ = &call_empty;               ///< calls the target
    manager manage_ = nullptr;                   ///< copies, moves, destroys the target; null when bytes do
};

} // namespace cbound
