// cbound — checked calls: say once how a C function reports failure, then call it checked.
//
// Every C API has its own way of saying "failed": sqlite3 returns something other than
// SQLITE_OK, POSIX returns -1 and sets errno, fopen returns NULL, OpenCL writes an error
// code through a last out-parameter. A *failure rule* states that once, as a constexpr
// value; the rule and the function are template arguments of the call:
//
//   constexpr auto sqlite_ok = cbound::fails_unless_equal<SQLITE_OK, &sqlite_category>{};
//   cbound::checked<&sqlite3_exec, sqlite_ok>(db, sql, nullptr, nullptr, nullptr);
//
//   checked<&f, rule>(args...)      calls f; on failure throws std::system_error whose
//                                   what() starts with the function's name ("sqlite3_exec: ...")
//                                   and whose code() is the rule's error code; returns f's result
//   try_checked<&f, rule>(args...)  never throws (usable with -fno-exceptions): returns a
//                                   call_result holding f's result and, on failure, the error
//   checked_close<rule>(h)          closes a unique_resource now and throws if its close
//   try_checked_close<rule>(h)      function failed (or reports it, not throwing)
//
// The success path is the raw call plus the rule's one comparison: the function's name and
// the error code are only computed on failure (tests/codegen/checked_pairs.cpp pins it).
//
// Rules shipped here (any type with failed(r), code(r) and a static category, see
// failure_rule, works too):
//   fails_unless_equal<V>      result != V is failure; the result is the code (sqlite, pthread)
//   fails_if_equal<V>          result == V is failure; errno is the code (POSIX -1)
//   fails_if_negative          result < 0 is failure; errno is the code (read, write)
//   fails_if_negative_code     result < 0 is failure; -result is the code (kernel style)
//   fails_if_null              result == nullptr is failure; errno (or a fixed code) is the code
//   fails_unless_out_equal<E, V>  the call gets an extra last argument E*; *out != V is
//                              failure and *out is the code (OpenCL's errcode_ret)
// Each rule takes the std::error_category of its codes as a function (std::generic_category
// by default). Rules are empty types whose constants are template arguments, so a rule value
// is itself a valid template argument:
//   constexpr auto sqlite_ok = cbound::fails_unless_equal<SQLITE_OK, &sqlite_category>{};
#pragma once

#include <cbound/config.hpp>
#include <cbound/unique_resource.hpp>

#include <array>
#include <cerrno>
#include <concepts>
#include <cstddef>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>

