// Forbidden (under -Werror): extract_entry with the reader it never used; the entry knows its
// reader. The old form still works for one release, with a warning.
#include <cbound/archive/extract.hpp>

#include <filesystem>

void save(cbound::archive::reader& r, cbound::archive::entry_view e, std::filesystem::path const& to) {
#if CBOUND_FORBIDDEN
    cbound::archive::extract_entry(r, e, to);
#else
    (void)r;
    cbound::archive::extract_entry(e, to);
#endif
}
