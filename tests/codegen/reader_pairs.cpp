// Codegen pairs for the reader (cbound/archive/reader.hpp, entry.hpp). Its headers throw, so
// this file builds with exceptions (EXCEPTIONS in CMakeLists.txt).
//
// raw_X is the loop a careful programmer writes by hand against libarchive, keeping the
// state the reader keeps (handle, current entry, fatal flag) in cbound's plain state struct
// and reporting errors through the same out-of-line cold functions, as anyone would write
// error reporting once. What the pairs prove is that the wrapper layers on top — reader,
// its iterator, entry_view, block_range, std::optional, std::string_view, std::span — add
// no instruction to the hot path.
#include <cbound/archive/reader.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <locale.h>

namespace ca = cbound::archive;
namespace cd = cbound::archive::detail;

extern "C" {

// entry_view's layout as a C program would hold it.
struct raw_view {
    cd::read_state* state;
    ::archive_entry* entry;
};

// pathname(): the call, a NULL test and strlen.
std::size_t raw_pathname_size(raw_view const* v) {
    // The name and length the header loop kept when it counted the name against its limits.
    if (v->state->path_text != nullptr) [[likely]]
        return v->state->path_size;
    char const* p = archive_entry_pathname(v->entry);
    if (p == nullptr) [[unlikely]]
        p = cd::wide_name(v->entry, cd::pathname_accessor); // LHA: wide names only
    return p != nullptr ? std::strlen(p) : 0;
}
std::size_t wrapped_pathname_size(ca::entry_view const* e) { return e->pathname().size(); }

// size(): "is it set?" then the value, -1 when unset, handed on to a consumer.
void consume_size(std::int64_t size);
void raw_size(raw_view const* v) {
    std::int64_t size = -1;
    if (archive_entry_size_is_set(v->entry) != 0) [[likely]]
        size = archive_entry_size(v->entry);
    consume_size(size);
}
void wrapped_size(ca::entry_view const* e) { consume_size(e->size().value_or(-1)); }

// The entry loop, in the read-ahead shape a range-for has (read, then test, body, read
// again): check the handle, read each header under the UTF-8 locale when the thread is not
// UTF-8; anything but OK (the end, a warning, RETRY, an error) goes to the cold path.
[[gnu::always_inline]] static inline void raw_next_header(cd::read_state* s) {
    if (s->fatal) [[unlikely]]
        cd::throw_unusable("read_next_header");
    s->data_skipped = false;
    int st;
    if (s->switch_locale) {
        locale_t const previous = ::uselocale(cd::utf8_locale());
        st = archive_read_next_header(s->handle.get(), &s->current);
        ::uselocale(previous);
    } else {
        st = archive_read_next_header(s->handle.get(), &s->current);
    }
    // check_zip_names: the reader may meet zip names to decode (cleared after a first non-zip header).
    if (st != ARCHIVE_OK || s->check_zip_names) [[unlikely]] {
        cd::header_status(*s, st);
        if (s->current == nullptr) {
            s->path_text = nullptr;
            return;
        }
    }
    // Bounded names: the path and link target against the per-name and total limits.
    ::archive_entry* const e = s->current;
    char const* name = archive_entry_pathname(e);
    if (name == nullptr) [[unlikely]]
        name = cd::wide_name(e, cd::pathname_accessor);
    s->path_text = name;
    std::size_t const path = s->path_size = cd::name_length(name);
    std::size_t const link = cd::name_length(archive_entry_symlink(e)) + cd::name_length(archive_entry_hardlink(e));
    s->name_bytes += path + link;
    if (path > s->max_name_bytes || link > s->max_name_bytes || s->name_bytes > s->max_total_name_bytes) [[unlikely]]
        cd::names_too_long(*s, path > link ? path : link);
}
std::size_t raw_count_entries(cd::read_state** owner) {
    cd::read_state* s = *owner;
    if (s == nullptr) [[unlikely]]
        cd::throw_unusable("read_next_header");
    std::size_t n = 0;
    for (raw_next_header(s); s->current != nullptr; raw_next_header(s))
        ++n;
    return n;
}
std::size_t wrapped_count_entries(ca::reader* r) {
    std::size_t n = 0;
    for (ca::entry_view e : *r) {
        static_cast<void>(e);
        ++n;
    }
    return n;
}

// The block loop, read-ahead shape too: one archive_read_data_block per block; RETRY, the
// end and errors go to the cold path.
[[gnu::always_inline]] static inline bool raw_next_block(cd::read_state* s, ::archive* a, ca::block* out) {
    void const* buffer = nullptr;
    std::size_t size = 0;
    la_int64_t offset = 0;
    int const st = archive_read_data_block(a, &buffer, &size, &offset);
    if (st != ARCHIVE_OK) [[unlikely]] {
        if (!cd::block_status(*s, a, st, buffer, size, offset)) return false;
    }
    out->offset = offset;
    out->data = {static_cast<std::byte const*>(buffer), size};
    return true;
}
std::size_t raw_block_total(raw_view const* v) {
    cd::read_state* s = v->state;
    ::archive* a = s->handle.get();
    if (s->fatal) [[unlikely]]
        cd::throw_unusable("read_data_block");
    std::size_t total = 0;
    if (s->data_skipped) return 0;
    ca::block b;
    for (bool more = raw_next_block(s, a, &b); more; more = raw_next_block(s, a, &b))
        total += b.data.size();
    return total;
}
std::size_t wrapped_block_total(ca::entry_view const* e) {
    std::size_t total = 0;
    for (ca::block b : e->blocks())
        total += b.data.size();
    return total;
}

// Self-test of the comparer here: reading each entry's name twice must be flagged.
std::size_t unfair_pathname_size(ca::entry_view const* e) { return e->pathname().size() + e->pathname().size(); }

} // extern "C"
