// cbound — out_ptr / inout_ptr: hand a smart handle to a C out-parameter, as C++23 does.
//
// C functions that create something write it through a `T**` (sqlite3_open_v2(name, &db),
// archive_read_open...), or take the old value and write a new one (realloc-style). C++23's
// std::out_ptr and std::inout_ptr adapt a smart pointer to that; the standard libraries on
// the toolchains cbound supports do not ship them yet. cbound::out_ptr(h) and
// cbound::inout_ptr(h) follow the standard's semantics, so code moves to std:: unchanged:
//   - out_ptr(h) returns a temporary that empties h, converts to T** (and void** for a
//     pointer other than void*), and in its destructor, at the end of the full-expression,
//     hands what the C function wrote to h.reset();
//   - inout_ptr(h) first takes the handle out of h (release()), so the C function receives
//     the current value and may free or replace it; its destructor gives h the new value.
// They work with cbound::unique_resource, std::unique_ptr (with or without extra reset
// arguments), any smart pointer with reset(p), and raw pointers.
//
// One deliberate difference: the conversions exist only on the temporary (they are
// &&-qualified). `f(cbound::out_ptr(h))` is the whole use; `auto p = cbound::out_ptr(h);
// f(p);` does not compile, because h would only receive the handle when p dies, long after
// f returned (std::out_ptr_t allows this; every conforming use of std::out_ptr still
// compiles here). Where the handle's "none" value is not a null pointer (a file descriptor's
// -1), unique_resource's traits decide what counts as "nothing written".
#pragma once

#include <cbound/config.hpp>
#include <cbound/unique_resource.hpp>

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

namespace cbound {

namespace detail {

template <class Smart>
struct is_unique_resource : std::false_type {};

// The T of a Smart<T, ...>, as std::pointer_traits finds a fancy pointer's element type.
template <class Smart>
struct first_template_argument {};
template <template <class, class...> class Smart, class T, class... Rest>
struct first_template_argument<Smart<T, Rest...>> {
    using type = T;
};
template <class T, class D, class Tr>
struct is_unique_resource<unique_resource<T, D, Tr>> : std::true_type {};

// POINTER_OF(Smart) of [out.ptr.t]: Smart::pointer, else element_type*, else the raw type of
// a unique_resource, else the first template argument (std::pointer_traits' element type; spelled
// out here so that this header does not need <memory>, which would cost every includer more to
// compile than the rest of the core together).
template <class Smart>
constexpr auto pointer_of() {
    if constexpr (std::is_pointer_v<Smart>) {
        return std::type_identity<Smart>{};
    } else if constexpr (requires { typename Smart::pointer; }) {
        return std::type_identity<typename Smart::pointer>{};
    } else if constexpr (requires { typename Smart::element_type; }) {
        return std::type_identity<typename Smart::element_type*>{};
    } else if constexpr (is_unique_resource<Smart>::value) {
        return std::type_identity<typename Smart::value_type>{};
    } else {
        return std::type_identity<typename first_template_argument<Smart>::type*>{};
    }
}
template <class Smart>
using pointer_of_t = typename decltype(pointer_of<Smart>())::type;

// The value meaning "nothing was written": unique_resource's invalid value, else null.
template <class Smart, class Pointer>
constexpr Pointer none_written() noexcept {
    if constexpr (is_unique_resource<Smart>::value) {
        return static_cast<Pointer>(Smart::traits_type::invalid());
    } else {
        return Pointer{};
    }
}

// Gives `smart` the value `p` (with extra reset arguments), as [out.ptr.t] and [inout.ptr.t] say.
template <class Smart, class Pointer, class Tuple>
constexpr void adopt(Smart& smart, Pointer p, Tuple&& args) {
    using stored = pointer_of_t<Smart>;
    std::apply(
        [&](auto&&... a) {
            if constexpr (std::is_pointer_v<Smart>) {
                smart = static_cast<stored>(p);
            } else if constexpr (requires { smart.reset(static_cast<stored>(p), std::forward<decltype(a)>(a)...); }) {
                smart.reset(static_cast<stored>(p), std::forward<decltype(a)>(a)...);
            } else {
                smart = Smart(static_cast<stored>(p), std::forward<decltype(a)>(a)...);
            }
        },
        std::forward<Tuple>(args));
}

// Pointer*, and void** for object pointers other than void*: what the C function receives.
template <class Pointer>
constexpr void** as_void_pointer_address(Pointer* p) noexcept {
    // As every standard library does: the C function writes a void* into the stored pointer.
    return reinterpret_cast<void**>(p);
}

// The conversions every out_ptr_t and inout_ptr_t offers, written once (CRTP): Derived::address()
// is where the C function writes. They exist only on the temporary, so a named adaptor, which
// would hand the value over only when it dies, does not compile.
template <class Derived, class Pointer>
class basic_out_ptr_t {
    static constexpr bool offers_void_pointer = std::is_pointer_v<Pointer> && !std::is_same_v<Pointer, void*>;

public:
    /// The address the C function writes the new handle to.
    operator Pointer*() const&& noexcept { return static_cast<Derived const&>(*this).address(); }
    /// The same address as a void**, for C functions declared with one.
    operator void**() const&& noexcept requires offers_void_pointer {
        return as_void_pointer_address(static_cast<Derived const&>(*this).address());
    }

