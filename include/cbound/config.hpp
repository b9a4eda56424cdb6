// cbound — configuration: version, borrowed-view attributes, checked mode.
//
// The borrowed-view pattern used throughout cbound: an owner (a reader, a mapping, a
// tarball) lends out views (std::string_view, std::span<const std::byte>, entry_view)
// into memory it controls. Three layers keep those views from dangling:
//
//   1. Every accessor returning a view is declared twice: the `&` overload returns the
//      view and carries CBOUND_LIFETIMEBOUND on `this`; the `&&` overload is deleted, so
//      a view of a temporary owner does not compile at all.
//   2. CBOUND_LIFETIMEBOUND expands to [[clang::lifetimebound]] on clang, which makes
//      -Wdangling warn when a view outlives the owner in one full-expression.
//   3. With CBOUND_CHECKED defined to 1, views that can go stale while their owner is
//      still alive (an entry_view after the reader advanced) carry a generation stamp and
//      stop the program with a message on use. With it 0 (the default) the stamp is an
//      empty member and the accessors compile to the raw C calls.
//
// Compile time: a header-only library's inline function bodies are compiled, with every
// template they use (containers, algorithms, string building), in each translation unit that
// includes them, called or not. So cbound's heavy bodies (opening, error building, decoders,
// engines) are templates on an unused parameter, `template <class Deferred = void>` (or a
// class template `basic_x<Deferred = void>` behind `using x = basic_x<>;`): a translation unit
// compiles them only where it calls them, and callers write no template arguments. The chain
// must stay templated up to the public entry points, because a non-template inline function
// that calls a template instantiates it everywhere. Small hot functions (getters, next(),
// data()) stay plain. Inside such a template, GCC still checks every expression that does not
// depend on the parameter, and a local `std::vector<std::pair<...>>` or a call building a new
// kind of container makes it instantiate that class right there, in every translation unit:
// each new container type costs about a twentieth of <filesystem>. Heavy bodies therefore
// name such types as `detail::dependent_t<Deferred, T>`, which is T but is only looked into
// when the template is used. The same goes for a template's declared result: GCC completes a
// non-dependent `std::optional<T>` result where the template is defined (about a hundredth of
// <filesystem> per new T), so such results are spelled `std::optional<dependent_t<Deferred, T>>`
// (the same type for callers). tests/bench/compile_time.sh measures what each public header costs.
#pragma once

// cbound is C++20 (concepts, constraints, std::span): say so once, instead of letting an
// older mode fail hundreds of times inside the headers. GCC and Clang keep compiling after
// #error, so a missing include right behind it stops the compiler before those follow.
#if defined(_MSVC_LANG) && _MSVC_LANG > __cplusplus
#define CBOUND_CPLUSPLUS _MSVC_LANG
#else
#define CBOUND_CPLUSPLUS __cplusplus
#endif
#if CBOUND_CPLUSPLUS < 202002L
#error "cbound requires C++20: compile with -std=c++20 (or /std:c++20), or set CMAKE_CXX_STANDARD to 20"
#include <cbound/detail/stop-compiling-cbound-requires-cxx20> // fatal on purpose: see the #error above
#endif

/// Major version of cbound.
#define CBOUND_VERSION_MAJOR 0
/// Minor version of cbound.
#define CBOUND_VERSION_MINOR 1
/// Patch version of cbound.
#define CBOUND_VERSION_PATCH 0

#if defined(__has_cpp_attribute)
#if __has_cpp_attribute(clang::lifetimebound)
/// Ties a returned view to the lifetime of `this` or of a parameter (clang only).
#define CBOUND_LIFETIMEBOUND [[clang::lifetimebound]]
#endif
#endif
#ifndef CBOUND_LIFETIMEBOUND
#define CBOUND_LIFETIMEBOUND
#endif

#ifndef CBOUND_CHECKED
/// 1: detect use of stale borrowed views at run time; 0 (default): no cost, no check.
#define CBOUND_CHECKED 0
#endif

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
/// 1 when exceptions are enabled; with -fno-exceptions only cbound's non-throwing parts are declared.
#define CBOUND_EXCEPTIONS 1
#else
#define CBOUND_EXCEPTIONS 0
#endif

namespace cbound {

/// True when this translation unit was compiled with CBOUND_CHECKED enabled.
inline constexpr bool checked_mode = CBOUND_CHECKED != 0;

namespace detail {

/// Holds `T` as `type`; dependent_t below uses it to make a type depend on a template parameter.
template <class Deferred, class T>
struct dependent_type {
    using type = T; ///< the type itself
};

/// `T`, as a type that depends on `Deferred`: a template body compiles what it does with it only when used.
template <class Deferred, class T>
using dependent_t = typename dependent_type<Deferred, T>::type;

} // namespace detail

} // namespace cbound
