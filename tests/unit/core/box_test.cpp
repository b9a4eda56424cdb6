// Tests for cbound/detail/box.hpp and cbound/detail/shared_box.hpp: the owning pointers the
// archive handles use in place of std::unique_ptr and std::shared_ptr (lighter to compile).
#include "catch.hpp"

#include <cbound/detail/box.hpp>
#include <cbound/detail/shared_box.hpp>

#include <cstddef>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

int alive = 0; // objects of the counted types below that exist now

struct counted_base {
    counted_base() { ++alive; }
    counted_base(counted_base const&) = delete;
    counted_base& operator=(counted_base const&) = delete;
    virtual ~counted_base() { --alive; }
};

struct counted : counted_base {
    explicit counted(int v = 0) : value(v) { ++alive; }
    ~counted() override { --alive; } // runs only when deleted through the right type
    int value;
};

using cbound::detail::box;
using cbound::detail::make_box;
using cbound::detail::make_shared_box;
using cbound::detail::shared_box;

} // namespace

TEST_CASE("box owns one object and frees it once", "[core][box]") {
    alive = 0;
    {
        box<counted> b = make_box<counted>(7);
        CHECK(alive == 2);
        REQUIRE(b);
        CHECK(b->value == 7);
        CHECK((*b).value == 7);
        box<counted> moved = std::move(b);
        CHECK(b == nullptr); // NOLINT(bugprone-use-after-move): moved-from is null, as unique_ptr
        CHECK(moved != nullptr);
        CHECK(alive == 2);
        moved.reset(new counted(8));
        CHECK(alive == 2);
        CHECK(moved->value == 8);
    }
    CHECK(alive == 0);
    static_assert(!std::is_copy_constructible_v<box<counted>>);
    static_assert(sizeof(box<counted>) == sizeof(void*)); // the default deleter takes no room
}

TEST_CASE("box frees a derived object through its base", "[core][box]") {
    alive = 0;
    {
        box<counted_base> base = make_box<counted>(1);
        CHECK(alive == 2);
        box<counted_base> other;
        other = std::move(base);
        CHECK(base == nullptr); // NOLINT(bugprone-use-after-move)
        CHECK(alive == 2);
    }
    CHECK(alive == 0); // both destructors ran: the virtual one was reached
}

TEST_CASE("box releases without freeing, and frees arrays with delete[]", "[core][box]") {
    alive = 0;
    counted* raw = nullptr;
    {
        box<counted> b = make_box<counted>(3);
        raw = b.release();
        CHECK(b == nullptr);
    }
    CHECK(alive == 2);
    delete raw;
    CHECK(alive == 0);
    {
        box<counted, cbound::detail::delete_array<counted>> many(new counted[3]);
        CHECK(alive == 6);
    }
    CHECK(alive == 0);
}

TEST_CASE("box calls a function-pointer deleter it was given", "[core][box]") {
    static int freed = 0;
    freed = 0;
    {
        box<int, void (*)(int*) noexcept> b(new int(5), [](int* p) noexcept {
            ++freed;
            delete p;
        });
        box<int, void (*)(int*) noexcept> moved = std::move(b);
        CHECK(*moved == 5);
    }
    CHECK(freed == 1);
}

TEST_CASE("shared_box frees its object with the last owner", "[core][box]") {
    alive = 0;
    {
        shared_box<counted> first = make_shared_box<counted>(4);
        CHECK(alive == 2);
        {
            shared_box<counted> second = first;
            shared_box<counted const> reader = second;
            shared_box<void> opaque = reader ? shared_box<void>(first) : shared_box<void>();
            CHECK(second.get() == first.get());
            CHECK(reader->value == 4);
            CHECK(opaque.get() == static_cast<void*>(first.get()));
            first.reset();
            CHECK(first == nullptr);
            CHECK(alive == 2); // three owners remain
        }
        CHECK(alive == 0); // the void owner was the last: the object's own destructor ran
    }
    CHECK(alive == 0);
}

TEST_CASE("shared_box moves without counting and assigns over what it owned", "[core][box]") {
    alive = 0;
    shared_box<counted> a = make_shared_box<counted>(1);
    shared_box<counted> b = make_shared_box<counted>(2);
    CHECK(alive == 4);
    a = b; // a's object loses its only owner
    CHECK(alive == 2);
    CHECK(a->value == 2);
    shared_box<counted_base> base = std::move(a);
    CHECK(a == nullptr); // NOLINT(bugprone-use-after-move)
    b = shared_box<counted>();
    CHECK(alive == 2);
    base.reset();
    CHECK(alive == 0);
}

TEST_CASE("shared_box copies made and dropped on several threads free once", "[core][box]") {
    alive = 0;
    {
        shared_box<counted> shared = make_shared_box<counted>(9);
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([shared] {
                for (int i = 0; i < 20000; ++i) {
                    shared_box<counted> copy = shared;
                    shared_box<void> erased = copy;
                }
            });
        for (std::thread& t : threads)
            t.join();
        CHECK(alive == 2);
    }
    CHECK(alive == 0);
}
