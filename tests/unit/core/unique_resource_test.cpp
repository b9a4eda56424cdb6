// Tests for cbound/unique_resource.hpp: single ownership, exactly one close, zero size cost.
#include "catch.hpp"
#include "test_support.hpp"

#include <cbound/unique_resource.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <type_traits>
#include <utility>

namespace {

// A fake C API whose close function counts its calls, so a double or a missing close shows.
int closes = 0;
int last_closed = 0;
int next_handle = 100;

int count_close(int handle) {
    ++closes;
    last_closed = handle;
    return 0;
}

// A C-style out-parameter factory, like archive_read_new into a slot or pipe(2).
int make_handle(int* out) {
    *out = next_handle++;
    return 0;
}

using counted = cbound::unique_resource<int, cbound::fn_deleter<&count_close>, cbound::fd_traits>;

// Resets the counters at the start of each test: Catch2 may run tests in one process.
void reset_counters() {
    closes = 0;
    last_closed = 0;
}

// An opaque C type with a free function that accepts NULL, as archive_read_free does.
struct archive_like;
int archive_like_closes = 0;
archive_like* archive_like_last = nullptr;
int archive_like_free(archive_like* a) {
    ++archive_like_closes;
    archive_like_last = a;
    return 0;
}
archive_like* fake_archive(std::uintptr_t n) { return reinterpret_cast<archive_like*>(n * alignof(std::max_align_t)); }

using archive_handle = cbound::unique_resource<archive_like*, cbound::fn_deleter<&archive_like_free>,
                                               cbound::nullable_pointer_traits<archive_like*>>;

} // namespace

TEST_CASE("a handle closes what it owns exactly once, when it dies") {
    reset_counters();
    {
        counted h{7};
        REQUIRE(h);
        REQUIRE(h.get() == 7);
        REQUIRE(closes == 0);
    }
    REQUIRE(closes == 1);
    REQUIRE(last_closed == 7);
}

TEST_CASE("an empty handle never calls a close function that rejects the invalid value") {
    reset_counters();
    {
        counted empty;
        REQUIRE_FALSE(empty);
        REQUIRE(empty.get() == -1);
        counted explicit_invalid{-1};
        REQUIRE_FALSE(explicit_invalid);
    }
    REQUIRE(closes == 0);
}

TEST_CASE("moves are noexcept and transfer ownership, leaving the source empty") {
    STATIC_REQUIRE(std::is_nothrow_move_constructible_v<counted>);
    STATIC_REQUIRE(std::is_nothrow_move_assignable_v<counted>);
    STATIC_REQUIRE(std::is_nothrow_destructible_v<counted>);
    STATIC_REQUIRE(!std::is_copy_constructible_v<counted>);
    STATIC_REQUIRE(!std::is_copy_assignable_v<counted>);
    STATIC_REQUIRE(!std::is_convertible_v<int, counted>);  // the raw-value constructor is explicit
    STATIC_REQUIRE(!std::is_convertible_v<counted, bool>); // operator bool is explicit
    reset_counters();
    {
        counted a{1};
        counted b{std::move(a)};
        REQUIRE_FALSE(a); // NOLINT(bugprone-use-after-move): the moved-from state is the subject
        REQUIRE(a.get() == -1);
        REQUIRE(b.get() == 1);

        counted c{2};
        c = std::move(b); // closes 2, takes 1
        REQUIRE(closes == 1);
        REQUIRE(last_closed == 2);
        REQUIRE_FALSE(b);
        REQUIRE(c.get() == 1);
    }
    REQUIRE(closes == 2); // 1 closed once by c; a and b were empty
    REQUIRE(last_closed == 1);
}

TEST_CASE("self-move-assignment keeps the handle open") {
    reset_counters();
    {
        counted a{3};
        counted& alias = a;
        a = std::move(alias);
        REQUIRE(a.get() == 3);
        REQUIRE(closes == 0);
    }
    REQUIRE(closes == 1);
}

TEST_CASE("release gives up ownership without closing") {
    reset_counters();
    int raw = 0;
    {
        counted h{9};
        raw = h.release();
        REQUIRE_FALSE(h);
    }
    REQUIRE(raw == 9);
    REQUIRE(closes == 0);
}

TEST_CASE("reset closes the old handle and takes the new one") {
    reset_counters();
    counted h{4};
    h.reset(5);
    REQUIRE(closes == 1);
    REQUIRE(last_closed == 4);
    REQUIRE(h.get() == 5);
    h.reset();
    REQUIRE(closes == 2);
    REQUIRE(last_closed == 5);
    REQUIRE_FALSE(h);
    h.reset(); // empty to empty: nothing to close
    REQUIRE(closes == 2);
}