    /// Deleted: a named adaptor would hand the handle over only when it dies; pass
    /// cbound::out_ptr(h) or cbound::inout_ptr(h) directly to the C function instead.
    operator Pointer*() const& = delete;
    /// Deleted: as above.
    operator void**() const& requires offers_void_pointer = delete;

protected:
    basic_out_ptr_t() = default;
};

} // namespace detail

/// The temporary that out_ptr(h) returns: converts to Pointer* and resets `Smart` on destruction.
template <class Smart, class Pointer, class... Args>
class out_ptr_t : public detail::basic_out_ptr_t<out_ptr_t<Smart, Pointer, Args...>, Pointer> {
public:
    /// Empties `smart` (reset(), or assigning a default Smart) and remembers the reset arguments.
    explicit out_ptr_t(Smart& smart, Args... args) : smart_(smart), args_(std::forward<Args>(args)...) {
        if constexpr (std::is_pointer_v<Smart>) {
            smart = nullptr;
        } else if constexpr (requires { smart.reset(); }) {
            smart.reset();
        } else {
            smart = Smart();
        }
    }

    out_ptr_t(out_ptr_t const&) = delete;
    out_ptr_t& operator=(out_ptr_t const&) = delete;

    /// Hands what the C function wrote (if anything) to the smart handle.
    ~out_ptr_t() {
        if (written_ != detail::none_written<Smart, Pointer>()) detail::adopt(smart_, written_, std::move(args_));
    }

private:
    friend detail::basic_out_ptr_t<out_ptr_t, Pointer>;
    Pointer* address() const noexcept { return const_cast<Pointer*>(__builtin_addressof(written_)); }

    Smart& smart_;
    [[no_unique_address]] std::tuple<Args...> args_;
    Pointer written_ = detail::none_written<Smart, Pointer>();
};

/// The temporary that inout_ptr(h) returns: takes the handle out of `Smart` first, lets the C
/// function free or replace it, then gives `Smart` what the C function left.
template <class Smart, class Pointer, class... Args>
class inout_ptr_t : public detail::basic_out_ptr_t<inout_ptr_t<Smart, Pointer, Args...>, Pointer> {
    static_assert(
        !requires(Smart s) { s.use_count(); }, "inout_ptr cannot take a shared handle out of its owners");

public:
    /// Takes the current handle out of `smart` (the C function now owns it) and remembers the reset arguments.
    explicit inout_ptr_t(Smart& smart, Args... args) : smart_(smart), args_(std::forward<Args>(args)...) {
        if constexpr (std::is_pointer_v<Smart>) {
            written_ = smart;
        } else {
            written_ = static_cast<Pointer>(smart.release());
        }
    }

