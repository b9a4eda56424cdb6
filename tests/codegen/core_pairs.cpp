// Codegen pairs for the core: each raw_X is hand-written C-style code, each wrapped_X does
// the same through cbound. See CMakeLists.txt here for the rules the comparer applies.
#include <cbound/checked_call.hpp>
#include <cbound/checked_view.hpp>
#include <cbound/cstring_view.hpp>
#include <cbound/out_ptr.hpp>
#include <cbound/unique_resource.hpp>

#include <cstdio>
#include <string>
#include <utility>

#include <unistd.h>

extern "C" {

// An opaque C API whose free function accepts NULL, like archive_read_free.
struct widget;
int widget_free(widget* w);
int widget_new(widget** out);
int widget_use(widget* w);

using widget_handle =
    cbound::unique_resource<widget*, cbound::fn_deleter<&widget_free>, cbound::nullable_pointer_traits<widget*>>;
using stream = cbound::unique_resource<std::FILE*, cbound::fn_deleter<&std::fclose>>;
// Spelled as posix.hpp spells cbound::unique_fd (the unit tests pin that they are the same
// type): posix.hpp itself throws, so it cannot be part of a build without exceptions.
using unique_fd = cbound::unique_resource<int, cbound::fn_deleter<&::close>, cbound::fd_traits>;

// Destroying a handle whose close accepts NULL: the call, no test.
void raw_free_nullable(widget* w) { widget_free(w); }
void wrapped_free_nullable(widget* w) { widget_handle h{w}; }

// Destroying a FILE* handle: fclose(NULL) is not allowed, so both test first.
void raw_fclose(std::FILE* f) {
    if (f) std::fclose(f);
}
void wrapped_fclose(std::FILE* f) { stream s{f}; }

// put() into a C out-parameter, then use and close the result.
int raw_put(void) {
    widget* w = nullptr;
    int r = -1;
    if (widget_new(&w) == 0) r = widget_use(w);
    widget_free(w); // widget_new may leave a half-made widget behind on failure
    return r;
}
int wrapped_put(void) {
    widget_handle h;
    if (widget_new(h.put()) != 0) return -1;
    return widget_use(h.get());
}

// Moving a descriptor between owners, then closing it once.
void raw_fd_move_close(int fd) {
    int first = fd;
    int second = first;
    first = -1;
    if (second != -1) ::close(second);
    if (first != -1) ::close(first);
}
void wrapped_fd_move_close(int fd) {
    unique_fd first{fd};
    unique_fd second{std::move(first)};
}

// out_ptr into a C out-parameter: the same code as put() and as the raw pointer.
int raw_out_ptr(void) {
    widget* w = nullptr;
    int r = -1;
    if (widget_new(&w) == 0) r = widget_use(w);
    widget_free(w);
    return r;
}
int wrapped_out_ptr(void) {
    widget_handle h;
    if (widget_new(cbound::out_ptr(h)) != 0) return -1;
    return widget_use(h.get());
}

// inout_ptr: the C function receives the current widget and may replace it.
int widget_renew(widget** inout);
int raw_inout_ptr(widget* w) {
    int r = widget_renew(&w);
    widget_free(w);
    return r;
}
int wrapped_inout_ptr(widget* w) {
    widget_handle h{w};
    return widget_renew(cbound::inout_ptr(h));
}

// A non-throwing checked call: the raw call and its one comparison.
constexpr auto widget_ok = cbound::fails_unless_equal<0>{};
int raw_try_checked(widget* w) {
    if (widget_use(w) != 0) return -1;
    return 1;
}
int wrapped_try_checked(widget* w) { return cbound::try_checked<&widget_use, widget_ok>(w) ? 1 : -1; }

// A cstring_view handed to C: the pointer, nothing else (the unused length is never computed).
int takes_c_string(char const* s);
int raw_cstring_of_string(std::string const& s) { return takes_c_string(s.c_str()); }
static int pass_on(cbound::cstring_view s) { return takes_c_string(s.c_str()); }
int wrapped_cstring_of_string(std::string const& s) { return pass_on(s); }
int raw_cstring_of_literal(void) { return takes_c_string("literal"); }
int wrapped_cstring_of_literal(void) { return pass_on("literal"); }

// A checked view with checked mode off: the view itself, no stamp, no test.
int raw_checked_view(char const* text) { return takes_c_string(text); }
int wrapped_checked_view(char const* text) {
    cbound::generation owner;
    cbound::checked_view<cbound::cstring_view> view{cbound::cstring_view(text), owner, "text"};
    return takes_c_string(view.get().c_str());
}

// Self-tests of the comparer: each unfair_X costs more than raw_X and must be flagged.
// An extra external call: reset() closes, then the destructor calls widget_free(NULL).
int raw_extra_call(widget* w) {
    int r = widget_use(w);
    widget_free(w);
    return r;
}
int unfair_extra_call(widget* w) {
    widget_handle h{w};
    int r = widget_use(h.get());
    h.reset();
    return r;
}

// Extra work with the same calls: one more instruction after the call.
int raw_extra_work(widget* w) { return widget_use(w); }
int unfair_extra_work(widget* w) { return widget_use(w) + 1; }

} // extern "C"