namespace cbound {

/// A function returning the category a rule's error codes belong to (std::generic_category, ...).
using category_function = std::error_category const& (*)() noexcept;

namespace detail {

// The name of the function `Fn` points to, read from the compiler's __PRETTY_FUNCTION__
// ("... [with auto Fn = sqlite3_exec]" on GCC, "... [Fn = &sqlite3_exec]" on Clang).
template <auto Fn>
constexpr std::string_view pretty_function() noexcept {
#if defined(__GNUC__) || defined(__clang__)
    return __PRETTY_FUNCTION__;
#else
    return "";
#endif
}

template <auto Fn>
constexpr std::string_view function_name_view() noexcept {
    std::string_view s = pretty_function<Fn>();
    std::size_t const at = s.find("Fn = ");
    if (at == std::string_view::npos) return "C function";
    s.remove_prefix(at + 5);
    if (!s.empty() && s.front() == '&') s.remove_prefix(1);
    std::size_t const end = s.find_first_of(";]");
    return s.substr(0, end);
}

// The name without anonymous-namespace qualifiers (GCC: "{anonymous}::", Clang: "(anonymous
// namespace)::"): they say nothing to the reader of an error message. Copies the kept
// characters to `out` (when given) and returns how many there are.
constexpr std::size_t drop_anonymous(std::string_view name, char* out) noexcept {
    constexpr std::string_view markers[] = {"{anonymous}::", "(anonymous namespace)::"};
    std::size_t n = 0;
    for (std::size_t i = 0; i < name.size();) {
        bool skipped = false;
        for (std::string_view m : markers) {
            if (name.substr(i, m.size()) == m) {
                i += m.size();
                skipped = true;
            }
        }
        if (skipped) continue;
        if (out != nullptr) out[n] = name[i];
        ++n;
        ++i;
    }
    return n;
}

// The name as a NUL-terminated constant: std::system_error takes a `const char*`.
template <auto Fn>
constexpr auto function_name_array() noexcept {
    constexpr std::string_view name = function_name_view<Fn>();
    std::array<char, drop_anonymous(name, nullptr) + 1> out{};
    drop_anonymous(name, out.data());
    return out;
}
template <auto Fn>
inline constexpr auto function_name_storage = function_name_array<Fn>();

// errno as a failure code: 0 would read as success in a std::error_code, so a function that
// failed without setting errno reports EIO.
inline int errno_or_eio() noexcept {
    int const e = errno;
    return e != 0 ? e : EIO;
}

#if CBOUND_EXCEPTIONS
// Out of line and cold: the success path of a checked call carries only a call to it, and
// even the category is looked up here, not at the call site.
[[noreturn, gnu::cold, gnu::noinline]] inline void throw_failed_call(char const* function, int code,
                                                                     category_function category) {
    throw std::system_error(code, category(), function);
}
#endif

} // namespace detail

/// The name of the C function `Fn` points to, as a NUL-terminated string ("sqlite3_exec").
template <auto Fn>
[[nodiscard]] constexpr char const* function_name() noexcept {
    return detail::function_name_storage<Fn>.data();
}

/// Failure when the result differs from `Good`; the result is the error code, in `Category`
/// (sqlite3, pthread).
template <auto Good, category_function Category = &std::generic_category>
struct fails_unless_equal {
    /// Whether `r` means failure.
    template <class R>
    [[nodiscard]] constexpr bool failed(R const& r) const noexcept {
        return r != Good;
    }
    /// The code of a failed call: its result.
    template <class R>
    [[nodiscard]] int code(R const& r) const noexcept {
        return static_cast<int>(r);
    }
    /// The category of the codes.
    static constexpr category_function category = Category;
};

/// Failure when the result equals `Bad`; errno is the error code, in `Category` (POSIX's -1).
template <auto Bad, category_function Category = &std::generic_category>
struct fails_if_equal {
    /// Whether `r` means failure.
    template <class R>
    [[nodiscard]] constexpr bool failed(R const& r) const noexcept {
        return r == Bad;
    }
    /// The code of a failed call: errno (EIO if the function left it 0).
    template <class R>
    [[nodiscard]] int code(R const&) const noexcept {
        return detail::errno_or_eio();
    }
    /// The category of the codes.
    static constexpr category_function category = Category;
};

/// Failure when the result is negative; errno is the error code (read, write, ioctl).
template <category_function Category = &std::generic_category>
struct fails_if_negative {
    /// Whether `r` means failure.
    template <class R>
    [[nodiscard]] constexpr bool failed(R const& r) const noexcept {
        return r < 0;
    }
    /// The code of a failed call: errno (EIO if the function left it 0).
    template <class R>
    [[nodiscard]] int code(R const&) const noexcept {
        return detail::errno_or_eio();
    }
    /// The category of the codes.
    static constexpr category_function category = Category;
};

/// Failure when the result is negative; the negated result is the error code (-EINVAL style).
template <category_function Category = &std::generic_category>
struct fails_if_negative_code {
    /// Whether `r` means failure.
    template <class R>
    [[nodiscard]] constexpr bool failed(R const& r) const noexcept {
        return r < 0;
    }
    /// The code of a failed call: -r.
    template <class R>
    [[nodiscard]] int code(R const& r) const noexcept {
        return static_cast<int>(-r);
    }
    /// The category of the codes.
    static constexpr category_function category = Category;
};

/// Failure when the result is a null pointer (fopen, malloc, sqlite3_mprintf).
/// `Code` is the code to report; 0 (the default) means errno (EIO if the function left it 0).
template <int Code = 0, category_function Category = &std::generic_category>
struct fails_if_null {
    /// Whether `r` means failure.
    template <class R>
    [[nodiscard]] constexpr bool failed(R const& r) const noexcept {
        return r == nullptr;
    }
    /// The code of a failed call: `code`, or errno.
    template <class R>
    [[nodiscard]] int code(R const&) const noexcept {
        return Code != 0 ? Code : detail::errno_or_eio();
    }
    /// The category of the codes.
    static constexpr category_function category = Category;
};

/// Failure told through an extra last argument `E*`, which the call supplies: failure when
/// the function wrote something other than `Good` there; that value is the error code.
template <class E, E Good, category_function Category = &std::generic_category>
struct fails_unless_out_equal {
    /// The type of the error out-parameter's target.
    using out_type = E;
    /// Whether the call failed, from its result and the out-parameter.
    template <class R>
    [[nodiscard]] constexpr bool failed(R const&, E const& out) const noexcept {
        return out != Good;
    }
    /// The code of a failed call: the value written to the out-parameter.
    template <class R>
    [[nodiscard]] int code(R const&, E const& out) const noexcept {
        return static_cast<int>(out);
    }
    /// The category of the codes.
    static constexpr category_function category = Category;
};

namespace detail {
// A void function is checked through its out-parameter only; the rule sees a placeholder.
struct no_result {};
template <class R>
using result_or_placeholder = std::conditional_t<std::is_void_v<R>, no_result, R>;
} // namespace detail

/// Whether a failure rule is told through an error out-parameter (it names an out_type).
template <class Rule>
concept has_error_out = requires {
    typename Rule::out_type;
};

/// A failure rule for results of type R: failed(r) tells failure apart, code(r) gives its
/// error code (read at once: errno does not last) and the static `category` names the
/// category, looked up only when someone asks (so an unused error costs no call).
template <class Rule, class R>
concept failure_rule = requires {
    { Rule::category } -> std::convertible_to<category_function>;
}
&&((has_error_out<Rule> &&
    requires(Rule const& rule, R const& r, typename Rule::out_type const& out) {
        { rule.failed(r, out) } -> std::convertible_to<bool>;
        { rule.code(r, out) } -> std::same_as<int>;
    }) ||
   (!has_error_out<Rule> && requires(Rule const& rule, R const& r) {
       { rule.failed(r) } -> std::convertible_to<bool>;
       { rule.code(r) } -> std::same_as<int>;
   }));

/// What try_checked returns: the function's result and, when the rule saw failure, the error.
template <class R>
class [[nodiscard]] call_result {
public:
    /// A successful call that returned `value`, of the function named `function`.
    constexpr call_result(R value, char const* function) noexcept : value_(std::move(value)), function_(function) {}
    /// A failed call that returned `value`; its error is `code` in `category()`.
    constexpr call_result(R value, char const* function, int code, category_function category) noexcept
        : value_(std::move(value)), function_(function), category_(category), code_(code) {}

