// Forbidden (under -Werror): reader::open_callback, the old name of open_callbacks, the one
// factory name reader and writer share. It still works for one release, with a warning.
#include <cbound/archive/reader.hpp>
#include <cbound/archive/source.hpp>

#include <utility>

cbound::archive::reader open_functions(cbound::archive::read_source source) {
#if CBOUND_FORBIDDEN
    return cbound::archive::reader::open_callback(std::move(source));
#else
    return cbound::archive::reader::open_callbacks(std::move(source));
#endif
}
