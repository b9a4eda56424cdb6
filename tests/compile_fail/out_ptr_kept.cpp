// Forbidden: keeping an out_ptr past its statement. The handle receives what the C function
// wrote only when the out_ptr_t dies, so a named one would leave `h` empty after the call;
// its conversions exist only on the temporary.
#include <cbound/out_ptr.hpp>
#include <cbound/unique_resource.hpp>

struct widget;
extern "C" int widget_new(widget** out);
extern "C" int widget_free(widget* w);
using widget_handle = cbound::unique_resource<widget*, cbound::fn_deleter<&widget_free>>;

int make(widget_handle& h) {
#if CBOUND_FORBIDDEN
    auto out = cbound::out_ptr(h);
    return widget_new(out);
#else
    return widget_new(cbound::out_ptr(h));
#endif
}