    /// Whether the call succeeded.
    [[nodiscard]] constexpr bool ok() const noexcept { return category_ == nullptr; }
    /// Whether the call succeeded.
    constexpr explicit operator bool() const noexcept { return ok(); }
    /// What the function returned (also on failure: sqlite's SQLITE_BUSY, POSIX's -1).
    [[nodiscard]] constexpr R const& value() const& noexcept { return value_; }
    /// What the function returned, moved out.
    [[nodiscard]] constexpr R&& value() && noexcept { return std::move(value_); }
    /// The error of a failed call; an empty std::error_code when it succeeded.
    [[nodiscard]] std::error_code error() const noexcept {
        return ok() ? std::error_code() : std::error_code(code_, category_());
    }
    /// The name of the function that was called ("sqlite3_exec").
    [[nodiscard]] constexpr char const* function() const noexcept { return function_; }

private:
    R value_;
    char const* function_;
    // Not a std::error_code: making one calls the category function (std::generic_category
    // is out of line), which would put a call on every path, used or not.
    category_function category_ = nullptr;
    int code_ = 0;
};

/// What try_checked returns for a function returning void (checked through an out-parameter).
template <>
class [[nodiscard]] call_result<void> {
public:
    /// A successful call of the function named `function`.
    constexpr explicit call_result(char const* function) noexcept : function_(function) {}
    /// A failed call; its error is `code` in `category()`.
    constexpr call_result(char const* function, int code, category_function category) noexcept
        : function_(function), category_(category), code_(code) {}

