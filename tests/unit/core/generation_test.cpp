// Tests for cbound/detail/generation.hpp. This file is built twice: with CBOUND_CHECKED=0
// (stamps are empty and never stop the program) and with CBOUND_CHECKED=1 (a stale stamp
// aborts with a message); each test asserts what its own mode promises.
#include "catch.hpp"
#include "child_process.hpp"

#include <cbound/detail/generation.hpp>

#include <string>
#include <type_traits>

TEST_CASE("checked_mode reflects CBOUND_CHECKED") { STATIC_REQUIRE(cbound::checked_mode == (CBOUND_CHECKED != 0)); }

TEST_CASE("a fresh stamp passes its check") {
    cbound::detail::generation g;
    cbound::detail::generation_stamp stamp{g};
    auto outcome = cbound_test::run_in_child([&] { stamp.check("fresh"); });
    REQUIRE_FALSE(outcome.aborted);
    REQUIRE(outcome.message.empty());
}

TEST_CASE("a stamp taken before the owner advanced is caught only in checked mode") {
    cbound::detail::generation g;
    cbound::detail::generation_stamp stamp{g};
    g.advance();
    auto outcome = cbound_test::run_in_child([&] { stamp.check("entry_view after next()"); });
    if constexpr (cbound::checked_mode) {
        REQUIRE(outcome.aborted);
        REQUIRE(outcome.message == "cbound: stale view: entry_view after next()\n");
    } else {
        REQUIRE_FALSE(outcome.aborted);
        REQUIRE(outcome.message.empty());
    }
}

TEST_CASE("a default stamp belongs to no owner: checked mode rejects it") {
    cbound::detail::generation_stamp orphan;
    auto outcome = cbound_test::run_in_child([&] { orphan.check("orphan"); });
    REQUIRE(outcome.aborted == cbound::checked_mode);
}

// Preprocessor, not if constexpr: a static_assert outside a template fires in both branches.
TEST_CASE("stamps are empty with checked mode off and carry owner and counter with it on") {
#if CBOUND_CHECKED
    STATIC_REQUIRE(sizeof(cbound::detail::generation_stamp) > sizeof(void*)); // pointer + counter
#else
    STATIC_REQUIRE(std::is_empty_v<cbound::detail::generation>);
    STATIC_REQUIRE(std::is_empty_v<cbound::detail::generation_stamp>);
    STATIC_REQUIRE(std::is_trivially_copyable_v<cbound::detail::generation_stamp>);
#endif
}

TEST_CASE("stale_view stops the program with the message") {
    auto outcome = cbound_test::run_in_child([] { cbound::detail::stale_view("span of a closed tarball"); });
    REQUIRE(outcome.aborted);
    REQUIRE(outcome.message == "cbound: stale view: span of a closed tarball\n");
}
