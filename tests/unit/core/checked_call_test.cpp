// Tests for cbound/checked_call.hpp: each failure rule, the throwing and the non-throwing
// calls, the function's name in the error, and closing with a checked result.
#include "catch.hpp"

#include <cbound/checked_call.hpp>
#include <cbound/unique_resource.hpp>

#include <cerrno>
#include <cstdio>
#include <string>
#include <system_error>
#include <type_traits>

#include <fcntl.h>
#include <unistd.h>

namespace {

// A fake C API with every way of reporting failure; `fail` makes the next call fail.
bool fail = false;

extern "C" int api_status(int x) { return fail ? 21 : x * 0; } // 0 is OK, else a status code
extern "C" int api_minus_one(void) {
    if (!fail) return 3;
    errno = EACCES;
    return -1;
}
extern "C" long api_negative_code(void) { return fail ? -ENOSPC : 12; }
extern "C" char const* api_pointer(void) {
    if (!fail) return "made";
    errno = ENOENT;
    return nullptr;
}
extern "C" char const* api_pointer_no_errno(void) {
    errno = 0;
    return fail ? nullptr : "made";
}
extern "C" int api_out_error(int x, int* err) {
    *err = fail ? 42 : 0;
    return x;
}
extern "C" void api_void_out_error(int* err) { *err = fail ? 43 : 0; }

// The API's own error category, as a binding would write one.
std::error_category const& api_category() noexcept {
    struct category final : std::error_category {
        char const* name() const noexcept override { return "api"; }
        std::string message(int code) const override { return "api code " + std::to_string(code); }
    };
    static category const instance;
    return instance;
}

constexpr auto api_ok = cbound::fails_unless_equal<0, &api_category>{};
constexpr auto api_out_ok = cbound::fails_unless_out_equal<int, 0, &api_category>{};

// A rule of one's own: two results mean success.
struct two_good_values {
    constexpr bool failed(int r) const noexcept { return r != 0 && r != 1; }
    int code(int r) const noexcept { return r; }
    static constexpr cbound::category_function category = &api_category;
};

// A closer that can be told to fail, to show what checked_close does with its answer.
int closes = 0;
int api_close(int) {
    ++closes;
    return fail ? 9 : 0;
}
using api_handle = cbound::unique_resource<int, cbound::fn_deleter<&api_close>, cbound::fd_traits>;

// The std::system_error a checked call throws, or a failed test when it throws nothing.
template <class F>
std::system_error thrown_by(F f) {
    try {
        f();
    } catch (std::system_error const& e) {
        return e;
    }
    FAIL("no std::system_error was thrown");
    return std::system_error(std::error_code());
}

} // namespace

TEST_CASE("function_name names the C function from its address") {
    REQUIRE(std::string(cbound::function_name<&api_status>()) == "api_status");
    REQUIRE(std::string(cbound::function_name<&::close>()) == "close");
}

TEST_CASE("fails_unless_equal: the result is the code, in the rule's category") {
    fail = false;
    REQUIRE(cbound::checked<&api_status, api_ok>(5) == 0);
    fail = true;
    auto e = thrown_by([] { cbound::checked<&api_status, api_ok>(5); });
    REQUIRE(e.code() == std::error_code(21, api_category()));
    REQUIRE(std::string(e.what()) == "api_status: api code 21");
}

TEST_CASE("fails_if_equal: errno is the code, read right after the call") {
    fail = false;
    REQUIRE(cbound::checked<&api_minus_one, cbound::fails_if_equal<-1>{}>() == 3);
    fail = true;
    auto e = thrown_by([] { cbound::checked<&api_minus_one, cbound::fails_if_equal<-1>{}>(); });
    REQUIRE(e.code() == std::errc::permission_denied);
    REQUIRE(std::string(e.what()).starts_with("api_minus_one: "));
}

TEST_CASE("fails_if_negative and fails_if_negative_code") {
    fail = true;
    REQUIRE(thrown_by([] { cbound::checked<&api_minus_one, cbound::fails_if_negative{}>(); }).code() ==
            std::errc::permission_denied);
    REQUIRE(thrown_by([] { cbound::checked<&api_negative_code, cbound::fails_if_negative_code{}>(); }).code() ==
            std::errc::no_space_on_device);
    fail = false;
    REQUIRE(cbound::checked<&api_negative_code, cbound::fails_if_negative_code{}>() == 12);
}