    /// Whether the call succeeded.
    [[nodiscard]] constexpr bool ok() const noexcept { return category_ == nullptr; }
    /// Whether the call succeeded.
    constexpr explicit operator bool() const noexcept { return ok(); }
    /// The error of a failed call; an empty std::error_code when it succeeded.
    [[nodiscard]] std::error_code error() const noexcept {
        return ok() ? std::error_code() : std::error_code(code_, category_());
    }
    /// The name of the function that was called.
    [[nodiscard]] constexpr char const* function() const noexcept { return function_; }

private:
    char const* function_;
    category_function category_ = nullptr;
    int code_ = 0;
};

namespace detail {

template <auto Rule>
using rule_t = std::remove_cvref_t<decltype(Rule)>;

// What Fn returns when called with Args (and the rule's error out-parameter, if any). Fn's
// type is never a template argument itself: GCC warns that it drops the attributes of C
// functions such as open's nonnull.
template <auto Fn, auto Rule, class... Args>
constexpr auto checked_result() {
    if constexpr (has_error_out<rule_t<Rule>>) {
        return std::type_identity<decltype(Fn(std::declval<Args>()...,
                                              std::declval<typename rule_t<Rule>::out_type*>()))>{};
    } else {
        return std::type_identity<decltype(Fn(std::declval<Args>()...))>{};
    }
}
template <auto Fn, auto Rule, class... Args>
using checked_result_t = typename decltype(checked_result<Fn, Rule, Args...>())::type;

// Fn can be called with Args (plus the error out-parameter), and Rule judges its result.
template <auto Fn, auto Rule, class... Args>
concept checkable = ((has_error_out<rule_t<Rule>> &&
                      requires(typename rule_t<Rule>::out_type * out) { Fn(std::declval<Args>()..., out); }) ||
                     (!has_error_out<rule_t<Rule>> && requires { Fn(std::declval<Args>()...); })) &&
                    failure_rule<rule_t<Rule>, result_or_placeholder<checked_result_t<Fn, Rule, Args...>>>;

// Calls Fn (appending the rule's error out-parameter if it has one) and hands the result and
// the failure verdict to `on_done(result, failed, code)`; the code (errno for some rules) is
// read right after the call, and only on failure.
template <auto Fn, auto Rule, class OnDone, class... Args>
constexpr decltype(auto) call_with_rule(OnDone&& on_done, Args&&... args) {
    using result = checked_result_t<Fn, Rule, Args...>;
    if constexpr (has_error_out<rule_t<Rule>>) {
        typename rule_t<Rule>::out_type out{};
        if constexpr (std::is_void_v<result>) {
            Fn(std::forward<Args>(args)..., &out);
            no_result const r{};
            bool const failed = Rule.failed(r, out);
            return on_done(r, failed, failed ? Rule.code(r, out) : 0);
        } else {
            result r = Fn(std::forward<Args>(args)..., &out);
            bool const failed = Rule.failed(r, out);
            return on_done(r, failed, failed ? Rule.code(r, out) : 0);
        }
    } else {
        static_assert(!std::is_void_v<result>,
                      "a function returning void can only be checked through an out-parameter");
        result r = Fn(std::forward<Args>(args)...);
        bool const failed = Rule.failed(r);
        return on_done(r, failed, failed ? Rule.code(r) : 0);
    }
}

template <auto>
inline constexpr bool dependent_false = false;

} // namespace detail

#if CBOUND_EXCEPTIONS
/// Calls `Fn(args...)` and returns its result; throws std::system_error naming `Fn` when
/// `Rule` says the call failed.
template <auto Fn, auto Rule, class... Args>
requires detail::checkable<Fn, Rule, Args...>
constexpr detail::checked_result_t<Fn, Rule, Args...> checked(Args&&... args) {
    return detail::call_with_rule<Fn, Rule>(
        [](auto const& r, bool failed, int code) -> detail::checked_result_t<Fn, Rule, Args...> {
            if (failed) [[unlikely]]
                detail::throw_failed_call(function_name<Fn>(), code, detail::rule_t<Rule>::category);
            if constexpr (!std::is_same_v<std::remove_cvref_t<decltype(r)>, detail::no_result>) return r;
        },
        std::forward<Args>(args)...);
}
#else
/// With -fno-exceptions checked() cannot throw: this overload only explains what to use instead.
template <auto Fn, auto Rule, class... Args>
void checked(Args&&...) {
    static_assert(
        detail::dependent_false<Fn>,
        "cbound::checked throws, and exceptions are disabled: use cbound::try_checked, which returns a call_result");
}
#endif

/// Calls `Fn(args...)` and never throws: the call_result holds the result and, when `Rule`
/// says the call failed, the error.
template <auto Fn, auto Rule, class... Args>
requires detail::checkable<Fn, Rule, Args...>
[[nodiscard]] constexpr call_result<detail::checked_result_t<Fn, Rule, Args...>> try_checked(Args&&... args) {
    using result = detail::checked_result_t<Fn, Rule, Args...>;
    return detail::call_with_rule<Fn, Rule>(
        [](auto const& r, bool failed, int code) -> call_result<result> {
            constexpr category_function category = detail::rule_t<Rule>::category;
            if constexpr (std::is_void_v<result>) {
                if (failed) [[unlikely]]
                    return call_result<void>(function_name<Fn>(), code, category);
                return call_result<void>(function_name<Fn>());
            } else {
                if (failed) [[unlikely]]
                    return call_result<result>(r, function_name<Fn>(), code, category);
                return call_result<result>(r, function_name<Fn>());
            }
        },
        std::forward<Args>(args)...);
}

#if CBOUND_EXCEPTIONS
/// Closes `h` now (it is left empty whatever happens) and throws std::system_error naming
/// the close function when `Rule` says the close failed. Does nothing when `h` owns nothing.
template <auto Rule, class T, auto Close, class Traits>
void checked_close(unique_resource<T, fn_deleter<Close>, Traits>& h) {
    if (!h) return;
    static_cast<void>(checked<Close, Rule>(h.release()));
}
#endif

/// Closes `h` now (it is left empty whatever happens) and reports whether `Rule` says the
/// close failed; never throws. A handle that owns nothing is a success without a call.
template <auto Rule, class T, auto Close, class Traits>
[[nodiscard]] call_result<void> try_checked_close(unique_resource<T, fn_deleter<Close>, Traits>& h) noexcept {
    if (!h) return call_result<void>(function_name<Close>());
    auto const r = try_checked<Close, Rule>(h.release());
    return r ? call_result<void>(r.function())
             : call_result<void>(r.function(), r.error().value(), detail::rule_t<Rule>::category);
}

} // namespace cbound
