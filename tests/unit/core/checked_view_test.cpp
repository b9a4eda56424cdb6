// Tests for cbound/checked_view.hpp, built in both modes like generation_test.cpp: with
// CBOUND_CHECKED=1 a stale checked_view aborts with its message, with 0 it is the bare view.
#include "catch.hpp"
#include "child_process.hpp"

#include <cbound/checked_view.hpp>
#include <cbound/cstring_view.hpp>
#include <cbound/detail/generation.hpp>

#include <string_view>
#include <type_traits>

namespace {

// An owner that lends text until it "steps", as sqlite3_column_text does.
class lender {
public:
    cbound::checked_view<std::string_view> text() const noexcept {
        return {rows_[row_], generation_, "lent text after step"};
    }
    void step() noexcept {
        generation_.advance();
        ++row_;
    }

private:
    std::string_view rows_[2] = {"first", "second"};
    int row_ = 0;
    cbound::generation generation_;
};

} // namespace

TEST_CASE("a checked view gives its view while the owner has not advanced") {
    lender l;
    auto t = l.text();
    REQUIRE(t.fresh());
    REQUIRE(t.get() == "first");
    REQUIRE(t->size() == 5);
    std::string_view converted = t;
    REQUIRE(converted == "first");
}

TEST_CASE("a checked view used after its owner advanced stops only in checked mode") {
    lender l;
    auto t = l.text();
    l.step();
    REQUIRE(t.fresh() == !cbound::checked_mode);
    auto outcome = cbound_test::run_in_child([&] { static_cast<void>(t.get()); });
    if constexpr (cbound::checked_mode) {
        REQUIRE(outcome.aborted);
        REQUIRE(outcome.message == "cbound: stale view: lent text after step\n");
    } else {
        REQUIRE_FALSE(outcome.aborted);
    }
}

TEST_CASE("with checked mode off a checked view is exactly its view") {
#if CBOUND_CHECKED
    STATIC_REQUIRE(sizeof(cbound::checked_view<cbound::cstring_view>) > sizeof(cbound::cstring_view));
#else
    STATIC_REQUIRE(sizeof(cbound::checked_view<cbound::cstring_view>) == sizeof(cbound::cstring_view));
    STATIC_REQUIRE(std::is_empty_v<cbound::generation>);
    STATIC_REQUIRE(std::is_trivially_copyable_v<cbound::checked_view<cbound::cstring_view>>);
#endif
}

TEST_CASE("the detail names the archive binding uses are the public ones") {
    STATIC_REQUIRE(std::is_same_v<cbound::detail::generation, cbound::generation>);
}
