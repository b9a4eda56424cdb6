// Codegen pairs for checked calls with exceptions on: the success path of checked<&f, rule>
// is the raw call plus the rule's one comparison; the failure path is one call to an
// out-of-line thrower (the raw side calls the same one, so both build the same exception).
#include <cbound/checked_call.hpp>
#include <cbound/unique_resource.hpp>

#include <cerrno>
#include <system_error>

extern "C" {

struct widget;
int widget_use(widget* w);
char const* widget_name(widget* w);
int widget_close(widget* w);

constexpr auto widget_ok = cbound::fails_unless_equal<0>{};
using widget_handle = cbound::unique_resource<widget*, cbound::fn_deleter<&widget_close>>;

// Result equal to a constant, else throw naming the function.
int raw_checked_status(widget* w) {
    int rc = widget_use(w);
    if (rc != 0) [[unlikely]]
        cbound::detail::throw_failed_call("widget_use", rc, &std::generic_category);
    return rc;
}
int wrapped_checked_status(widget* w) { return cbound::checked<&widget_use, widget_ok>(w); }

// A null pointer with errno.
char const* raw_checked_null(widget* w) {
    char const* name = widget_name(w);
    if (name == nullptr) [[unlikely]] {
        int const e = errno;
        cbound::detail::throw_failed_call("widget_name", e != 0 ? e : EIO, &std::generic_category);
    }
    return name;
}
char const* wrapped_checked_null(widget* w) { return cbound::checked<&widget_name, cbound::fails_if_null{}>(w); }

// Closing an owned widget with a checked result; the owner is left empty either way.
void raw_checked_close(widget** owner) {
    widget* w = *owner;
    *owner = nullptr;
    if (w == nullptr) return;
    int rc = widget_close(w);
    if (rc != 0) [[unlikely]]
        cbound::detail::throw_failed_call("widget_close", rc, &std::generic_category);
}
void wrapped_checked_close(widget_handle* owner) { cbound::checked_close<widget_ok>(*owner); }

// Self-test of the comparer: checking twice costs a second comparison.
int unfair_checked_status(widget* w) {
    int rc = cbound::checked<&widget_use, widget_ok>(w);
    return rc + cbound::checked<&widget_use, widget_ok>(w);
}

} // extern "C"