    inout_ptr_t(inout_ptr_t const&) = delete;
    inout_ptr_t& operator=(inout_ptr_t const&) = delete;

    /// Gives the smart handle what the C function left (nothing if it left none).
    ~inout_ptr_t() {
        if constexpr (std::is_pointer_v<Smart>) {
            smart_ = static_cast<detail::pointer_of_t<Smart>>(written_);
        } else if (written_ != detail::none_written<Smart, Pointer>()) {
            detail::adopt(smart_, written_, std::move(args_));
        }
    }

private:
    friend detail::basic_out_ptr_t<inout_ptr_t, Pointer>;
    Pointer* address() const noexcept { return const_cast<Pointer*>(__builtin_addressof(written_)); }

    Smart& smart_;
    [[no_unique_address]] std::tuple<Args...> args_;
    Pointer written_{};
};

/// out_ptr for a unique_resource: the C function writes straight into the handle's storage
/// (which put() empties first), as the standard allows; nothing is left for the destructor,
/// so the code is that of put() and of a raw pointer (tests/codegen/core_pairs.cpp).
template <class T, class D, class Tr>
class out_ptr_t<unique_resource<T, D, Tr>, T>
    : public detail::basic_out_ptr_t<out_ptr_t<unique_resource<T, D, Tr>, T>, T> {
public:
    /// Closes what `smart` held and points at its storage.
    explicit out_ptr_t(unique_resource<T, D, Tr>& smart) noexcept : target_(smart.put()) {}
    out_ptr_t(out_ptr_t const&) = delete;
    out_ptr_t& operator=(out_ptr_t const&) = delete;

private:
    friend detail::basic_out_ptr_t<out_ptr_t, T>;
    T* address() const noexcept { return target_; }

    T* target_;
};

/// inout_ptr for a unique_resource: the C function reads and rewrites the handle's storage in
/// place, which is what release() followed by reset(new value) amounts to.
template <class T, class D, class Tr>
class inout_ptr_t<unique_resource<T, D, Tr>, T>
    : public detail::basic_out_ptr_t<inout_ptr_t<unique_resource<T, D, Tr>, T>, T> {
public:
    /// Points at the storage of `smart`, which keeps its current handle for the C function.
    explicit inout_ptr_t(unique_resource<T, D, Tr>& smart) noexcept {
        T const current = smart.release(); // empty, so put() below closes nothing
        target_ = smart.put();
        *target_ = current;
    }
    inout_ptr_t(inout_ptr_t const&) = delete;
    inout_ptr_t& operator=(inout_ptr_t const&) = delete;

private:
    friend detail::basic_out_ptr_t<inout_ptr_t, T>;
    T* address() const noexcept { return target_; }

    T* target_;
};

/// Adapts `smart` to a C out-parameter for the rest of the full-expression: `f(out_ptr(h))`.
/// `Pointer` defaults to the handle's raw type; `args` are passed on to reset(p, args...).
template <class Pointer = void, class Smart, class... Args>
[[nodiscard]] auto out_ptr(Smart& smart, Args&&... args) {
    using P = std::conditional_t<std::is_void_v<Pointer>, detail::pointer_of_t<Smart>, Pointer>;
    return out_ptr_t<Smart, P, Args&&...>(smart, std::forward<Args>(args)...);
}

/// Adapts `smart` to a C in-out parameter for the rest of the full-expression: `f(inout_ptr(h))`.
/// The C function receives the current handle and may free or replace it.
template <class Pointer = void, class Smart, class... Args>
[[nodiscard]] auto inout_ptr(Smart& smart, Args&&... args) {
    using P = std::conditional_t<std::is_void_v<Pointer>, detail::pointer_of_t<Smart>, Pointer>;
    return inout_ptr_t<Smart, P, Args&&...>(smart, std::forward<Args>(args)...);
}

} // namespace cbound