TEST_CASE("fails_if_null: errno, a fixed code, or EIO when errno says nothing") {
    fail = false;
    REQUIRE(std::string(cbound::checked<&api_pointer, cbound::fails_if_null{}>()) == "made");
    fail = true;
    REQUIRE(thrown_by([] { cbound::checked<&api_pointer, cbound::fails_if_null{}>(); }).code() ==
            std::errc::no_such_file_or_directory);
    REQUIRE(thrown_by([] { cbound::checked<&api_pointer_no_errno, cbound::fails_if_null{}>(); }).code() ==
            std::errc::io_error);
    REQUIRE(thrown_by([] { cbound::checked<&api_pointer_no_errno, cbound::fails_if_null<ENOMEM>{}>(); }).code() ==
            std::errc::not_enough_memory);
}

TEST_CASE("an error out-parameter is supplied by the call and judged by the rule") {
    fail = false;
    REQUIRE(cbound::checked<&api_out_error, api_out_ok>(8) == 8);
    cbound::checked<&api_void_out_error, api_out_ok>();
    fail = true;
    REQUIRE(thrown_by([] { cbound::checked<&api_out_error, api_out_ok>(8); }).code() ==
            std::error_code(42, api_category()));
    auto e = thrown_by([] { cbound::checked<&api_void_out_error, api_out_ok>(); });
    REQUIRE(std::string(e.what()) == "api_void_out_error: api code 43");
}

TEST_CASE("try_checked reports instead of throwing") {
    fail = false;
    auto good = cbound::try_checked<&api_status, api_ok>(1);
    REQUIRE(good.ok());
    REQUIRE(static_cast<bool>(good));
    REQUIRE(good.value() == 0);
    REQUIRE_FALSE(good.error());
    REQUIRE(std::string(good.function()) == "api_status");

    fail = true;
    auto bad = cbound::try_checked<&api_status, api_ok>(1);
    REQUIRE_FALSE(bad.ok());
    REQUIRE(bad.value() == 21); // what the function returned is kept
    REQUIRE(bad.error() == std::error_code(21, api_category()));

    auto bad_errno = cbound::try_checked<&api_minus_one, cbound::fails_if_equal<-1>{}>();
    REQUIRE(bad_errno.error() == std::errc::permission_denied);

    auto bad_void = cbound::try_checked<&api_void_out_error, cbound::fails_unless_out_equal<int, 0>{}>();
    STATIC_REQUIRE(std::is_same_v<decltype(bad_void), cbound::call_result<void>>);
    REQUIRE(bad_void.error().value() == 43);
}

TEST_CASE("a rule of one's own: any type with failed(), code() and a category") {
    STATIC_REQUIRE(cbound::failure_rule<two_good_values, int>);
    STATIC_REQUIRE(!cbound::failure_rule<int, int>);
    fail = false;
    REQUIRE(cbound::checked<&api_status, two_good_values{}>(1) == 0);
    fail = true;
    REQUIRE(cbound::try_checked<&api_status, two_good_values{}>(1).error().value() == 21);
}

TEST_CASE("checked calls a real POSIX function and names it") {
    int const fd = cbound::checked<&::open, cbound::fails_if_equal<-1>{}>("/", O_RDONLY | O_DIRECTORY);
    ::close(fd);
    auto e = thrown_by([] { cbound::checked<&::open, cbound::fails_if_equal<-1>{}>("/no/such/path", O_RDONLY); });
    REQUIRE(e.code() == std::errc::no_such_file_or_directory);
    REQUIRE(std::string(e.what()).starts_with("open: "));
}

TEST_CASE("checked_close throws on the close function's failure and leaves the handle empty") {
    closes = 0;
    fail = false;
    api_handle h{5};
    cbound::checked_close<api_ok>(h);
    REQUIRE_FALSE(h);
    REQUIRE(closes == 1);
    cbound::checked_close<api_ok>(h); // empty: nothing to close
    REQUIRE(closes == 1);

    fail = true;
    api_handle busy{6};
    auto e = thrown_by([&] { cbound::checked_close<api_ok>(busy); });
    REQUIRE(std::string(e.what()) == "api_close: api code 9");
    REQUIRE_FALSE(busy);
    REQUIRE(closes == 2); // closed once: the destructor does not close it again
}

TEST_CASE("try_checked_close reports the close function's failure without throwing") {
    closes = 0;
    fail = true;
    api_handle h{7};
    auto r = cbound::try_checked_close<api_ok>(h);
    REQUIRE_FALSE(r.ok());
    REQUIRE(r.error().value() == 9);
    REQUIRE(std::string(r.function()) == "api_close");
    REQUIRE_FALSE(h);
    fail = false;
    REQUIRE(cbound::try_checked_close<api_ok>(h).ok()); // nothing owned: nothing called
    REQUIRE(closes == 1);
}