TEST_CASE("reset to the value already held is a no-op, not a close of a live handle") {
    reset_counters();
    {
        counted h{6};
        h.reset(6);
        REQUIRE(closes == 0);
        REQUIRE(h.get() == 6);
    }
    REQUIRE(closes == 1);
}

TEST_CASE("put closes the old value and lets a C out-parameter write into the handle") {
    reset_counters();
    next_handle = 100;
    {
        counted h{8};
        REQUIRE(make_handle(h.put()) == 0);
        REQUIRE(closes == 1);
        REQUIRE(last_closed == 8);
        REQUIRE(h.get() == 100);

        counted empty;
        REQUIRE(make_handle(empty.put()) == 0);
        REQUIRE(closes == 1); // nothing was owned, nothing closed
        REQUIRE(empty.get() == 101);
    }
    REQUIRE(closes == 3);
}

TEST_CASE("taking the address gives a pointer to the handle, not to the raw value") {
    counted h;
    STATIC_REQUIRE(std::is_same_v<decltype(&h), counted*>);
    STATIC_REQUIRE(std::is_same_v<decltype(h.put()), int*>);
}

TEST_CASE("swap exchanges handles without closing either") {
    reset_counters();
    {
        counted a{10};
        counted b{11};
        swap(a, b);
        REQUIRE(a.get() == 11);
        REQUIRE(b.get() == 10);
        REQUIRE(closes == 0);
    }
    REQUIRE(closes == 2);
}

TEST_CASE("a custom sentinel marks the empty value") {
    reset_counters();
    using zero_is_none =
        cbound::unique_resource<int, cbound::fn_deleter<&count_close>, cbound::sentinel_traits<int, 0>>;
    {
        zero_is_none none;
        REQUIRE_FALSE(none);
        REQUIRE(none.get() == 0);
        zero_is_none minus_one{-1}; // -1 is an ordinary handle for this API
        REQUIRE(minus_one);
    }
    REQUIRE(closes == 1);
    REQUIRE(last_closed == -1);
}

TEST_CASE("when the close function accepts the invalid value, the destructor calls it unconditionally") {
    reset_counters();
    using tolerant =
        cbound::unique_resource<int, cbound::fn_deleter<&count_close>, cbound::sentinel_traits<int, -1, true>>;
    {
        tolerant empty;
        REQUIRE_FALSE(empty);
    }
    REQUIRE(closes == 1);
    REQUIRE(last_closed == -1);

    archive_like_closes = 0;
    { archive_handle none; }
    REQUIRE(archive_like_closes == 1);
    REQUIRE(archive_like_last == nullptr);
    archive_handle b;
    {
        archive_handle a{fake_archive(1)};
        b = std::move(a); // b closes the nullptr it held
    }                     // the moved-from a closes nullptr harmlessly
    REQUIRE(archive_like_closes == 3);
    REQUIRE(archive_like_last == nullptr);
    b.reset();
    REQUIRE(archive_like_closes == 4);
    REQUIRE(archive_like_last == fake_archive(1)); // the real value is closed exactly once
}

TEST_CASE("handles are exactly as large as the raw value") {
    STATIC_REQUIRE(sizeof(counted) == sizeof(int));
    STATIC_REQUIRE(sizeof(archive_handle) == sizeof(archive_like*));
    STATIC_REQUIRE(sizeof(cbound::unique_resource<std::FILE*, cbound::fn_deleter<&std::fclose>>) == sizeof(std::FILE*));
    STATIC_REQUIRE(std::is_empty_v<cbound::fn_deleter<&count_close>>);
    STATIC_REQUIRE(std::is_standard_layout_v<counted>);
}

TEST_CASE("the issue's snippet compiles and reads through the handle") {
    cbound_test::scratch_dir dir{"snippet"};
    cbound_test::write_file(dir / "notes.txt", "n");
    auto const previous = std::filesystem::current_path();
    std::filesystem::current_path(dir.path());
    int first = EOF;
    {
        using file = cbound::unique_resource<std::FILE*, cbound::fn_deleter<&std::fclose>>;
        static_assert(sizeof(file) == sizeof(std::FILE*));
        file f{std::fopen("notes.txt", "r")};
        if (f) first = std::fgetc(f.get());
    }
    std::filesystem::current_path(previous);
    REQUIRE(first == 'n');
}

TEST_CASE("close_with_result closes now, hands back the close function's answer and empties the handle") {
    reset_counters();
    counted h{7};
    std::optional<int> answer = cbound::close_with_result(h);
    REQUIRE(answer == 0);
    REQUIRE(closes == 1);
    REQUIRE(last_closed == 7);
    REQUIRE_FALSE(h);
    REQUIRE_FALSE(cbound::close_with_result(h).has_value()); // nothing owned: nothing called
    REQUIRE(closes == 1);
}
