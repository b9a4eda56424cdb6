// Tests for cbound/callback.hpp: the owning type-erased callable that replaces std::function.
//
// This file replaces the global operator new to count allocations (a small callable must be
// stored inline), so it is a program of its own (unit_core_callback).
#include "catch.hpp"

#include <cbound/callback.hpp>

#include <array>
#include <cstddef>
#include <cstdlib>
#include <functional> // on purpose: a std::function must convert
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace {
std::size_t allocations = 0; // operator new calls since the program started
} // namespace

// Every form that pairs with a plain operator delete is replaced, so that each block is freed
// by the allocator that made it (AddressSanitizer checks the pairs).
void* operator new(std::size_t n) {
    ++allocations;
    if (void* p = std::malloc(n > 0 ? n : 1)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, std::nothrow_t const&) noexcept {
    ++allocations;
    return std::malloc(n > 0 ? n : 1);
}
void* operator new[](std::size_t n, std::nothrow_t const& tag) noexcept { return operator new(n, tag); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::nothrow_t const&) noexcept { std::free(p); }
void operator delete[](void* p, std::nothrow_t const&) noexcept { std::free(p); }

namespace {

/// Allocations made while `f` runs.
template <class F>
std::size_t allocations_during(F&& f) {
    std::size_t const before = allocations;
    std::forward<F>(f)();
    return allocations - before;
}

int add_one(int x) { return x + 1; }

// A callable that counts its copies and moves, and how many of it are alive.
struct counted {
    static inline int copies = 0;
    static inline int alive = 0;
    int value = 0;
    explicit counted(int v) : value(v) { ++alive; }
    counted(counted const& o) : value(o.value) {
        ++copies;
        ++alive;
    }
    counted(counted&& o) noexcept : value(o.value) { ++alive; }
    counted& operator=(counted const&) = delete;
    ~counted() { --alive; }
    int operator()() { return ++value; } // non-const: the callback keeps the state between calls
};

} // namespace

TEST_CASE("callback: default, nullptr, null function pointer and empty std::function are empty", "[callback]") {
    cbound::callback<int(int)> a;
    cbound::callback<int(int)> b = nullptr;
    int (*null_fn)(int) = nullptr;
    cbound::callback<int(int)> c = null_fn;
    cbound::callback<int(int)> d = std::function<int(int)>{};
    CHECK_FALSE(a);
    CHECK_FALSE(b);
    CHECK_FALSE(c);
    CHECK_FALSE(d);
    CHECK(a == nullptr);
    cbound::callback<int(int)> e = add_one;
    CHECK(e);
    CHECK_FALSE(e == nullptr);
    e = nullptr;
    CHECK_FALSE(e);
}

TEST_CASE("callback: calling an empty one throws bad_callback_call, an std::exception", "[callback]") {
    cbound::callback<std::string(int)> empty;
    CHECK_THROWS_AS(empty(1), cbound::bad_callback_call);
    try {
        empty(1);
    } catch (std::exception const& e) {
        CHECK(std::string(e.what()).find("empty") != std::string::npos);
    }
}

TEST_CASE("callback: calls with arguments and converts the result", "[callback]") {
    cbound::callback<long(int)> from_function = add_one; // int result converts to long
    CHECK(from_function(41) == 42L);
    cbound::callback<std::string(char const*, std::size_t)> from_lambda = [](char const* s, std::size_t n) {
        return s + n; // a char const*, converted to std::string
    };
    CHECK(from_lambda("hello", 2) == "llo");
    cbound::callback<void(int&)> discards = [](int& x) { return ++x; }; // the result of a void callback is dropped
    int x = 1;
    discards(x);
    CHECK(x == 2);
    std::function<int(int)> stdf = [](int v) { return v * 3; };
    cbound::callback<int(int)> from_std = stdf;
    CHECK(from_std(5) == 15);
    static_assert(!std::is_constructible_v<cbound::callback<int(int)>, std::string>);   // not callable
    static_assert(!std::is_constructible_v<cbound::callback<int(int)>, void (*)(int)>); // void result
}

TEST_CASE("callback: a copy has its own state, and copies the target once", "[callback]") {
    counted::copies = 0;
    {
        cbound::callback<int()> a = counted{10};
        CHECK(counted::copies == 0); // moved in, not copied
        CHECK(a() == 11);
        cbound::callback<int()> b = a;
        CHECK(counted::copies == 1);
        CHECK(b() == 12);
        CHECK(b() == 13);
        CHECK(a() == 12); // a's target did not see b's calls
        a = b;
        CHECK(a() == 14);
        CHECK(counted::alive == 2);
    }
    CHECK(counted::alive == 0);
}

TEST_CASE("callback: move leaves the source empty and does not copy", "[callback]") {
    counted::copies = 0;
    {
        cbound::callback<int()> a = counted{0};
        cbound::callback<int()> b = std::move(a);
        CHECK_FALSE(a); // NOLINT(bugprone-use-after-move): moved-from state is specified
        CHECK(b() == 1);
        cbound::callback<int()> c;
        c = std::move(b);
        CHECK_FALSE(b); // NOLINT(bugprone-use-after-move)
        CHECK(c() == 2);
        swap(a, c);
        CHECK(a() == 3);
        CHECK_FALSE(c);
        CHECK(counted::copies == 0);
        CHECK(counted::alive == 1);
    }
    CHECK(counted::alive == 0);
    static_assert(std::is_nothrow_move_constructible_v<cbound::callback<int()>>);
    static_assert(std::is_nothrow_move_assignable_v<cbound::callback<int()>>);
}

TEST_CASE("callback: a small capture is stored inline, without allocating", "[callback]") {
    int a = 1;
    int b = 2;
    std::shared_ptr<int> shared = std::make_shared<int>(3);
    std::size_t const n = allocations_during([&] {
        cbound::callback<int()> refs = [&a, &b] { return a + b; };
        cbound::callback<int()> owner = [shared, k = 4] { return *shared + k; }; // not trivially copyable
        cbound::callback<int()> copy = refs;
        cbound::callback<int()> moved = std::move(owner);
        cbound::callback<int()> copied_owner = moved;
        cbound::callback<int(int)> pointer = add_one;
        CHECK(refs() + copy() == 6);
        CHECK(moved() + copied_owner() == 14);
        CHECK(pointer(1) == 2);
    });
    CHECK(n == 0);
    CHECK(shared.use_count() == 1);
}

TEST_CASE("callback: a large capture lives on the heap and works", "[callback]") {
    std::array<long, 16> big{};
    big[15] = 7;
    std::string text(100, 'x');
    std::size_t made = 0;
    std::size_t copied = 0;
    {
        cbound::callback<long()> f;
        made = allocations_during([&] { f = [big, text] { return big[15] + static_cast<long>(text.size()); }; });
        CHECK(f() == 107);
        cbound::callback<long()> g;
        copied = allocations_during([&] { g = f; });
        cbound::callback<long()> h;
        CHECK(allocations_during([&] { h = std::move(f); }) == 0); // the pointer changes hands
        CHECK_FALSE(f);                                            // NOLINT(bugprone-use-after-move)
        CHECK(g() == 107);
        CHECK(h() == 107);
    }
    CHECK(made >= 1);
    CHECK(copied >= 1);
}

TEST_CASE("callback: an exception from the target propagates", "[callback]") {
    cbound::callback<int(int)> f = [](int x) -> int {
        if (x < 0) throw std::invalid_argument("negative");
        return x;
    };
    CHECK(f(3) == 3);
    CHECK_THROWS_AS(f(-1), std::invalid_argument);
    CHECK(f(4) == 4); // still usable
}

TEST_CASE("callback: arguments are forwarded, not copied (move-only and reference arguments)", "[callback]") {
    cbound::callback<int(std::unique_ptr<int>)> take = [](std::unique_ptr<int> p) { return *p; };
    CHECK(take(std::make_unique<int>(5)) == 5);

    counted::copies = 0;
    cbound::callback<int(counted const&)> by_ref = [](counted const& c) { return c.value; };
    counted arg{9};
    CHECK(by_ref(arg) == 9);
    cbound::callback<int(counted &&)> by_rvalue = [](counted&& c) {
        counted kept = std::move(c);
        return kept.value;
    };
    CHECK(by_rvalue(counted{8}) == 8);
    CHECK(counted::copies == 0);

    cbound::callback<int&(int&)> same = [](int& r) -> int& { return r; };
    int target = 0;
    same(target) = 3;
    CHECK(target == 3);
}
