// cbound — unique_resource: sole ownership of a C handle, released exactly once.
//
// The close function is a template argument (fn_deleter<&fclose>), so the deleter is an
// empty type and the handle is exactly as large as the raw value. What counts as "no
// handle" (nullptr, -1, a sentinel) and whether the close function tolerates being handed
// that value are traits: when it does (archive_read_free(NULL), free(NULL)) the destructor
// calls it unconditionally and the null test disappears from the generated code.
#pragma once

#include <cbound/config.hpp>

#include <concepts>
#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>

namespace cbound {

/// A stateless deleter that calls the C function `Fn` on the handle and ignores its result.
template <auto Fn>
struct fn_deleter {
    /// Calls `Fn(handle)`; a close that reports failure cannot be acted upon in a destructor.
    template <class T>
    void operator()(T handle) const noexcept {
        static_cast<void>(Fn(handle));
    }
};

/// Traits for pointer handles: nullptr means "none", and the close function must not see it.
template <class T>
struct pointer_traits {
    /// The value a handle holds when it owns nothing.
    static constexpr T invalid() noexcept { return nullptr; }
    /// Whether the close function may be called with invalid() (it may not: fclose(NULL) crashes).
    static constexpr bool close_accepts_invalid = false;
};

/// Traits for pointer handles whose close function accepts nullptr (free, archive_read_free).
template <class T>
struct nullable_pointer_traits : pointer_traits<T> {
    /// The destructor may skip its test: closing nullptr is harmless.
    static constexpr bool close_accepts_invalid = true;
};

/// Traits for a handle whose "none" value is the constant `Invalid` (for example -1).
template <class T, T Invalid, bool CloseAcceptsInvalid = false>
struct sentinel_traits {
    /// The value a handle holds when it owns nothing.
    static constexpr T invalid() noexcept { return Invalid; }
    /// Whether the close function may be called with invalid().
    static constexpr bool close_accepts_invalid = CloseAcceptsInvalid;
};

/// Traits for POSIX file descriptors: -1 means "none"; close(-1) is an error, so it is skipped.
using fd_traits = sentinel_traits<int, -1>;

namespace detail {
template <class T>
struct default_traits_for {
    using type = pointer_traits<T>;
};
template <>
struct default_traits_for<int> {
    using type = fd_traits;
};
} // namespace detail

/// The traits used when none are given: pointer_traits for pointers, fd_traits for int.
template <class T>
using default_traits = typename detail::default_traits_for<T>::type;

/// What unique_resource needs of its traits: an invalid() value and the close_accepts_invalid flag.
template <class Traits, class T>
concept resource_traits = requires {
    { Traits::invalid() }
    noexcept->std::convertible_to<T>;
    { Traits::close_accepts_invalid } -> std::convertible_to<bool>;
};

/// Owns one C handle of type T and closes it with Deleter exactly once; move-only.
template <class T, class Deleter, class Traits = default_traits<T>>
requires std::is_trivially_copyable_v<T> && std::is_empty_v<Deleter> &&
    std::is_nothrow_default_constructible_v<Deleter> && std::is_nothrow_invocable_v<Deleter, T> &&
    resource_traits<Traits, T>
class unique_resource {
public:
    /// The raw handle type.
    using value_type = T;
    /// The stateless close function object.
    using deleter_type = Deleter;
    /// The invalid-value and close policy.
    using traits_type = Traits;

    /// An empty handle that owns nothing.
    constexpr unique_resource() noexcept = default;

    /// Takes ownership of `handle` (which may be the invalid value: then it owns nothing).
    constexpr explicit unique_resource(T handle) noexcept : handle_(handle) {}

    /// Takes over the handle of `other`, which is left owning nothing.
    constexpr unique_resource(unique_resource&& other) noexcept : handle_(other.release()) {}

    /// Closes the current handle, then takes over the one of `other`.
    constexpr unique_resource& operator=(unique_resource&& other) noexcept {
        reset(other.release());
        return *this;
    }

    unique_resource(unique_resource const&) = delete;
    unique_resource& operator=(unique_resource const&) = delete;

    /// Closes the handle if it owns one.
    constexpr ~unique_resource() { close(handle_); }

    /// The raw handle, still owned by this object.
    [[nodiscard]] constexpr T get() const noexcept { return handle_; }

    /// Whether a handle is owned.
    constexpr explicit operator bool() const noexcept { return handle_ != Traits::invalid(); }

    /// Gives up ownership without closing and returns the raw handle.
    [[nodiscard]] constexpr T release() noexcept { return std::exchange(handle_, Traits::invalid()); }

    /// Closes the current handle and takes `handle`; resetting to the value already held is a no-op.
    constexpr void reset(T handle = Traits::invalid()) noexcept {
        if (handle == handle_) return;
        close(std::exchange(handle_, handle));
    }

    /// Closes the current handle and returns the address of the stored one, for a C out-parameter.
    [[nodiscard]] constexpr T* put() noexcept {
        // Always test here, even when close accepts the invalid value: put() is mostly called
        // on an empty handle, where the test folds away but an unconditional close would
        // remain as a call (the codegen test tests/codegen/core_pairs.cpp "put" shows it).
        if (handle_ != Traits::invalid()) Deleter{}(std::exchange(handle_, Traits::invalid()));
        return &handle_;
    }

    /// Exchanges the handles of two owners.
    constexpr void swap(unique_resource& other) noexcept { std::swap(handle_, other.handle_); }

    /// Exchanges the handles of two owners.
    friend constexpr void swap(unique_resource& a, unique_resource& b) noexcept { a.swap(b); }

    /// The deleter (an empty object).
    [[nodiscard]] static constexpr Deleter get_deleter() noexcept { return Deleter{}; }

private:
    static constexpr void close(T handle) noexcept {
        if constexpr (Traits::close_accepts_invalid) {
            Deleter{}(handle);
        } else if (handle != Traits::invalid()) {
            Deleter{}(handle);
        }
    }

    T handle_ = Traits::invalid();
};

/// Closes `h` now and returns what its close function answered (nullopt when `h` owned
/// nothing, and then nothing is called); `h` is left empty whatever the answer, since a
/// close function cannot be retried on a handle it already released (close(2), fclose).
/// The destructor has to ignore that answer; this is how a caller gets to act on it
/// (<cbound/checked_call.hpp> has checked_close, which throws on failure).
// (Close's type is never a template argument: GCC warns that it drops a C function's attributes.)
template <class T, auto Close, class Traits>
requires(!std::is_void_v<decltype(Close(std::declval<T>()))>) [[nodiscard]] auto close_with_result(
    unique_resource<T, fn_deleter<Close>, Traits>& h) noexcept(noexcept(Close(std::declval<T>())))
    -> std::optional<decltype(Close(std::declval<T>()))> {
    if (!h) return std::nullopt;
    return Close(h.release());
}

} // namespace cbound
