// Tests for cbound/out_ptr.hpp: the C++23 out_ptr / inout_ptr semantics, with cbound's handles.
#include "catch.hpp"

#include <cbound/out_ptr.hpp>
#include <cbound/unique_resource.hpp>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <type_traits>

namespace {

// A fake C API with out-parameters; it counts what is freed so a leak or double free shows.
struct widget {
    int id;
};
int freed = 0;
void widget_free(widget* w) {
    if (w != nullptr) ++freed;
    delete w;
}
int widget_new(int id, widget** out) {
    *out = new widget{id};
    return 0;
}
int widget_fail(widget** out) { // fails and writes nothing
    static_cast<void>(out);
    return -1;
}
int widget_new_void(void** out) { // a C API declared with void**
    *out = new widget{7};
    return 0;
}
int widget_replace(widget** inout) { // frees the old widget, makes a new one (realloc-style)
    int const id = *inout != nullptr ? (*inout)->id + 1 : 1;
    widget_free(*inout);
    *inout = new widget{id};
    return 0;
}
int widget_keep(widget** inout) { return *inout != nullptr ? 0 : -1; } // leaves it as it was

using widget_handle = cbound::unique_resource<widget*, cbound::fn_deleter<&widget_free>>;
struct widget_deleter {
    void operator()(widget* w) const noexcept { widget_free(w); }
};
using widget_ptr = std::unique_ptr<widget, widget_deleter>;

// A descriptor-like API: -1 is "none", 0 is a valid handle.
int fd_closes = 0;
int fd_close(int) {
    ++fd_closes;
    return 0;
}
int fd_open_zero(int* out) {
    *out = 0;
    return 0;
}
using fd_handle = cbound::unique_resource<int, cbound::fn_deleter<&fd_close>, cbound::fd_traits>;

} // namespace

TEST_CASE("out_ptr hands a unique_resource to a C out-parameter") {
    freed = 0;
    widget_handle h;
    REQUIRE(widget_new(1, cbound::out_ptr(h)) == 0);
    REQUIRE(h);
    REQUIRE(h.get()->id == 1);
    h.reset();
    REQUIRE(freed == 1);
}

TEST_CASE("out_ptr closes what the handle held before the call") {
    freed = 0;
    widget_handle h{new widget{1}};
    REQUIRE(widget_new(2, cbound::out_ptr(h)) == 0);
    REQUIRE(freed == 1);
    REQUIRE(h.get()->id == 2);
}

TEST_CASE("out_ptr leaves the handle empty when the C function writes nothing") {
    freed = 0;
    widget_handle h{new widget{1}};
    REQUIRE(widget_fail(cbound::out_ptr(h)) == -1);
    REQUIRE_FALSE(h);
    REQUIRE(freed == 1);
}

TEST_CASE("out_ptr works with std::unique_ptr and with a void** parameter") {
    freed = 0;
    widget_ptr p;
    REQUIRE(widget_new(3, cbound::out_ptr(p)) == 0);
    REQUIRE(p->id == 3);
    REQUIRE(widget_new_void(cbound::out_ptr(p)) == 0);
    REQUIRE(freed == 1);
    REQUIRE(p->id == 7);

    std::unique_ptr<char, decltype(&std::free)> s(nullptr, &std::free);
    auto dup = [](char** out) { *out = strdup("copied"); };
    dup(cbound::out_ptr(s));
    REQUIRE(std::strcmp(s.get(), "copied") == 0);
}

TEST_CASE("out_ptr passes extra arguments on to reset, as std::out_ptr does for shared_ptr") {
    freed = 0;
    {
        std::shared_ptr<widget> shared;
        REQUIRE(widget_new(4, cbound::out_ptr(shared, widget_deleter{})) == 0);
        REQUIRE(shared->id == 4);
    }
    REQUIRE(freed == 1);
}

TEST_CASE("out_ptr of a descriptor takes 0 as a handle: the traits say -1 is none") {
    fd_closes = 0;
    {
        fd_handle fd;
        REQUIRE(fd_open_zero(cbound::out_ptr(fd)) == 0);
        REQUIRE(fd);
        REQUIRE(fd.get() == 0);
    }
    REQUIRE(fd_closes == 1);
}

TEST_CASE("inout_ptr gives the C function the current handle and takes back the new one") {
    freed = 0;
    widget_handle h{new widget{10}};
    REQUIRE(widget_replace(cbound::inout_ptr(h)) == 0);
    REQUIRE(freed == 1); // the C function freed the old one; the handle did not free it again
    REQUIRE(h.get()->id == 11);

    REQUIRE(widget_keep(cbound::inout_ptr(h)) == 0);
    REQUIRE(h.get()->id == 11); // given back unchanged
    REQUIRE(freed == 1);

    widget_ptr p{new widget{20}};
    REQUIRE(widget_replace(cbound::inout_ptr(p)) == 0);
    REQUIRE(p->id == 21);
    REQUIRE(freed == 2);
}

TEST_CASE("out_ptr and inout_ptr work on raw pointers too") {
    widget* raw = nullptr;
    REQUIRE(widget_new(5, cbound::out_ptr(raw)) == 0);
    REQUIRE(widget_replace(cbound::inout_ptr(raw)) == 0);
    REQUIRE(raw->id == 6);
    widget_free(raw);
}

TEST_CASE("out_ptr_t converts only while it is a temporary, and is neither copied nor moved") {
    using t = cbound::out_ptr_t<widget_handle, widget*>;
    STATIC_REQUIRE(std::is_convertible_v<t&&, widget**>);
    STATIC_REQUIRE(std::is_convertible_v<t&&, void**>);
    STATIC_REQUIRE(!std::is_convertible_v<t&, widget**>);
    STATIC_REQUIRE(!std::is_copy_constructible_v<t>);
    STATIC_REQUIRE(!std::is_move_constructible_v<t>);
    using in = cbound::inout_ptr_t<widget_handle, widget*>;
    STATIC_REQUIRE(!std::is_convertible_v<in&, widget**>);
    STATIC_REQUIRE(std::is_convertible_v<in&&, widget**>);
}
